package wechattest

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestLoginPollCodes(t *testing.T) {
	tests := []struct {
		name     string
		act      func(s *Server, uuid string) error
		uuid     string // overrides the issued uuid
		wantCode int
		wantBody string
	}{
		{"nothing happens", nil, "", 408, "window.code=408;"},
		{"scanned", (*Server).Scan, "", 201, "window.userAvatar = 'data:img/jpg;base64,"},
		{"confirmed", (*Server).Confirm, "", 200, `window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=`},
		{"cancelled", (*Server).CancelLogin, "", 202, "window.code=202;"},
		{"expired", (*Server).ExpireQR, "", 400, "window.code=400;"},
		{"unknown uuid", nil, "nosuchuuid==", 400, "window.code=400;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, Config{})
			uuid := c.jslogin(false)
			if tt.act != nil {
				require.NoError(t, tt.act(s, uuid))
			}
			if tt.uuid != "" {
				uuid = tt.uuid
			}
			code, body := c.poll(uuid, "1")
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, body, tt.wantBody)
		})
	}
}

func TestLoginPollAvatarIsJPEG(t *testing.T) {
	s, c := newTest(t, Config{})
	uuid := c.jslogin(false)
	require.NoError(t, s.Scan(uuid))
	_, body := c.poll(uuid, "1")
	m := regexp.MustCompile(`base64,([^']+)'`).FindStringSubmatch(body)
	require.NotNil(t, m)
	data, err := base64.StdEncoding.DecodeString(m[1])
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", http.DetectContentType(data))
	// After 201 was reported, the next poll waits for the confirm.
	code, _ := c.poll(uuid, "")
	assert.Equal(t, 408, code)
}

func TestLoginPollWakesOnChange(t *testing.T) {
	s, c := newTest(t, Config{LoginPollHold: 5 * time.Second})
	uuid := c.jslogin(false)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = s.Scan(uuid)
	}()
	start := time.Now()
	code, _ := c.poll(uuid, "1")
	assert.Equal(t, 201, code)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestJSLoginRequiresParams(t *testing.T) {
	redirect := "https://wx.qq.com" + api("webwxnewloginpage")
	tests := []struct {
		name      string
		q         url.Values
		wantCode  string
		violation string
	}{
		{"wrong appid", url.Values{"appid": {"wrong"}, "fun": {"new"}, "redirect_uri": {redirect}}, "400", "appid="},
		{"no redirect_uri", url.Values{"appid": {wechat.AppID}, "fun": {"new"}}, "400", "redirect_uri are required"},
		{"no fun=new: accepted, recorded", url.Values{"appid": {wechat.AppID}, "redirect_uri": {redirect}}, "200", "fun=new missing"},
		{"official form", url.Values{"appid": {wechat.AppID}, "fun": {"new"}, "redirect_uri": {redirect}}, "200", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, Config{})
			_, body := c.get("/jslogin", tt.q)
			assert.Contains(t, body, "window.QRLogin.code = "+tt.wantCode+";")
			if tt.violation == "" {
				assert.Empty(t, s.Violations())
				return
			}
			require.Len(t, s.Violations(), 1)
			assert.Contains(t, s.Violations()[0], "jslogin: ")
			assert.Contains(t, s.Violations()[0], tt.violation)
		})
	}
}

