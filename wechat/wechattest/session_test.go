package wechattest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestSessionChecks(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(c *tclient, base *wechat.BaseRequest, q url.Values) *tclient
		wantRet int
		wantWhy string
	}{
		{"valid", func(c *tclient, _ *wechat.BaseRequest, _ url.Values) *tclient { return c }, 0, ""},
		{"empty Skey is fine for webwxinit", func(c *tclient, b *wechat.BaseRequest, _ url.Values) *tclient { b.Skey = ""; return c }, 0, ""},
		{"no cookies", func(c *tclient, _ *wechat.BaseRequest, _ url.Values) *tclient { return c.withoutCookies() }, 1100, "cookies missing"},
		{"wrong Uin", func(c *tclient, b *wechat.BaseRequest, _ url.Values) *tclient { b.Uin++; return c }, 1101, "BaseRequest.Uin"},
		{"wrong Sid", func(c *tclient, b *wechat.BaseRequest, _ url.Values) *tclient { b.Sid = "x"; return c }, 1101, "BaseRequest.Sid"},
		{"wrong Skey", func(c *tclient, b *wechat.BaseRequest, _ url.Values) *tclient { b.Skey = "@crypt_x"; return c }, 1101, "BaseRequest.Skey"},
		// ItChat sends pass_ticket as DeviceID; the real server takes it.
		{"DeviceID not e+15 digits", func(c *tclient, b *wechat.BaseRequest, _ url.Values) *tclient { b.DeviceID = c.passTicket; return c }, 0, "DeviceID"},
		{"pass_ticket missing: accepted, recorded", func(c *tclient, _ *wechat.BaseRequest, q url.Values) *tclient { q.Del("pass_ticket"); return c }, 0, "pass_ticket missing"},
		{"pass_ticket not URL-escaped", func(c *tclient, _ *wechat.BaseRequest, q url.Values) *tclient {
			q.Set("pass_ticket", strings.ReplaceAll(c.passTicket, "+", " "))
			return c
		}, 1101, "pass_ticket does not match"},
		{"pass_ticket escaped twice is taken but noted", func(c *tclient, _ *wechat.BaseRequest, q url.Values) *tclient {
			q.Set("pass_ticket", url.QueryEscape(c.passTicket))
			return c
		}, 0, "pass_ticket URL-escaped twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, Config{})
			c.login(false)
			base := c.baseReq()
			q := url.Values{"r": {"-1"}, "pass_ticket": {c.passTicket}}
			cc := tt.mutate(c, &base, q)
			var out wechat.InitResponse
			cc.postJSON("webwxinit", q, map[string]any{"BaseRequest": base}, &out)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)
			if tt.wantWhy != "" {
				assert.True(t, hasViolation(s, tt.wantWhy), s.Violations())
			}
		})
	}
}

