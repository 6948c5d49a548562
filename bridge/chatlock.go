package bridge

import "sync"

// chatLocks serialises the bridge's own checks and syncs of one chat's
// portal. bridgev2 runs a portal's events one at a time, but what it does
// before queueing an event (inviting the user to a portal they are not
// known to be in) and what the bridge reads before deciding to queue one
// are outside that order. Locks exist only while someone holds or waits
// for them.
type chatLocks struct {
	mu    sync.Mutex
	locks map[string]*chatLock
}

type chatLock struct {
	sync.Mutex
	// users holds and waits for the lock; guarded by chatLocks.mu.
	users int
}

// lock takes the lock of a chat (by PUID) and returns its unlock.
func (l *chatLocks) lock(puid string) (unlock func()) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*chatLock)
	}
	cl := l.locks[puid]
	if cl == nil {
		cl = &chatLock{}
		l.locks[puid] = cl
	}
	cl.users++
	l.mu.Unlock()
	cl.Lock()
	return func() {
		cl.Unlock()
		l.mu.Lock()
		if cl.users--; cl.users == 0 {
			delete(l.locks, puid)
		}
		l.mu.Unlock()
	}
}