func TestQRCodeAndLink(t *testing.T) {
	_, c := newTest(t, Config{})
	uuid := c.jslogin(false)
	resp, data := c.do(http.MethodGet, "/qrcode/"+uuid, nil, nil, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", http.DetectContentType(data))
	code, body := c.get("/l/"+uuid, nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, uuid)
	code, _ = c.get("/qrcode/unknown", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = c.get("/l/unknown", nil)
	assert.Equal(t, http.StatusNotFound, code)
}

func TestNewLoginPageModes(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		desktop    bool
		headers    bool
		wantStatus int
		wantRet    int
		wantMsg    string
	}{
		{"web", Config{}, false, false, http.StatusOK, 0, ""},
		{"desktop: 301 without Location", Config{}, true, true, http.StatusMovedPermanently, 0, ""},
		{"mod=desktop without UOS headers is a web login", Config{}, true, false, http.StatusOK, 0, ""},
		{"mod=desktop without UOS headers when web is barred", Config{WebLoginBarred: true}, true, false, http.StatusOK, 1203, "此微信号不能登录网页微信"},
		{"web barred", Config{WebLoginBarred: true}, false, false, http.StatusOK, 1203, "此微信号不能登录网页微信"},
		{"desktop works when web is barred", Config{WebLoginBarred: true}, true, true, http.StatusMovedPermanently, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, tt.cfg)
			redirect := c.confirmAndRedirect(c.jslogin(tt.desktop))
			resp, lp := c.newLoginPage(redirect, tt.desktop, tt.headers)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Empty(t, resp.Header.Get("Location"))
			assert.Equal(t, tt.wantRet, lp.Ret)
			assert.Contains(t, lp.Message, tt.wantMsg)
			if tt.wantRet != 0 {
				assert.Equal(t, 0, s.LoginCount())
				return
			}
			assert.Equal(t, 1, s.LoginCount())
			assert.Equal(t, tt.desktop && tt.headers, currentDesktop(t, s), "desktop session")
			assert.Equal(t, tt.desktop && !tt.headers, hasViolation(s, "mod=desktop without the client-version and extspam headers"), s.Violations())
			assert.Equal(t, s.SelfUin(), lp.WxUin)
			assert.True(t, strings.HasPrefix(lp.SKey, "@crypt_"))
			assert.NotEmpty(t, lp.WxSid)
			assert.NotEmpty(t, lp.PassTicket)
			assert.Equal(t, 1, lp.IsGrayScale)
			for _, name := range []string{"wxuin", "wxsid", "webwx_data_ticket", "webwx_auth_ticket", "webwxuvid", "mm_lang", "wxloadtime"} {
				assert.NotEmpty(t, c.cookie(name), name)
			}
			assert.Equal(t, lp.WxSid, c.cookie("wxsid"))
			assert.Equal(t, lp.WxSid, c.cookieFor(pushHost, "wxsid"), "the push host gets the session cookies")
			assert.NotEmpty(t, c.cookieFor(fileHost, "webwx_data_ticket"), "the file host gets the data ticket")
			assert.Empty(t, c.cookieFor("wx.qq.com", "wxsid"), "another web host does not")
			assert.NotEmpty(t, c.cookieFor("wx.qq.com", "webwx_data_ticket"), "Domain=.qq.com")
			assertLoginCookies(t, resp, time.Now())
		})
	}
}

func TestNewLoginPageParamsAndTicketOnce(t *testing.T) {
	s, c := newTest(t, Config{})
	redirect := c.confirmAndRedirect(c.jslogin(false))
	u, _ := url.Parse(redirect)

	// Without ticket or uuid the server refuses.
	_, body := c.get(u.Path, url.Values{"uuid": {u.Query().Get("uuid")}, "fun": {"new"}, "version": {"v2"}})
	assert.Contains(t, body, "<ret>1</ret>")
	_, body = c.get(u.Path, url.Values{"ticket": {u.Query().Get("ticket")}, "fun": {"new"}, "version": {"v2"}})
	assert.Contains(t, body, "<ret>1</ret>")
	assert.Equal(t, 0, s.LoginCount())

	// Without fun=new and version=v2 (ItChat leaves out version, openwechat
	// fun) it logs in, as the real server does; the difference from the
	// official client is recorded.
	_, body = c.get(u.Path, url.Values{"ticket": {u.Query().Get("ticket")}, "uuid": {u.Query().Get("uuid")}})
	assert.Contains(t, body, "<ret>0</ret>")
	assert.Equal(t, 1, s.LoginCount())
	assert.True(t, hasViolation(s, "webwxnewloginpage: fun=new missing"), s.Violations())
	assert.True(t, hasViolation(s, "webwxnewloginpage: version=v2 missing"), s.Violations())

	_, lp := c.newLoginPage(redirect, false, false)
	assert.Equal(t, -14, lp.Ret)
	assert.True(t, hasViolation(s, "already used ticket"))
	code, _ := c.poll(u.Query().Get("uuid"), "")
	assert.Equal(t, 400, code, "a used uuid polls 400")
}

// TestDesktopByHeaders: the real server tells a desktop login by the UOS
// headers. openwechat sends them without &mod=desktop on
// webwxnewloginpage (only jslogin's redirect_uri has it).
func TestDesktopByHeaders(t *testing.T) {
	s, c := newTest(t, Config{WebLoginBarred: true})
	redirect := c.confirmAndRedirect(c.jslogin(true))
	u, err := url.Parse(redirect)
	require.NoError(t, err)
	q := u.Query()
	q.Set("version", "v2")
	h := http.Header{"client-version": {wechat.DesktopClientVersion}, "extspam": {wechat.DesktopExtspam}}
	resp, body := c.do(http.MethodGet, u.Path, q, nil, h)
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Contains(t, string(body), "<ret>0</ret>")
	assert.Equal(t, 1, s.LoginCount())
	assert.True(t, currentDesktop(t, s))
	assert.True(t, hasViolation(s, "desktop headers without mod=desktop"), s.Violations())
	assert.False(t, hasViolation(s, "does not match the login's redirect_uri"), s.Violations())
}

