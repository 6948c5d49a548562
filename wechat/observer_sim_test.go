package wechat_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// observedCall is one CallDone report.
type observedCall struct {
	endpoint string
	took     time.Duration
	err      error
}

// callLog is an Observer that keeps every report.
type callLog struct {
	mu    sync.Mutex
	calls []observedCall
}

func (l *callLog) CallDone(endpoint string, took time.Duration, err error) {
	l.mu.Lock()
	l.calls = append(l.calls, observedCall{endpoint, took, err})
	l.mu.Unlock()
}

// of returns the reports of one endpoint.
func (l *callLog) of(endpoint string) []observedCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []observedCall
	for _, c := range l.calls {
		if c.endpoint == endpoint {
			out = append(out, c)
		}
	}
	return out
}

// rets lists the ret of each report's *RetError, 0 for a success and -1
// for any other error.
func rets(calls []observedCall) []int {
	out := make([]int, 0, len(calls))
	for _, c := range calls {
		var retErr *wechat.RetError
		switch {
		case c.err == nil:
			out = append(out, 0)
		case errors.As(c.err, &retErr):
			out = append(out, retErr.Ret)
		default:
			out = append(out, -1)
		}
	}
	return out
}

// TestObserverSeesCalls: the observer hears of every call of the sync loop
// and of sends, each retry included, with the ret that ended it.
func TestObserverSeesCalls(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	sess := login(t, sim, cfg)
	obs := &callLog{}
	cfg.Observer = obs
	rec := newRecorder()
	c, _ := startClient(t, sess, cfg, rec)
	rec.waitFor(t, "connected", func() bool { return len(rec.all()) > 0 })

	sim.FailNext("synccheck", 1, wechattest.FaultTooFrequent)
	sim.FailNext("webwxsync", 1, wechattest.FaultHTTP500)
	id := sim.InjectText("alice", "", "observed")
	rec.waitForMessageID(t, id)

	sim.FailNext("webwxsendmsg", 2, wechattest.FaultTooFrequent)
	_, err := c.SendText(testCtx(t), sim.UserName("alice"), "after two refusals", nil)
	require.NoError(t, err)

	tests := []struct {
		endpoint string
		// want are rets that must appear in this order (others may come
		// between them: the loop keeps polling).
		want []int
	}{
		{"webwxinit", []int{0}},
		{"synccheck", []int{wechat.RetTooFrequent, 0}},
		{"webwxsync", []int{-1, 0}},
		{"webwxsendmsg", []int{wechat.RetTooFrequent, wechat.RetTooFrequent, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			calls := obs.of(tt.endpoint)
			got := rets(calls)
			assert.Subset(t, got, tt.want)
			assert.True(t, inOrder(got, tt.want), "%v holds %v in order", got, tt.want)
			for _, c := range calls {
				assert.Positive(t, c.took)
			}
		})
	}
	assert.Len(t, obs.of("webwxsendmsg"), 3, "each retry is a call")
}

// inOrder reports whether want is a subsequence of got.
func inOrder(got, want []int) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
