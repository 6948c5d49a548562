package wechattest

import (
	"sync"
	"time"
)

// Clock is a clock that tests move by hand. Give its Now to Config.Now and
// to the client's wechat.Config.Now, and one Advance moves both: cookies
// expire, revoke windows close, and nothing waits in real time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that stands at start until it is moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
