package wechat

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// echoSettleTimeout bounds how long a sync waits for sends in flight.
const echoSettleTimeout = 10 * time.Second

// maxContinueRounds bounds how often one round follows ContinueFlag.
const maxContinueRounds = 100

// When synccheck keeps announcing news (a selector) that webwxsync does not
// bring, as with the phone offline (reference §10.5: selectors 2, 6, 7), the
// loop would spin at network speed. After emptyRoundsBeforeSlowdown such
// rounds in a row it runs one round per slowRoundInterval, until a round
// brings something.
const (
	emptyRoundsBeforeSlowdown = 3
	slowRoundInterval         = time.Second
)

// loopState is what the sync loop carries from one round to the next.
type loopState struct {
	// needSync: run webwxsync before the next synccheck (catch up first,
	// and after a failed webwxsync).
	needSync bool
	// emptyRounds counts rounds in a row whose selector announced news
	// that webwxsync did not bring.
	emptyRounds int
	// refreshTried is the cookie expiry the latest forced refresh saw.
	refreshTried time.Time
}

// Start runs the sync loop in the background until Stop is called, ctx
// ends or the session is lost. Events go to the handler given to
// NewClient, one at a time and in order. Calling Start on a running loop
// does nothing; a loop that ended can be started again.
func (c *Client) Start(ctx context.Context) {
	c.loopMu.Lock()
	defer c.loopMu.Unlock()
	if c.stopLoop != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	c.loopGen++
	gen := c.loopGen
	c.stopLoop = cancel
	c.loopWG.Add(1)
	go func() {
		defer c.loopWG.Done()
		c.syncLoop(ctx)
		// A loop that ended by itself (session lost) may be started again.
		c.loopMu.Lock()
		if c.loopGen == gen {
			c.stopLoop = nil
		}
		c.loopMu.Unlock()
		cancel()
	}()
}

// Stop ends the sync loop and waits for it. It must not be called from the
// event handler.
func (c *Client) Stop() {
	c.loopMu.Lock()
	stop := c.stopLoop
	c.stopLoop = nil
	c.loopMu.Unlock()
	if stop != nil {
		stop()
	}
	c.loopWG.Wait()
}

func (c *Client) touch() { c.progress.Store(time.Now().UnixNano()) }

func (c *Client) sinceProgress() time.Duration {
	return time.Since(time.Unix(0, c.progress.Load()))
}

// errStalled is the cause of a round the watchdog cancelled.
var errStalled = errors.New("wechat: sync loop stalled")

func (c *Client) syncLoop(ctx context.Context) {
	log := c.log.With().Str("action", "sync loop").Logger()
	ctx = log.WithContext(ctx)
	log.Debug().Msg("Sync loop started")
	defer log.Debug().Msg("Sync loop stopped")

	// The watchdog may cancel the round in flight; it is owned by this loop
	// and ends with ctx.
	var roundMu sync.Mutex
	var cancelCurrent context.CancelCauseFunc
	setRound := func(cancel context.CancelCauseFunc) {
		roundMu.Lock()
		cancelCurrent = cancel
		roundMu.Unlock()
	}
	c.touch()
	var watchWG sync.WaitGroup
	defer watchWG.Wait()
	ctx, stopWatchdog := context.WithCancel(ctx)
	defer stopWatchdog()
	watchWG.Add(1)
	go func() {
		defer watchWG.Done()
		c.watchdog(ctx, func() {
			roundMu.Lock()
			if cancelCurrent != nil {
				cancelCurrent(errStalled)
			}
			roundMu.Unlock()
		})
	}()

	failures := 0
	connected, disconnected := false, false
	st := loopState{needSync: true} // catch up first: what arrived while we were away
	for ctx.Err() == nil {
		round, cancel := context.WithCancelCause(ctx)
		setRound(cancel)
		err := c.syncRound(round, &st)
		cancel(nil)
		setRound(nil)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			failures = 0
			if !connected {
				connected, disconnected = true, false
				c.emit(ctx, &Connected{})
			}
			if st.emptyRounds >= emptyRoundsBeforeSlowdown {
				if st.emptyRounds == emptyRoundsBeforeSlowdown {
					log.Info().Int("empty_rounds", st.emptyRounds).
						Msg("synccheck keeps announcing news that webwxsync does not bring (is the phone offline?); slowing down to one round a second")
				}
				if sleepCtx(ctx, slowRoundInterval) != nil {
					return
				}
				c.touch()
			}
			continue
		}
		var retErr *RetError
		if errors.As(err, &retErr) && IsLoggedOutRet(retErr.Ret) {
			log.Warn().Int("ret", retErr.Ret).Str("endpoint", retErr.Endpoint).Msg("Session lost")
			c.emit(ctx, &LoggedOut{Ret: retErr.Ret, Reason: LogoutReason(retErr.Ret)})
			return
		}
		if errors.Is(context.Cause(round), errStalled) {
			err = errStalled
		}
		failures++
		delay := c.backoff(failures, errors.Is(err, ErrTooFrequent))
		log.Warn().Err(err).Int("failures", failures).Dur("retry_in", delay).Msg("Sync failed, retrying")
		// One failure is often a blip; report a disconnect from the second.
		if failures >= 2 && !disconnected {
			connected, disconnected = false, true
			c.emit(ctx, &TransientDisconnect{Err: err})
		}
		if sleepCtx(ctx, delay) != nil {
			return
		}
		c.touch()
	}
}

