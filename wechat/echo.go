package wechat

import (
	"sync"
	"time"
)

// echoSet remembers the IDs of messages this client sent, so that their
// echo in the next sync is dropped. Entries expire after ttl.
type echoSet struct {
	mu  sync.Mutex
	ttl time.Duration
	ids map[int64]time.Time
}

func newEchoSet(ttl time.Duration) *echoSet {
	return &echoSet{ttl: ttl, ids: make(map[int64]time.Time)}
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
