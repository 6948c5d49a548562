package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// The inbox is drained in lanes, one per chat: the items of a chat are
// bridged one at a time in the order they were stored, and up to drainLanes
// chats are bridged at once. With portal_event_buffer 0, each event waits
// until the homeserver has taken it, so one chat at a time would leave the
// homeserver idle between round trips. An item that fails stops its own
// chat's lane until the next pass; the other chats go on. A pass takes what
// the sync loop stores while its lanes are busy, so that a slow chat (its
// portal being created, with every member) does not hold back the others'
// new messages until it is done.
const (
	// drainWindow is how many items are read from the inbox at a time; at
	// most two windows are held in memory.
	drainWindow = 200
	drainLanes  = 8
	// maxDrainTries is how many failures in a row are logged as warnings
	// before they are logged as errors; the item is never given up.
	maxDrainTries  = 3
	drainRetryWait = 10 * time.Second
)

// drainItem is an inbox item read and parsed, with the lane it goes in.
type drainItem struct {
	*wxdb.InboxItem
	payload inboxPayload
	msg     *wechat.Message
	lane    string
	// tries is how many times in a row the item failed before.
	tries int
	// lastTry is when an earlier attempt may last have reached the
	// homeserver, zero when none may have: the time of its last failure,
	// or, for the first item of each chat in the first pass, the start of
	// this run, since the last run may have sent it before it died.
	lastTry time.Time
}

// decodeItem reads an inbox item. Its lane is the chat's PUID when the item
// has one, which stays the same across re-logins; else the chat's UserName.
func decodeItem(it *wxdb.InboxItem) (*drainItem, error) {
	d := &drainItem{InboxItem: it}
	if err := json.Unmarshal(it.Payload, &d.payload); err != nil || d.payload.Message == nil {
		return nil, fmt.Errorf("%w: inbox payload is not a message: %v", errUnreadable, err)
	}
	d.msg = wechat.ParseMessage(d.payload.Message, d.payload.Self)
	if d.payload.ChatPUID != "" {
		d.lane = "puid:" + d.payload.ChatPUID
	} else {
		d.lane = "user:" + chatOf(d.msg)
	}
	return d, nil
}

// errUnreadable marks an inbox item that no retry can bridge: its payload
// is not a message. Every other error of remoteEvent is retried.
var errUnreadable = errors.New("unreadable inbox item")

// drainLoop bridges what the inbox holds: at start (items left from before a
// restart), whenever a batch was stored, and drainRetryWait after a pass in
// which an item failed.
func (c *WeChatClient) drainLoop(ctx context.Context) {
	log := zerolog.Ctx(ctx).With().Str("action", "drain inbox").Logger()
	ctx = log.WithContext(ctx)
	failures := make(map[int64]failure)
	// Until a pass has read the whole inbox, the first item of each chat
	// may be one the last run was sending when it stopped.
	unsureBefore := time.Now()
	for {
		p := &drainPass{
			unsureBefore: unsureBefore,
			more:         c.drainNow,
			pending: func(ctx context.Context, after int64) ([]*wxdb.InboxItem, error) {
				return c.inbox.Pending(ctx, c.loginID, after, drainWindow)
			},
			bridge: c.bridgeItem,
			drop: func(ctx context.Context, it *wxdb.InboxItem) error {
				c.metrics().Message(metrics.ToMatrix, metrics.KindOther, metrics.Dropped)
				return c.inbox.Done(ctx, c.loginID, it.Seq)
			},
			failures: failures,
		}
		var wait <-chan time.Time
		if p.run(ctx) {
			wait = time.After(drainRetryWait)
		}
		if !p.readFailed {
			unsureBefore = time.Time{}
		}
		select {
		case <-c.drainNow:
		case <-wait:
		case <-ctx.Done():
			return
		}
	}
}