// currentDesktop reports whether the newest session is a desktop one.
func currentDesktop(t *testing.T, s *Server) bool {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotNil(t, s.current, "no session")
	return s.current.desktop
}

func TestDesktopModeMismatchRecorded(t *testing.T) {
	s, c := newTest(t, Config{})
	redirect := c.confirmAndRedirect(c.jslogin(true))
	_, lp := c.newLoginPage(redirect, false, false)
	assert.Equal(t, 0, lp.Ret)
	assert.True(t, hasViolation(s, "does not match the login's redirect_uri"))
}

func TestRefuseNextLogin(t *testing.T) {
	s, c := newTest(t, Config{})
	s.RefuseNextLogin(1203, "check ticket failed")
	redirect := c.confirmAndRedirect(c.jslogin(false))
	_, lp := c.newLoginPage(redirect, false, false)
	assert.Equal(t, 1203, lp.Ret)
	assert.Equal(t, "check ticket failed", lp.Message)
	c.login(false) // only the next one is refused
	assert.Equal(t, 1, s.LoginCount())
}

func TestEveryLoginIsANewSession(t *testing.T) {
	s, c := newTest(t, Config{})
	c.login(false)
	first := c.init()
	names1 := map[string]string{}
	for _, id := range []string{SelfID, "alice", "family", "filehelper", "erin"} {
		names1[id] = s.UserName(id)
	}
	encry1 := s.EncryChatRoomId("family")
	old := *c

	c2 := newClient(t, s)
	c2.login(false)
	second := c2.init()
	assert.Equal(t, first.User.Uin, second.User.Uin, "the uin is stable")
	assert.NotEqual(t, first.User.UserName, second.User.UserName)
	assert.NotEqual(t, first.SKey, second.SKey)
	assert.NotEqual(t, old.sid, c2.sid)
	assert.NotEqual(t, old.passTicket, c2.passTicket)
	assert.NotEqual(t, encry1, s.EncryChatRoomId("family"))
	for id, n := range names1 {
		if id == "filehelper" {
			assert.Equal(t, "filehelper", s.UserName(id))
			continue
		}
		assert.NotEqual(t, n, s.UserName(id), id)
	}
	assert.Regexp(t, `^@[0-9a-f]{32}$`, s.UserName("alice"))
	assert.Regexp(t, `^@@[0-9a-f]{64}$`, s.UserName("family"))
	assert.Regexp(t, `^@[0-9a-f]{64}$`, s.UserName(SelfID))

	// The first session is dead.
	var out wechat.InitResponse
	old.postJSON("webwxinit", url.Values{"pass_ticket": {old.passTicket}}, map[string]any{"BaseRequest": old.baseReq()}, &out)
	assert.Equal(t, 1101, out.BaseResponse.Ret)
	retcode, _ := old.syncCheck(first.SyncKey)
	assert.Equal(t, 1101, retcode)
	assert.Equal(t, 2, s.LoginCount())
}

