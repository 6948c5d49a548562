package wechat

import "time"

// The real server gives the session cookies a lifetime (12 h) and sets
// them again, with a new Expires, on every webwxsync; synccheck sets none.
// A quiet account, whose synccheck keeps answering selector 0, would never
// call webwxsync, send synccheck without cookies once they expire and be
// logged out (1102); uploads would lose webwx_data_ticket. So the sync loop
// runs a webwxsync when the cookies are near their expiry, whatever
// lifetime the server gave them.

// sessionCookies are the cookies that carry the session: every call needs
// wxsid and wxuin, uploads and file downloads webwx_data_ticket.
var sessionCookies = []string{"wxsid", "wxuin", "webwx_data_ticket"}

// defaultRefreshMargin is how long before their expiry cookies of unknown
// lifetime (stored before the jar kept Created) are refreshed: a quarter
// of the real server's 12 h.
const defaultRefreshMargin = 3 * time.Hour

// cookieRefreshDue reports whether the sync loop should refresh the session
// cookies now: the earliest expiry of the session cookies is within a
// quarter of the lifetime the server gave them. tried is the expiry an
// earlier forced refresh saw; when the server did not move it, the refresh
// is not forced again (no loop of webwxsync against a server that does not
// refresh), and it returns the expiry to remember.
func (c *Client) cookieRefreshDue(tried time.Time) (time.Time, bool) {
	c.mu.RLock()
	web := c.sess.Hosts.Web
	c.mu.RUnlock()
	expires, lifetime, ok := c.t.jar.earliestExpiry(web, sessionCookies...)
	if !ok || expires.Equal(tried) {
		return tried, false
	}
	margin := lifetime / 4
	if margin <= 0 {
		margin = defaultRefreshMargin
	}
	if c.t.cfg.Now().Before(expires.Add(-margin)) {
		return tried, false
	}
	return expires, true
}
