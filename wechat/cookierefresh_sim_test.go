package wechat_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestQuietSessionOutlivesCookies: an account that gets no message (so
// synccheck only ever answers selector 0) lives through five lifetimes of
// its session cookies, because the client refreshes them with webwxsync
// before they expire; afterwards messages still arrive and an upload still
// carries webwx_data_ticket. Without the refresh the cookies expire after
// the first lifetime and synccheck answers 1102.
func TestQuietSessionOutlivesCookies(t *testing.T) {
	const lifetime = 2 * time.Minute
	clock := wechattest.NewClock(time.Now())
	sim := newSim(t, func(c *wechattest.Config) {
		c.Now = clock.Now
		c.CookieLifetime = lifetime
		c.SyncCheckHold = 50 * time.Millisecond
	})
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.Now = clock.Now
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return slices.ContainsFunc(rec.all(), isConnected) })

	calls := func() int { return len(sim.Requests("synccheck")) + len(sim.Requests("webwxsync")) }
	const step = 20 * time.Second
	for elapsed := step; elapsed <= 5*lifetime; elapsed += step {
		clock.Advance(step)
		// Two calls after the move: the second round looked at the new time.
		before := calls()
		require.Eventually(t, func() bool { return calls() >= before+2 || loggedOut(rec.all()) != nil },
			5*time.Second, 5*time.Millisecond)
		require.Nil(t, loggedOut(rec.all()), "logged out %s after login without a message", elapsed)
	}
	assert.Empty(t, sim.Violations())

	id := sim.InjectText("alice", "", "still here")
	rec.waitForMessageID(t, id)
	up, err := c.Upload(testCtx(t), "filehelper", "note.txt", "text/plain", bytes.NewReader([]byte("hello")), 5)
	require.NoError(t, err, "the upload carries a fresh webwx_data_ticket")
	assert.NotEmpty(t, up.MediaID)
	assert.Empty(t, sim.Violations())
}