// drainPass is one pass over the inbox: a reader that sorts items into
// lanes, and drainLanes workers that each take a lane and bridge its items
// until it is empty.
type drainPass struct {
	pending func(ctx context.Context, after int64) ([]*wxdb.InboxItem, error)
	// bridge bridges an item and deletes it; false means it failed and
	// stays in the inbox.
	bridge func(ctx context.Context, d *drainItem) bool
	// unsureBefore, when set, is the start of this run: the first item of
	// each lane may have been sent by the last run before then.
	unsureBefore time.Time
	// readFailed is set when reading the inbox failed during the pass.
	readFailed bool
	// drop deletes an item that cannot be read.
	drop func(ctx context.Context, it *wxdb.InboxItem) error
	// more, when set, says that the sync loop stored new items: the pass
	// reads them while lanes are still busy instead of ending.
	more <-chan struct{}
	// idle is signalled when the last busy lane finished.
	idle chan struct{}

	mu   sync.Mutex
	cond *sync.Cond
	// failures are each failing item's failures in a row, across passes.
	failures map[int64]failure
	lanes    map[string][]*drainItem
	busy     map[string]bool
	ready    []string
	blocked  map[string]bool
	queued   int
	closed   bool
	// headed are the lanes that had an item in this pass.
	headed map[string]bool
}

// run drains the inbox until it is empty (except for blocked lanes) and
// reports whether an item failed and a retry is due.
func (p *drainPass) run(ctx context.Context) (retry bool) {
	p.cond = sync.NewCond(&p.mu)
	p.lanes = make(map[string][]*drainItem)
	p.busy = make(map[string]bool)
	p.blocked = make(map[string]bool)
	p.headed = make(map[string]bool)
	p.idle = make(chan struct{}, 1)
	var wg sync.WaitGroup
	for range drainLanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx)
		}()
	}
	p.readFailed = p.read(ctx)
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	wg.Wait()
	return p.readFailed || len(p.blocked) > 0
}

// read sorts the inbox into lanes, a window at a time, keeping at most two
// windows queued. It reports whether reading failed.
func (p *drainPass) read(ctx context.Context) (failed bool) {
	log := zerolog.Ctx(ctx)
	var after int64
	for ctx.Err() == nil {
		p.mu.Lock()
		for p.queued >= drainWindow {
			p.cond.Wait()
		}
		p.mu.Unlock()
		items, err := p.pending(ctx, after)
		if err != nil {
			log.Err(err).Msg("Failed to read the inbox")
			return true
		}
		for _, it := range items {
			after = it.Seq
			d, err := decodeItem(it)
			if err != nil {
				log.Err(err).Int64("inbox_seq", it.Seq).Int64("new_msg_id", it.MsgID).Msg("Dropping inbox item that cannot be read")
				if err = p.drop(ctx, it); err != nil {
					log.Err(err).Int64("inbox_seq", it.Seq).Msg("Failed to delete unreadable inbox item")
				}
				continue
			}
			p.enqueue(d)
		}
		if len(items) < drainWindow && !p.waitMore(ctx) {
			return false
		}
	}
	return false
}

// waitMore is called when everything stored so far is queued. It waits
// until the sync loop stores more (true: read again) or no lane is busy
// (false: the pass ends). A pass with a blocked lane ends as soon as its
// lanes are done, so that the next pass retries the failed item.
func (p *drainPass) waitMore(ctx context.Context) bool {
	if p.more == nil {
		return false
	}
	p.mu.Lock()
	// Whatever is stored from now on was stored by this run.
	p.unsureBefore = time.Time{}
	select {
	case <-p.idle:
	default:
	}
	done := len(p.busy) == 0 && len(p.ready) == 0
	blocked := len(p.blocked) > 0
	p.mu.Unlock()
	if done || blocked {
		return false
	}
	select {
	case <-p.more:
		return true
	case <-p.idle:
		return false
	case <-ctx.Done():
		return false
	}
}

