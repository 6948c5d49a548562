package wechattest

import (
	"net/url"
	"strconv"
	"time"
)

// session is one web login. Every login gets new tokens and new random
// UserNames for the same contacts.
type session struct {
	uin        int64
	sid        string
	skey       string
	nextSKey   string // set by RotateSKey; takes over at the next webwxsync
	passTicket string // the ticket itself; clients get it URL-escaped (issuedPassTicket)
	dataTicket string
	authTicket string
	desktop    bool
	created    time.Time
	dead       int // 0 while alive, else the ret its calls answer

	cookiesExpire time.Time // Expires of wxsid, wxuin, webwx_data_ticket

	names    map[string]string // seed id → UserName
	ids      map[string]string // UserName → seed id
	encry    map[string]string // group id → EncryChatRoomId
	encryIDs map[string]string // EncryChatRoomId → group id

	contactSeqs  map[int64]int // webwxgetcontact Seq → offset
	sent         map[int64]*sentRecord
	clientMsgIDs map[string]bool
	uploads      map[int64]*uploadProgress // by ClientMediaId

	checkKeyIssued bool // a webwxsync gave this session a SyncCheckKey
	latestCheck    int  // position of the latest SyncCheckKey issued
	// synced is the event log position the client has seen: that of
	// webwxinit's SyncKey, then of the latest webwxsync answer.
	synced int
	// rotatedSKeys are the skeys RotateSKey replaced: a call still on
	// its way with one is refused, but not blamed on the client.
	rotatedSKeys map[string]bool
}

type sentRecord struct {
	clientMsgID string
	toID        string
	at          time.Time
}

// newSessionLocked starts a session; the account's previous session dies
// (1101), as a second web login kills the first one.
func (s *Server) newSessionLocked(desktop bool) *session {
	sess := &session{
		uin:           s.acct.uin,
		sid:           randomTicket(12),
		skey:          newSKey(),
		passTicket:    randomTicket(48),
		dataTicket:    randomTicket(32),
		authTicket:    randomTicket(36),
		desktop:       desktop,
		created:       s.now(),
		cookiesExpire: s.now().Add(s.cfg.CookieLifetime),
		names:         make(map[string]string),
		ids:           make(map[string]string),
		encry:         make(map[string]string),
		encryIDs:      make(map[string]string),
		contactSeqs:   make(map[int64]int),
		sent:          make(map[int64]*sentRecord),
		clientMsgIDs:  make(map[string]bool),
		uploads:       make(map[int64]*uploadProgress),
		rotatedSKeys:  make(map[string]bool),
	}
	for _, id := range s.acct.order {
		s.nameLocked(sess, id)
	}
	if old := s.current; old != nil && old.dead == 0 {
		old.dead = retSessionInvalid
	}
	s.sessions[sess.sid] = sess
	s.current = sess
	s.acct.authTickets[sess.authTicket] = true
	s.notifyLocked()
	return sess
}

// issuedPassTicket is pass_ticket as webwxnewloginpage gives it: already
// URL-escaped, as the real one is ("…%2F…%2B…"). The official client puts
// it into URLs as it is, so a query decodes to the ticket itself; it sends
// the decoded ticket in the upload form (protocol reference §3.1, §7.2).
func (sess *session) issuedPassTicket() string { return url.QueryEscape(sess.passTicket) }

// nameLocked returns the UserName of a seed id in a session, assigning a
// new random one the first time.
func (s *Server) nameLocked(sess *session, id string) string {
	if n, ok := sess.names[id]; ok {
		return n
	}
	var n string
	switch {
	case isSpecialID(id):
		n = id
	case id == SelfID:
		n = newSelfUserName()
	case s.acct.isGroup(id):
		n = newGroupUserName()
	default:
		n = newUserName()
	}
	sess.names[id] = n
	sess.ids[n] = id
	return n
}

// encryLocked returns a group's EncryChatRoomId in a session.
func (s *Server) encryLocked(sess *session, groupID string) string {
	if e, ok := sess.encry[groupID]; ok {
		return e
	}
	e := "@" + randomHex(32)
	sess.encry[groupID] = e
	sess.encryIDs[e] = groupID
	return e
}

// authSpec says what an endpoint must carry besides the session cookies.
type authSpec struct {
	emptySKeyOK bool // webwxinit: BaseRequest.Skey may be empty
	passTicket  bool // query pass_ticket required
	skey        bool // query skey required
	sid         bool // query sid required
	missingRet  int  // ret when the cookies are missing; 0 means 1100
	// officialPassTicket: the official client sends pass_ticket, but the
	// real server also accepts the call without it (openwechat leaves it
	// out); a missing one is recorded as a violation, not refused.
	officialPassTicket bool
}

