package wechat

import (
	"fmt"
	"sync"
	"time"
)

// creationGate keeps group creations apart: WeChat allows an account about
// two or three an hour and answers "too frequent" beyond (reference §8.4),
// and an account that keeps trying stands out. Unlike pacer it does not
// wait: a creation asked for too soon is refused at once with the time
// left, since the user would rather know than watch a command hang for
// twenty minutes.
type creationGate struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	next time.Time
}

// tooFrequentHold is how long no group is created after WeChat said "too
// frequent": its limit is counted per hour.
const tooFrequentHold = time.Hour

// take claims the next creation, or says how long until one may be made.
// A gate with a zero or negative interval lets every creation through.
func (g *creationGate) take() error {
	if g.interval <= 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if wait := g.next.Sub(now); wait > 0 {
		return &CreatePacedError{Wait: wait}
	}
	g.next = now.Add(g.interval)
	return nil
}

// hold makes no creation possible for d from now (after "too frequent").
func (g *creationGate) hold(d time.Duration) {
	if g.interval <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := g.now().Add(d); until.After(g.next) {
		g.next = until
	}
}

// CreatePacedError is a group creation the client did not ask WeChat for,
// because the previous one was too recent (Config.GroupCreateInterval) or
// WeChat said "too frequent" within the hour.
type CreatePacedError struct {
	// Wait is how long until a creation may be asked for again.
	Wait time.Duration
}

func (e *CreatePacedError) Error() string {
	return fmt.Sprintf("wechat: no group created: the previous creation was too recent, next possible in %v", e.Wait.Round(time.Second))
}

// Is matches ErrTooFrequent: to the caller it is the same advice, later.
func (e *CreatePacedError) Is(target error) bool { return target == ErrTooFrequent }
