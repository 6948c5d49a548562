package wechattest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The cookies of a session, as the real server sets them (captured
// Set-Cookie headers of webwxnewloginpage on wx2.qq.com,
// fuergaosi233/wechat-chatgpt#324):
//
//	wxuin, wxsid, wxloadtime, mm_lang  Domain=wx2.qq.com  12 h
//	wxuin, webwx_data_ticket           Domain=.qq.com     12 h
//	webwxuvid, webwx_auth_ticket       Domain=wx2.qq.com  10 years
//
// all with Path=/, an Expires date and Secure. webwxsync sets wxsid, wxuin
// and webwx_data_ticket again with a new Expires; synccheck sets none. A
// session whose cookies expired is answered as one without cookies (see
// authLocked). login_frequency and last_wxuin are set by the web page's
// script (reference §2.7), not by the server.

// longCookieLifetime is the lifetime of webwxuvid and webwx_auth_ticket.
const longCookieLifetime = 10 * 365 * 24 * time.Hour

// setCookie is one Set-Cookie header of the real server.
type setCookie struct {
	name, value, domain string
	expires             time.Time
}

// cookieExpiresLayout is the real server's Expires format (RFC 850 style
// dashes, which Go's cookie parser accepts).
const cookieExpiresLayout = "Mon, 02-Jan-2006 15:04:05 GMT"

// String renders the header with the real server's spelling:
// "wxsid=…; Domain=wx2.qq.com; Path=/; Expires=Mon, 12-Dec-2022 21:33:22 GMT; Secure".
func (c setCookie) String() string {
	return c.name + "=" + c.value + "; Domain=" + c.domain + "; Path=/; Expires=" +
		c.expires.UTC().Format(cookieExpiresLayout) + "; Secure"
}

func writeCookies(w http.ResponseWriter, cookies []setCookie) {
	for _, c := range cookies {
		w.Header().Add("Set-Cookie", c.String())
	}
}

// parentDomain is the ".qq.com" (or ".wechat.com") the data ticket is
// scoped to, so that it reaches every host of the account.
func parentDomain(web string) string {
	labels := strings.Split(web, ".")
	if len(labels) < 2 {
		return web
	}
	return "." + strings.Join(labels[len(labels)-2:], ".")
}

// loginCookiesLocked are the cookies webwxnewloginpage sets for a new
// session.
func (s *Server) loginCookiesLocked(sess *session) []setCookie {
	web := s.hosts.Web
	now := s.now()
	long := now.Add(longCookieLifetime)
	return append(s.sessionCookiesLocked(sess),
		setCookie{"wxloadtime", strconv.FormatInt(now.Unix(), 10), web, sess.cookiesExpire},
		setCookie{"mm_lang", "zh-CN", web, sess.cookiesExpire},
		setCookie{"webwxuvid", s.acct.uvid, web, long},
		setCookie{"webwx_auth_ticket", sess.authTicket, web, long},
	)
}

// sessionCookiesLocked are the session cookies with the session's current
// expiry: set at login and set again by every webwxsync.
func (s *Server) sessionCookiesLocked(sess *session) []setCookie {
	web := s.hosts.Web
	uin := strconv.FormatInt(sess.uin, 10)
	return []setCookie{
		{"wxuin", uin, web, sess.cookiesExpire},
		{"wxsid", sess.sid, web, sess.cookiesExpire},
		{"wxuin", uin, parentDomain(web), sess.cookiesExpire},
		{"webwx_data_ticket", sess.dataTicket, parentDomain(web), sess.cookiesExpire},
	}
}

// refreshCookiesLocked gives the session cookies a new lifetime, as
// webwxsync does, and returns the headers that say so.
func (s *Server) refreshCookiesLocked(sess *session) []setCookie {
	sess.cookiesExpire = s.now().Add(s.cfg.CookieLifetime)
	return s.sessionCookiesLocked(sess)
}

// cookiesExpiredLocked reports whether the session's cookies have expired:
// a browser no longer sends them, and the server no longer accepts them.
func (s *Server) cookiesExpiredLocked(sess *session) bool {
	return !s.now().Before(sess.cookiesExpire)
}
