package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/database"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// fakeInbox is an in-memory inbox: an inboxStore for the client, and
// pending, bridge and drop for a drainPass. Items are deleted when bridged;
// bridging failures are scripted per message ID, database failures per
// call.
type fakeInbox struct {
	t  *testing.T
	mu sync.Mutex
	// items are the pending items in seq order; state is the stored
	// session.
	items []*wxdb.InboxItem
	state []byte
	// fail counts down the failures left for a message ID.
	fail map[int64]int
	// storeErrs, pendingErrs and doneErrs are what the next calls of
	// StoreBatch, Pending and Done return, in turn (nil: they work).
	storeErrs, pendingErrs, doneErrs []error
	// calls are the inboxStore calls made: "StoreBatch", "Pending", "Done".
	calls []string
	// gate, when set, is called before bridging each item.
	gate func(d *drainItem)

	bridged  map[string][]int64 // per chat, the message IDs in the order bridged
	unsure   []int64            // the message IDs bridged as maybe sent before
	dropped  []int64
	inFlight int // read by the pass and not yet finished
	maxHeld  int
}

var _ inboxStore = (*fakeInbox)(nil)

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
	f.appendItem(msgID, payload)
}

// appendItem stores an item unless one with its message ID is there; f.mu
// is held.
func (f *fakeInbox) appendItem(msgID int64, payload []byte) {
	var seq int64 = 1
	if n := len(f.items); n > 0 {
		seq = f.items[n-1].Seq + 1
	}
	f.items = append(f.items, &wxdb.InboxItem{Seq: seq, MsgID: msgID, Payload: payload})
}

// scripted records a call and pops the error scripted for it; f.mu is held.
func (f *fakeInbox) scripted(call string, errs *[]error) error {
	f.calls = append(f.calls, call)
	if len(*errs) == 0 {
		return nil
	}
	err := (*errs)[0]
	*errs = (*errs)[1:]
	return err
}

func (f *fakeInbox) StoreBatch(_ context.Context, _ string, state []byte, items []wxdb.InboxItem) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.scripted("StoreBatch", &f.storeErrs); err != nil {
		return err
	}
	for _, it := range items {
		if !slices.ContainsFunc(f.items, func(x *wxdb.InboxItem) bool { return x.MsgID == it.MsgID }) {
			f.appendItem(it.MsgID, it.Payload)
		}
	}
	if state != nil {
		f.state = state
	}
	return nil
}

func (f *fakeInbox) Pending(_ context.Context, _ string, after int64, limit int) ([]*wxdb.InboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.scripted("Pending", &f.pendingErrs); err != nil {
		return nil, err
	}
	var out []*wxdb.InboxItem
	for _, it := range f.items {
		if it.Seq > after && len(out) < limit {
			out = append(out, it)
		}
	}
	f.inFlight += len(out)
	f.maxHeld = max(f.maxHeld, f.inFlight)
	return out, nil
}

func (f *fakeInbox) Done(_ context.Context, _ string, seq int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.scripted("Done", &f.doneErrs); err != nil {
		return err
	}
	f.items = slices.DeleteFunc(f.items, func(it *wxdb.InboxItem) bool { return it.Seq == seq })
	return nil
}

func (f *fakeInbox) pass() *drainPass {
	return &drainPass{pending: f.pending, bridge: f.bridge, drop: f.drop, failures: make(map[int64]failure)}
}

func (f *fakeInbox) pending(ctx context.Context, after int64) ([]*wxdb.InboxItem, error) {
	return f.Pending(ctx, testLoginID, after, drainWindow)
}

// msgIDs are the message IDs of the items left, in order.
func (f *fakeInbox) msgIDs() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int64, 0, len(f.items))
	for _, it := range f.items {
		out = append(out, it.MsgID)
	}
	return out
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

