package wechat

import (
	"net/url"
	"strings"
)

// webwxnewloginpage gives pass_ticket already URL-escaped ("…%2F…%2B…").
// The web client appends it to every URL as it is and sends it decoded
// only in the upload form (protocol reference §3.1, §7.2). Escaping it
// once more, as url.Values would, sends "%252F": the real server takes it,
// the official client never sends it.

// withPassTicket appends pass_ticket to a URL: as the server gave it when
// it is a valid escaped query value, else escaped (a session stored before
// the ticket was kept as given, or a server that gave it raw).
func withPassTicket(u, passTicket string) string {
	sep := "&"
	if !strings.Contains(u, "?") {
		sep = "?"
	}
	return u + sep + "pass_ticket=" + passTicketParam(passTicket)
}

func passTicketParam(pt string) string {
	if _, escaped := decodedPassTicket(pt); escaped {
		return pt
	}
	return url.QueryEscape(pt)
}

// formPassTicket is pass_ticket for the upload form: decoded.
func formPassTicket(pt string) string {
	if d, escaped := decodedPassTicket(pt); escaped {
		return d
	}
	return pt
}

// decodedPassTicket decodes pt if it is a valid escaped query value.
func decodedPassTicket(pt string) (string, bool) {
	for i := 0; i < len(pt); i++ {
		if !isQueryValueByte(pt[i]) {
			return "", false
		}
	}
	d, err := url.QueryUnescape(pt)
	return d, err == nil
}

// isQueryValueByte reports whether b may stand unescaped in a query value
// without changing what the value decodes to: unreserved characters and
// the '%' of an escape.
func isQueryValueByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("-._~%", b) >= 0
}
