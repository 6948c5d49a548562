package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestMetrics: with network.metrics on, the bridge serves /metrics and its
// counters move by what crossed the bridge: texts from WeChat and to
// WeChat each count once as ok, the login shows as CONNECTED, the inbox is
// empty again, and WeChat's calls are timed.
func TestMetrics(t *testing.T) {
	e := setup(t, stack.Options{Metrics: true})
	scrape := func() stack.Metrics {
		t.Helper()
		m, err := e.s.Bridge.Scrape(e.ctx)
		require.NoError(t, err)
		return m
	}

	first := scrape()
	for _, state := range []string{"CONNECTED", "BAD_CREDENTIALS", "TRANSIENT_DISCONNECT"} {
		assert.Equal(t, 0.0, first.Get("wxbridge_logins", "state", state), "no login yet: %s", state)
	}
	assert.True(t, first.Has("wxbridge_inbox_items"), "the inbox is read at scrape time")
	assert.True(t, first.Has("wxbridge_messages_total", "direction", "wechat_to_matrix", "kind", "text", "outcome", "ok"),
		"series exist before the first message")

	e.login(e.u, e.s.Sim, defaultSelf)
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	aliceGhost := alice.ghosts[seedName("alice")]
	e.waitUntil("the login to be counted as CONNECTED", func(context.Context) (bool, error) {
		m := scrape()
		return m.Get("wxbridge_logins", "state", "CONNECTED") == 1, fmt.Errorf("logins: %q", m.Lines("wxbridge_logins"))
	})
	before := scrape()

	const fromWeChat, toWeChat = 5, 3
	for i := range fromWeChat {
		body := fmt.Sprintf("metrics in %d", i)
		e.s.Sim.InjectText("alice", "", body)
		e.waitMessage(e.u, alice.ID, aliceGhost, body)
	}
	for i := range toWeChat {
		body := fmt.Sprintf("metrics out %d", i)
		_, err := e.u.SendText(e.ctx, alice.ID, body)
		require.NoError(t, err)
		e.waitSent(e.s.Sim, quote(body), func(m wechattest.SentMessage) bool { return m.Msg.Content == body })
	}

	textOK := func(m stack.Metrics, dir string) float64 {
		return m.Get("wxbridge_messages_total", "direction", dir, "kind", "text", "outcome", "ok")
	}
	// A message shows in the room a moment before its inbox item is
	// deleted and counted.
	var after stack.Metrics
	e.waitUntil("the counters to catch up", func(context.Context) (bool, error) {
		after = scrape()
		done := textOK(after, "wechat_to_matrix")-textOK(before, "wechat_to_matrix") >= fromWeChat &&
			textOK(after, "matrix_to_wechat")-textOK(before, "matrix_to_wechat") >= toWeChat &&
			after.Get("wxbridge_inbox_items") == 0
		return done, fmt.Errorf("scrape: %q", after.Lines("wxbridge_messages_total"))
	})
	t.Logf("the bridge's metrics after the test:\n%s", strings.Join(nonZero(after.Lines("wxbridge_")), "\n"))

	assert.Equal(t, float64(fromWeChat), textOK(after, "wechat_to_matrix")-textOK(before, "wechat_to_matrix"), "WeChat → Matrix text ok")
	assert.Equal(t, float64(toWeChat), textOK(after, "matrix_to_wechat")-textOK(before, "matrix_to_wechat"), "Matrix → WeChat text ok")
	for _, dir := range []string{"wechat_to_matrix", "matrix_to_wechat"} {
		assert.Equal(t, before.Get("wxbridge_messages_total", "direction", dir, "kind", "text", "outcome", "failed"),
			after.Get("wxbridge_messages_total", "direction", dir, "kind", "text", "outcome", "failed"), "no failed text %s", dir)
	}
	assert.Equal(t, 1.0, after.Get("wxbridge_logins", "state", "CONNECTED"))
	assert.Equal(t, 0.0, after.Get("wxbridge_inbox_items"))
	assert.Equal(t, 0.0, after.Get("wxbridge_inbox_oldest_age_seconds"))
	for _, reason := range []string{"rate_limited", "session_lost", "homeserver", "too_large", "other"} {
		assert.Equal(t, 0.0, after.Get("wxbridge_failures_total", "reason", reason), reason)
	}
	assert.Equal(t, float64(toWeChat), after.Get("wxbridge_wechat_send_duration_seconds_count")-before.Get("wxbridge_wechat_send_duration_seconds_count"),
		"each send call timed")
	assert.Positive(t, after.Get("wxbridge_wechat_sync_duration_seconds_count", "endpoint", "webwxsync")-before.Get("wxbridge_wechat_sync_duration_seconds_count", "endpoint", "webwxsync"),
		"webwxsync timed")
	assert.Positive(t, after.Get("wxbridge_identity_resolutions_total", "outcome", "new"), "the first login's contacts got new identities")
}

// nonZero keeps the "series value" lines whose value is not 0.
func nonZero(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasSuffix(l, " 0") {
			out = append(out, l)
		}
	}
	return out
}
