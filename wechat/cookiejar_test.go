package wechat

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func cookieNames(cs []*http.Cookie) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		out[c.Name] = c.Value
	}
	return out
}

func TestJarScopes(t *testing.T) {
	jar := NewJar(nil)
	jar.SetCookies(mustURL(t, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"), []*http.Cookie{
		{Name: "wxsid", Value: "sid", Domain: "wx2.qq.com", Path: "/"},
		{Name: "webwx_data_ticket", Value: "ticket", Domain: ".qq.com", Path: "/"},
		{Name: "hostonly", Value: "h"},
		{Name: "foreign", Value: "x", Domain: "example.com"},
	})
	tests := []struct {
		name string
		url  string
		want map[string]string
	}{
		{"web host gets all of its own", "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit", map[string]string{"wxsid": "sid", "webwx_data_ticket": "ticket", "hostonly": "h"}},
		{"file host gets domain cookies", "https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia", map[string]string{"wxsid": "sid", "webwx_data_ticket": "ticket"}},
		{"push host gets domain cookies", "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck", map[string]string{"wxsid": "sid", "webwx_data_ticket": "ticket"}},
		{"other qq host gets only the .qq.com one", "https://wx.qq.com/", map[string]string{"webwx_data_ticket": "ticket"}},
		{"unrelated host gets nothing", "https://example.com/", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cookieNames(jar.Cookies(mustURL(t, tt.url))))
		})
	}
}

func TestJarPathsExpiryAndReplace(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jar := NewJar(nil)
	jar.now = func() time.Time { return now }
	u := mustURL(t, "http://127.0.0.1:8080/cgi-bin/mmwebwx-bin/login")
	jar.SetCookies(u, []*http.Cookie{
		{Name: "a", Value: "1", Path: "/cgi-bin"},
		{Name: "b", Value: "1", Path: "/", MaxAge: 10},
		{Name: "c", Value: "1", Path: "/", Expires: now.Add(time.Hour)},
		{Name: "d", Value: "1"}, // default path: the request's directory
	})
	assert.Equal(t, map[string]string{"a": "1", "b": "1", "c": "1"}, cookieNames(jar.Cookies(mustURL(t, "http://127.0.0.1:8080/cgi-bin/x"))))
	assert.Equal(t, map[string]string{"a": "1", "b": "1", "c": "1", "d": "1"}, cookieNames(jar.Cookies(mustURL(t, "http://127.0.0.1:8080/cgi-bin/mmwebwx-bin/synccheck"))))
	assert.Equal(t, map[string]string{"b": "1", "c": "1"}, cookieNames(jar.Cookies(mustURL(t, "http://127.0.0.1:8080/other"))),
		"path-scoped cookie must stay on its path")
	assert.NotContains(t, cookieNames(jar.Cookies(mustURL(t, "http://127.0.0.1:8080/cgi-binary"))), "a", "a string prefix is not a path match")

	jar.SetCookies(u, []*http.Cookie{{Name: "c", Value: "2", Path: "/", Expires: now.Add(time.Hour)}})
	assert.Equal(t, "2", jar.Value("127.0.0.1:8080", "c"), "same name, domain and path replaces")

	now = now.Add(11 * time.Second)
	assert.NotContains(t, cookieNames(jar.Cookies(mustURL(t, "http://127.0.0.1/"))), "b", "Max-Age expiry")

	jar.SetCookies(u, []*http.Cookie{{Name: "c", Value: "", Path: "/", MaxAge: -1}})
	assert.Empty(t, jar.Value("127.0.0.1", "c"), "Max-Age<0 deletes")
	assert.Len(t, jar.Export(), 2)
}

func TestJarExportRoundTrip(t *testing.T) {
	jar := NewJar(nil)
	jar.SetCookies(mustURL(t, "https://wx.qq.com/"), []*http.Cookie{
		{Name: "wxuin", Value: "123", Domain: "wx.qq.com"},
		{Name: "session", Value: "s"},
	})
	data, err := json.Marshal(jar.Export())
	require.NoError(t, err)
	var restored []Cookie
	require.NoError(t, json.Unmarshal(data, &restored))
	jar2 := NewJar(restored)
	assert.Equal(t, cookieNames(jar.Cookies(mustURL(t, "https://wx.qq.com/x"))), cookieNames(jar2.Cookies(mustURL(t, "https://wx.qq.com/x"))))
	assert.Equal(t, "123", jar2.Value("file.wx.qq.com", "wxuin"))
	assert.Empty(t, jar2.Value("file.wx.qq.com", "session"), "host-only stays host-only after a round trip")
}

func TestJarEarliestExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jar := NewJar(nil)
	jar.setClock(func() time.Time { return now })
	jar.SetCookies(mustURL(t, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"), []*http.Cookie{
		{Name: "wxsid", Value: "s", Domain: "wx2.qq.com", Path: "/", Expires: now.Add(12 * time.Hour)},
		{Name: "wxuin", Value: "1", Domain: ".qq.com", Path: "/", MaxAge: 3600},
		{Name: "webwxuvid", Value: "u", Domain: "wx2.qq.com", Path: "/", Expires: now.Add(time.Minute)},
		{Name: "other", Value: "o", Domain: "wx2.qq.com", Path: "/"},
	})
	tests := []struct {
		name         string
		host         string
		names        []string
		wantExpires  time.Time
		wantLifetime time.Duration
		wantOK       bool
	}{
		{"earliest of the named", "wx2.qq.com", []string{"wxsid", "wxuin"}, now.Add(time.Hour), time.Hour, true},
		{"from another host of the domain", "webpush.wx2.qq.com", []string{"wxsid"}, now.Add(12 * time.Hour), 12 * time.Hour, true},
		{"only cookies the host would get", "wx.qq.com", []string{"wxsid", "wxuin"}, now.Add(time.Hour), time.Hour, true},
		{"unnamed cookies do not count", "wx2.qq.com", []string{"other"}, time.Time{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, lifetime, ok := jar.earliestExpiry(tt.host, tt.names...)
			assert.Equal(t, tt.wantOK, ok)
			assert.True(t, tt.wantExpires.Equal(exp), "expires %s, want %s", exp, tt.wantExpires)
			assert.Equal(t, tt.wantLifetime, lifetime)
		})
	}

	// The lifetime survives an export (Created is stored); an expired
	// cookie no longer counts.
	restored := NewJar(jar.Export())
	restored.setClock(func() time.Time { return now.Add(2 * time.Hour) })
	exp, lifetime, ok := restored.earliestExpiry("wx2.qq.com", "wxsid", "wxuin")
	require.True(t, ok)
	assert.True(t, now.Add(12*time.Hour).Equal(exp))
	assert.Equal(t, 12*time.Hour, lifetime)
}
