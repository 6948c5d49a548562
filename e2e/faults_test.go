package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // reading the bridge's database
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// faultStreamChat is one chat of the inbound stream and who writes in it.
type faultStreamChat struct {
	id, name string
	senders  []string // "" for the peer of a DM
}

// faultPhase is a fault injected once the stream reached a message number.
// apply returns when the fault is over; end is the number of the first
// message of the next phase, for a fault that lasts until the stream has
// gone past it.
type faultPhase struct {
	at    int
	name  string
	apply func(ctx context.Context, end int) error
}

// streamBody is the text of message n of a chat in the inbound stream.
func streamBody(chat string, n int) string { return fmt.Sprintf("stream %s #%05d", chat, n) }

var streamBodyRE = regexp.MustCompile(`^stream (\w+) #(\d{5})$`)

// TestDeliveryUnderFaults bridges a stream of messages across direct chats
// and groups while WeChat's sync endpoints fail in every way the simulator
// knows, the homeserver is down until the bridge has given up on a message,
// and the bridge is killed with SIGKILL and restarted while messages
// arrive. Every message must reach Matrix exactly once and,
// per chat, in order. WXBRIDGE_FAULT_MESSAGES sets the stream's length
// (default 2,000).
func TestDeliveryUnderFaults(t *testing.T) {
	total := 2000
	if v, err := strconv.Atoi(os.Getenv("WXBRIDGE_FAULT_MESSAGES")); err == nil && v > 0 {
		total = v
	}
	e := setup(t, stack.Options{Metrics: true})
	e.login(e.u, e.s.Sim, defaultSelf)
	sim := e.s.Sim
	chats := []faultStreamChat{
		{id: "alice", name: seedName("alice"), senders: []string{""}},
		{id: "carol", name: seedName("carol"), senders: []string{""}},
		{id: "family", name: "Family", senders: []string{"alice", "bob", "erin", wechattest.SelfID}},
		{id: "project", name: "Project X", senders: []string{"carol", "frank"}},
	}
	// Every chat has a portal before the faults start.
	rooms := make(map[string]id.RoomID, len(chats))
	for _, c := range chats {
		sim.InjectText(c.id, c.senders[0], "hello "+c.id)
		rooms[c.id] = e.waitPortal(e.u, c.name).ID
		e.waitMessage(e.u, rooms[c.id], "", "hello "+c.id)
	}

	// injected counts the messages of the stream given to the simulator.
	var injected atomic.Int64
	// streamPast waits until the stream has injected message end: a fault
	// that lasts until then spans a whole phase of the stream.
	streamPast := func(ctx context.Context, end int) error {
		for injected.Load() < int64(end) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("the stream stopped before message %d: %w", end, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
		return nil
	}
	// The homeserver stays down until the phase's messages all arrived in
	// WeChat and the bridge has given up on one of them (after its own
	// retries, about a minute with homeserver.retry_limit 4): the outage
	// reaches the inbox's retry, not only the HTTP client's.
	hsDown := func(ctx context.Context, end int) error {
		before, err := e.s.Bridge.Scrape(ctx)
		if err != nil {
			return err
		}
		if err = e.s.HS.Stop(); err != nil {
			return err
		}
		if err = streamPast(ctx, end); err != nil {
			return err
		}
		failed := func(m stack.Metrics) float64 {
			return m.Get("wxbridge_messages_total", "direction", "wechat_to_matrix", "kind", "text", "outcome", "failed")
		}
		waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		for {
			m, err := e.s.Bridge.Scrape(waitCtx)
			if err == nil && failed(m) > failed(before) {
				break
			}
			select {
			case <-waitCtx.Done():
				return fmt.Errorf("the bridge never failed to reach the stopped homeserver: %w", waitCtx.Err())
			case <-time.After(200 * time.Millisecond):
			}
		}
		return e.s.HS.Start(ctx)
	}
	// The bridge stays dead while the rest of the phase arrives in WeChat.
	kill := func(ctx context.Context, end int) error {
		if err := e.s.Bridge.Kill(); err != nil {
			return err
		}
		if err := streamPast(ctx, end); err != nil {
			return err
		}
		return e.s.Bridge.Start(ctx)
	}
	fail := func(endpoint string, n int, f wechattest.Fault) func(context.Context, int) error {
		return func(context.Context, int) error { sim.FailNext(endpoint, n, f); return nil }
	}
	none := func(context.Context, int) error { return nil }
	step := total / 10
	phases := []faultPhase{
		{0, "none", none},
		{1 * step, "synccheck HTTP 500 ×3", fail("synccheck", 3, wechattest.FaultHTTP500)},
		{2 * step, "synccheck reset ×3", fail("synccheck", 3, wechattest.FaultReset)},
		{3 * step, "webwxsync HTTP 500 ×2, reset ×2", func(context.Context, int) error {
			sim.FailNext("webwxsync", 2, wechattest.FaultHTTP500)
			sim.FailNext("webwxsync", 2, wechattest.FaultReset)
			return nil
		}},
		{4 * step, "synccheck hangs past the timeout", fail("synccheck", 1, wechattest.FaultHang)},
		{5 * step, "webwxsync malformed body", fail("webwxsync", 1, wechattest.FaultMalformed)},
		{6 * step, "webwxsync 1205", fail("webwxsync", 1, wechattest.FaultTooFrequent)},
		{7 * step, "homeserver down", hsDown},
		{8 * step, "bridge SIGKILL and restart", kill},
		{9 * step, "none (after)", none},
	}

	// Inject the stream in small bursts; a fault is applied when the stream
	// reaches its phase, while later messages keep arriving.
	phaseOf := make(map[string]int, total)   // body → phase index
	msgIDOf := make(map[string]int64, total) // body → NewMsgId
	var mu sync.Mutex
	next := make(map[string]int, len(chats))
	ctx := e.ctx
	injectDone := make(chan struct{})
	var faultErrs []error
	go func() {
		defer close(injectDone)
		// A phase's fault runs while the stream goes on (messages arrive
		// while the homeserver or the bridge is down); the next phase waits
		// until it is over.
		p := 0
		phaseDone := make(chan error, 1)
		phaseDone <- phases[0].apply(ctx, phases[1].at)
		for n := 0; n < total; n++ {
			for p+1 < len(phases) && n >= phases[p+1].at {
				if err := <-phaseDone; err != nil {
					faultErrs = append(faultErrs, fmt.Errorf("%s: %w", phases[p].name, err))
				}
				p++
				t.Logf("phase %q from message %d", phases[p].name, n)
				end := total
				if p+1 < len(phases) {
					end = phases[p+1].at
				}
				go func(ph faultPhase) { phaseDone <- ph.apply(ctx, end) }(phases[p])
			}
			c := chats[n%len(chats)]
			mu.Lock()
			next[c.id]++
			seq := next[c.id]
			body := streamBody(c.id, seq)
			phaseOf[body] = p
			mu.Unlock()
			msgID := sim.InjectText(c.id, c.senders[(seq-1)%len(c.senders)], body)
			mu.Lock()
			msgIDOf[body] = msgID
			mu.Unlock()
			injected.Add(1)
			if n%10 == 9 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if err := <-phaseDone; err != nil {
			faultErrs = append(faultErrs, fmt.Errorf("%s: %w", phases[p].name, err))
		}
	}()
	<-injectDone
	require.Empty(t, faultErrs, "every fault was applied and undone")
	injectedAt := time.Now()

	// Wait until every chat holds its whole stream (or time runs out), then
	// count.
	got := make(map[string][]int, len(chats))
	deadline := time.Now().Add(10 * time.Minute)
	for {
		complete := true
		for _, c := range chats {
			seqs, err := streamSeqs(ctx, e.u, rooms[c.id], c.id)
			if err != nil {
				complete = false
				continue
			}
			got[c.id] = seqs
			if distinct(seqs) < next[c.id] {
				complete = false
			}
		}
		if complete || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(2 * time.Second)
	}
	t.Logf("waited %v after the last message was injected", time.Since(injectedAt).Round(time.Second))
	// A late duplicate (a redelivery after the restart) would come before a
	// message WeChat had after the stream: a chat's messages are bridged in
	// order. A closing message in each chat closes the count.
	for _, c := range chats {
		closing := "closing " + c.id
		sim.InjectText(c.id, c.senders[0], closing)
		e.waitMessage(e.u, rooms[c.id], "", closing)
	}
	for _, c := range chats {
		seqs, err := streamSeqs(ctx, e.u, rooms[c.id], c.id)
		require.NoError(t, err)
		got[c.id] = seqs
	}

	// A message missing from the room but saved by the bridge with an event
	// ID was accepted by the homeserver (HTTP 200) and lost by it: Dendrite
	// can lose events it acknowledged just before it is stopped. Those are
	// counted apart; the bridge must lose none.
	dbPath, err := e.s.Bridge.DatabasePath()
	require.NoError(t, err)
	bridgeDB, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	require.NoError(t, err)
	defer bridgeDB.Close()
	acknowledged := func(msgID int64) bool {
		var n int
		err := bridgeDB.QueryRowContext(ctx, `SELECT count(*) FROM message WHERE id=$1 AND mxid LIKE '$%'`, strconv.FormatInt(msgID, 10)).Scan(&n)
		require.NoError(t, err, "reading the bridge's database")
		return n > 0
	}

	type counts struct{ sent, received, duplicated, lostByHS int }
	perPhase := make([]counts, len(phases))
	for body, p := range phaseOf {
		perPhase[p].sent++
		m := streamBodyRE.FindStringSubmatch(body)
		seq, _ := strconv.Atoi(m[2])
		n := 0
		for _, s := range got[m[1]] {
			if s == seq {
				n++
			}
		}
		switch {
		case n > 0:
			perPhase[p].received++
		case acknowledged(msgIDOf[body]):
			perPhase[p].lostByHS++
			t.Logf("%q was accepted by the homeserver but is not in the room", body)
		}
		if n > 1 {
			perPhase[p].duplicated += n - 1
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| fault | sent | received | duplicated | accepted by the homeserver, then lost by it |\n|---|---:|---:|---:|---:|\n")
	var sum counts
	for i, ph := range phases {
		c := perPhase[i]
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %d |\n", ph.name, c.sent, c.received, c.duplicated, c.lostByHS)
		sum.sent += c.sent
		sum.received += c.received
		sum.duplicated += c.duplicated
		sum.lostByHS += c.lostByHS
	}
	fmt.Fprintf(&table, "| **all** | %d | %d | %d | %d |\n", sum.sent, sum.received, sum.duplicated, sum.lostByHS)
	t.Log(table.String())

	assert.Equal(t, total, sum.sent)
	assert.Equal(t, sum.sent, sum.received+sum.lostByHS, "every message reached the homeserver")
	assert.LessOrEqual(t, sum.lostByHS, 2, "only messages in flight when the homeserver stopped can be lost by it")
	assert.Zero(t, sum.duplicated, "no message arrived twice")
	for _, c := range chats {
		assert.True(t, inOrder(got[c.id]), "the messages of %s are in order", c.id)
		assert.LessOrEqual(t, next[c.id]-len(got[c.id]), sum.lostByHS, "%s: one event per message", c.id)
	}
}

// streamSeqs lists the stream numbers of a chat in the order the room shows
// them.
func streamSeqs(ctx context.Context, u *stack.User, room id.RoomID, chat string) ([]int, error) {
	evts, err := u.Messages(ctx, room)
	if err != nil {
		return nil, err
	}
	var seqs []int
	for _, evt := range evts {
		msg := stack.Message(evt)
		if msg == nil || msg.MsgType != event.MsgText {
			continue
		}
		if m := streamBodyRE.FindStringSubmatch(msg.Body); m != nil && m[1] == chat {
			seq, _ := strconv.Atoi(m[2])
			seqs = append(seqs, seq)
		}
	}
	return seqs, nil
}

func distinct(seqs []int) int {
	seen := make(map[int]struct{}, len(seqs))
	for _, s := range seqs {
		seen[s] = struct{}{}
	}
	return len(seen)
}

func inOrder(seqs []int) bool {
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			return false
		}
	}
	return true
}

// TestSendingUnderFaults sends messages from Matrix while WeChat's send
// call fails for a while (HTTP 500, connection resets, 1205). Each message
// is either delivered exactly once or shown as failed with a reason; none
// vanishes and none is sent twice.
func TestSendingUnderFaults(t *testing.T) {
	const total = 200
	// 200 messages as fast as the bridge sends them (the stack's
	// send_interval is 0): faster than WeChat allows, so its rate limit is
	// off here; the 1205s of this test are injected.
	e, alice, _ := setupWithAlice(t, stack.Options{
		Config: map[string]any{"matrix.message_status_events": true},
		Sims:   []wechattest.Config{{RateLimit: wechattest.RateLimit{Off: true}}},
	})
	sim := e.s.Sim

	faults := map[int]func(){
		50:  func() { sim.FailNext("webwxsendmsg", 10, wechattest.FaultHTTP500) },
		100: func() { sim.FailNext("webwxsendmsg", 5, wechattest.FaultReset) },
		150: func() { sim.FailNext("webwxsendmsg", 3, wechattest.FaultTooFrequent) },
	}
	bodies := make(map[id.EventID]string, total)
	for n := range total {
		if f := faults[n]; f != nil {
			// Let the messages before the fault reach WeChat first, so that
			// the fault hits the ones after it.
			e.waitSent(sim, fmt.Sprintf("message %d", n-1), func(m wechattest.SentMessage) bool {
				return m.Msg.Content == fmt.Sprintf("outbound #%03d", n-1)
			})
			f()
		}
		body := fmt.Sprintf("outbound #%03d", n)
		evtID, err := e.u.SendText(e.ctx, alice.ID, body)
		require.NoError(t, err)
		bodies[evtID] = body
	}

	statuses := make(map[id.EventID]*event.BeeperMessageStatusEventContent, total)
	deadline := time.Now().Add(3 * time.Minute)
	for len(statuses) < total && time.Now().Before(deadline) {
		start := time.Now()
		evts, err := e.u.Events(e.ctx, alice.ID)
		require.NoError(t, err)
		for _, evt := range evts {
			st, ok := evt.Content.Parsed.(*event.BeeperMessageStatusEventContent)
			if !ok || evt.Type != event.BeeperMessageStatus {
				continue
			}
			if _, ours := bodies[st.RelatesTo.EventID]; ours {
				statuses[st.RelatesTo.EventID] = st
			}
		}
		if len(statuses) < total {
			t.Logf("%d events read in %v; %d of %d messages have a status", len(evts), time.Since(start).Round(time.Millisecond), len(statuses), total)
			time.Sleep(2 * time.Second)
		}
	}
	require.Len(t, statuses, total, "every message has a status")

	received := make(map[string]int, total)
	for _, m := range sim.Sent() {
		received[m.Msg.Content]++
	}
	var delivered, failed, vanished, duplicated int
	for evtID, body := range bodies {
		st := statuses[evtID]
		switch {
		case received[body] > 1:
			duplicated++
			t.Errorf("%q reached WeChat %d times", body, received[body])
		case st.Status == event.MessageStatusSuccess && received[body] == 1:
			delivered++
		case st.Status != event.MessageStatusSuccess && received[body] == 0:
			failed++
			assert.NotEmpty(t, st.Message, "the failure of %q says why", body)
		default:
			vanished++
			t.Errorf("%q: status %s but WeChat received it %d times", body, st.Status, received[body])
		}
	}
	t.Logf("\n| sent from Matrix | delivered once | failed with a reason | vanished | duplicated |\n|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |",
		total, delivered, failed, vanished, duplicated)
	assert.Equal(t, total, delivered+failed)
	assert.Equal(t, 15, failed, "the 10 HTTP 500s and 5 resets fail one message each; 1205 is retried")
}
