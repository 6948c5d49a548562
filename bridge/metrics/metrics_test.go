package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestMetrics(t *testing.T) *Metrics {
	t.Helper()
	return New(Sources{}, zerolog.Nop())
}

func TestCountersMove(t *testing.T) {
	tests := []struct {
		name   string
		record func(m *Metrics)
		metric string
		labels []string
		want   float64
	}{
		{"text to Matrix", func(m *Metrics) { m.Message(ToMatrix, KindText, OK); m.Message(ToMatrix, KindText, OK) },
			"messages_total", []string{"wechat_to_matrix", "text", "ok"}, 2},
		{"failed image to WeChat", func(m *Metrics) { m.Message(ToWeChat, KindImage, Failed) },
			"messages_total", []string{"matrix_to_wechat", "image", "failed"}, 1},
		{"unreadable item dropped", func(m *Metrics) { m.Message(ToMatrix, KindOther, Dropped) },
			"messages_total", []string{"wechat_to_matrix", "other", "dropped"}, 1},
		{"rate limited", func(m *Metrics) { m.Failure(RateLimited); m.Failure(RateLimited); m.Failure(RateLimited) },
			"failures_total", []string{"rate_limited"}, 3},
		{"session lost", func(m *Metrics) { m.Failure(SessionLost) },
			"failures_total", []string{"session_lost"}, 1},
		{"media bytes add up", func(m *Metrics) { m.MediaBytes(ToWeChat, 1000); m.MediaBytes(ToWeChat, 24) },
			"media_bytes_total", []string{"matrix_to_wechat"}, 1024},
		{"no negative bytes", func(m *Metrics) { m.MediaBytes(ToMatrix, -5) },
			"media_bytes_total", []string{"wechat_to_matrix"}, 0},
		{"identities by outcome", func(m *Metrics) { m.Identities(IdentityAlias, 7); m.Identities(IdentityAmbiguous, 1) },
			"identity_resolutions_total", []string{"alias"}, 7},
		{"ambiguous apart", func(m *Metrics) { m.Identities(IdentityAlias, 7); m.Identities(IdentityAmbiguous, 1) },
			"identity_resolutions_total", []string{"ambiguous"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMetrics(t)
			tt.record(m)
			got := gaugeOrCounter(t, m, Namespace+"_"+tt.metric, tt.labels)
			assert.Equal(t, tt.want, got)
		})
	}
}

// gaugeOrCounter reads one series of a metric through the registry, by its
// label values in the order of the label names.
func gaugeOrCounter(t *testing.T, m *Metrics, name string, labels []string) float64 {
	t.Helper()
	families, err := m.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if len(s.GetLabel()) != len(labels) {
				continue
			}
			match := true
			for i, l := range s.GetLabel() {
				match = match && l.GetValue() == labels[i]
			}
			if !match {
				continue
			}
			if s.GetCounter() != nil {
				return s.GetCounter().GetValue()
			}
			return s.GetGauge().GetValue()
		}
		t.Fatalf("%s has no series %v", name, labels)
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestSeriesExistUpFront: every series a rule may use is there, at 0,
// before anything happened, and impossible combinations are not.
func TestSeriesExistUpFront(t *testing.T) {
	m := newTestMetrics(t)
	tests := []struct {
		metric string
		want   int
	}{
		// WeChat → Matrix: 13 kinds × ok, failed, skipped, + other dropped;
		// Matrix → WeChat: 8 kinds × ok, failed, rejected.
		{"messages_total", 13*3 + 1 + 8*3},
		{"failures_total", 5},
		{"media_bytes_total", 2},
		{"identity_resolutions_total", 8},
		{"wechat_sync_duration_seconds", 2},
		{"wechat_send_duration_seconds", 1},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			n, err := testutil.GatherAndCount(m.reg, Namespace+"_"+tt.metric)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
	m.Message(ToWeChat, KindRecall, OK) // Matrix cannot send a WeChat recall as a message
	m.Message(ToMatrix, KindText, Rejected)
	n, err := testutil.GatherAndCount(m.reg, Namespace+"_messages_total")
	require.NoError(t, err)
	assert.Equal(t, 13*3+1+8*3, n, "impossible combinations are not counted")
}

func TestHistograms(t *testing.T) {
	m := newTestMetrics(t)
	m.SyncCall(SyncCheck, 25*time.Second)
	m.SyncCall(WebWxSync, 80*time.Millisecond)
	m.SendCall(120 * time.Millisecond)
	m.SendCall(3 * time.Second)
	want := `
# HELP wxbridge_wechat_send_duration_seconds Duration of each call that sends a message to WeChat (text, image, video, file, sticker), without the pacing of send_interval, uploads or waits between retries.
# TYPE wxbridge_wechat_send_duration_seconds histogram
wxbridge_wechat_send_duration_seconds_bucket{le="0.01"} 0
wxbridge_wechat_send_duration_seconds_bucket{le="0.025"} 0
wxbridge_wechat_send_duration_seconds_bucket{le="0.05"} 0
wxbridge_wechat_send_duration_seconds_bucket{le="0.1"} 0
wxbridge_wechat_send_duration_seconds_bucket{le="0.25"} 1
wxbridge_wechat_send_duration_seconds_bucket{le="0.5"} 1
wxbridge_wechat_send_duration_seconds_bucket{le="1"} 1
wxbridge_wechat_send_duration_seconds_bucket{le="2.5"} 1
wxbridge_wechat_send_duration_seconds_bucket{le="5"} 2
wxbridge_wechat_send_duration_seconds_bucket{le="10"} 2
wxbridge_wechat_send_duration_seconds_bucket{le="30"} 2
wxbridge_wechat_send_duration_seconds_bucket{le="+Inf"} 2
wxbridge_wechat_send_duration_seconds_sum 3.12
wxbridge_wechat_send_duration_seconds_count 2
`
	require.NoError(t, testutil.GatherAndCompare(m.reg, strings.NewReader(want), Namespace+"_wechat_send_duration_seconds"))
	n, err := testutil.GatherAndCount(m.reg, Namespace+"_wechat_sync_duration_seconds")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

// TestNilRecordsNothing: code that runs without metrics (tests, tools)
// may call every method on a nil *Metrics.
func TestNilRecordsNothing(t *testing.T) {
	var m *Metrics
	assert.NotPanics(t, func() {
		m.Message(ToMatrix, KindText, OK)
		m.Failure(Homeserver)
		m.MediaBytes(ToMatrix, 10)
		m.Identities(IdentityNew, 1)
		m.SyncCall(SyncCheck, time.Second)
		m.SendCall(time.Second)
	})
}

// TestLabelNames: every value of every label has a name, and names are
// unique within their label.
func TestLabelNames(t *testing.T) {
	tests := []struct {
		label string
		names []string
	}{
		{"direction", directionNames[:]},
		{"kind", kindNames[:]},
		{"outcome", outcomeNames[:]},
		{"reason", reasonNames[:]},
		{"identity outcome", identityNames[:]},
		{"sync endpoint", syncEndpointNames[:]},
		{"login state", loginStates[:]},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			seen := map[string]bool{}
			for _, n := range tt.names {
				assert.NotEmpty(t, n)
				assert.False(t, seen[n], "%q twice", n)
				seen[n] = true
			}
		})
	}
}
