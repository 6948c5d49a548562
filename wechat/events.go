package wechat

// Event is what the client hands to its handler. The set is closed.
type Event interface{ isEvent() }

// Batch is everything one webwxsync answer brought, in the order the web
// client applies it: profile, deleted contacts, modified contacts, messages.
//
// State is the session as it will be once the batch counts as delivered:
// it carries the new SyncKey and SyncCheckKey. A handler that stores the
// batch durably should store State in the same transaction and return nil;
// only then does the client advance its keys. If the handler returns an
// error, the keys stay where they were and the same events are fetched
// again, so nothing is lost (and the handler must tolerate repeats).
type Batch struct {
	Profile     *Profile
	DelContacts []DelContact
	ModContacts []Contact
	Messages    []*Message
	State       *Session
}

// Connected is sent when the sync loop starts receiving, and again after it
// recovered from a transient failure.
type Connected struct{}

// TransientDisconnect is sent when the sync loop keeps failing for a reason
// that may pass (network errors, 5xx, 1205). The loop keeps retrying.
type TransientDisconnect struct {
	Err error
}

// LoggedOut is sent once when the server ends the session (synccheck or an
// API answering 1100, 1101 or 1102). The sync loop stops after it.
type LoggedOut struct {
	Ret    int
	Reason string
}

func (*Batch) isEvent()               {}
func (*Connected) isEvent()           {}
func (*TransientDisconnect) isEvent() {}
func (*LoggedOut) isEvent()           {}

// LogoutReason describes a logged-out ret code in words a user can act on.
func LogoutReason(ret int) string {
	switch ret {
	case RetSessionNotExist:
		return "the WeChat web session no longer exists (logged out from the phone or expired)"
	case RetSessionInvalid:
		return "the WeChat web session was replaced, probably by a login on another web or desktop client"
	case RetCookieInvalid:
		return "WeChat invalidated the web session (logged out on the phone or kicked by the server)"
	default:
		return "WeChat ended the web session"
	}
}
