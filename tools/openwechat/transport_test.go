package conformance

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTransport: a request for https://webpush.wx2.qq.com/… reaches the
// target over http with that Host, path, query, headers and body, and the
// cookie jar above the transport files cookies under the real host.
func TestTransport(t *testing.T) {
	type seen struct{ method, host, uri, header, body string }
	got := make(chan seen, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.Host, r.RequestURI, r.Header.Get("extspam"), string(body)}
		http.SetCookie(w, &http.Cookie{Name: "wxsid", Value: "s1", Path: "/", Domain: "wx2.qq.com"})
	}))
	defer srv.Close()

	tr, err := NewTransport(srv.URL, 20*time.Millisecond)
	require.NoError(t, err)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Transport: tr, Jar: jar}

	req, err := http.NewRequest(http.MethodPost, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit?_=1", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	req.Header.Set("extspam", "x")
	start := time.Now()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "latency")
	assert.Equal(t, seen{"POST", "wx2.qq.com", "/cgi-bin/mmwebwx-bin/webwxinit?_=1", "x", `{"a":1}`}, <-got)

	push, _ := url.Parse("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck")
	require.Len(t, jar.Cookies(push), 1, "a Domain=wx2.qq.com cookie reaches the push host")
	other, _ := url.Parse("https://wx.qq.com/")
	assert.Empty(t, jar.Cookies(other))

	_, err = NewTransport("127.0.0.1:80", 0)
	assert.Error(t, err, "a target without a scheme")
}
