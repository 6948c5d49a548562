package wechat

import (
	"context"
	"sync"
	"time"
)

// echoSet remembers the IDs of messages this client sent, so that their
// echo in a sync is dropped. The server may put the echo into a sync
// before the send call has returned the ID, so sends in flight are counted
// and the sync loop lets them settle before it decides what is an echo.
// Entries expire after ttl.
type echoSet struct {
	mu       sync.Mutex
	ttl      time.Duration
	ids      map[int64]time.Time
	inFlight int
	idle     chan struct{}
}

func newEchoSet(ttl time.Duration) *echoSet {
	return &echoSet{ttl: ttl, ids: make(map[int64]time.Time)}
}

// begin marks a send as in flight; end must follow.
func (e *echoSet) begin() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inFlight == 0 {
		e.idle = make(chan struct{})
	}
	e.inFlight++
}

func (e *echoSet) end() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.inFlight--
	if e.inFlight == 0 {
		close(e.idle)
	}
}

// settle waits (at most max) until no send is in flight.
func (e *echoSet) settle(ctx context.Context, max time.Duration) {
	e.mu.Lock()
	if e.inFlight == 0 {
		e.mu.Unlock()
		return
	}
	idle := e.idle
	e.mu.Unlock()
	timer := time.NewTimer(max)
	defer timer.Stop()
	select {
	case <-idle:
	case <-timer.C:
	case <-ctx.Done():
	}
}

func (e *echoSet) add(id int64) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ids[id] = now
	if len(e.ids)%64 == 0 {
		for k, t := range e.ids {
			if now.Sub(t) > e.ttl {
				delete(e.ids, k)
			}
		}
	}
}

// has reports whether id is a remembered send. The entry stays until it
// expires: a batch that is fetched again must drop the echo again.
func (e *echoSet) has(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.ids[id]
	return ok && time.Since(t) <= e.ttl
}
