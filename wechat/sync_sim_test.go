package wechat_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestSyncDeliversMessages(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool {
		for _, e := range rec.all() {
			if isConnected(e) {
				return true
			}
		}
		return false
	})

	dm := sim.InjectText("alice", "", "hello <b>there</b>\nsecond line")
	group := sim.InjectText("family", "erin", "hi all")
	phone := sim.InjectText("alice", "self", "sent from my phone")

	got := rec.waitForMessageID(t, dm)
	assert.Equal(t, sim.UserName("alice"), got.Chat)
	assert.Equal(t, sim.UserName("alice"), got.Sender)
	require.IsType(t, &wechat.Text{}, got.Content)
	assert.Equal(t, "hello <b>there</b>\nsecond line", got.Content.(*wechat.Text).Text, "markup arrives as literal text")
	assert.Greater(t, got.ID, int64(1)<<53, "IDs beyond 2^53 survive")

	g := rec.waitForMessageID(t, group)
	assert.True(t, g.IsGroup)
	assert.Equal(t, sim.UserName("family"), g.Chat)
	assert.Equal(t, sim.UserName("erin"), g.Sender, "group sender comes from the content prefix")
	assert.Equal(t, "hi all", g.Content.(*wechat.Text).Text)

	p := rec.waitForMessageID(t, phone)
	assert.True(t, p.FromSelf)
	assert.Equal(t, sim.UserName("alice"), p.Chat)

	stats := sim.SyncCheckStats()
	assert.Positive(t, stats.WithSyncCheckKey, "synccheck uses the SyncCheckKey")
	assert.Zero(t, stats.WithSyncKey, "never the SyncKey once a SyncCheckKey is known")
	assert.Empty(t, sim.Violations())

	st := c.Session()
	assert.False(t, st.SyncKey.IsZero())
	assert.NotEqual(t, st.SyncKey.String(), st.SyncCheckKey.String())
}

func TestSyncRedeliversWhenHandlerFails(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	// Connected comes after the first round stored its keys; the first
	// batch comes before.
	rec.waitFor(t, "connected", func() bool { return slices.ContainsFunc(rec.all(), isConnected) })
	before := c.Session().SyncKey.String()

	refusals := 0
	rec.setRefuse(func(b *wechat.Batch) error {
		if len(b.Messages) > 0 && refusals < 2 {
			refusals++
			return errors.New("database is down")
		}
		return nil
	})
	id := sim.InjectText("alice", "", "must not be lost")
	rec.waitForMessageID(t, id)
	assert.Equal(t, 2, refusals, "the batch came back after each refusal")
	assert.Equal(t, 1, rec.count(id), "and was recorded once, when accepted")
	// The keys are stored right after the handler returns.
	rec.waitFor(t, "the keys to advance once the handler took the batch", func() bool {
		return c.Session().SyncKey.String() != before
	})
}

func TestSyncKeysDoNotRunAhead(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	block := make(chan struct{})
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	// Connected comes after the first round stored its keys; the first
	// batch comes before.
	rec.waitFor(t, "connected", func() bool { return slices.ContainsFunc(rec.all(), isConnected) })
	before := c.Session()
	var seen int
	rec.setRefuse(func(b *wechat.Batch) error {
		if len(b.Messages) > 0 {
			seen++
			if seen == 1 {
				close(block)
			}
			return errors.New("not stored")
		}
		return nil
	})
	sim.InjectText("alice", "", "x")
	<-block
	assert.Equal(t, before.SyncKey.String(), c.Session().SyncKey.String(), "a refused batch leaves the keys alone")
	assert.Equal(t, before.SyncCheckKey.String(), c.Session().SyncCheckKey.String())
}

func TestSyncContinueFlag(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.SyncBatchSize = 3 })
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	var ids []int64
	for range 10 {
		ids = append(ids, sim.InjectText("alice", "", "burst"))
	}
	rec.waitFor(t, "all ten", func() bool { return len(rec.messages()) >= 10 })
	var got []int64
	for _, m := range rec.messages() {
		got = append(got, m.ID)
	}
	assert.Equal(t, ids, got, "in order, each once")
	assert.GreaterOrEqual(t, len(rec.batches()), 4, "in batches of at most 3")
}

func TestSyncSessionLoss(t *testing.T) {
	for _, ret := range []int{wechat.RetSessionNotExist, wechat.RetSessionInvalid, wechat.RetCookieInvalid} {
		t.Run(wechat.LogoutReason(ret), func(t *testing.T) {
			sim := newSim(t)
			cfg := testConfig(sim, wechat.ModeDesktop)
			rec := newRecorder()
			startClient(t, login(t, sim, cfg), cfg, rec)
			rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
			sim.EndSession(ret)
			rec.waitFor(t, "logged out", func() bool { return loggedOut(rec.all()) != nil })
			lo := loggedOut(rec.all())
			assert.Equal(t, ret, lo.Ret)
			assert.NotEmpty(t, lo.Reason)
			n := 0
			for _, e := range rec.all() {
				if _, ok := e.(*wechat.LoggedOut); ok {
					n++
				}
			}
			assert.Equal(t, 1, n, "one logged-out event, not a storm")
		})
	}
}

func TestNewLoginKillsOldSession(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	alice := sim.UserName("alice")
	login(t, sim, cfg)
	assert.NotEqual(t, alice, sim.UserName("alice"))
	rec.waitFor(t, "old session logged out", func() bool { return loggedOut(rec.all()) != nil })
	assert.Equal(t, wechat.RetSessionInvalid, loggedOut(rec.all()).Ret)
}