func TestPushLogin(t *testing.T) {
	s, c := newTest(t, Config{})
	c.login(true)
	uin := url.Values{"uin": {c.cookie("wxuin")}, "mod": {"desktop"}}

	var bad wechat.PushLoginResponse
	resp, body := c.withoutCookies().do(http.MethodGet, api("webwxpushloginurl"), uin, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, jsonUnmarshal(body, &bad))
	assert.Equal(t, wechat.Int64(1), bad.Ret)

	resp, body = c.do(http.MethodGet, api("webwxpushloginurl"), uin, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"ret":"0"`)
	var ok wechat.PushLoginResponse
	require.NoError(t, jsonUnmarshal(body, &ok))
	require.NotEmpty(t, ok.UUID)
	assert.Equal(t, "all ok", ok.Msg)

	pending, err := s.WaitForLogin(context.Background())
	require.NoError(t, err)
	assert.Equal(t, ok.UUID, pending)
	assert.ErrorIs(t, s.Scan(ok.UUID), ErrLoginState, "push logins need no scan")
	code, _ := c.poll(ok.UUID, "1")
	assert.Equal(t, 408, code)
	redirect := c.confirmAndRedirect(ok.UUID)
	_, lp := c.newLoginPage(redirect, true, true)
	assert.Equal(t, 0, lp.Ret)
	assert.Equal(t, 2, s.LoginCount())
	assert.False(t, hasViolation(s, "tip=1"))
}

func TestRefuseNextPushLogin(t *testing.T) {
	s, c := newTest(t, Config{})
	c.login(true)
	uin := url.Values{"uin": {c.cookie("wxuin")}, "mod": {"desktop"}}
	s.RefuseNextPushLogin()
	_, body := c.get(api("webwxpushloginurl"), uin)
	assert.JSONEq(t, `{"ret":"1","msg":"device authinfo invalid"}`, body, "refused as the real server refuses")
	assert.Empty(t, s.Violations(), "the request was right: the refusal is no violation")
	_, body = c.get(api("webwxpushloginurl"), uin)
	assert.Contains(t, body, `"ret":"0"`, "only the next push login is refused")
}

func TestPushLoginFirstPollWithoutTip(t *testing.T) {
	s, c := newTest(t, Config{})
	c.login(false)
	_, body := c.get(api("webwxpushloginurl"), url.Values{"uin": {c.cookie("wxuin")}})
	var ok wechat.PushLoginResponse
	require.NoError(t, jsonUnmarshal([]byte(body), &ok))
	c.poll(ok.UUID, "0")
	assert.True(t, hasViolation(s, "without tip=1"))
}

func TestLoginControlsErrors(t *testing.T) {
	s, c := newTest(t, Config{})
	assert.ErrorIs(t, s.Scan("nope"), ErrUnknownLogin)
	uuid := c.jslogin(false)
	require.NoError(t, s.CancelLogin(uuid))
	assert.ErrorIs(t, s.Confirm(uuid), ErrLoginState)
	assert.ErrorIs(t, s.CancelLogin(uuid), ErrLoginState)
	assert.ErrorIs(t, s.ExpireQR(uuid), ErrLoginState)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := s.WaitForLogin(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	uuid2 := c.jslogin(false)
	got, err := s.WaitForLogin(context.Background())
	require.NoError(t, err)
	assert.Equal(t, uuid2, got)
	s.Close()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	require.NoError(t, s.Confirm(uuid2))
	_, err = s.WaitForLogin(ctx2)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestLogout(t *testing.T) {
	_, c, init := loggedIn(t, Config{})
	code, body := c.get(api("webwxlogout"), url.Values{"redirect": {"1"}, "type": {"1"}, "skey": {c.skey}})
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, body)
	retcode, _ := c.syncCheck(init.SyncKey)
	assert.Equal(t, 1101, retcode)
	var out wechat.GenericResponse
	c.postJSON("webwxstatusnotify", url.Values{"pass_ticket": {c.passTicket}}, map[string]any{"BaseRequest": c.baseReq()}, &out)
	assert.Equal(t, 1101, out.BaseResponse.Ret)
}

// assertLoginCookies checks the Set-Cookie headers of webwxnewloginpage
// against the real server's (fuergaosi233/wechat-chatgpt#324): domains,
// Path=/, Expires 12 h or 10 years ahead in the dashed format, Secure.
func assertLoginCookies(t *testing.T, resp *http.Response, now time.Time) {
	t.Helper()
	want := map[string]time.Duration{
		"wxuin@wx2.qq.com": 12 * time.Hour, "wxsid@wx2.qq.com": 12 * time.Hour,
		"wxloadtime@wx2.qq.com": 12 * time.Hour, "mm_lang@wx2.qq.com": 12 * time.Hour,
		"wxuin@.qq.com": 12 * time.Hour, "webwx_data_ticket@.qq.com": 12 * time.Hour,
		"webwxuvid@wx2.qq.com": longCookieLifetime, "webwx_auth_ticket@wx2.qq.com": longCookieLifetime,
	}
	headerRe := regexp.MustCompile(`^([a-z_]+)=[^;]+; Domain=([a-z0-9.]+); Path=/; Expires=([A-Z][a-z]{2}, \d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} GMT); Secure$`)
	got := map[string]bool{}
	for _, h := range resp.Header.Values("Set-Cookie") {
		m := headerRe.FindStringSubmatch(h)
		if !assert.NotNil(t, m, "Set-Cookie %q is not in the real server's form", h) {
			continue
		}
		key := m[1] + "@" + m[2]
		lifetime, ok := want[key]
		if !assert.True(t, ok, "unexpected cookie %s", key) {
			continue
		}
		got[key] = true
		expires, err := time.Parse(cookieExpiresLayout, m[3])
		require.NoError(t, err)
		assert.WithinDuration(t, now.Add(lifetime), expires, 5*time.Second, key)
	}
	assert.Len(t, got, len(want), "every cookie of the real server is set once")
}
