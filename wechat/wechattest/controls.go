package wechattest

import (
	"slices"
	"strconv"
)

// SelfUin is the account's stable uin.
func (s *Server) SelfUin() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acct.uin
}

// UserName returns the UserName of a seed id (SelfID for the account
// itself) in the newest session, or "" when there is no session or no
// such contact. Special accounts (filehelper, fmessage…) keep their ids.
func (s *Server) UserName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.current == nil:
		return ""
	case isSpecialID(id):
		return id
	case s.acct.contacts[id] == nil:
		return ""
	}
	return s.nameLocked(s.current, id)
}

// EncryChatRoomId returns a group's EncryChatRoomId in the newest session,
// or "".
func (s *Server) EncryChatRoomId(groupID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || !s.acct.isGroup(groupID) {
		return ""
	}
	return s.encryLocked(s.current, groupID)
}

// UpdateContact changes a contact (its ID stays) and appends a
// ModContactList entry. Changing Avatar changes the avatar seq.
func (s *Server) UpdateContact(id string, fn func(*SeedContact)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.changeContactLocked(id, fn); e != nil {
		s.modContactLocked(e)
	}
}

// changeContactLocked applies fn to a copy of a contact (its ID stays) and
// stores it; nil for an unknown id.
func (s *Server) changeContactLocked(id string, fn func(*SeedContact)) *contactEntry {
	e := s.acct.contacts[id]
	if e == nil {
		return nil
	}
	c := e.SeedContact.clone()
	fn(&c)
	c.ID = id
	for _, m := range c.Members {
		s.acct.entry(m)
	}
	return s.acct.put(c)
}

// UpdateContactQuietly changes a contact like UpdateContact but appends no
// ModContactList entry: the server's contact update can lag behind the
// system message that announces a change (inject that separately), and only
// webwxbatchgetcontact shows the new record.
func (s *Server) UpdateContactQuietly(id string, fn func(*SeedContact)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changeContactLocked(id, fn)
}

// AddContact adds (or replaces) a contact and appends a ModContactList
// entry. An empty ID gets a generated one.
func (s *Server) AddContact(c SeedContact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = c.clone()
	for n := len(s.acct.order); c.ID == ""; n++ {
		if id := "contact" + strconv.Itoa(n); s.acct.contacts[id] == nil {
			c.ID = id
		}
	}
	for _, m := range c.Members {
		s.acct.entry(m)
	}
	s.modContactLocked(s.acct.put(c))
}

// DeleteContact removes a friend (or leaves a group) and appends a
// DelContactList entry.
func (s *Server) DeleteContact(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.acct.contacts[id]
	if e == nil || id == SelfID {
		return
	}
	e.deleted = true
	e.deletedAt = len(s.acct.log)
	delete(s.acct.requests, id)
	s.appendEventLocked(&event{kind: eventDelContact, contact: e.snapshot()})
}

// SetMembers replaces a group's members and appends a ModContactList entry
// for the group.
func (s *Server) SetMembers(groupID string, memberIDs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.acct.contacts[groupID]
	if e == nil || !e.Group {
		return
	}
	for _, m := range memberIDs {
		s.acct.entry(m)
	}
	e.Members = slices.Clone(memberIDs)
	s.modContactLocked(e)
}

// ChangeProfile renames the account and appends a Profile change
// (BitFlag 190).
func (s *Server) ChangeProfile(nick string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct.contacts[SelfID].NickName = nick
	s.appendEventLocked(&event{kind: eventProfile, nick: nick})
}

// EndSession ends the newest session as the server would (1100, 1101 or
// 1102): held and later synccheck calls answer that retcode, API calls
// that ret.
func (s *Server) EndSession(ret int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ret == 0 {
		ret = retSessionInvalid
	}
	if s.current != nil && s.current.dead == 0 {
		s.current.dead = ret
		s.noteLocked("session-ended", "The session ended ("+strconv.Itoa(ret)+"): the bridge is logged out")
	}
}

// RotateSKey makes the next webwxsync of the newest session return a new
// SKey; from then on only the new skey is accepted.
func (s *Server) RotateSKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil && s.current.dead == 0 {
		s.current.nextSKey = newSKey()
		s.noteLocked("skey", "The skey was rotated: the next webwxsync hands out a new one")
	}
}

// PhoneOffline makes synccheck answer selector (retcode 0) at once while
// webwxsync brings only what there is, usually nothing: what the real
// server does while the phone is offline (reference §10.5,
// Urinx/WeixinBot#150; selectors 2, 6 and 7 are reported) and, with
// selector 3, after some media sends. Events injected meanwhile still come
// with webwxsync. 0 means selector 2. PhoneOnline ends it.
func (s *Server) PhoneOffline(selector int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if selector <= 0 {
		selector = selectorMessage
	}
	s.stuck = selector
	s.notifyLocked()
}

// PhoneOnline ends PhoneOffline: synccheck holds again until news arrive.
func (s *Server) PhoneOnline() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stuck = 0
}
