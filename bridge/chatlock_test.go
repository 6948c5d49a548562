package bridge

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestChatLocks(t *testing.T) {
	var l chatLocks
	unlockA := l.lock("a")

	// Another chat's lock is free while a's is held.
	done := make(chan struct{})
	go func() {
		l.lock("b")()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the lock of chat b waited for chat a")
	}

	// The same chat's lock waits until it is given back.
	var mu sync.Mutex
	var order []string
	got := make(chan struct{})
	go func() {
		unlock := l.lock("a")
		mu.Lock()
		order = append(order, "second")
		mu.Unlock()
		unlock()
		close(got)
	}()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	order = append(order, "first")
	mu.Unlock()
	unlockA()
	<-got
	assert.Equal(t, []string{"first", "second"}, order)

	// Nothing is kept once no one holds or waits for a lock.
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.Empty(t, l.locks)
}
