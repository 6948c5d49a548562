package wechattest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

const testDeviceID = "e123456789012345"

// tclient speaks the protocol with plain net/http, the way the web client
// does, so that the server can be tested without package wechat's client.
// Its URLs name the real hosts (hostFor) and its transport sends them to
// the server with the real Host header, so net/http's own cookie jar
// scopes the server's cookies as a browser would.
type tclient struct {
	t   *testing.T
	srv *Server
	hc  *http.Client

	uin        int64
	sid        string
	skey       string
	passTicket string
}

// newTest starts a server with short holds and a client for it.
func newTest(t *testing.T, cfg Config) (*Server, *tclient) {
	t.Helper()
	if cfg.LoginPollHold == 0 {
		cfg.LoginPollHold = 150 * time.Millisecond
	}
	if cfg.SyncCheckHold == 0 {
		cfg.SyncCheckHold = 150 * time.Millisecond
	}
	s := NewTest(t, cfg)
	return s, newClient(t, s)
}

func newClient(t *testing.T, s *Server) *tclient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &tclient{
		t:   t,
		srv: s,
		hc: &http.Client{
			Jar:           jar,
			Transport:     toServer(t, s, http.DefaultTransport),
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// hostTransport sends every request to the test server and keeps the
// request's host in the Host header.
type hostTransport struct {
	addr string
	next http.RoundTripper
}

func (h *hostTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Host = req.URL.Host
	out.URL.Scheme, out.URL.Host = "http", h.addr
	return h.next.RoundTrip(out)
}

// toServer returns a transport that delivers requests for real hosts to s.
func toServer(t *testing.T, s *Server, next http.RoundTripper) http.RoundTripper {
	u, err := url.Parse(s.URL())
	require.NoError(t, err)
	return &hostTransport{addr: u.Host, next: next}
}

// Hosts of the default account (Config.WebHost wx2.qq.com).
const (
	webHost   = DefaultWebHost
	loginHost = "login.wx.qq.com"
	fileHost  = "file." + DefaultWebHost
	pushHost  = "webpush." + DefaultWebHost
)

// hostFor is the host the real server serves path on.
func hostFor(path string) string {
	switch {
	case path == "/jslogin" || strings.HasPrefix(path, "/qrcode/") || strings.HasPrefix(path, "/l/") || path == api("login"):
		return loginHost
	case path == api("synccheck"):
		return pushHost
	case path == api("webwxuploadmedia") || path == api("webwxgetmedia"):
		return fileHost
	}
	return webHost
}

// url is the https URL of path (and q) on its real host.
func (c *tclient) url(path string, q url.Values) string {
	return hostURL(hostFor(path), path, q)
}

func hostURL(host, path string, q url.Values) string {
	u := "https://" + host + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// loggedIn starts a server and logs a client in (web mode) and runs
// webwxinit, returning the init answer.
func loggedIn(t *testing.T, cfg Config) (*Server, *tclient, wechat.InitResponse) {
	t.Helper()
	s, c := newTest(t, cfg)
	c.login(false)
	return s, c, c.init()
}

func (c *tclient) do(method, path string, q url.Values, body []byte, header http.Header) (*http.Response, []byte) {
	c.t.Helper()
	return c.doURL(method, c.url(path, q), body, header)
}

// doURL sends a request to a full URL (a host of one's choice).
func (c *tclient) doURL(method, u string, body []byte, header http.Header) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(c.t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, data
}

func (c *tclient) get(path string, q url.Values) (int, string) {
	c.t.Helper()
	resp, body := c.do(http.MethodGet, path, q, nil, nil)
	return resp.StatusCode, string(body)
}

func api(name string) string { return wechat.APIPath + name }

// postJSON posts in as JSON and decodes the answer into out.
func (c *tclient) postJSON(name string, q url.Values, in, out any) {
	c.t.Helper()
	body, err := json.Marshal(in)
	require.NoError(c.t, err)
	resp, data := c.do(http.MethodPost, api(name), q, body, http.Header{"Content-Type": {"application/json; charset=UTF-8"}})
	require.Equal(c.t, http.StatusOK, resp.StatusCode, string(data))
	require.NoError(c.t, json.Unmarshal(data, out), string(data))
}

var (
	uuidRe     = regexp.MustCompile(`window\.QRLogin\.code = 200; window\.QRLogin\.uuid = "([^"]+)";`)
	codeRe     = regexp.MustCompile(`window\.code=(\d+);`)
	redirectRe = regexp.MustCompile(`window\.redirect_uri="([^"]+)";`)
	syncRe     = regexp.MustCompile(`^window\.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}$`)
)

func (c *tclient) jslogin(desktop bool) string {
	c.t.Helper()
	redirect := "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"
	if desktop {
		redirect += "?mod=desktop"
	}
	_, body := c.get("/jslogin", url.Values{"appid": {wechat.AppID}, "fun": {"new"}, "lang": {"zh_CN"}, "redirect_uri": {redirect}})
	m := uuidRe.FindStringSubmatch(body)
	require.NotNil(c.t, m, body)
	return m[1]
}

// poll runs one login poll and returns the code and the body.
func (c *tclient) poll(uuid, tip string) (int, string) {
	c.t.Helper()
	q := url.Values{"loginicon": {"true"}, "uuid": {uuid}, "r": {"-12345"}, "_": {"1"}}
	if tip != "" {
		q.Set("tip", tip)
	}
	_, body := c.get(api("login"), q)
	m := codeRe.FindStringSubmatch(body)
	require.NotNil(c.t, m, body)
	code, _ := strconv.Atoi(m[1])
	return code, body
}

// newLoginPage follows a redirect_uri to the fake server.
func (c *tclient) newLoginPage(redirect string, desktop, headers bool) (*http.Response, wechat.LoginPageResponse) {
	c.t.Helper()
	u, err := url.Parse(redirect)
	require.NoError(c.t, err)
	q := u.Query()
	q.Set("fun", "new")
	q.Set("version", "v2")
	h := http.Header{}
	if desktop {
		q.Set("mod", "desktop")
		if headers {
			h.Set("client-version", wechat.DesktopClientVersion)
			h.Set("extspam", wechat.DesktopExtspam)
		}
	}
	u.RawQuery = q.Encode()
	resp, body := c.doURL(http.MethodGet, u.String(), nil, h)
	var lp wechat.LoginPageResponse
	require.NoError(c.t, xml.Unmarshal(body, &lp), string(body))
	return resp, lp
}

// confirmAndRedirect confirms a login and returns the redirect_uri the
// poll gives.
func (c *tclient) confirmAndRedirect(uuid string) string {
	c.t.Helper()
	require.NoError(c.t, c.srv.Confirm(uuid))
	code, body := c.poll(uuid, "")
	require.Equal(c.t, 200, code, body)
	m := redirectRe.FindStringSubmatch(body)
	require.NotNil(c.t, m, body)
	return m[1]
}

// login runs a whole QR login.
func (c *tclient) login(desktop bool) {
	c.t.Helper()
	redirect := c.confirmAndRedirect(c.jslogin(desktop))
	_, lp := c.newLoginPage(redirect, desktop, true)
	require.Equal(c.t, 0, lp.Ret, lp.Message)
	c.uin, c.sid, c.skey, c.passTicket = lp.WxUin, lp.WxSid, lp.SKey, unescapePassTicket(c.t, lp.PassTicket)
}

// unescapePassTicket decodes pass_ticket as issued, so that url.Values
// escapes it back to the issued form: the form the official client sends.
func unescapePassTicket(t *testing.T, issued string) string {
	t.Helper()
	pt, err := url.QueryUnescape(issued)
	require.NoError(t, err, "pass_ticket is a URL-escaped string")
	return pt
}

func (c *tclient) baseReq() wechat.BaseRequest {
	return wechat.BaseRequest{Uin: c.uin, Sid: c.sid, Skey: c.skey, DeviceID: testDeviceID}
}

func (c *tclient) init() wechat.InitResponse {
	c.t.Helper()
	var out wechat.InitResponse
	c.postJSON("webwxinit", url.Values{"r": {"-1"}, "pass_ticket": {c.passTicket}}, map[string]any{"BaseRequest": c.baseReq()}, &out)
	require.Equal(c.t, 0, out.BaseResponse.Ret)
	return out
}

func (c *tclient) syncQuery() url.Values {
	return url.Values{"sid": {c.sid}, "skey": {c.skey}, "pass_ticket": {c.passTicket}, "lang": {"zh_CN"}}
}

func (c *tclient) sync(key wechat.SyncKey) wechat.SyncResponse {
	c.t.Helper()
	var out wechat.SyncResponse
	c.postJSON("webwxsync", c.syncQuery(), wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: key, RR: -1}, &out)
	return out
}

func (c *tclient) syncCheckQuery(key string) url.Values {
	return url.Values{
		"r": {"1"}, "skey": {c.skey}, "sid": {c.sid}, "uin": {strconv.FormatInt(c.uin, 10)},
		"deviceid": {testDeviceID}, "synckey": {key}, "_": {"2"},
	}
}

func (c *tclient) syncCheckWith(q url.Values) (int, int) {
	c.t.Helper()
	_, body := c.get(api("synccheck"), q)
	m := syncRe.FindStringSubmatch(body)
	require.NotNil(c.t, m, body)
	retcode, _ := strconv.Atoi(m[1])
	selector, _ := strconv.Atoi(m[2])
	return retcode, selector
}

func (c *tclient) syncCheck(key wechat.SyncKey) (int, int) {
	c.t.Helper()
	return c.syncCheckWith(c.syncCheckQuery(key.String()))
}

// cookie is the value of the named cookie a request to the web host
// carries.
func (c *tclient) cookie(name string) string {
	return c.cookieFor(webHost, name)
}

func (c *tclient) cookieFor(host, name string) string {
	for _, ck := range c.hc.Jar.Cookies(&url.URL{Scheme: "https", Host: host, Path: "/"}) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// withoutCookies returns a client with the same tokens and no cookies.
func (c *tclient) withoutCookies() *tclient {
	out := *c
	out.hc = &http.Client{Timeout: 10 * time.Second, Transport: c.hc.Transport}
	return &out
}

// sendText sends a text message and returns the answer.
func (c *tclient) sendText(to, text, localID string) wechat.SendResponse {
	c.t.Helper()
	var out wechat.SendResponse
	c.postJSON("webwxsendmsg", url.Values{"lang": {"zh_CN"}, "pass_ticket": {c.passTicket}}, wechat.SendRequest{
		BaseRequest: c.baseReq(),
		Msg: wechat.OutMessage{
			Type: wechat.MsgTypeText, Content: text, FromUserName: c.srv.UserName(SelfID), ToUserName: to,
			LocalID: localID, ClientMsgId: localID,
		},
	}, &out)
	return out
}

func hasViolation(s *Server, substr string) bool {
	for _, v := range s.Violations() {
		if strings.Contains(v, substr) {
			return true
		}
	}
	return false
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// waitForRequests waits until the server has received n requests on endpoint.
func waitForRequests(t *testing.T, s *Server, endpoint string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(s.Requests(endpoint)) >= n }, 5*time.Second, 2*time.Millisecond)
}

// asyncGet runs a GET in a goroutine and delivers the body (or the error
// text), so that long polls can be held while the test acts; assertions
// stay on the test goroutine.
func (c *tclient) asyncGet(path string, q url.Values) <-chan string {
	out := make(chan string, 1)
	u := c.url(path, q)
	go func() {
		resp, err := c.hc.Get(u)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		out <- string(body)
	}()
	return out
}

// receive waits for an asyncGet result.
func receive(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case body := <-ch:
		return body
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
		return ""
	}
}
