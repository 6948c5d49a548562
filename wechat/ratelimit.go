package wechat

import (
	"context"
	"errors"
	"sync"
	"time"
)

// WeChat answers a call that comes too often with ret 1205 and counts per
// account (protocol reference §10.4): sending on while it refuses only
// prolongs the refusal, and accounts that send much more than they
// receive get banned. So a 1205 starts a cooldown shared by every call of
// its kind (all sends, contact fetches, uploads): none goes out until it
// has passed, the refused call is then made again (it had no effect, so
// this cannot double anything), and each further 1205 in a row doubles
// the wait. Only after SendRetries refusals of the same call does its
// caller get the error.

// cooldown is the pause after a 1205 for one kind of call.
type cooldown struct {
	mu      sync.Mutex
	until   time.Time
	strikes int // refusals since the last accepted call
}

// wait returns once the cooldown has passed (at once if there is none).
func (cd *cooldown) wait(ctx context.Context) error {
	for {
		cd.mu.Lock()
		d := time.Until(cd.until)
		cd.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := sleepCtx(ctx, d); err != nil {
			return err
		}
	}
}

// refused starts or prolongs the cooldown after a 1205; delay gives its
// length for the number of refusals in a row.
func (cd *cooldown) refused(delay func(strikes int) time.Duration) time.Duration {
	cd.mu.Lock()
	defer cd.mu.Unlock()
	cd.strikes++
	d := delay(cd.strikes)
	if until := time.Now().Add(d); until.After(cd.until) {
		cd.until = until
	}
	return d
}

// accepted ends the run of refusals: the next one starts at the shortest
// wait again.
func (cd *cooldown) accepted() {
	cd.mu.Lock()
	cd.strikes = 0
	cd.mu.Unlock()
}

// sendGate lets one send call go out at a time: at least SendInterval
// after the previous one finished and never during the sends' cooldown.
// A send keeps its turn while it waits out a cooldown it caused, so the
// messages queued behind it keep their order and none of them reaches
// WeChat while it refuses sends.
type sendGate struct {
	turn     chan struct{} // holds a token while a send has its turn
	lastSend time.Time     // when the previous send call finished; only the turn's holder touches it
	cool     cooldown
}

func newSendGate() *sendGate { return &sendGate{turn: make(chan struct{}, 1)} }

// acquire waits for the turn. The caller releases it.
func (g *sendGate) acquire(ctx context.Context) error {
	select {
	case g.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *sendGate) release() { <-g.turn }

// ready waits, holding the turn, until the interval since the previous
// send and the cooldown have passed.
func (g *sendGate) ready(ctx context.Context, interval time.Duration) error {
	if interval > 0 {
		if wait := time.Until(g.lastSend.Add(interval)); wait > 0 {
			if err := sleepCtx(ctx, wait); err != nil {
				return err
			}
		}
	}
	return g.cool.wait(ctx)
}

// tooFrequentDelay is the cooldown after the nth 1205 in a row.
func (c *Client) tooFrequentDelay(strikes int) time.Duration { return c.backoff(strikes, true) }

// callRefusable makes a call that WeChat may refuse as too frequent,
// after cool has passed, and makes it again after each 1205 once the
// cooldown that refusal starts has passed, at most SendRetries times.
// call builds its request anew each time (the session may have moved on).
func (c *Client) callRefusable(ctx context.Context, cool *cooldown, endpoint string, call func() error) error {
	for attempt := 0; ; attempt++ {
		if err := cool.wait(ctx); err != nil {
			return err
		}
		err := call()
		if !errors.Is(err, ErrTooFrequent) {
			if err == nil {
				cool.accepted()
			}
			return err
		}
		delay := cool.refused(c.tooFrequentDelay)
		if attempt >= c.t.cfg.SendRetries {
			c.log.Warn().Str("endpoint", endpoint).Int("attempts", attempt+1).Msg("WeChat keeps refusing as too frequent, giving up")
			return err
		}
		c.log.Warn().Str("endpoint", endpoint).Dur("retry_in", delay).Msg("WeChat says we call too often, pausing these calls")
	}
}