// watchdog cancels the current round when the loop made no progress for
// StallTimeout: a hung connection or a stuck handler cannot stop the loop.
func (c *Client) watchdog(ctx context.Context, cancelRound func()) {
	stall := c.t.cfg.StallTimeout
	tick := time.NewTicker(stall / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if c.sinceProgress() > stall {
				c.log.Warn().Dur("idle", c.sinceProgress()).Msg("Sync loop stalled, restarting it")
				cancelRound()
				c.touch()
			}
		}
	}
}

func (c *Client) backoff(failures int, tooFrequent bool) time.Duration {
	base := c.t.cfg.RetryDelay
	if tooFrequent {
		base *= 5
	}
	d := base << min(failures-1, 16)
	if d > c.t.cfg.MaxBackoff || d <= 0 {
		d = c.t.cfg.MaxBackoff
	}
	// Up to 20% jitter, so many logins do not retry in step.
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

func (c *Client) emit(ctx context.Context, evt Event) {
	if err := c.handle(ctx, evt); err != nil {
		c.log.Warn().Err(err).Type("event", evt).Msg("Event handler failed")
	}
}

// syncRound runs one synccheck and, when it reports news (or a catch-up or
// a cookie refresh is due), webwxsync until the server has nothing more.
func (c *Client) syncRound(ctx context.Context, st *loopState) error {
	selector := 0
	if !st.needSync {
		tried, refresh := c.cookieRefreshDue(st.refreshTried)
		st.refreshTried = tried
		if refresh {
			zerolog.Ctx(ctx).Debug().Msg("Session cookies expire soon, refreshing them with webwxsync")
		} else {
			check, err := c.syncCheck(ctx)
			c.touch()
			if err != nil {
				return err
			}
			if check.Selector == 0 {
				return nil
			}
			selector = check.Selector
		}
	}
	brought := false
	for range maxContinueRounds {
		more, got, err := c.syncOnce(ctx)
		c.touch()
		if err != nil {
			st.needSync = true
			return err
		}
		st.needSync = false
		brought = brought || got
		if !more {
			break
		}
	}
	switch {
	case brought:
		st.emptyRounds = 0
	case selector != 0:
		st.emptyRounds++
	}
	return nil
}

// SyncCheck is a synccheck answer.
type SyncCheck struct {
	Retcode  int
	Selector int
}

var syncCheckRe = regexp.MustCompile(`retcode\s*:\s*"?(-?\d+)"?\s*,\s*selector\s*:\s*"?(\d+)"?`)

// ParseSyncCheck parses `window.synccheck={retcode:"0",selector:"2"}`.
func ParseSyncCheck(body string) (SyncCheck, error) {
	m := syncCheckRe.FindStringSubmatch(body)
	if m == nil {
		return SyncCheck{}, fmt.Errorf("%w: synccheck answer has no retcode", ErrUnexpectedResponse)
	}
	ret, err1 := strconv.Atoi(m[1])
	sel, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return SyncCheck{}, fmt.Errorf("%w: synccheck numbers out of range", ErrUnexpectedResponse)
	}
	return SyncCheck{Retcode: ret, Selector: sel}, nil
}