// TestPassTicketIsIssuedEscaped: like the real one, pass_ticket comes
// URL-escaped ("%2B", "%2F"); sent as it came it passes, and the ticket it
// stands for has characters a client must not leave unescaped.
func TestPassTicketIsIssuedEscaped(t *testing.T) {
	s, c := newTest(t, Config{})
	redirect := c.confirmAndRedirect(c.jslogin(true))
	_, lp := c.newLoginPage(redirect, true, true)
	require.Equal(t, 0, lp.Ret)
	assert.Contains(t, lp.PassTicket, "%2B")
	assert.Contains(t, lp.PassTicket, "%2F")
	assert.NotContains(t, lp.PassTicket, "+")
	assert.NotContains(t, lp.PassTicket, "/")
	decoded, err := url.QueryUnescape(lp.PassTicket)
	require.NoError(t, err)
	assert.Contains(t, decoded, "+")
	assert.Contains(t, decoded, "/")

	c.uin, c.sid, c.skey, c.passTicket = lp.WxUin, lp.WxSid, lp.SKey, decoded
	// The ticket exactly as issued, pasted into the query.
	req, err := http.NewRequest(http.MethodPost, c.url(api("webwxinit"), nil)+"?r=-1&pass_ticket="+lp.PassTicket,
		strings.NewReader(`{"BaseRequest":{"Uin":`+strconv.FormatInt(c.uin, 10)+`,"Sid":"`+c.sid+`","Skey":"`+c.skey+`","DeviceID":"`+testDeviceID+`"}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out wechat.InitResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.Equal(t, 0, out.BaseResponse.Ret)
	assert.Empty(t, s.Violations())
}

func TestSyncCheckSessionChecks(t *testing.T) {
	tests := []struct {
		name        string
		mutate      func(c *tclient, q url.Values) *tclient
		wantRetcode int
	}{
		{"no cookies", func(c *tclient, _ url.Values) *tclient { return c.withoutCookies() }, 1102},
		{"wrong skey", func(c *tclient, q url.Values) *tclient { q.Set("skey", "@crypt_0"); return c }, 1101},
		{"wrong sid", func(c *tclient, q url.Values) *tclient { q.Set("sid", "x"); return c }, 1101},
		{"wrong uin", func(c *tclient, q url.Values) *tclient { q.Set("uin", "1"); return c }, 1101},
		{"bad deviceid", func(c *tclient, q url.Values) *tclient { q.Set("deviceid", "e1"); return c }, 1101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, init := loggedIn(t, Config{})
			q := c.syncCheckQuery(init.SyncKey.String())
			retcode, _ := tt.mutate(c, q).syncCheckWith(q)
			assert.Equal(t, tt.wantRetcode, retcode)
		})
	}
}

func TestEndSession(t *testing.T) {
	for _, ret := range []int{1100, 1101, 1102} {
		t.Run(strconv.Itoa(ret), func(t *testing.T) {
			s, c, init := loggedIn(t, Config{SyncCheckHold: 5 * time.Second})
			held := c.asyncGet(api("synccheck"), c.syncCheckQuery(init.SyncKey.String()))
			waitForRequests(t, s, "synccheck", 1)
			s.EndSession(ret)
			assert.Equal(t, syncCheckBody(ret, 0), receive(t, held), "a held synccheck answers the ret at once")
			var out wechat.SyncResponse
			c.postJSON("webwxsync", c.syncQuery(), wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: init.SyncKey}, &out)
			assert.Equal(t, ret, out.BaseResponse.Ret)
		})
	}
}

func TestUnknownSidCookie(t *testing.T) {
	_, c := newTest(t, Config{})
	c.login(false)
	u, _ := url.Parse(c.url(api("webwxinit"), nil))
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "wxsid", Value: "forged", Domain: webHost, Path: "/"}})
	var out wechat.InitResponse
	c.postJSON("webwxinit", url.Values{"pass_ticket": {c.passTicket}}, map[string]any{"BaseRequest": c.baseReq()}, &out)
	assert.Equal(t, 1101, out.BaseResponse.Ret)
}

func TestUnknownPaths(t *testing.T) {
	s, c := newTest(t, Config{})
	code, _ := c.get("/nothing", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = c.get(api("webwxsearchcontact"), nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.True(t, hasViolation(s, "unknown endpoint"))
	code, _ = c.get(api("a/b"), nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = c.get("/_sim/state", nil)
	assert.Equal(t, http.StatusNotFound, code, "no control API unless configured")
}

// TestPassTicketWhereOptional: webwxinit, webwxbatchgetcontact and
// webwxstatusnotify work without pass_ticket on the real server
// (openwechat never sends it there); the simulator accepts that and
// records it, and still refuses a pass_ticket that does not match.
// webwxsync keeps requiring it.
func TestPassTicketWhereOptional(t *testing.T) {
	tests := []struct {
		endpoint string
		request  func(c *tclient, s *Server) (url.Values, map[string]any)
		optional bool
	}{
		{"webwxinit", func(*tclient, *Server) (url.Values, map[string]any) {
			return url.Values{"r": {"-1"}}, map[string]any{}
		}, true},
		{"webwxbatchgetcontact", func(_ *tclient, s *Server) (url.Values, map[string]any) {
			return url.Values{"type": {"ex"}, "r": {"1"}},
				map[string]any{"Count": 1, "List": []map[string]string{{"UserName": s.UserName("alice"), "EncryChatRoomId": ""}}}
		}, true},
		{"webwxstatusnotify", func(_ *tclient, s *Server) (url.Values, map[string]any) {
			self := s.UserName(SelfID)
			return url.Values{"lang": {"zh_CN"}},
				map[string]any{"Code": 3, "FromUserName": self, "ToUserName": self, "ClientMsgId": 1700000000}
		}, true},
		{"webwxsync", func(c *tclient, _ *Server) (url.Values, map[string]any) {
			return url.Values{"sid": {c.sid}, "skey": {c.skey}}, map[string]any{"SyncKey": c.init().SyncKey, "rr": -1}
		}, false},
	}
	for _, tt := range tests {
		for _, passTicket := range []string{"", "wrong"} {
			t.Run(tt.endpoint+" pass_ticket="+passTicket, func(t *testing.T) {
				s, c := newTest(t, Config{})
				c.login(false)
				q, body := tt.request(c, s)
				if passTicket != "" {
					q.Set("pass_ticket", passTicket)
				}
				body["BaseRequest"] = c.baseReq()
				var out wechat.GenericResponse
				c.postJSON(tt.endpoint, q, body, &out)
				if passTicket == "" && tt.optional {
					assert.Equal(t, 0, out.BaseResponse.Ret)
					assert.True(t, hasViolation(s, tt.endpoint+": query pass_ticket missing (the official client sends it)"), s.Violations())
					return
				}
				assert.Equal(t, wechat.RetSessionInvalid, out.BaseResponse.Ret)
			})
		}
	}
}
