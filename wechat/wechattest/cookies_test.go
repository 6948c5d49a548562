package wechattest

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestCookieLifetime: the session cookies last CookieLifetime from the
// latest webwxnewloginpage or webwxsync; synccheck sets none; once they
// expired the session's calls are answered as calls without cookies.
func TestCookieLifetime(t *testing.T) {
	clock := NewClock(time.Now())
	s, c, init := loggedIn(t, Config{CookieLifetime: 2 * time.Minute, Now: clock.Now})

	// synccheck sets no cookie.
	resp, _ := c.do(http.MethodGet, api("synccheck"), c.syncCheckQuery(init.SyncKey.String()), nil, nil)
	assert.Empty(t, resp.Header.Values("Set-Cookie"))

	// webwxsync sets wxsid, wxuin (both domains) and webwx_data_ticket
	// again, 2 minutes from the server's now.
	clock.Advance(90 * time.Second)
	resp, body := c.do(http.MethodPost, api("webwxsync"), c.syncQuery(),
		mustJSON(t, wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: init.SyncKey, RR: -1}), nil)
	var synced wechat.SyncResponse
	require.NoError(t, jsonUnmarshal(body, &synced))
	require.Equal(t, 0, synced.BaseResponse.Ret)
	refreshed := map[string]time.Time{}
	re := regexp.MustCompile(`^([a-z_]+)=[^;]+; Domain=([a-z0-9.]+); Path=/; Expires=([^;]+); Secure$`)
	for _, h := range resp.Header.Values("Set-Cookie") {
		m := re.FindStringSubmatch(h)
		require.NotNil(t, m, h)
		exp, err := time.Parse(cookieExpiresLayout, m[3])
		require.NoError(t, err)
		refreshed[m[1]+"@"+m[2]] = exp
	}
	want := clock.Now().Add(2 * time.Minute).Truncate(time.Second).UTC()
	assert.Equal(t, map[string]time.Time{
		"wxsid@wx2.qq.com": want, "wxuin@wx2.qq.com": want, "wxuin@.qq.com": want, "webwx_data_ticket@.qq.com": want,
	}, mapUTC(refreshed))

	// 180 s after login, 90 s after the refresh: still alive.
	clock.Advance(90 * time.Second)
	retcode, _ := c.syncCheck(synced.SyncCheckKey)
	assert.Equal(t, 0, retcode)
	assert.Empty(t, s.Violations())

	// Past the refreshed expiry: as without cookies, and a violation.
	clock.Advance(31 * time.Second)
	retcode, _ = c.syncCheck(synced.SyncCheckKey)
	assert.Equal(t, wechat.RetCookieInvalid, retcode, "synccheck without (valid) cookies: 1102")
	var out wechat.InitResponse
	c.postJSON("webwxinit", url.Values{"pass_ticket": {c.passTicket}}, map[string]any{"BaseRequest": c.baseReq()}, &out)
	assert.Equal(t, wechat.RetSessionNotExist, out.BaseResponse.Ret, "webwxinit without (valid) cookies: 1100")
	assert.True(t, hasViolation(s, "session cookies expired"))
}

func mapUTC(m map[string]time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = v.UTC()
	}
	return out
}
