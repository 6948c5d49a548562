package wechat_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// newSim starts a simulator with holds short enough for tests.
func newSim(t *testing.T, mutate ...func(*wechattest.Config)) *wechattest.Server {
	t.Helper()
	cfg := wechattest.Config{
		LoginPollHold: 300 * time.Millisecond,
		SyncCheckHold: 300 * time.Millisecond,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return wechattest.NewTest(t, cfg)
}

func testConfig(sim *wechattest.Server, mode wechat.Mode) wechat.Config {
	return wechat.Config{
		ServerOverride: sim.URL(),
		Mode:           mode,
		SendInterval:   -1,
		// Pacing has its own test (TestContactCallsPaced).
		ContactInterval: -1,
		PollTimeout:     3 * time.Second,
		RetryDelay:      10 * time.Millisecond,
		MaxBackoff:      100 * time.Millisecond,
	}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// confirmNextLogin plays the phone: it waits for a login UUID, scans it and
// confirms it.
func confirmNextLogin(t *testing.T, ctx context.Context, sim *wechattest.Server) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		uuid, err := sim.WaitForLogin(ctx)
		if err == nil {
			err = sim.Scan(uuid)
		}
		if err == nil {
			err = sim.Confirm(uuid)
		}
		done <- err
	}()
	return done
}

// newQRLogin starts a login and asks for a QR code.
func newQRLogin(t *testing.T, ctx context.Context, cfg wechat.Config, log zerolog.Logger) (*wechat.Login, *wechat.QRCode) {
	t.Helper()
	l, err := wechat.NewLogin(cfg, nil, log)
	require.NoError(t, err)
	qr, err := l.NewQR(ctx)
	require.NoError(t, err)
	return l, qr
}

// confirmedLogin runs a QR login up to the phone's confirmation and
// returns the login with the redirect URI to complete it with.
func confirmedLogin(t *testing.T, ctx context.Context, sim *wechattest.Server, cfg wechat.Config, log zerolog.Logger) (*wechat.Login, string) {
	t.Helper()
	l, qr := newQRLogin(t, ctx, cfg, log)
	phone := confirmNextLogin(t, ctx, sim)
	redirect, err := l.WaitForConfirm(ctx, qr.UUID, true, nil)
	require.NoError(t, err)
	require.NoError(t, <-phone)
	return l, redirect
}

// login runs a whole QR login against the simulator.
func login(t *testing.T, sim *wechattest.Server, cfg wechat.Config) *wechat.Session {
	t.Helper()
	ctx := testCtx(t)
	l, redirect := confirmedLogin(t, ctx, sim, cfg, zerolog.Nop())
	sess, err := l.Complete(ctx, redirect)
	require.NoError(t, err)
	return sess
}

// recorder is an event handler that keeps what it got and can refuse
// batches.
type recorder struct {
	mu     sync.Mutex
	events []wechat.Event
	notify chan struct{}
	refuse func(*wechat.Batch) error
}

func newRecorder() *recorder {
	return &recorder{notify: make(chan struct{}, 1)}
}

func (r *recorder) handle(_ context.Context, evt wechat.Event) error {
	r.mu.Lock()
	refuse := r.refuse
	r.mu.Unlock()
	if b, ok := evt.(*wechat.Batch); ok && refuse != nil {
		if err := refuse(b); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.events = append(r.events, evt)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) setRefuse(f func(*wechat.Batch) error) {
	r.mu.Lock()
	r.refuse = f
	r.mu.Unlock()
}

// messages returns every message delivered so far.
func (r *recorder) messages() []*wechat.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*wechat.Message
	for _, e := range r.events {
		if b, ok := e.(*wechat.Batch); ok {
			out = append(out, b.Messages...)
		}
	}
	return out
}

func (r *recorder) batches() []*wechat.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*wechat.Batch
	for _, e := range r.events {
		if b, ok := e.(*wechat.Batch); ok {
			out = append(out, b)
		}
	}
	return out
}

func (r *recorder) all() []wechat.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wechat.Event(nil), r.events...)
}

// waitFor waits until cond holds for the recorded events.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; got %d events", what, len(r.all()))
		}
	}
}

func (r *recorder) waitForMessageID(t *testing.T, id int64) *wechat.Message {
	t.Helper()
	var found *wechat.Message
	r.waitFor(t, "message", func() bool {
		for _, m := range r.messages() {
			if m.ID == id {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func (r *recorder) count(id int64) int {
	n := 0
	for _, m := range r.messages() {
		if m.ID == id {
			n++
		}
	}
	return n
}

// startClient builds a client from a session, runs Init and starts the loop.
func startClient(t *testing.T, sess *wechat.Session, cfg wechat.Config, rec *recorder) (*wechat.Client, *wechat.InitResult) {
	t.Helper()
	c, err := wechat.NewClient(sess, cfg, zerolog.Nop(), rec.handle)
	require.NoError(t, err)
	init, err := c.Init(testCtx(t))
	require.NoError(t, err)
	c.Start(context.Background())
	t.Cleanup(c.Stop)
	return c, init
}

func isConnected(e wechat.Event) bool {
	_, ok := e.(*wechat.Connected)
	return ok
}

func loggedOut(events []wechat.Event) *wechat.LoggedOut {
	for _, e := range events {
		if lo, ok := e.(*wechat.LoggedOut); ok {
			return lo
		}
	}
	return nil
}
