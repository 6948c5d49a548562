package wechat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Login runs one login attempt: QR code (or push login), the login poll,
// and webwxnewloginpage, which yields a Session.
type Login struct {
	t     *transport
	hosts Hosts
}

// NewLogin prepares a login with its own cookie jar. Pass the cookies of an
// earlier session to make push login possible. log is the login's only
// logger; the caller gives it its context.
func NewLogin(cfg Config, cookies []Cookie, log zerolog.Logger) (*Login, error) {
	cfg = cfg.withDefaults()
	t, err := newTransport(cfg, NewJar(cookies), log)
	if err != nil {
		return nil, err
	}
	return &Login{t: t, hosts: DefaultHosts}, nil
}

// QRCode is what the user scans.
type QRCode struct {
	UUID string
	// Payload is the text the QR code encodes.
	Payload string
	// ImageURL is where the server renders the QR code.
	ImageURL string
}

var (
	uuidRe        = regexp.MustCompile(`window\.QRLogin\.uuid\s*=\s*"([^"]+)"`)
	qrCodeRe      = regexp.MustCompile(`window\.QRLogin\.code\s*=\s*(\d+)`)
	pollCodeRe    = regexp.MustCompile(`window\.code\s*=\s*(\d+)`)
	redirectRe    = regexp.MustCompile(`window\.redirect_uri\s*=\s*"([^"]+)"`)
	userAvatarRe  = regexp.MustCompile(`window\.userAvatar\s*=\s*'data:img/[a-z]+;base64,([^']*)'`)
	pushLoginUUID = regexp.MustCompile(`^[A-Za-z0-9_=\-]+$`)
)

// NewQR asks the server for a login UUID (jslogin).
func (l *Login) NewQR(ctx context.Context) (*QRCode, error) {
	redirect := "https://wx.qq.com" + APIPath + "webwxnewloginpage"
	if l.t.cfg.Mode == ModeDesktop {
		redirect += "?mod=desktop"
	}
	q := url.Values{
		"appid":        {AppID},
		"redirect_uri": {redirect},
		"fun":          {"new"},
		"lang":         {"zh_CN"},
		"_":            {nowMillis()},
	}
	body, err := l.t.getText(ctx, "jslogin", l.t.route.page(l.hosts.Login, "/jslogin", q), nil, 0)
	if err != nil {
		return nil, err
	}
	return parseJSLogin(body)
}

func parseJSLogin(body string) (*QRCode, error) {
	if m := qrCodeRe.FindStringSubmatch(body); m != nil && m[1] != "200" {
		return nil, fmt.Errorf("%w: jslogin answered code %s", ErrUnexpectedResponse, m[1])
	}
	m := uuidRe.FindStringSubmatch(body)
	if m == nil || !pushLoginUUID.MatchString(m[1]) {
		return nil, fmt.Errorf("%w: jslogin answer has no login UUID (the server may be blocking this IP)", ErrUnexpectedResponse)
	}
	return newQRCode(m[1]), nil
}

func newQRCode(uuid string) *QRCode {
	return &QRCode{
		UUID:     uuid,
		Payload:  QRPayloadPrefix + uuid,
		ImageURL: "https://login.weixin.qq.com/qrcode/" + uuid,
	}
}

// Poll codes of the login poll.
const (
	PollWaiting   = 408
	PollScanned   = 201
	PollConfirmed = 200
	PollCancelled = 202
	PollExpired   = 400
)

// PollResult is one answer of the login poll.
type PollResult struct {
	Code int
	// Avatar is the scanner's avatar (JPEG), sent with 201.
	Avatar []byte
	// RedirectURI is where the session is picked up, sent with 200.
	RedirectURI string
}

