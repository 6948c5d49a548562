package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/status"

	"github.com/wxbridge/wxbridge/wechat"
)

// Delays between the attempts of a failed start-up step: the first retry
// comes soon (a blip), later ones back off to a few a minute, so a server
// that keeps failing never sees a storm of webwxinit or contact calls.
const (
	bootstrapFirstRetry = 2 * time.Second
	bootstrapMaxRetry   = time.Minute
)

// bootstrap runs a session's start-up steps, each once it succeeded:
// webwxinit (which also tells the phone the client is ready), storing the
// refreshed session, then the roster (contacts, groups, identities). A
// failed step is retried on its own with a growing delay, so a failed
// contact call never runs webwxinit again. It returns only when every step
// is done, the session ended (an error matching wechat.ErrLoggedOut), or
// ctx ended.
func (c *WeChatClient) bootstrap(ctx context.Context, wx *wechat.Client) (*puidRoster, error) {
	// A login that just completed ran webwxinit already (and stored the
	// session it refreshed); the official client does not run it twice.
	init := c.conn.inits.take(c.loginID)
	if init == nil {
		err := c.retryStep(ctx, "webwxinit", func() (err error) {
			init, err = wx.Init(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
		err = c.retryStep(ctx, "store session", func() error {
			return c.conn.saveSession(ctx, c.loginID, wx.Session())
		})
		if err != nil {
			return nil, err
		}
	}
	var r *puidRoster
	err := c.retryStep(ctx, "contacts", func() (err error) {
		r, err = c.loadRoster(ctx, wx, init)
		return err
	})
	return r, err
}

// retryStep runs step until it succeeds, the session ends or ctx ends,
// waiting retryDelay(attempt) between attempts and reporting each failure
// as a transient disconnect.
func (c *WeChatClient) retryStep(ctx context.Context, name string, step func() error) error {
	for attempt := 1; ; attempt++ {
		err := step()
		if err == nil || errors.Is(err, wechat.ErrLoggedOut) || ctx.Err() != nil {
			return err
		}
		delay := retryDelay(attempt)
		zerolog.Ctx(ctx).Err(err).Str("step", name).Int("attempt", attempt).Dur("retry_in", delay).
			Msg("Failed to connect to WeChat")
		c.sendState(status.StateTransientDisconnect, WXConnectFailed, fmt.Sprintf("%s: %v", name, err))
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// retryDelay is the wait after the attempt-th failure in a row: doubling
// from bootstrapFirstRetry up to bootstrapMaxRetry.
func retryDelay(attempt int) time.Duration {
	d := bootstrapFirstRetry
	for i := 1; i < attempt && d < bootstrapMaxRetry; i++ {
		d *= 2
	}
	return min(d, bootstrapMaxRetry)
}

// initHandoff keeps the webwxinit result of a login that just completed
// until its client's run takes it. The zero value is ready.
type initHandoff struct {
	mu    sync.Mutex
	inits map[string]*wechat.InitResult
}

func (h *initHandoff) put(loginID string, init *wechat.InitResult) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inits == nil {
		h.inits = make(map[string]*wechat.InitResult)
	}
	h.inits[loginID] = init
}

// take returns and forgets the result kept for loginID, or nil.
func (h *initHandoff) take(loginID string) *wechat.InitResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	init := h.inits[loginID]
	delete(h.inits, loginID)
	return init
}
