package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoginStates(t *testing.T) {
	tests := []struct {
		name   string
		states []string
		want   map[string]float64
	}{
		{"none", nil, map[string]float64{"CONNECTED": 0, "BAD_CREDENTIALS": 0}},
		{"two connected, one logged out by WeChat", []string{"CONNECTED", "BAD_CREDENTIALS", "CONNECTED"},
			map[string]float64{"CONNECTED": 2, "BAD_CREDENTIALS": 1, "TRANSIENT_DISCONNECT": 0}},
		{"a state not listed is an unknown error", []string{"SOMETHING_NEW", "CONNECTING"},
			map[string]float64{"UNKNOWN_ERROR": 1, "CONNECTING": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Sources{LoginStates: func(count func(string)) {
				for _, s := range tt.states {
					count(s)
				}
			}}, zerolog.Nop())
			n, err := testutil.GatherAndCount(m.reg, Namespace+"_logins")
			require.NoError(t, err)
			assert.Equal(t, len(loginStates), n, "every state has a series")
			for state, want := range tt.want {
				assert.Equal(t, want, gaugeOrCounter(t, m, Namespace+"_logins", []string{state}), state)
			}
		})
	}
}

func TestInboxGauges(t *testing.T) {
	tests := []struct {
		name      string
		depth     int
		age       time.Duration
		err       error
		wantDepth float64
		// wantAge is the least age expected, in seconds.
		wantAge float64
		wantOut bool
	}{
		{"empty", 0, 0, nil, 0, 0, false},
		{"a backlog", 42, 90 * time.Second, nil, 42, 90, false},
		{"read failed: left out", 0, 0, errors.New("database is locked"), 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Sources{Inbox: func(ctx context.Context) (int, time.Time, error) {
				_, hasDeadline := ctx.Deadline()
				assert.True(t, hasDeadline, "the scrape bounds the query")
				var oldest time.Time
				if tt.depth > 0 {
					oldest = time.Now().Add(-tt.age)
				}
				return tt.depth, oldest, tt.err
			}}, zerolog.Nop())
			n, err := testutil.GatherAndCount(m.reg, Namespace+"_inbox_items", Namespace+"_inbox_oldest_age_seconds")
			require.NoError(t, err)
			if tt.wantOut {
				assert.Zero(t, n)
				return
			}
			assert.Equal(t, 2, n)
			assert.Equal(t, tt.wantDepth, gaugeOrCounter(t, m, Namespace+"_inbox_items", nil))
			age := gaugeOrCounter(t, m, Namespace+"_inbox_oldest_age_seconds", nil)
			assert.GreaterOrEqual(t, age, tt.wantAge)
			assert.Less(t, age, tt.wantAge+5)
		})
	}
}

func TestScrapeHasNoUserData(t *testing.T) {
	m := New(Sources{LoginStates: func(count func(string)) { count("CONNECTED") }}, zerolog.Nop())
	m.Message(ToMatrix, KindText, OK)
	families, err := m.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), Namespace+"_") {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				assert.Contains(t, []string{"direction", "kind", "outcome", "reason", "endpoint", "state", "le"}, l.GetName(), f.GetName())
			}
		}
	}
}
