package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// fakeInbox is an in-memory inbox for drainPass: items are deleted when
// bridged, and failures are scripted per message ID.
type fakeInbox struct {
	t  *testing.T
	mu sync.Mutex
	// items are the pending items in seq order.
	items []*wxdb.InboxItem
	// fail counts down the failures left for a message ID.
	fail map[int64]int
	// gate, when set, is called before bridging each item.
	gate func(d *drainItem)

	bridged  map[string][]int64 // per chat, the message IDs in the order bridged
	unsure   []int64            // the message IDs bridged as maybe sent before
	dropped  []int64
	inFlight int // read by the pass and not yet finished
	maxHeld  int
}

func newFakeInbox(t *testing.T) *fakeInbox {
	return &fakeInbox{t: t, fail: make(map[int64]int), bridged: make(map[string][]int64)}
}

// add stores a message of a chat (a PUID) as the next inbox item.
func (f *fakeInbox) add(chat string, msgID int64) {
	payload, err := json.Marshal(inboxPayload{
		Self:     "@self",
		Message:  &wechat.RawMessage{NewMsgId: wechat.Int64(msgID), FromUserName: "@" + chat, ToUserName: "@self", MsgType: 1, Content: "hi"},
		ChatPUID: chat,
	})
	require.NoError(f.t, err)
	f.addRaw(msgID, payload)
}

func (f *fakeInbox) addRaw(msgID int64, payload []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var seq int64 = 1
	if n := len(f.items); n > 0 {
		seq = f.items[n-1].Seq + 1
	}
	f.items = append(f.items, &wxdb.InboxItem{Seq: seq, MsgID: msgID, Payload: payload})
}

func (f *fakeInbox) pass() *drainPass {
	return &drainPass{pending: f.pending, bridge: f.bridge, drop: f.drop, failures: make(map[int64]failure)}
}

func (f *fakeInbox) pending(_ context.Context, after int64) ([]*wxdb.InboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*wxdb.InboxItem
	for _, it := range f.items {
		if it.Seq > after && len(out) < drainWindow {
			out = append(out, it)
		}
	}
	f.inFlight += len(out)
	f.maxHeld = max(f.maxHeld, f.inFlight)
	return out, nil
}