// enqueue appends an item to its lane, unless the lane is blocked: then the
// item stays in the inbox for the next pass, behind the one that failed.
func (p *drainPass) enqueue(d *drainItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked[d.lane] {
		return
	}
	if !p.headed[d.lane] {
		d.lastTry = p.unsureBefore
	}
	p.headed[d.lane] = true
	p.lanes[d.lane] = append(p.lanes[d.lane], d)
	p.queued++
	if !p.busy[d.lane] && len(p.lanes[d.lane]) == 1 {
		p.ready = append(p.ready, d.lane)
		p.cond.Broadcast()
	}
}

// work takes ready lanes until the pass is closed and nothing is ready.
func (p *drainPass) work(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.ready) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.ready) == 0 {
			return
		}
		lane := p.ready[0]
		p.ready = p.ready[1:]
		p.busy[lane] = true
		p.runLane(ctx, lane)
		delete(p.busy, lane)
		if len(p.busy) == 0 && len(p.ready) == 0 {
			select {
			case p.idle <- struct{}{}:
			default:
			}
		}
		p.cond.Broadcast()
	}
}

// runLane bridges a lane's items in order until it is empty or one fails.
// It is called and returns with p.mu held, and releases it while bridging.
func (p *drainPass) runLane(ctx context.Context, lane string) {
	for len(p.lanes[lane]) > 0 {
		d := p.lanes[lane][0]
		p.lanes[lane] = p.lanes[lane][1:]
		f := p.failures[d.Seq]
		if d.tries = f.count; f.count > 0 {
			d.lastTry = f.at
		}
		p.mu.Unlock()
		ok := p.bridge(ctx, d)
		p.mu.Lock()
		p.queued--
		if !ok {
			p.failures[d.Seq] = failure{count: f.count + 1, at: time.Now()}
			p.blocked[lane] = true
			p.queued -= len(p.lanes[lane])
			break
		}
		delete(p.failures, d.Seq)
		p.cond.Broadcast()
	}
	delete(p.lanes, lane)
}

// failure is how many times in a row an item failed, and when it last did.
type failure struct {
	count int
	at    time.Time
}

// bridgeItem bridges one inbox item and deletes it once bridged. An item
// that fails stays and is retried later (it returns false).
func (c *WeChatClient) bridgeItem(ctx context.Context, d *drainItem) bool {
	log := zerolog.Ctx(ctx).With().Int64("inbox_seq", d.Seq).Int64("new_msg_id", d.MsgID).Logger()
	ctx = log.WithContext(ctx)
	if d.msg.IsGroup {
		// A group being created gets its room first (see CreateGroup).
		if err := c.groupCreations.wait(ctx); err != nil {
			return false
		}
	}
	evt, err := c.remoteEvent(ctx, d)
	// sent: something goes to Matrix, now or in an earlier attempt.
	sent := evt != nil
	defer func() { c.countInbound(ctx, wechatKind(d.msg.Content), sent, err) }()
	if err == nil && evt != nil && !d.lastTry.IsZero() {
		// The last attempt may have reached the room without an answer.
		var found bool
		if found, err = c.findDelivered(ctx, evt, d.lastTry.Add(redeliveryReadLag)); found {
			evt = nil
		}
	}
	if err == nil && evt != nil {
		res := c.login.QueueRemoteEvent(evt)
		if err = handlingError(res); err == nil {
			err = c.checkStored(ctx, evt, res, d.tries)
		}
		if err == nil {
			c.ensureUserInRoom(ctx, evt.GetPortalKey())
		}
	}
	if err != nil {
		// The item stays in the inbox and its chat's later ones wait behind
		// it, so nothing is lost and order holds; persistent trouble is an
		// error.
		ev := log.Warn()
		if d.tries+1 >= maxDrainTries {
			ev = log.Error()
		}
		ev.Err(err).Int("tries", d.tries+1).Msg("Bridging failed, will retry")
		return false
	}
	if err = c.inbox.Done(ctx, c.loginID, d.Seq); err != nil {
		log.Err(err).Msg("Failed to mark inbox item done")
		return false
	}
	return true
}