// Poll runs one long poll of the login state. tip is true on the first
// poll after a fresh QR code or a push login.
func (l *Login) Poll(ctx context.Context, uuid string, tip bool) (*PollResult, error) {
	q := url.Values{
		"loginicon": {"true"},
		"uuid":      {uuid},
		"r":         {strconv.FormatInt(int64(^int32(time.Now().UnixMilli())), 10)},
		"_":         {nowMillis()},
	}
	if tip {
		q.Set("tip", "1")
	} else {
		q.Set("tip", "0")
	}
	body, err := l.t.getText(ctx, "login", l.t.route.api(l.hosts.Login, "login", q), nil, l.t.cfg.PollTimeout)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var timeout *TimeoutError
	if errors.As(err, &timeout) {
		return &PollResult{Code: PollWaiting}, nil
	}
	if err != nil {
		return nil, err
	}
	return parsePoll(body)
}

func parsePoll(body string) (*PollResult, error) {
	m := pollCodeRe.FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("%w: login poll answer has no code", ErrUnexpectedResponse)
	}
	code, err := strconv.Atoi(m[1])
	if err != nil {
		return nil, fmt.Errorf("%w: login poll code %q", ErrUnexpectedResponse, m[1])
	}
	res := &PollResult{Code: code}
	switch code {
	case PollScanned:
		if am := userAvatarRe.FindStringSubmatch(body); am != nil {
			// The avatar is decoration: a broken one is dropped, not an error.
			if avatar, err := base64.StdEncoding.DecodeString(am[1]); err == nil && len(avatar) > 0 {
				res.Avatar = avatar
			}
		}
	case PollConfirmed:
		rm := redirectRe.FindStringSubmatch(body)
		if rm == nil {
			return nil, fmt.Errorf("%w: login confirmed without a redirect_uri", ErrUnexpectedResponse)
		}
		res.RedirectURI = rm[1]
	}
	return res, nil
}

// WaitForConfirm polls until the user confirms and returns the redirect
// URI. onScanned is called once when the phone scans (with the scanner's
// avatar, possibly nil). It returns ErrQRExpired when the QR code expired
// and ErrLoginCancelled when the user tapped Cancel.
func (l *Login) WaitForConfirm(ctx context.Context, uuid string, tip bool, onScanned func(avatar []byte)) (string, error) {
	scanned := false
	for {
		res, err := l.Poll(ctx, uuid, tip)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			if !isTransient(err) {
				return "", err
			}
			l.t.log.Warn().Err(err).Msg("Login poll failed, polling again")
			if err = sleepCtx(ctx, time.Second); err != nil {
				return "", err
			}
			continue
		}
		tip = false
		switch res.Code {
		case PollWaiting:
		case PollScanned:
			if !scanned && onScanned != nil {
				onScanned(res.Avatar)
			}
			scanned = true
		case PollConfirmed:
			return res.RedirectURI, nil
		case PollCancelled:
			return "", ErrLoginCancelled
		case PollExpired, 500:
			return "", ErrQRExpired
		default:
			l.t.log.Warn().Int("code", res.Code).Msg("Unknown login poll code, polling again")
		}
	}
}