func (f *fakeInbox) bridge(ctx context.Context, d *drainItem) bool {
	if f.gate != nil {
		f.gate(d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
	if ctx.Err() != nil {
		return false
	}
	if f.fail[d.MsgID] > 0 {
		f.fail[d.MsgID]--
		return false
	}
	f.bridged[d.payload.ChatPUID] = append(f.bridged[d.payload.ChatPUID], d.MsgID)
	if !d.lastTry.IsZero() {
		f.unsure = append(f.unsure, d.MsgID)
	}
	f.items = slices.DeleteFunc(f.items, func(it *wxdb.InboxItem) bool { return it.Seq == d.Seq })
	return true
}

func (f *fakeInbox) drop(_ context.Context, it *wxdb.InboxItem) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
	f.dropped = append(f.dropped, it.MsgID)
	f.items = slices.DeleteFunc(f.items, func(x *wxdb.InboxItem) bool { return x.Seq == it.Seq })
	return nil
}

// wantOrder is the message IDs of a chat in the order they were stored.
func wantOrder(first, n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
}

func TestDrainKeepsEachChatsOrder(t *testing.T) {
	// 3 chats interleaved, more than two windows in all.
	const perChat = drainWindow
	f := newFakeInbox(t)
	for i := range int64(perChat) {
		for c, chat := range []string{"a", "b", "c"} {
			f.add(chat, int64(c+1)*10000+i)
		}
	}
	retry := f.pass().run(context.Background())

	assert.False(t, retry)
	assert.Empty(t, f.items, "every item bridged and deleted")
	for c, chat := range []string{"a", "b", "c"} {
		assert.Equal(t, wantOrder(int64(c+1)*10000, perChat), f.bridged[chat], "chat %s in order", chat)
	}
	assert.LessOrEqual(t, f.maxHeld, 2*drainWindow, "at most two windows held")
}

func TestDrainBridgesChatsAtOnce(t *testing.T) {
	// The first message of each chat waits until all of them have started:
	// this only finishes if the chats are bridged at the same time.
	chats := []string{"a", "b", "c", "d"}
	f := newFakeInbox(t)
	for i, chat := range chats {
		f.add(chat, int64(i+1))
		f.add(chat, int64(i+1)*100)
	}
	var started sync.WaitGroup
	started.Add(len(chats))
	allStarted := make(chan struct{})
	go func() {
		started.Wait()
		close(allStarted)
	}()
	f.gate = func(d *drainItem) {
		if d.MsgID < 100 {
			started.Done()
			select {
			case <-allStarted:
			case <-time.After(10 * time.Second):
				t.Errorf("chat %s waited alone: chats are not bridged at once", d.payload.ChatPUID)
			}
		}
	}
	require.False(t, f.pass().run(context.Background()))
	for i, chat := range chats {
		assert.Equal(t, []int64{int64(i + 1), int64(i+1) * 100}, f.bridged[chat])
	}
}

func TestDrainFailureHoldsOnlyItsChat(t *testing.T) {
	f := newFakeInbox(t)
	for i := range int64(5) {
		f.add("ok", 100+i)
		f.add("bad", 200+i)
	}
	f.fail[202] = 2 // the third message of "bad" fails twice

	p := f.pass()
	assert.True(t, p.run(context.Background()), "a retry is due")
	assert.Equal(t, wantOrder(100, 5), f.bridged["ok"], "the other chat went on")
	assert.Equal(t, []int64{200, 201}, f.bridged["bad"], "nothing after the failed item")
	assert.Len(t, f.items, 3, "the failed item and those behind it stay")

	// The next passes keep counting the same item's failures.
	failures := p.failures
	firstFailure := failures[f.items[0].Seq].at
	assert.True(t, (&drainPass{pending: f.pending, bridge: f.bridge, drop: f.drop, failures: failures}).run(context.Background()))
	assert.Equal(t, 2, failures[f.items[0].Seq].count)
	assert.False(t, failures[f.items[0].Seq].at.Before(firstFailure), "the time of the last failure is kept")
	lastFailure := failures[f.items[0].Seq].at
	var tried []drainItem
	f.gate = func(d *drainItem) { tried = append(tried, *d) }
	assert.False(t, (&drainPass{pending: f.pending, bridge: f.bridge, drop: f.drop, failures: failures}).run(context.Background()))
	require.NotEmpty(t, tried)
	assert.Equal(t, 2, tried[0].tries, "the retry knows how often it failed")
	assert.Equal(t, lastFailure, tried[0].lastTry, "and when it last may have been sent")
	assert.Equal(t, wantOrder(200, 5), f.bridged["bad"], "in order once it went through")
	assert.Empty(t, f.items)
	assert.Empty(t, failures, "counts are forgotten once bridged")
}

func TestDrainDropsUnreadableItems(t *testing.T) {
	f := newFakeInbox(t)
	f.add("a", 1)
	for i, payload := range []string{`not json`, `{"self":"@self"}`, `[]`} {
		f.addRaw(int64(90+i), []byte(payload))
	}
	f.add("a", 2)
	assert.False(t, f.pass().run(context.Background()))
	assert.Equal(t, []int64{90, 91, 92}, f.dropped)
	assert.Equal(t, []int64{1, 2}, f.bridged["a"])
	assert.Empty(t, f.items)
}

func TestDrainStopsWithContext(t *testing.T) {
	f := newFakeInbox(t)
	for i := range int64(3 * drainWindow) {
		f.add(fmt.Sprintf("chat%d", i%20), i+1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	f.gate = func(*drainItem) { once.Do(cancel) }
	done := make(chan bool)
	go func() { done <- f.pass().run(ctx) }()
	select {
	case retry := <-done:
		assert.True(t, retry, "the cancelled items are due for a retry")
		assert.Len(t, f.items, 3*drainWindow, "nothing bridged after the cancel, nothing deleted")
	case <-time.After(10 * time.Second):
		t.Fatal("the pass did not end after its context was cancelled")
	}
}

func TestDrainMarksFirstItemsOfEachChatUnsure(t *testing.T) {
	// After a restart, only the first item of each chat can be one the last
	// run was sending: the others waited behind it.
	tests := []struct {
		name        string
		unsureHeads bool
		want        []int64
	}{
		{"first pass after start", true, []int64{1, 3}},
		{"later passes", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeInbox(t)
			f.add("a", 1)
			f.add("a", 2)
			f.add("b", 3)
			f.add("a", 4)
			f.add("b", 5)
			p := f.pass()
			if tt.unsureHeads {
				p.unsureBefore = time.Now()
			}
			require.False(t, p.run(context.Background()))
			slices.Sort(f.unsure)
			assert.Equal(t, tt.want, f.unsure)
			assert.Equal(t, []int64{1, 2, 4}, f.bridged["a"])
		})
	}
}
