package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/bridgev2/status"
)

// StateRecorder is an HTTP endpoint for the bridge's
// homeserver.status_endpoint: bridgev2 POSTs every bridge state it sends
// (except CONNECTING) there, after the notice it may post in the
// management room. It keeps them in arrival order, so that a test can see
// the transitions a login went through (TRANSIENT_DISCONNECT, then
// CONNECTED) and not only the latest one.
//
// It must exist before the stack starts: pass Config() in Options.Config.
type StateRecorder struct {
	// URL is the endpoint, http://127.0.0.1:<port>/bridge_state.
	URL string

	srv *http.Server
	wg  sync.WaitGroup

	mu      sync.Mutex
	states  []status.BridgeState
	changed chan struct{} // closed and replaced whenever a state arrives
}

// StartStateRecorder serves a recorder on a free loopback port.
func StartStateRecorder() (*StateRecorder, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("state recorder listener: %w", err)
	}
	r := &StateRecorder{URL: "http://" + ln.Addr().String() + "/bridge_state", changed: make(chan struct{})}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// NewStateRecorder starts a recorder for a test and closes it in
// t.Cleanup (after a stack started later has stopped).
func NewStateRecorder(t testing.TB) *StateRecorder {
	t.Helper()
	r, err := StartStateRecorder()
	if err != nil {
		t.Fatalf("starting the bridge state recorder: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// Config is the bridge config that points the status endpoint here, for
// Options.Config.
func (r *StateRecorder) Config() map[string]any {
	return map[string]any{"homeserver.status_endpoint": r.URL}
}

// Close stops serving.
func (r *StateRecorder) Close() error {
	err := r.srv.Close()
	r.wg.Wait()
	return err
}

func (r *StateRecorder) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		http.Error(w, "no bearer token", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var state status.BridgeState
	if err = json.Unmarshal(body, &state); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.states = append(r.states, state)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// States returns the states received so far, oldest first.
func (r *StateRecorder) States() []status.BridgeState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]status.BridgeState(nil), r.states...)
}

// Wait waits until match accepts the states received so far (oldest
// first), for at most timeout. The error says what was awaited and lists
// what arrived.
func (r *StateRecorder) Wait(ctx context.Context, timeout time.Duration, what string, match func([]status.BridgeState) bool) ([]status.BridgeState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		r.mu.Lock()
		states := append([]status.BridgeState(nil), r.states...)
		changed := r.changed
		r.mu.Unlock()
		if match(states) {
			return states, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return states, fmt.Errorf("waited %v for the bridge states to show %s; got %s: %w",
				timeout, what, DescribeStates(states), errors.Join(ctx.Err(), context.Cause(ctx)))
		}
	}
}

// DescribeStates lists states as "STATE_EVENT(error) for login", for
// failure messages and logs.
func DescribeStates(states []status.BridgeState) string {
	parts := make([]string, 0, len(states))
	for _, s := range states {
		p := string(s.StateEvent)
		if s.Error != "" {
			p += "(" + string(s.Error) + ")"
		}
		if s.RemoteID != "" {
			p += " for " + string(s.RemoteID)
		}
		parts = append(parts, p)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
