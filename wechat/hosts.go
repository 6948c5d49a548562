package wechat

import (
	"fmt"
	"net/url"
	"strings"
)

// Hosts are the four hosts a session talks to. They are derived from the
// web host that the login poll's redirect_uri names.
type Hosts struct {
	Web   string
	Login string
	File  string
	Push  string
}

// DefaultHosts are the hosts used before the login poll names a web host.
var DefaultHosts = Hosts{
	Web:   "wx.qq.com",
	Login: "login.wx.qq.com",
	File:  "file.wx.qq.com",
	Push:  "webpush.wx.qq.com",
}

// HostsFor derives the login, file and push hosts from a web host, following
// the web client's own table.
func HostsFor(web string) Hosts {
	web = strings.ToLower(web)
	h := Hosts{Web: web}
	var domain string
	switch {
	case strings.Contains(web, "wx2.qq.com"):
		domain = "wx2.qq.com"
	case strings.Contains(web, "wx8.qq.com"):
		domain = "wx8.qq.com"
	case strings.Contains(web, "qq.com"):
		domain = "wx.qq.com"
	case strings.Contains(web, "web2.wechat.com"):
		domain = "web2.wechat.com"
	case strings.Contains(web, "wechat.com"):
		domain = "web.wechat.com"
	default:
		h.Login = "login.weixin.qq.com"
		h.File = "file.wx.qq.com"
		h.Push = "webpush.weixin.qq.com"
		return h
	}
	h.Login = "login." + domain
	h.File = "file." + domain
	h.Push = "webpush." + domain
	return h
}

// router builds request URLs. They always name the real hosts, also with
// a server override: the override acts below, in the transport
// (override.go), so that the cookie jar scopes cookies by the real hosts
// and the server sees the real host in the Host header.
type router struct{}

// api returns the URL of an API endpoint on host.
func (router) api(host, endpoint string, query url.Values) string {
	u := url.URL{Scheme: "https", Host: host, Path: APIPath + endpoint}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// page returns the URL of a non-API path on host (jslogin, qrcode).
func (router) page(host, path string, query url.Values) string {
	u := url.URL{Scheme: "https", Host: host, Path: path}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// absolute returns a full URL the server gave us (redirect_uri,
// HeadImgUrl). Relative URLs are resolved against host.
func (router) absolute(host, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: bad URL from server", ErrUnexpectedResponse)
	}
	if u.Host == "" {
		u.Scheme = "https"
		u.Host = host
	}
	return u.String(), nil
}