// TestDrainReadFailure: when the inbox cannot be read, the pass asks for a
// retry and deletes nothing it did not bridge; the next pass bridges the
// rest, each chat in order.
func TestDrainReadFailure(t *testing.T) {
	errDB := errors.New("database is locked")
	const perChat = drainWindow/2 + 10 // two chats: more than one window
	tests := []struct {
		name        string
		pendingErrs []error
		// wantFirst is how many items of each chat the failing pass
		// bridges: those of the windows read before the failure.
		wantFirst int
	}{
		{"first read fails", []error{errDB}, 0},
		{"second window's read fails", []error{nil, errDB}, drainWindow / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeInbox(t)
			for i := range int64(perChat) {
				f.add("a", 1000+i)
				f.add("b", 2000+i)
			}
			f.pendingErrs = tt.pendingErrs

			p := f.pass()
			assert.True(t, p.run(context.Background()), "a retry is due")
			assert.True(t, p.readFailed)
			assert.Equal(t, wantOrder(1000, int64(tt.wantFirst)), append([]int64{}, f.bridged["a"]...))
			assert.Equal(t, wantOrder(2000, int64(tt.wantFirst)), append([]int64{}, f.bridged["b"]...))
			assert.Equal(t, append(wantOrder(1000, perChat)[tt.wantFirst:], wantOrder(2000, perChat)[tt.wantFirst:]...),
				sortedCopy(f.msgIDs()), "every item not bridged is still in the inbox")

			p = f.pass()
			assert.False(t, p.run(context.Background()), "no retry once the inbox reads again")
			assert.False(t, p.readFailed)
			assert.Equal(t, wantOrder(1000, perChat), f.bridged["a"], "in order across the passes")
			assert.Equal(t, wantOrder(2000, perChat), f.bridged["b"])
			assert.Empty(t, f.items)
			assert.Empty(t, f.dropped)
		})
	}
}