// authLocked finds the session of a request and checks its cookies, the
// BaseRequest (when base is non-nil) and the query tokens. Query tokens
// that spec does not require must still match when present. It returns
// the session, or nil and the ret to answer.
func (s *Server) authLocked(req *request, base *BaseRequest, spec authSpec) (*session, int) {
	fail := func(ret int, why string) (*session, int) {
		s.violationLocked(req.endpoint, why)
		return nil, ret
	}
	// An skey the test rotated away can still be on its way.
	failSKey := func(sess *session, skey, why string) (*session, int) {
		if sess.rotatedSKeys[skey] {
			s.inducedLocked(req.endpoint, why+" (an skey RotateSKey replaced)")
			return nil, retSessionInvalid
		}
		return fail(retSessionInvalid, why)
	}
	missing := spec.missingRet
	if missing == 0 {
		missing = retSessionNotExist
	}
	sid, okSid := req.cookies["wxsid"]
	uin, okUin := req.cookies["wxuin"]
	if !okSid || !okUin {
		return fail(missing, "wxsid/wxuin cookies missing")
	}
	sess := s.sessions[sid]
	if sess == nil {
		return fail(retSessionInvalid, "wxsid cookie names no session")
	}
	if sess.dead != 0 {
		return nil, sess.dead
	}
	if s.cookiesExpiredLocked(sess) {
		// The same answer as without cookies: a browser would not send them.
		return fail(missing, "session cookies expired at "+sess.cookiesExpire.UTC().Format(time.RFC3339)+
			" (webwxsync sets them again with a new Expires; refresh before they expire)")
	}
	if uin != strconv.FormatInt(sess.uin, 10) {
		return fail(retSessionInvalid, "wxuin cookie does not match the session")
	}
	if base != nil {
		switch {
		case base.Uin != sess.uin:
			return fail(retSessionInvalid, "BaseRequest.Uin does not match the session")
		case base.Sid != sess.sid:
			return fail(retSessionInvalid, "BaseRequest.Sid does not match the session")
		case base.Skey != sess.skey && !(spec.emptySKeyOK && base.Skey == ""):
			return failSKey(sess, base.Skey, "BaseRequest.Skey does not match the session")
		}
		// ItChat puts pass_ticket here and the real server takes it.
		if !validDeviceID(base.DeviceID) {
			s.violationLocked(req.endpoint, "BaseRequest.DeviceID is not \"e\" + 15 digits")
		}
	}
	for _, p := range []struct {
		name, want string
		required   bool
		official   bool
	}{
		{"pass_ticket", sess.passTicket, spec.passTicket, spec.officialPassTicket},
		{"skey", sess.skey, spec.skey, false},
		{"sid", sess.sid, spec.sid, false},
	} {
		vals, present := req.query[p.name]
		switch {
		case !present && p.required:
			return fail(retSessionInvalid, "query "+p.name+" missing")
		case present && p.name == "pass_ticket" && len(vals) == 1 && vals[0] == sess.issuedPassTicket():
			// Escaped once more than issued. The real server takes it
			// (openwechat does this), the official client never does.
			s.violationLocked(req.endpoint, "query pass_ticket URL-escaped twice (send it as webwxnewloginpage gave it)")
		case present && p.name == "skey" && len(vals) == 1 && vals[0] != p.want:
			return failSKey(sess, vals[0], "query skey does not match the session (URL-escaped?)")
		case !present && p.official:
			s.violationLocked(req.endpoint, "query "+p.name+" missing (the official client sends it)")
		case present && (len(vals) != 1 || vals[0] != p.want):
			return fail(retSessionInvalid, "query "+p.name+" does not match the session (URL-escaped?)")
		}
	}
	return sess, 0
}

// withSession takes the server's lock and authenticates the request (see
// authLocked). If that fails it answers with the ret; else it calls h with
// the session while the lock is still held.
func (s *Server) withSession(req *request, base *BaseRequest, spec authSpec, h func(*session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ret := s.authLocked(req, base, spec)
	if sess == nil {
		writeError(req, ret, "")
		return
	}
	h(sess)
}

// withJSONSession reads the JSON body into body (see readBody), then runs
// h as withSession does; base points at body's BaseRequest.
func (s *Server) withJSONSession(req *request, body any, base *BaseRequest, spec authSpec, h func(*session)) {
	if !s.readBody(req, body) {
		return
	}
	s.withSession(req, base, spec, h)
}

func validDeviceID(id string) bool {
	if len(id) != 16 || id[0] != 'e' {
		return false
	}
	for _, c := range id[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
