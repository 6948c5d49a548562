package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestLoginModes(t *testing.T) {
	tests := []struct {
		name        string
		mode        wechat.Mode
		wantHeaders bool
		wantUA      string
	}{
		{"desktop", wechat.ModeDesktop, true, wechat.UserAgentUOS},
		{"web", wechat.ModeWeb, false, wechat.UserAgentWeb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			ctx := testCtx(t)
			l, qr := newQRLogin(t, ctx, testConfig(sim, tt.mode), zerolog.Nop())
			assert.Equal(t, wechat.QRPayloadPrefix+qr.UUID, qr.Payload)

			// The phone scans, and confirms only once the client saw the scan.
			seen := make(chan struct{})
			go func() {
				uuid, err := sim.WaitForLogin(ctx)
				if err == nil {
					err = sim.Scan(uuid)
				}
				if err == nil {
					<-seen
					err = sim.Confirm(uuid)
				}
				if err != nil {
					t.Errorf("phone: %v", err)
				}
			}()
			var scanned [][]byte
			redirect, err := l.WaitForConfirm(ctx, qr.UUID, true, func(avatar []byte) {
				scanned = append(scanned, avatar)
				close(seen)
			})
			require.NoError(t, err)
			require.Len(t, scanned, 1, "the scan is reported once")
			assert.NotEmpty(t, scanned[0], "the scanner's avatar comes with the scan")

			sess, err := l.Complete(ctx, redirect)
			require.NoError(t, err)
			assert.True(t, sess.Valid())
			assert.Equal(t, sim.SelfUin(), sess.Uin)
			assert.Equal(t, "wx2.qq.com", sess.Hosts.Web, "hosts come from the redirect host, not the override")
			assert.Equal(t, "webpush.wx2.qq.com", sess.Hosts.Push)
			assert.NotEmpty(t, sess.Cookies)

			js := sim.Requests("jslogin")
			require.NotEmpty(t, js)
			assert.Equal(t, tt.wantHeaders, containsDesktop(js[0].Query.Get("redirect_uri")))
			page := sim.Requests("webwxnewloginpage")
			require.Len(t, page, 1)
			assert.Equal(t, "v2", page[0].Query.Get("version"))
			assert.Equal(t, "new", page[0].Query.Get("fun"))
			assert.Equal(t, tt.wantHeaders, page[0].Query.Get("mod") == "desktop")
			assert.Equal(t, tt.wantHeaders, page[0].Header.Get("extspam") == wechat.DesktopExtspam)
			assert.Equal(t, tt.wantHeaders, page[0].Header.Get("client-version") == wechat.DesktopClientVersion)
			assert.Equal(t, tt.wantUA, page[0].Header.Get("User-Agent"))

			polls := sim.Requests("login")
			require.NotEmpty(t, polls)
			assert.Equal(t, "1", polls[0].Query.Get("tip"), "first poll after a fresh QR has tip=1")
		})
	}
}

func containsDesktop(s string) bool {
	return strings.Contains(s, "mod=desktop") || strings.Contains(s, "mod%3Ddesktop")
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name    string
		mode    wechat.Mode
		setup   func(*wechattest.Server)
		wantErr error
		wantMsg string
	}{
		{"web login barred", wechat.ModeWeb, nil, wechat.ErrLoginBarred, "不能登录网页微信"},
		{"refused with message", wechat.ModeDesktop, func(s *wechattest.Server) { s.RefuseNextLogin(1203, "当前登录环境异常") }, wechat.ErrLoginBarred, "当前登录环境异常"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, func(c *wechattest.Config) { c.WebLoginBarred = true })
			if tt.setup != nil {
				tt.setup(sim)
			}
			ctx := testCtx(t)
			l, redirect := confirmedLogin(t, ctx, sim, testConfig(sim, tt.mode), zerolog.Nop())
			_, err := l.Complete(ctx, redirect)
			require.ErrorIs(t, err, tt.wantErr)
			var retErr *wechat.RetError
			require.ErrorAs(t, err, &retErr)
			assert.Contains(t, retErr.Message, tt.wantMsg, "the server's words reach the user")
		})
	}
}

func TestLoginDesktopModeGetsPastBarredWeb(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.WebLoginBarred = true })
	sess := login(t, sim, testConfig(sim, wechat.ModeDesktop))
	assert.True(t, sess.Desktop)
}

func TestLoginPollOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		phone   func(*wechattest.Server, string) error
		wantErr error
	}{
		{"expired", func(s *wechattest.Server, uuid string) error { return s.ExpireQR(uuid) }, wechat.ErrQRExpired},
		{"cancelled", func(s *wechattest.Server, uuid string) error {
			if err := s.Scan(uuid); err != nil {
				return err
			}
			return s.CancelLogin(uuid)
		}, wechat.ErrLoginCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			ctx := testCtx(t)
			l, qr := newQRLogin(t, ctx, testConfig(sim, wechat.ModeDesktop), zerolog.Nop())
			go func() {
				uuid, err := sim.WaitForLogin(ctx)
				if err == nil {
					err = tt.phone(sim, uuid)
				}
				if err != nil {
					t.Errorf("phone: %v", err)
				}
			}()
			_, err := l.WaitForConfirm(ctx, qr.UUID, true, nil)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestLoginPollWaitsThrough408(t *testing.T) {
	sim := newSim(t)
	ctx := testCtx(t)
	l, qr := newQRLogin(t, ctx, testConfig(sim, wechat.ModeDesktop), zerolog.Nop())
	res, err := l.Poll(ctx, qr.UUID, true)
	require.NoError(t, err)
	assert.Equal(t, wechat.PollWaiting, res.Code, "nothing happened, the long poll times out with 408")
}

func TestPushLogin(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	first := login(t, sim, cfg)
	alice1 := sim.UserName("alice")

	ctx := testCtx(t)
	l, err := wechat.NewLogin(cfg, first.Cookies, zerolog.Nop())
	require.NoError(t, err)
	uuid, err := l.PushLogin(ctx, first)
	require.NoError(t, err)
	go func() {
		if err := sim.Confirm(uuid); err != nil {
			t.Errorf("confirm: %v", err)
		}
	}()
	redirect, err := l.WaitForConfirm(ctx, uuid, true, nil)
	require.NoError(t, err)
	second, err := l.Complete(ctx, redirect)
	require.NoError(t, err)
	assert.Equal(t, first.Uin, second.Uin, "same account")
	assert.NotEqual(t, first.Sid, second.Sid, "new session")
	assert.NotEqual(t, alice1, sim.UserName("alice"), "every login has new UserNames")

	push := sim.Requests("webwxpushloginurl")
	require.Len(t, push, 1)
	assert.Equal(t, "desktop", push[0].Query.Get("mod"))
	assert.NotEmpty(t, push[0].Cookies["webwx_auth_ticket"], "push login carries the old session's cookies")
	var pushPolls int
	for _, p := range sim.Requests("login") {
		if p.Query.Get("uuid") == uuid {
			if pushPolls == 0 {
				assert.Equal(t, "1", p.Query.Get("tip"))
			}
			pushPolls++
		}
	}
	assert.Positive(t, pushPolls)
}

// TestPushLoginAfterCookiesExpired: a day after the last webwxsync the
// session cookies (wxuin among them) have expired while webwx_auth_ticket
// has not; push login still works because the client sends wxuin again.
func TestPushLoginAfterCookiesExpired(t *testing.T) {
	clock := wechattest.NewClock(time.Now())
	sim := newSim(t, func(c *wechattest.Config) { c.Now = clock.Now })
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.Now = clock.Now
	first := login(t, sim, cfg)
	clock.Advance(24 * time.Hour)

	ctx := testCtx(t)
	l, err := wechat.NewLogin(cfg, first.Cookies, zerolog.Nop())
	require.NoError(t, err)
	uuid, err := l.PushLogin(ctx, first)
	require.NoError(t, err)
	push := sim.Requests("webwxpushloginurl")
	require.Len(t, push, 1)
	assert.Equal(t, strconv.FormatInt(first.Uin, 10), push[0].Cookies["wxuin"])
	assert.NotEmpty(t, push[0].Cookies["webwx_auth_ticket"])
	assert.Empty(t, push[0].Cookies["wxsid"], "the expired session cookie stays expired")
	assert.NotEmpty(t, uuid)
	assert.Empty(t, sim.Violations())
}

func TestPushLoginWithoutCookiesFails(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	first := login(t, sim, cfg)
	l, err := wechat.NewLogin(cfg, nil, zerolog.Nop())
	require.NoError(t, err)
	_, err = l.PushLogin(testCtx(t), first)
	var retErr *wechat.RetError
	assert.ErrorAs(t, err, &retErr)
	_, err = l.PushLogin(testCtx(t), nil)
	assert.ErrorIs(t, err, wechat.ErrNotLoggedIn)
}

func TestSessionResumeFromJSON(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	sess := login(t, sim, cfg)

	rec1 := newRecorder()
	c1, _ := startClient(t, sess, cfg, rec1)
	first := sim.InjectText("alice", "", "before the restart")
	rec1.waitForMessageID(t, first)
	c1.Stop()
	saved, err := json.Marshal(c1.Session())
	require.NoError(t, err)

	during := sim.InjectText("bob", "", "while the bridge was down")

	var restored wechat.Session
	require.NoError(t, json.Unmarshal(saved, &restored))
	rec2 := newRecorder()
	startClient(t, &restored, cfg, rec2)
	rec2.waitForMessageID(t, during)
	after := sim.InjectText("alice", "", "after the restart")
	rec2.waitForMessageID(t, after)
	assert.Zero(t, rec2.count(first), "nothing already handled comes again")
	assert.Equal(t, 1, rec2.count(during))
	assert.Equal(t, 1, sim.LoginCount(), "no new login was needed")
}

func TestLogout(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	require.NoError(t, c.Logout(testCtx(t)))
	require.Len(t, sim.Requests("webwxlogout"), 1)
	_, err := c.Init(testCtx(t))
	assert.ErrorIs(t, err, wechat.ErrLoggedOut, "the session is gone on the server")
	assert.NotErrorIs(t, context.Canceled, err)
	assert.False(t, errors.Is(err, wechat.ErrTooFrequent))
}

func TestLoginPollStopsWithItsContext(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.LoginPollHold = 5 * time.Second })
	l, qr := newQRLogin(t, testCtx(t), testConfig(sim, wechat.ModeDesktop), zerolog.Nop())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Poll(ctx, qr.UUID, true)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a cancelled poll is an error, not a 408")
	_, err = l.WaitForConfirm(ctx, qr.UUID, false, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
