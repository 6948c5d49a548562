package bridge

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// puidRoster is what the running session knows: every contact by its session
// UserName, and the PUID the identity layer gave it.
type puidRoster struct {
	mu       sync.RWMutex
	self     wechat.Contact
	contacts map[string]*wechat.Contact // by UserName
	puids    map[string]string          // UserName → PUID
	names    map[string]string          // PUID → UserName
	// recent are the UserNames of webwxinit's recent chats (its contact
	// list and ChatSet), in its order.
	recent []string
	// written are the group members who are not contacts and wrote in
	// this session: their ghosts get avatars (see contactInfo).
	written map[string]struct{}
	// unrecorded are chats WeChat returned no record for when they wrote
	// (see unknownChatPUID): not asked for again in this session.
	unrecorded map[string]struct{}
	// unfetched are the groups a failed call left without their record at
	// start-up (wechat.Roster.Unfetched); the jobs worker fetches them.
	unfetched []string
}

// loadRoster loads every contact of a session that webwxinit started and
// maps the session's UserNames to PUIDs.
func (c *WeChatClient) loadRoster(ctx context.Context, wx *wechat.Client, init *wechat.InitResult) (*puidRoster, error) {
	rs, err := wx.LoadRoster(ctx, init)
	if err != nil {
		return nil, fmt.Errorf("loading contacts: %w", err)
	}
	res, err := c.conn.DB.Identity.MapSession(ctx, c.loginID, identityContacts(rs.Contacts))
	if err != nil {
		return nil, fmt.Errorf("resolving identities: %w", err)
	}
	zerolog.Ctx(ctx).Info().Object("resolution", res).Int("ambiguous", len(res.Ambiguous())).Msg("Mapped WeChat contacts to identities")
	c.countResolution(res)
	return newRoster(rs, res, init), nil
}

func newRoster(rs *wechat.Roster, res *wxdb.Resolution, init *wechat.InitResult) *puidRoster {
	r := &puidRoster{
		self:      rs.Self,
		recent:    recentChats(init),
		unfetched: rs.Unfetched,
		contacts:  make(map[string]*wechat.Contact, len(rs.Contacts)),
		puids:     make(map[string]string, len(rs.Contacts)),
		names:     make(map[string]string, len(rs.Contacts)),
	}
	// The records stay in rs.Contacts' array (nothing else holds it): one
	// allocation for thousands of contacts rather than one each.
	for i := range rs.Contacts {
		r.contacts[rs.Contacts[i].UserName] = &rs.Contacts[i]
	}
	r.addResolution(res)
	return r
}

// recentChats lists webwxinit's recent chats once each.
func recentChats(init *wechat.InitResult) []string {
	if init == nil {
		return nil
	}
	seen := make(map[string]struct{}, len(init.ChatSet)+len(init.Contacts))
	var out []string
	add := func(name string) {
		if _, dup := seen[name]; dup || name == "" {
			return
		}
		seen[name] = struct{}{}
		out = append(out, name)
	}
	for i := range init.Contacts {
		add(init.Contacts[i].UserName)
	}
	for _, name := range init.ChatSet {
		add(name)
	}
	return out
}

func (r *puidRoster) addResolution(res *wxdb.Resolution) {
	if res == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rc := range res.Contacts {
		r.setPUIDLocked(rc.UserName, rc.PUID)
	}
}

func (r *puidRoster) setPUIDLocked(userName, puid string) {
	if old, ok := r.puids[userName]; ok && old != puid {
		delete(r.names, old)
	}
	r.puids[userName] = puid
	r.names[puid] = userName
}

// note adds userName to one of the roster's sets of UserNames (written,
// unrecorded), under the roster's lock.
func (r *puidRoster) note(set *map[string]struct{}, userName string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *set == nil {
		*set = make(map[string]struct{})
	}
	(*set)[userName] = struct{}{}
}

// noted reports whether note added userName to set.
func (r *puidRoster) noted(set *map[string]struct{}, userName string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := (*set)[userName]
	return ok
}

// markWritten notes that a group member wrote a message.
func (r *puidRoster) markWritten(userName string) { r.note(&r.written, userName) }

// hasWritten reports whether markWritten was called for userName.
func (r *puidRoster) hasWritten(userName string) bool { return r.noted(&r.written, userName) }

// setPUID records the PUID of a session UserName.
func (r *puidRoster) setPUID(userName, puid string) {
	r.mu.Lock()
	r.setPUIDLocked(userName, puid)
	r.mu.Unlock()
}

