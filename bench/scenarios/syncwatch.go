package scenarios

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// Arrival is when the Matrix user's /sync first showed a message.
type Arrival struct {
	At     time.Time
	Room   id.RoomID
	Sender id.UserID
}

// Watcher is the Matrix user's own /sync consumer. It long-polls /sync,
// joins the rooms the bridge invites the user to, and timestamps every
// m.room.message by body when a sync response first carries it: the moment
// the message became visible to a client of the user.
type Watcher struct {
	Client *mautrix.Client

	isBridgeUser func(id.UserID) bool
	log          zerolog.Logger
	cancel       context.CancelFunc
	done         chan struct{}
	joins        chan id.RoomID

	mu       sync.Mutex
	arrivals map[string]Arrival
	joined   map[id.RoomID]bool
	invites  map[id.RoomID]Invite
	changed  chan struct{}
	limited  int // timelines /sync cut short (their gaps were read with /messages)
	syncErr  error
}

// StartWatcher logs in as localpart and starts the sync loop.
func StartWatcher(ctx context.Context, log zerolog.Logger, hsURL, localpart, password string, isBridgeUser func(id.UserID) bool) (*Watcher, error) {
	cli, err := stack.PasswordLogin(ctx, hsURL, localpart, password, log.Level(zerolog.ErrorLevel))
	if err != nil {
		return nil, err
	}
	cli.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &Watcher{
		Client:       cli,
		isBridgeUser: isBridgeUser,
		log:          log,
		cancel:       cancel,
		done:         make(chan struct{}),
		joins:        make(chan id.RoomID, 1024),
		arrivals:     make(map[string]Arrival),
		joined:       make(map[id.RoomID]bool),
		invites:      make(map[id.RoomID]Invite),
		changed:      make(chan struct{}),
	}
	filter, err := cli.CreateFilter(ctx, &mautrix.Filter{
		Presence:    &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
		AccountData: &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
		Room: &mautrix.RoomFilter{
			Timeline: &mautrix.FilterPart{Limit: 1000, Types: []event.Type{event.EventMessage}},
			// m.room.name too: Dendrite applies the filter to invite
			// states, and the creation scenario tells rooms apart by name.
			State:       &mautrix.FilterPart{LazyLoadMembers: true, Types: []event.Type{event.StateMember, event.StateRoomName}},
			Ephemeral:   &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
			AccountData: &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("creating the sync filter: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); w.syncLoop(runCtx, filter.FilterID) }()
	go func() { defer wg.Done(); w.joinLoop(runCtx) }()
	go func() { wg.Wait(); close(w.done) }()
	return w, nil
}

// Close stops the sync loop.
func (w *Watcher) Close() {
	w.cancel()
	<-w.done
}

func (w *Watcher) syncLoop(ctx context.Context, filterID string) {
	since := ""
	for ctx.Err() == nil {
		resp, err := w.Client.SyncRequest(ctx, 30000, since, filterID, false, event.PresenceOffline)
		now := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				w.mu.Lock()
				w.syncErr = err
				w.mu.Unlock()
				w.log.Warn().Err(err).Msg("Sync failed")
				select {
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
			}
			continue
		}
		initial := since == ""
		since = resp.NextBatch
		w.mu.Lock()
		for roomID, room := range resp.Rooms.Invite {
			if _, seen := w.invites[roomID]; !seen {
				w.invites[roomID] = Invite{At: now, Name: roomNameOf(room)}
			}
		}
		w.mu.Unlock()
		for roomID, room := range resp.Rooms.Invite {
			if inviter := inviterOf(room, w.Client.UserID); w.isBridgeUser(inviter) {
				select {
				case w.joins <- roomID:
				default:
					go func() { w.joins <- roomID }()
				}
			}
		}
		var gaps []id.RoomID
		w.mu.Lock()
		for roomID, room := range resp.Rooms.Join {
			w.joined[roomID] = true
			for _, evt := range room.Timeline.Events {
				w.recordLocked(now, roomID, evt)
			}
			if room.Timeline.Limited && !initial {
				w.limited++
				gaps = append(gaps, roomID)
			}
		}
		w.notifyLocked()
		w.mu.Unlock()
		for _, roomID := range gaps {
			w.fillGap(ctx, now, roomID, resp.Rooms.Join[roomID].Timeline.PrevBatch)
		}
	}
}

// fillGap reads what a limited timeline left out with /messages; those
// events were visible by the time of the sync response at the latest.
func (w *Watcher) fillGap(ctx context.Context, at time.Time, roomID id.RoomID, from string) {
	for page := 0; page < 50 && from != ""; page++ {
		resp, err := w.Client.Messages(ctx, roomID, from, "", mautrix.DirectionBackward, nil, 100)
		if err != nil {
			w.log.Warn().Err(err).Stringer("room_id", roomID).Msg("Reading a timeline gap failed")
			return
		}
		w.mu.Lock()
		fresh := 0
		for _, evt := range resp.Chunk {
			if evt.Type != event.EventMessage {
				continue
			}
			if body, _ := evt.Content.Raw["body"].(string); body != "" {
				if _, seen := w.arrivals[body]; !seen {
					fresh++
				}
			}
			w.recordLocked(at, roomID, evt)
		}
		w.notifyLocked()
		w.mu.Unlock()
		if len(resp.Chunk) == 0 || fresh == 0 || resp.End == from {
			return
		}
		from = resp.End
	}
}

func (w *Watcher) recordLocked(at time.Time, roomID id.RoomID, evt *event.Event) {
	if evt.Type != event.EventMessage {
		return
	}
	body, _ := evt.Content.Raw["body"].(string)
	if body == "" {
		return
	}
	if _, ok := w.arrivals[body]; !ok {
		w.arrivals[body] = Arrival{At: at, Room: roomID, Sender: evt.Sender}
	}
}

func (w *Watcher) notifyLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// joinLoop joins the rooms the bridge invited the user to, one at a time.
func (w *Watcher) joinLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case roomID := <-w.joins:
			w.mu.Lock()
			done := w.joined[roomID]
			w.mu.Unlock()
			if done {
				continue
			}
			var err error
			for attempt := range 5 {
				if _, err = w.Client.JoinRoomByID(ctx, roomID); err == nil {
					break
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
				}
			}
			if err != nil {
				w.log.Warn().Err(err).Stringer("room_id", roomID).Msg("Joining failed")
				continue
			}
			w.mu.Lock()
			w.joined[roomID] = true
			w.notifyLocked()
			w.mu.Unlock()
		}
	}
}