// syncCheck long-polls synccheck. A retcode other than 0 is a *RetError.
func (c *Client) syncCheck(ctx context.Context) (check SyncCheck, err error) {
	start := time.Now()
	defer func() { c.t.observe("synccheck", start, err) }()
	c.mu.RLock()
	key := c.sess.SyncCheckKey
	if key.IsZero() {
		key = c.sess.SyncKey
	}
	q := url.Values{
		"r":        {strconv.FormatInt(time.Now().UnixMilli(), 10)},
		"skey":     {c.sess.SKey},
		"sid":      {c.sess.Sid},
		"uin":      {strconv.FormatInt(c.sess.Uin, 10)},
		"deviceid": {c.sess.DeviceID},
		"synckey":  {key.String()},
		"_":        {strconv.FormatInt(time.Now().UnixMilli(), 10)},
	}
	push := c.sess.Hosts.Push
	c.mu.RUnlock()
	body, err := c.t.getText(ctx, "synccheck", c.t.route.api(push, "synccheck", q), nil, c.t.cfg.PollTimeout)
	if err != nil {
		return SyncCheck{}, err
	}
	if check, err = ParseSyncCheck(body); err == nil && check.Retcode != RetOK {
		err = &RetError{Endpoint: "synccheck", Ret: check.Retcode}
	}
	return check, err
}

// syncOnce runs webwxsync once, hands the batch to the handler and, when
// the handler accepted it, advances the sync keys. It reports whether the
// server has more (ContinueFlag) and whether the answer brought anything.
func (c *Client) syncOnce(ctx context.Context) (more, brought bool, err error) {
	v := c.view()
	c.mu.RLock()
	req := SyncRequest{BaseRequest: v.base, SyncKey: c.sess.SyncKey.clone(), RR: int64(^int32(time.Now().Unix()))}
	c.mu.RUnlock()
	q := url.Values{"sid": {v.base.Sid}, "skey": {v.base.Skey}, "lang": {"zh_CN"}}
	var resp SyncResponse
	if err := c.t.callJSON(ctx, "webwxsync", c.webURL(v, "webwxsync", q), req, &resp); err != nil {
		return false, false, err
	}
	if resp.SKey != "" {
		// A rotated skey is needed for every later call, handled or not.
		c.mu.Lock()
		c.sess.SKey = resp.SKey
		c.mu.Unlock()
	}
	batch := c.buildBatch(ctx, &resp, v.self)
	if err := c.handle(ctx, batch); err != nil {
		return false, false, fmt.Errorf("wechat: handler did not take the batch: %w", err)
	}
	c.mu.Lock()
	c.sess.SyncKey = batch.State.SyncKey
	c.sess.SyncCheckKey = batch.State.SyncCheckKey
	c.mu.Unlock()
	brought = len(resp.AddMsgList) > 0 || len(resp.ModContactList) > 0 || len(resp.DelContactList) > 0 ||
		len(resp.ModChatRoomMemberList) > 0 || resp.Profile.BitFlag == ProfileBitFlagChange
	return resp.ContinueFlag != 0, brought, nil
}

func (c *Client) buildBatch(ctx context.Context, resp *SyncResponse, self string) *Batch {
	state := c.Session()
	if resp.SyncKey.Count > 0 && len(resp.SyncKey.List) > 0 {
		state.SyncKey = resp.SyncKey
		// Without a SyncCheckKey the web client checks with the SyncKey.
		state.SyncCheckKey = resp.SyncKey
	}
	if resp.SyncCheckKey.Count > 0 && len(resp.SyncCheckKey.List) > 0 {
		state.SyncCheckKey = resp.SyncCheckKey
	}
	batch := &Batch{
		DelContacts: resp.DelContactList,
		ModContacts: resp.ModContactList,
		State:       state,
	}
	if resp.Profile.BitFlag == ProfileBitFlagChange {
		p := resp.Profile
		batch.Profile = &p
	}
	log := &c.log
	batch.Messages = make([]*Message, 0, len(resp.AddMsgList))
	settled := false
	for i := range resp.AddMsgList {
		raw := &resp.AddMsgList[i]
		msg := ParseMessage(raw, self)
		if msg.FromSelf && !settled {
			// The echo of a send can arrive before the send returned its ID.
			c.echoes.settle(ctx, echoSettleTimeout)
			settled = true
		}
		if msg.FromSelf && c.echoes.has(msg.ID) {
			log.Debug().Int64("new_msg_id", msg.ID).Msg("Dropping the echo of a message we sent")
			continue
		}
		batch.Messages = append(batch.Messages, msg)
	}
	log.Debug().Int("messages", len(batch.Messages)).Int("mod_contacts", len(batch.ModContacts)).
		Int("del_contacts", len(batch.DelContacts)).Int("continue", resp.ContinueFlag).Msg("Got sync batch")
	return batch
}
