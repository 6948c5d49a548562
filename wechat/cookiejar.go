package wechat

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Cookie is one stored cookie, in a form that survives JSON.
type Cookie struct {
	Name     string    `json:"name"`
	Value    string    `json:"value"`
	Domain   string    `json:"domain"`
	Path     string    `json:"path"`
	HostOnly bool      `json:"host_only,omitempty"`
	Expires  time.Time `json:"expires,omitzero"`
	// Created is when the server set a cookie that has an expiry: the
	// lifetime it gave is Expires-Created.
	Created time.Time `json:"created,omitzero"`
}

// Jar is a cookie jar for all hosts of a session that can be exported and
// restored. It implements http.CookieJar with the parts of RFC 6265 that
// Web WeChat needs: host-only and domain cookies, paths, expiry.
type Jar struct {
	mu      sync.Mutex
	cookies []Cookie
	now     func() time.Time
}

var _ http.CookieJar = (*Jar)(nil)

// NewJar returns a jar holding a copy of cookies.
func NewJar(cookies []Cookie) *Jar {
	return &Jar{cookies: append([]Cookie(nil), cookies...), now: time.Now}
}

// setClock makes the jar judge expiry by now (Config.Now). It is called
// before the jar is used.
func (j *Jar) setClock(now func() time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.now = now
}

// SetCookies stores the cookies a response to u set.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	host := canonicalHost(u.Host)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, hc := range cookies {
		c := Cookie{Name: hc.Name, Value: hc.Value, Path: hc.Path}
		if c.Path == "" || !strings.HasPrefix(c.Path, "/") {
			c.Path = defaultCookiePath(u.Path)
		}
		domain := strings.TrimPrefix(strings.ToLower(hc.Domain), ".")
		switch {
		case domain == "":
			c.Domain, c.HostOnly = host, true
		case domainMatch(host, domain):
			c.Domain = domain
		default:
			continue // a host may not set cookies for another domain
		}
		switch {
		case hc.MaxAge < 0:
			c.Expires = now.Add(-time.Second)
		case hc.MaxAge > 0:
			c.Expires = now.Add(time.Duration(hc.MaxAge) * time.Second)
		case !hc.Expires.IsZero():
			c.Expires = hc.Expires
		}
		if !c.Expires.IsZero() {
			c.Created = now
		}
		j.put(c, now)
	}
}

func (j *Jar) put(c Cookie, now time.Time) {
	expired := !c.Expires.IsZero() && !c.Expires.After(now)
	for i, old := range j.cookies {
		if old.Name == c.Name && old.Domain == c.Domain && old.Path == c.Path {
			if expired {
				j.cookies = append(j.cookies[:i], j.cookies[i+1:]...)
			} else {
				j.cookies[i] = c
			}
			return
		}
	}
	if !expired {
		j.cookies = append(j.cookies, c)
	}
}

// Cookies returns the cookies to send with a request to u.
func (j *Jar) Cookies(u *url.URL) []*http.Cookie {
	host := canonicalHost(u.Host)
	path := u.Path
	if path == "" {
		path = "/"
	}
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.cookies {
		if !c.Expires.IsZero() && !c.Expires.After(now) {
			continue
		}
		if c.HostOnly && host != c.Domain || !c.HostOnly && !domainMatch(host, c.Domain) {
			continue
		}
		if !pathMatch(path, c.Path) {
			continue
		}
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// Value returns the value of the named cookie that a request to host would
// carry, or "".
func (j *Jar) Value(host, name string) string {
	for _, c := range j.Cookies(&url.URL{Scheme: "https", Host: host, Path: "/"}) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// earliestExpiry returns the earliest expiry among the named cookies that a
// request to host would carry, and the lifetime the server gave that
// cookie (0 when unknown, as for cookies stored before Created existed).
// ok is false when none of them has an expiry.
func (j *Jar) earliestExpiry(host string, names ...string) (expires time.Time, lifetime time.Duration, ok bool) {
	u := &url.URL{Scheme: "https", Host: host, Path: "/"}
	hostName := canonicalHost(host)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range j.cookies {
		if c.Expires.IsZero() || !c.Expires.After(now) || !slices.Contains(names, c.Name) {
			continue
		}
		if c.HostOnly && hostName != c.Domain || !c.HostOnly && !domainMatch(hostName, c.Domain) || !pathMatch(u.Path, c.Path) {
			continue
		}
		if !ok || c.Expires.Before(expires) {
			expires, ok = c.Expires, true
			lifetime = 0
			if !c.Created.IsZero() {
				lifetime = c.Expires.Sub(c.Created)
			}
		}
	}
	return expires, lifetime, ok
}

// Export returns a copy of the unexpired cookies.
func (j *Jar) Export() []Cookie {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Cookie, 0, len(j.cookies))
	for _, c := range j.cookies {
		if c.Expires.IsZero() || c.Expires.After(now) {
			out = append(out, c)
		}
	}
	return out
}

func canonicalHost(host string) string {
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.Contains(h, "]") && !strings.HasPrefix(host, "[") {
		host = h
	}
	return strings.ToLower(host)
}

func domainMatch(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath || cookiePath == "/" {
		return true
	}
	return strings.HasPrefix(reqPath, cookiePath) &&
		(strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/')
}

func defaultCookiePath(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