func inviterOf(room *mautrix.SyncInvitedRoom, user id.UserID) id.UserID {
	for _, evt := range room.State.Events {
		if evt.Type == event.StateMember && evt.GetStateKey() == user.String() {
			return evt.Sender
		}
	}
	return ""
}

// Invite is a room the user was invited to: when /sync first showed the
// invitation, and the room's name in its invite state ("" without one).
type Invite struct {
	At   time.Time
	Name string
}

func roomNameOf(room *mautrix.SyncInvitedRoom) string {
	for _, evt := range room.State.Events {
		if evt.Type == event.StateRoomName {
			name, _ := evt.Content.Raw["name"].(string)
			return name
		}
	}
	return ""
}

// Invites returns every invitation the user got so far, by room.
func (w *Watcher) Invites() map[id.RoomID]Invite {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.invites)
}

// Joined reports whether the user has joined a room.
func (w *Watcher) Joined(roomID id.RoomID) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.joined[roomID]
}

// Seen returns when a body arrived, if it did.
func (w *Watcher) Seen(body string) (Arrival, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.arrivals[body]
	return a, ok
}

// Forget drops arrivals (to keep the map small between phases).
func (w *Watcher) Forget(bodies []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range bodies {
		delete(w.arrivals, b)
	}
}

// Limited is how many timelines /sync cut short so far.
func (w *Watcher) Limited() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.limited
}

// JoinedRooms is how many rooms the user has joined.
func (w *Watcher) JoinedRooms() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.joined)
}

// ErrMissing means not every awaited message arrived in time.
var ErrMissing = errors.New("messages missing from /sync")

// WaitAll waits until every body arrived and returns their arrivals (in
// the order of bodies). On timeout it returns the error with how many are
// missing, and the arrivals so far (zero for the missing ones).
func (w *Watcher) WaitAll(ctx context.Context, bodies []string, timeout time.Duration) ([]Arrival, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]Arrival, len(bodies))
	have := make([]bool, len(bodies))
	left := len(bodies)
	for {
		w.mu.Lock()
		for i, b := range bodies {
			if have[i] {
				continue
			}
			if a, ok := w.arrivals[b]; ok {
				out[i], have[i] = a, true
				left--
			}
		}
		changed := w.changed
		syncErr := w.syncErr
		w.mu.Unlock()
		if left == 0 {
			return out, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			first := ""
			for i, b := range bodies {
				if !have[i] {
					first = b
					break
				}
			}
			return out, fmt.Errorf("%w: %d of %d after %v (first missing %q; last sync error: %v)", ErrMissing, left, len(bodies), timeout, first, syncErr)
		}
	}
}
