package wechattest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestRoutingByHost: every endpoint answers only on the host the real
// server serves it on; elsewhere it gets the real server's "no session
// here" answer in its own format, and the call is a violation.
func TestRoutingByHost(t *testing.T) {
	s, c, init := loggedIn(t, Config{ControlAPI: true})
	check := c.syncCheckQuery(init.SyncKey.String())
	initBody := mustJSON(t, map[string]any{"BaseRequest": c.baseReq()})
	initQuery := url.Values{"pass_ticket": {c.passTicket}}
	img := url.Values{"MsgID": {"1"}, "skey": {c.skey}}
	js := url.Values{"appid": {wechat.AppID}, "fun": {"new"}, "redirect_uri": {"https://wx.qq.com/x"}}

	tests := []struct {
		name       string
		method     string
		host, path string
		q          url.Values
		body       []byte
		wantStatus int
		wantBody   string // substring
		violation  string // "" when the call is right
	}{
		{"synccheck on the push host", "GET", pushHost, api("synccheck"), check, nil, 200, `retcode:"0"`, ""},
		{"synccheck on the web host", "GET", webHost, api("synccheck"), check, nil, 200, `retcode:"1100"`, "called on host wx2.qq.com"},
		{"synccheck on another account's push host", "GET", "webpush.wx.qq.com", api("synccheck"), check, nil, 200, `retcode:"1100"`, "called on host webpush.wx.qq.com"},
		{"webwxinit on the web host", "POST", webHost, api("webwxinit"), initQuery, initBody, 200, `"Ret":0`, ""},
		{"webwxinit on the file host", "POST", fileHost, api("webwxinit"), initQuery, initBody, 200, `"Ret":1100`, "called on host file.wx2.qq.com"},
		{"webwxinit on another web host", "POST", "wx.qq.com", api("webwxinit"), initQuery, initBody, 200, `"Ret":1100`, "serves it on wx2.qq.com"},
		{"upload on the web host", "POST", webHost, api("webwxuploadmedia"), url.Values{"f": {"json"}}, nil, 200, `"Ret":1100`, "serves it on file.wx2.qq.com"},
		{"download on the push host", "GET", pushHost, api("webwxgetmsgimg"), img, nil, 200, "", "called on host webpush.wx2.qq.com"},
		{"jslogin on login.weixin.qq.com", "GET", "login.weixin.qq.com", "/jslogin", js, nil, 200, "window.QRLogin.code = 200", ""},
		{"jslogin on the account's login host", "GET", "login.wx2.qq.com", "/jslogin", js, nil, 200, "window.QRLogin.code = 200", ""},
		{"jslogin on the web host", "GET", webHost, "/jslogin", js, nil, 404, "", "called on host wx2.qq.com"},
		{"not a WeChat host", "GET", "127.0.0.1", "/jslogin", js, nil, 404, "", `host "127.0.0.1", not a Web WeChat host`},
		{"control API on any host", "GET", "127.0.0.1", "/_sim/state", nil, nil, 200, `"self_uin"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Violations())
			resp, body := c.doURL(tt.method, hostURL(tt.host, tt.path, tt.q), tt.body, http.Header{"Content-Type": {"application/json; charset=UTF-8"}})
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.wantBody == "" && tt.wantStatus == 200 {
				assert.Empty(t, body)
			}
			assert.Contains(t, string(body), tt.wantBody)
			added := s.Violations()[before:]
			if tt.violation == "" {
				assert.Empty(t, added)
				return
			}
			require.Len(t, added, 1)
			assert.Contains(t, added[0], tt.violation)
		})
	}
	reqs := s.Requests("synccheck")
	require.NotEmpty(t, reqs)
	assert.Equal(t, pushHost, reqs[0].Host, "requests record their host")
}