func sortedCopy(s []int64) []int64 {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestBridgeItemFailures runs drain passes with the client's bridgeItem over
// a failing inbox. An item whose deletion (Done) fails is not counted as
// bridged and is bridged again in the next pass: bridgev2 drops what it
// already has as a duplicate, so nothing is doubled. An item that cannot be
// bridged is never deleted.
func TestBridgeItemFailures(t *testing.T) {
	errDB := errors.New("database is locked")
	const msgID = 11
	text := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: msgID, FromUserName: "@alice", ToUserName: "@self", Content: "hi"}
	notice := &wechat.RawMessage{MsgType: wechat.MsgTypeSysNotice, NewMsgId: msgID, FromUserName: "@alice", ToUserName: "@self", Content: "notice"}
	image := &wechat.RawMessage{MsgType: wechat.MsgTypeImage, NewMsgId: msgID, MsgId: "11", FromUserName: "@alice", ToUserName: "@self"}
	tests := []struct {
		name string
		raw  *wechat.RawMessage
		// known: bridgev2 has the message, as after an attempt that sent
		// it and then failed to delete it.
		known bool
		// loggedOut: the session ended, so media cannot be fetched.
		loggedOut bool
		doneErrs  []error
		// wantRetry and wantLeft are each pass's retry and whether the
		// item is still in the inbox after it.
		wantRetry [2]bool
		wantLeft  [2]bool
		wantCalls []string
		kind      string
		// wantCounts are the inbound outcomes counted after both passes.
		wantCounts map[string]float64
	}{
		{"sent before, deleting fails once", text, true, false, []error{errDB},
			[2]bool{true, false}, [2]bool{true, false}, []string{"Pending", "Done", "Pending", "Done"},
			"text", map[string]float64{"failed": 1, "ok": 1}},
		{"not bridged, deleting fails once", notice, false, false, []error{errDB},
			[2]bool{true, false}, [2]bool{true, false}, []string{"Pending", "Done", "Pending", "Done"},
			"system", map[string]float64{"failed": 1, "skipped": 1}},
		{"bridging fails", image, false, true, nil,
			[2]bool{true, true}, [2]bool{true, true}, []string{"Pending", "Pending"},
			"image", map[string]float64{"failed": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			ctx := tb.br.BackgroundCtx
			c := friendTestClient(t, tb)
			f := newFakeInbox(t)
			f.doneErrs = slices.Clone(tt.doneErrs)
			c.inbox = f
			connect(t, c, http.NotFoundHandler(), "@self", wechat.Contact{UserName: "@alice"})
			if tt.loggedOut {
				c.mu.Lock()
				c.wx = nil
				c.mu.Unlock()
			}
			const chat = "palice" // connect's PUID of @alice
			tb.addPortal(t, chat, "!alice:example.com", database.RoomTypeDM)
			if tt.known {
				require.NoError(t, tb.br.DB.Ghost.Insert(ctx, &database.Ghost{BridgeID: tb.br.ID, ID: wxid.MakeUserID(chat)}))
				require.NoError(t, tb.br.DB.Message.Insert(ctx, &database.Message{
					BridgeID: tb.br.ID, ID: wxid.MakeMessageID(msgID), MXID: "$sent", Room: wxid.MakePortalKey(chat, testLoginID),
					SenderID: wxid.MakeUserID(chat), Timestamp: time.Now(),
				}))
			}
			payload, err := json.Marshal(inboxPayload{Self: "@self", Message: tt.raw, ChatPUID: chat})
			require.NoError(t, err)
			f.addRaw(msgID, payload)

			failures := make(map[int64]failure)
			for pass := range 2 {
				p := &drainPass{pending: f.pending, bridge: c.bridgeItem, drop: f.drop, failures: failures}
				assert.Equal(t, tt.wantRetry[pass], p.run(ctx), "pass %d: retry", pass+1)
				assert.Equal(t, tt.wantLeft[pass], len(f.items) == 1, "pass %d: item left in the inbox", pass+1)
			}
			assert.Equal(t, tt.wantCalls, f.calls)
			for _, outcome := range []string{"ok", "failed", "skipped", "dropped"} {
				assert.Equal(t, tt.wantCounts[outcome], messages(t, c.conn.metrics, "wechat_to_matrix", tt.kind, outcome), outcome)
			}
			parts, err := tb.br.DB.Message.GetAllPartsByID(ctx, testLoginID, wxid.MakeMessageID(msgID))
			require.NoError(t, err)
			assert.Len(t, parts, btoi(tt.known), "nothing doubled in bridgev2's messages")
			assert.Empty(t, tb.bot.replies, "nothing sent to Matrix")
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDrainTakesNewItemsWhileAChatIsSlow(t *testing.T) {
	f := newFakeInbox(t)
	f.add("slow", 1)
	more := make(chan struct{}, 1)
	fastDone := make(chan struct{})
	f.gate = func(d *drainItem) {
		switch d.MsgID {
		case 1:
			// While the slow chat's item is bridged (its portal being
			// created), the sync loop stores two messages of another chat.
			f.add("fast", 2)
			f.add("fast", 3)
			more <- struct{}{}
			select {
			case <-fastDone:
			case <-time.After(10 * time.Second):
				t.Errorf("the new messages waited for the slow chat")
			}
		case 3:
			close(fastDone)
		}
	}
	p := f.pass()
	p.more = more
	done := make(chan bool, 1)
	go func() { done <- p.run(context.Background()) }()
	select {
	case retry := <-done:
		assert.False(t, retry)
	case <-time.After(20 * time.Second):
		t.Fatal("the pass did not end once its lanes were done")
	}
	assert.Equal(t, []int64{1}, f.bridged["slow"])
	assert.Equal(t, []int64{2, 3}, f.bridged["fast"])
	assert.Empty(t, f.items)
}

func TestDrainPassWithFailureEndsForRetry(t *testing.T) {
	f := newFakeInbox(t)
	f.add("bad", 1)
	f.add("good", 2)
	f.fail[1] = 1
	p := f.pass()
	p.more = make(chan struct{}) // never signalled
	done := make(chan bool, 1)
	go func() { done <- p.run(context.Background()) }()
	select {
	case retry := <-done:
		assert.True(t, retry, "the failed item is retried by the next pass")
	case <-time.After(10 * time.Second):
		t.Fatal("a pass with a failed item kept waiting for new items")
	}
	assert.Equal(t, []int64{2}, f.bridged["good"])
	assert.Equal(t, []int64{1}, f.msgIDs())
}
