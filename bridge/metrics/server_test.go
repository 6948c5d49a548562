package metrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerServesMetrics(t *testing.T) {
	m := New(Sources{LoginStates: func(count func(string)) { count("CONNECTED") }}, zerolog.Nop())
	m.Message(ToWeChat, KindText, OK)
	s, err := Listen("127.0.0.1:0", m, zerolog.Nop())
	require.NoError(t, err)
	defer s.Stop(context.Background())

	tests := []struct {
		path       string
		wantStatus int
		wantBody   []string
	}{
		{"/metrics", http.StatusOK, []string{
			`wxbridge_messages_total{direction="matrix_to_wechat",kind="text",outcome="ok"} 1`,
			`wxbridge_logins{state="CONNECTED"} 1`,
			"go_goroutines", "process_resident_memory_bytes",
		}},
		{"/", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get("http://" + s.Addr() + tt.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			for _, want := range tt.wantBody {
				assert.Contains(t, string(body), want)
			}
		})
	}
}

func TestServerPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = Listen(ln.Addr().String(), New(Sources{}, zerolog.Nop()), zerolog.Nop())
	require.Error(t, err)
	assert.Contains(t, err.Error(), ln.Addr().String()+" is already in use")
	assert.Contains(t, err.Error(), "choose another address")
}

func TestServerStops(t *testing.T) {
	s, err := Listen("127.0.0.1:0", New(Sources{}, zerolog.Nop()), zerolog.Nop())
	require.NoError(t, err)
	addr := s.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Stop(ctx))
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "nothing listens after Stop")
	// The port is free again: a new bridge can take it.
	s2, err := Listen(addr, New(Sources{}, zerolog.Nop()), zerolog.Nop())
	require.NoError(t, err)
	require.NoError(t, s2.Stop(ctx))
}
