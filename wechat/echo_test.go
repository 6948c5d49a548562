package wechat

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestEchoSetSettlesSendsInFlight(t *testing.T) {
	e := newEchoSet(time.Minute)
	e.settle(context.Background(), time.Second) // nothing in flight: returns at once
	e.begin()
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.add(42)
		e.end()
	}()
	e.settle(context.Background(), 10*time.Second)
	assert.True(t, e.has(42), "after settling, the ID of the send in flight is known")
	assert.True(t, e.has(42), "and stays known for a refetched batch")
	assert.False(t, e.has(43))
}

func TestEchoSetExpires(t *testing.T) {
	e := newEchoSet(time.Millisecond)
	for i := range 63 {
		e.add(int64(i))
	}
	time.Sleep(5 * time.Millisecond)
	assert.False(t, e.has(1), "expired entries no longer count")
	e.add(1000) // the 64th entry triggers a prune of the expired ones
	e.mu.Lock()
	n := len(e.ids)
	e.mu.Unlock()
	assert.Equal(t, 1, n, "old entries are pruned, so the set stays bounded")
	assert.True(t, e.has(1000))
}
