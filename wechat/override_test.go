package wechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOverrideTransport: with an override, the connection goes to the
// override while the request keeps its real host (in the Host header) and
// the cookie jar scopes cookies by the real hosts.
func TestOverrideTransport(t *testing.T) {
	type seen struct{ host, path, cookie string }
	got := make(chan seen, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("wxsid")
		s := seen{host: r.Host, path: r.URL.Path}
		if c != nil {
			s.cookie = c.Value
		}
		got <- s
		if r.URL.Path == "/sim/cgi-bin/mmwebwx-bin/webwxnewloginpage" {
			w.Header().Add("Set-Cookie", "wxsid=S1; Domain=wx2.qq.com; Path=/; Secure")
			w.Header().Add("Set-Cookie", "webwx_data_ticket=T1; Domain=.qq.com; Path=/; Secure")
			w.Header().Add("Set-Cookie", "wxloadtime=1; Path=/")
		}
	}))
	t.Cleanup(srv.Close)

	tr, err := newTransport(Config{ServerOverride: srv.URL + "/sim/"}.withDefaults(), NewJar(nil), zerolog.Nop())
	require.NoError(t, err)
	var r router
	get := func(u string) seen {
		t.Helper()
		_, _, _, err := tr.fetch(context.Background(), request{endpoint: "test", url: u}, 1<<10)
		require.NoError(t, err)
		return <-got
	}

	s := get(r.api("wx2.qq.com", "webwxnewloginpage", nil))
	assert.Equal(t, seen{host: "wx2.qq.com", path: "/sim/cgi-bin/mmwebwx-bin/webwxnewloginpage"}, s)

	s = get(r.api("webpush.wx2.qq.com", "synccheck", url.Values{"r": {"1"}}))
	assert.Equal(t, seen{host: "webpush.wx2.qq.com", path: "/sim/cgi-bin/mmwebwx-bin/synccheck", cookie: "S1"}, s,
		"a Domain=wx2.qq.com cookie reaches the push host")

	s = get(r.api("wx.qq.com", "webwxinit", nil))
	assert.Equal(t, seen{host: "wx.qq.com", path: "/sim/cgi-bin/mmwebwx-bin/webwxinit"}, s, "not another account's host")

	assert.Equal(t, "T1", tr.jar.Value("file.wx2.qq.com", "webwx_data_ticket"))
	assert.Equal(t, "T1", tr.jar.Value("wx.qq.com", "webwx_data_ticket"), "Domain=.qq.com reaches every qq.com host")
	assert.Equal(t, "1", tr.jar.Value("wx2.qq.com", "wxloadtime"))
	assert.Empty(t, tr.jar.Value("webpush.wx2.qq.com", "wxloadtime"), "a host-only cookie stays on its host")
	for _, c := range tr.jar.Export() {
		assert.NotContains(t, c.Domain, "127.0.0.1", "the jar never sees the override's address")
	}
}

func TestParseOverrideRejectsBad(t *testing.T) {
	for _, bad := range []string{"ftp://x", "127.0.0.1:9000", "http://", "::"} {
		_, err := parseOverride(bad)
		assert.Error(t, err, bad)
	}
	u, err := parseOverride("http://127.0.0.1:9000/sim/")
	require.NoError(t, err)
	assert.Equal(t, "/sim", u.Path)
}
