package wechat

import (
	"context"
	"sync"
	"time"
)

// pacer spaces the calls of one kind: a call starts only when interval has
// passed since the previous one finished, and holds the turn until it
// finished itself, so the server sees them at least interval apart however
// long one spent in transit. Callers queue up in turn. A zero or negative
// interval lets every call through at once.
type pacer struct {
	interval time.Duration

	mu   sync.Mutex
	last time.Time
}

// turn waits for the caller's turn. Call release once the call finished.
func (p *pacer) turn(ctx context.Context) (release func(), err error) {
	if p.interval <= 0 {
		return func() {}, nil
	}
	p.mu.Lock()
	if wait := time.Until(p.last.Add(p.interval)); wait > 0 {
		if err = sleepCtx(ctx, wait); err != nil {
			p.mu.Unlock()
			return nil, err
		}
	}
	return func() {
		p.last = time.Now()
		p.mu.Unlock()
	}, nil
}
