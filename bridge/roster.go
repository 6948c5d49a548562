package bridge

import (
	"sync"

	"github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// roster is what the running session knows: every contact by its session
// UserName, and the PUID the identity layer gave it.
type roster struct {
	mu       sync.RWMutex
	self     wechat.Contact
	contacts map[string]*wechat.Contact // by UserName
	puids    map[string]string          // UserName → PUID
	names    map[string]string          // PUID → UserName
}

func newRoster(rs *wechat.Roster, res *database.Resolution) *roster {
	r := &roster{
		self:     rs.Self,
		contacts: make(map[string]*wechat.Contact, len(rs.Contacts)),
		puids:    make(map[string]string, len(rs.Contacts)),
		names:    make(map[string]string, len(rs.Contacts)),
	}
	for i := range rs.Contacts {
		ct := rs.Contacts[i]
		r.contacts[ct.UserName] = &ct
	}
	r.addResolution(res)
	return r
}

func (r *roster) addResolution(res *database.Resolution) {
	if res == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rc := range res.Contacts {
		r.setPUIDLocked(rc.UserName, rc.PUID)
	}
}

func (r *roster) setPUIDLocked(userName, puid string) {
	if old, ok := r.puids[userName]; ok && old != puid {
		delete(r.names, old)
	}
	r.puids[userName] = puid
	r.names[puid] = userName
}

// put records a contact record (from ModContactList, or fetched later).
func (r *roster) put(ct wechat.Contact) {
	r.mu.Lock()
	r.contacts[ct.UserName] = &ct
	r.mu.Unlock()
}

// remove forgets a contact of this session (DelContactList).
func (r *roster) remove(userName string) {
	r.mu.Lock()
	delete(r.contacts, userName)
	r.mu.Unlock()
}

func (r *roster) selfUserName() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.self.UserName
}

// puid returns the PUID of a session UserName.
func (r *roster) puid(userName string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.puids[userName]
	return p, ok
}

// contactByPUID returns a copy of the contact record of a PUID in this
// session, or nil.
func (r *roster) contactByPUID(puid string) *wechat.Contact {
	r.mu.RLock()
	defer r.mu.RUnlock()
	name, ok := r.names[puid]
	if !ok {
		return nil
	}
	if ct, ok := r.contacts[name]; ok {
		cp := *ct
		return &cp
	}
	return &wechat.Contact{UserName: name}
}

// member returns a group member's record as the group lists it, or nil.
func (r *roster) member(groupUserName, userName string) *wechat.Member {
	r.mu.RLock()
	defer r.mu.RUnlock()
	g, ok := r.contacts[groupUserName]
	if !ok {
		return nil
	}
	for i := range g.MemberList {
		if g.MemberList[i].UserName == userName {
			m := g.MemberList[i]
			return &m
		}
	}
	return nil
}
