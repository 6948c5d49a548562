package wechat_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestStuckSelectorSlowsDown: with the phone offline synccheck answers a
// selector at once while webwxsync brings nothing. After three such rounds
// the loop runs about one round a second instead of spinning; a round that
// brings a message makes it fast again.
func TestStuckSelectorSlowsDown(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return slices.ContainsFunc(rec.all(), isConnected) })

	sim.PhoneOffline(7)
	before := len(sim.Requests("synccheck"))
	time.Sleep(3 * time.Second)
	n := len(sim.Requests("synccheck")) - before
	t.Logf("synccheck calls in 3 s with the selector stuck: %d", n)
	assert.GreaterOrEqual(t, n, 4, "the loop keeps polling")
	assert.LessOrEqual(t, n, 8, "three fast rounds, then about one a second")

	injected := time.Now()
	id := sim.InjectText("alice", "", "back")
	rec.waitForMessageID(t, id)
	time.Sleep(time.Second)
	fast := 0
	for _, r := range sim.Requests("synccheck") {
		if r.Time.After(injected) && r.Time.Before(injected.Add(500*time.Millisecond)) {
			fast++
		}
	}
	assert.GreaterOrEqual(t, fast, 3, "after a round that brought a message the loop is fast again")

	sim.PhoneOnline()
	require.Nil(t, loggedOut(rec.all()))
	assert.Empty(t, sim.Violations())
}
