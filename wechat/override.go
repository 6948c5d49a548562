package wechat

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// overrideTransport sends every request to one address, the server
// override (the simulator), while the request itself keeps its real URL:
// the http.Client consults the cookie jar with that URL, so cookies are
// scoped by the real hosts (Domain=wx2.qq.com reaches webpush.wx2.qq.com,
// a host-only cookie of wx2.qq.com does not), and the Host header names
// the real host, which the server routes by. Only the connection goes
// elsewhere.
type overrideTransport struct {
	target *url.URL
	next   http.RoundTripper
}

// parseOverride checks a server override: an http(s) base URL whose path,
// if any, is put before every request path.
func parseOverride(override string) (*url.URL, error) {
	u, err := url.Parse(override)
	if err != nil {
		return nil, fmt.Errorf("wechat: invalid server override: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("wechat: invalid server override %q: need http(s)://host[:port]", override)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// withOverride wraps next so that requests go to override; an empty
// override returns next.
func withOverride(override string, next http.RoundTripper) (http.RoundTripper, error) {
	if override == "" {
		return next, nil
	}
	target, err := parseOverride(override)
	if err != nil {
		return nil, err
	}
	return &overrideTransport{target: target, next: next}, nil
}

// RoundTrip sends a copy of req to the override with the real host in the
// Host header. req itself is not changed (http.RoundTripper's contract).
func (o *overrideTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Host = req.URL.Host
	out.URL.Scheme = o.target.Scheme
	out.URL.Host = o.target.Host
	out.URL.Path = o.target.Path + req.URL.Path
	out.URL.RawPath = ""
	return o.next.RoundTrip(out)
}
