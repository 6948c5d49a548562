package wechattest

import "slices"

// Secret is one credential the server issued, as a test needs it to check
// that a client never shows it (in logs, errors or messages).
type Secret struct {
	// Name says what it is, for failure messages: "skey", "wxsid",
	// "pass_ticket", "login ticket" or "cookie <name>".
	Name  string
	Value string
}

// Secrets lists every credential the server has issued so far and still
// knows: of every session, the skey (and one RotateSKey has queued), wxsid,
// pass_ticket (decoded and as issued) and the webwx_data_ticket and webwx_auth_ticket cookies; the
// account's webwxuvid cookie; and the ticket of every confirmed QR or push
// login. An skey replaced by a rotation is forgotten, so a test that rotates
// calls Secrets before and after.
//
// The wxuin and last_wxuin cookies are not listed: they hold the account's
// uin, the bridge's login ID, which clients log on purpose. Neither are
// login uuids, which the QR code shows to anyone who sees it.
func (s *Server) Secrets() []Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Secret
	add := func(name, value string) {
		if value != "" {
			out = append(out, Secret{Name: name, Value: value})
		}
	}
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	slices.SortFunc(sessions, func(a, b *session) int { return a.created.Compare(b.created) })
	for _, sess := range sessions {
		add("skey", sess.skey)
		add("skey (rotation pending)", sess.nextSKey)
		add("wxsid", sess.sid)
		add("pass_ticket", sess.passTicket)
		add("pass_ticket (as issued)", sess.issuedPassTicket())
		add("cookie webwx_data_ticket", sess.dataTicket)
		add("cookie webwx_auth_ticket", sess.authTicket)
	}
	add("cookie webwxuvid", s.acct.uvid)
	for _, pl := range s.logins.order {
		add("login ticket", pl.ticket)
	}
	return out
}