// Complete fetches the session from the redirect URI of a confirmed login
// (webwxnewloginpage) and returns it. Refusals come back as *RetError with
// the server's message; 1203 matches ErrLoginBarred.
func (l *Login) Complete(ctx context.Context, redirectURI string) (*Session, error) {
	ru, err := url.Parse(redirectURI)
	if err != nil || ru.Host == "" {
		return nil, fmt.Errorf("%w: login redirect is not a URL", ErrUnexpectedResponse)
	}
	hosts := HostsFor(ru.Hostname())
	q := ru.Query()
	q.Set("fun", "new")
	q.Set("version", "v2")
	header := http.Header{}
	desktop := l.t.cfg.Mode == ModeDesktop
	if desktop {
		q.Set("mod", "desktop")
		header.Set("client-version", DesktopClientVersion)
		header.Set("extspam", DesktopExtspam)
		header.Set("Referer", "https://wx.qq.com/?&lang=zh_CN&target=t")
	}
	ru.RawQuery = q.Encode()
	target, err := l.t.route.absolute(hosts.Web, ru.String())
	if err != nil {
		return nil, err
	}
	// Redirects are off, and the body of a 301 without Location is the answer.
	_, _, body, err := l.t.fetch(ctx, request{endpoint: "webwxnewloginpage", url: target, header: header}, maxAPIBody)
	if err != nil {
		return nil, err
	}
	page, err := parseLoginPage(body)
	if err != nil {
		return nil, err
	}
	if page.Ret != RetOK {
		return nil, &RetError{Endpoint: "webwxnewloginpage", Ret: page.Ret, Message: strings.TrimSpace(page.Message)}
	}
	sess := &Session{
		Hosts:      hosts,
		Uin:        page.WxUin,
		Sid:        page.WxSid,
		SKey:       page.SKey,
		PassTicket: page.PassTicket,
		DeviceID:   NewDeviceID(),
		LoginTime:  time.Now(),
		Desktop:    desktop,
	}
	// wxsid and wxuin come as cookies too; some answers only have them there.
	jarHost := hostOf(target)
	if sess.Sid == "" {
		sess.Sid = l.t.jar.Value(jarHost, "wxsid")
	}
	if sess.Uin == 0 {
		sess.Uin, _ = strconv.ParseInt(l.t.jar.Value(jarHost, "wxuin"), 10, 64)
	}
	if !sess.Valid() || sess.PassTicket == "" {
		return nil, fmt.Errorf("%w: the server did not hand out a session; the account may be limited from web login", ErrLoginBarred)
	}
	sess.Cookies = l.t.jar.Export()
	l.t.log.Info().Object("session", sess).Msg("Logged in to Web WeChat")
	return sess, nil
}

func parseLoginPage(body []byte) (*LoginPageResponse, error) {
	var page LoginPageResponse
	dec := xml.NewDecoder(strings.NewReader(string(body)))
	dec.Strict = false
	if err := dec.Decode(&page); err != nil {
		return nil, fmt.Errorf("%w: webwxnewloginpage answer is not the expected XML", ErrUnexpectedResponse)
	}
	return &page, nil
}

// PushLogin asks the phone to confirm a new login without a QR code
// (webwxpushloginurl). The Login must have been created with the cookies of
// the earlier session. Poll the returned UUID with tip=true, then Complete.
func (l *Login) PushLogin(ctx context.Context, old *Session) (string, error) {
	if old == nil || old.Uin == 0 {
		return "", fmt.Errorf("%w: push login needs an earlier session", ErrNotLoggedIn)
	}
	if old.Hosts.Web != "" {
		l.hosts = old.Hosts
	}
	uin := strconv.FormatInt(old.Uin, 10)
	q := url.Values{"uin": {uin}}
	// The server needs wxuin with webwx_auth_ticket (reference §2.7), but
	// wxuin lasts only as long as the session cookies (12 h) while the
	// ticket lasts years: after a longer pause the jar has dropped it.
	// ItChat sets it again for the push login (hotreload.py); so do we.
	if l.t.jar.Value(l.hosts.Web, "wxuin") == "" {
		l.t.jar.SetCookies(&url.URL{Scheme: "https", Host: l.hosts.Web, Path: "/"}, []*http.Cookie{{Name: "wxuin", Value: uin, Path: "/"}})
	}
	if l.t.cfg.Mode == ModeDesktop {
		q.Set("mod", "desktop")
	}
	_, _, body, err := l.t.fetch(ctx, request{endpoint: "webwxpushloginurl", url: l.t.route.api(l.hosts.Web, "webwxpushloginurl", q)}, maxAPIBody)
	if err != nil {
		return "", err
	}
	var resp PushLoginResponse
	if err = json.Unmarshal(body, &resp); err != nil {
		return "", fmt.Errorf("%w: webwxpushloginurl answer is not valid JSON", ErrUnexpectedResponse)
	}
	if resp.Ret != 0 || resp.UUID == "" || !pushLoginUUID.MatchString(resp.UUID) {
		return "", &RetError{Endpoint: "webwxpushloginurl", Ret: int(resp.Ret), Message: resp.Msg}
	}
	return resp.UUID, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