func TestSyncSurvivesFaults(t *testing.T) {
	tests := []struct {
		endpoint string
		fault    wechattest.Fault
		n        int
	}{
		{"synccheck", wechattest.FaultHTTP500, 3},
		{"synccheck", wechattest.FaultReset, 2},
		{"synccheck", wechattest.FaultMalformed, 2},
		{"synccheck", wechattest.FaultTooFrequent, 1},
		{"synccheck", wechattest.FaultHang, 1},
		{"webwxsync", wechattest.FaultHTTP500, 2},
		{"webwxsync", wechattest.FaultReset, 1},
		{"webwxsync", wechattest.FaultMalformed, 2},
		{"webwxsync", wechattest.FaultTooFrequent, 1},
		{"webwxsync", wechattest.FaultHang, 1},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+"/"+faultName(tt.fault), func(t *testing.T) {
			sim := newSim(t)
			cfg := testConfig(sim, wechat.ModeDesktop)
			cfg.PollTimeout = time.Second
			rec := newRecorder()
			startClient(t, login(t, sim, cfg), cfg, rec)
			rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
			sim.FailNext(tt.endpoint, tt.n, tt.fault)
			id := sim.InjectText("alice", "", "through the storm")
			rec.waitForMessageID(t, id)
			assert.Equal(t, 1, rec.count(id))
			assert.Nil(t, loggedOut(rec.all()), "transient trouble is not a logout")
		})
	}
}

func faultName(f wechattest.Fault) string {
	switch f {
	case wechattest.FaultHTTP500:
		return "500"
	case wechattest.FaultReset:
		return "reset"
	case wechattest.FaultMalformed:
		return "malformed"
	case wechattest.FaultHang:
		return "hang"
	case wechattest.FaultTooFrequent:
		return "1205"
	}
	return "unknown"
}

func TestSyncReportsTransientDisconnect(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
	sim.FailNext("synccheck", 4, wechattest.FaultHTTP500)
	rec.waitFor(t, "disconnect then reconnect", func() bool {
		events := rec.all()
		for i, e := range events {
			if _, ok := e.(*wechat.TransientDisconnect); ok {
				for _, later := range events[i+1:] {
					if isConnected(later) {
						return true
					}
				}
			}
		}
		return false
	})
}

func TestSyncWatchdogRestartsStalledLoop(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.PollTimeout = 20 * time.Second
	cfg.StallTimeout = 400 * time.Millisecond
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
	sim.FailNext("synccheck", 1, wechattest.FaultHang)
	id := sim.InjectText("alice", "", "after the stall")
	rec.waitForMessageID(t, id) // well before the 20 s poll timeout
}

func TestSKeyRotation(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	old := c.Session().SKey
	sim.RotateSKey()
	id := sim.InjectText("alice", "", "rotate")
	rec.waitForMessageID(t, id)
	assert.NotEqual(t, old, c.Session().SKey)
	_, err := c.SendText(testCtx(t), sim.UserName("alice"), "still works", nil)
	require.NoError(t, err)
	id2 := sim.InjectText("alice", "", "and receiving too")
	rec.waitForMessageID(t, id2)
}

func TestEchoSuppression(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	sent, err := c.SendText(testCtx(t), sim.UserName("alice"), "from Matrix", nil)
	require.NoError(t, err)
	after := sim.InjectText("alice", "", "reply")
	rec.waitForMessageID(t, after)
	assert.Zero(t, rec.count(sent.MsgID), "our own send is not handed back")
	require.Len(t, sim.Sent(), 1)
	assert.Equal(t, sent.MsgID, sim.Sent()[0].MsgID)
}

func TestContactChangesArriveInBatches(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
	sim.UpdateContact("family", func(c *wechattest.SeedContact) { c.NickName = "Family 2.0" })
	sim.DeleteContact("dave")
	sim.ChangeProfile("New Me")
	rec.waitFor(t, "changes", func() bool {
		var mod, del, prof bool
		for _, b := range rec.batches() {
			for _, ct := range b.ModContacts {
				mod = mod || ct.NickName == "Family 2.0"
			}
			for _, d := range b.DelContacts {
				del = del || d.UserName == sim.UserName("dave")
			}
			prof = prof || b.Profile != nil && b.Profile.NickName.Buff == "New Me"
		}
		return mod && del && prof
	})
}

func TestStopIsPrompt(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.SyncCheckHold = 10 * time.Second })
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.PollTimeout = 15 * time.Second
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stopped := make(chan struct{})
	go func() { c.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		t.Fatal("Stop did not interrupt a held synccheck")
	}
}

func TestLoopCanStartAgainAfterItEnded(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })
	sim.FailNext("synccheck", 1, wechattest.FaultTooFrequent)
	c.Stop()
	c.Start(context.Background())
	id := sim.InjectText("alice", "", "after a restart of the loop")
	rec.waitForMessageID(t, id)

	sim.EndSession(wechat.RetSessionInvalid)
	rec.waitFor(t, "logged out", func() bool { return loggedOut(rec.all()) != nil })
	// The loop ended by itself: Start runs it again (a no-op until it has
	// fully ended), and the new loop reports the logout again.
	rec.waitFor(t, "second logout", func() bool {
		c.Start(context.Background())
		n := 0
		for _, e := range rec.all() {
			if _, ok := e.(*wechat.LoggedOut); ok {
				n++
			}
		}
		return n == 2
	})
}