// unresolved returns those of userNames that have no PUID yet, without
// the user's own UserName and duplicates.
func (r *puidRoster) unresolved(userNames []string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	seen := make(map[string]struct{})
	for _, name := range userNames {
		if _, ok := r.puids[name]; ok || name == r.self.UserName || name == "" {
			continue
		}
		if _, dup := seen[name]; dup {
			continue
		}
		seen[name] = struct{}{}
		out = append(out, name)
	}
	return out
}

// put records a contact record (from ModContactList, or fetched later).
func (r *puidRoster) put(ct wechat.Contact) {
	r.mu.Lock()
	r.contacts[ct.UserName] = &ct
	r.mu.Unlock()
}

// remove forgets a contact of this session (DelContactList).
func (r *puidRoster) remove(userName string) {
	r.mu.Lock()
	delete(r.contacts, userName)
	r.mu.Unlock()
}

func (r *puidRoster) selfUserName() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.self.UserName
}

// puid returns the PUID of a session UserName.
func (r *puidRoster) puid(userName string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.puids[userName]
	return p, ok
}

// contactByPUID returns a copy of the contact record of a PUID in this
// session, or nil.
func (r *puidRoster) contactByPUID(puid string) *wechat.Contact {
	r.mu.RLock()
	defer r.mu.RUnlock()
	name, ok := r.names[puid]
	if !ok {
		return nil
	}
	if ct, ok := r.contacts[name]; ok {
		cp := *ct
		if cp.Kind() == wechat.KindStranger && cp.HeadImgUrl == "" && cp.EncryChatRoomId == "" {
			// A member's fetched record: the avatar comes through a group.
			if g, _ := r.groupOfLocked(name); g != nil {
				cp.EncryChatRoomId = g.EncryChatRoomId
			}
		}
		return &cp
	}
	// A group member who is not a contact: what a group says of them.
	if g, m := r.groupOfLocked(name); g != nil {
		return &wechat.Contact{UserName: name, NickName: m.NickName, EncryChatRoomId: g.EncryChatRoomId}
	}
	return &wechat.Contact{UserName: name}
}

// groupOfLocked returns a group that lists userName as a member, and its
// entry there, or nils.
func (r *puidRoster) groupOfLocked(userName string) (*wechat.Contact, *wechat.Member) {
	for _, g := range r.contacts {
		for i := range g.MemberList {
			if m := &g.MemberList[i]; m.UserName == userName {
				return g, m
			}
		}
	}
	return nil, nil
}

// contact returns a copy of the record of a session UserName, or nil.
func (r *puidRoster) contact(userName string) *wechat.Contact {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if ct, ok := r.contacts[userName]; ok {
		cp := *ct
		return &cp
	}
	return nil
}

// userName returns the current session UserName of a PUID.
func (r *puidRoster) userName(puid string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	name, ok := r.names[puid]
	return name, ok
}

// chatsToSync lists the chats that get a portal at connect: every group,
// the file helper and the recent chats, official accounts only if asked.
func (r *puidRoster) chatsToSync(officials bool) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	seen := make(map[string]struct{})
	var out []string
	add := func(name string) {
		if _, dup := seen[name]; dup {
			return
		}
		seen[name] = struct{}{}
		out = append(out, name)
	}
	for _, name := range r.recent {
		if ct, ok := r.contacts[name]; ok && bridgeable(ct, officials) {
			add(name)
		}
	}
	var groups []string
	for name, ct := range r.contacts {
		if ct.Kind() == wechat.KindGroup {
			groups = append(groups, name)
		}
	}
	slices.Sort(groups)
	for _, name := range groups {
		add(name)
	}
	add(wechat.FileHelper)
	return out
}

// bridgeable reports whether a chat gets a portal: not the special
// accounts except the file helper, official accounts only if asked.
func bridgeable(ct *wechat.Contact, officials bool) bool {
	switch ct.Kind() {
	case wechat.KindOfficial:
		return officials
	case wechat.KindSpecial:
		return ct.UserName == wechat.FileHelper
	}
	return true
}

// member returns a group member's record as the group lists it, or nil.
func (r *puidRoster) member(groupUserName, userName string) *wechat.Member {
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

// memberNamed returns the UserName of the group member an "@name" refers
// to (see msgconv.MemberNamed), or "".
func (r *puidRoster) memberNamed(groupUserName, name string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return msgconv.MemberNamed(r.contacts[groupUserName], name, func(userName string) string {
		if ct, ok := r.contacts[userName]; ok {
			return ct.RemarkName
		}
		return ""
	})
}

// mentionName is how a group member is @-mentioned in WeChat (see
// msgconv.MentionName).
func (r *puidRoster) mentionName(groupUserName, userName string) string {
	return msgconv.MentionName(r.member(groupUserName, userName), r.contact(userName))
}
