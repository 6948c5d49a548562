package wechattest

import (
	"strconv"
	"time"
)

// contactEntry is a contact as the server keeps it. Deleted contacts stay,
// so that old events can still name them.
type contactEntry struct {
	SeedContact
	deleted   bool
	deletedAt int // event log position of the deletion
	avatarSeq int64
	rawID     string // the permanent id that leaks in XML payloads (wxid_…)
}

func (e *contactEntry) isOfficial() bool { return e.VerifyFlag&8 != 0 }

// inAddressBook reports whether webwxgetcontact lists the contact.
func (e *contactEntry) inAddressBook() bool {
	if e.deleted || e.ID == SelfID {
		return false
	}
	if e.Group {
		return e.SavedToContacts
	}
	return e.Friend
}

func (e *contactEntry) hasMember(id string) bool {
	for _, m := range e.Members {
		if m == id {
			return true
		}
	}
	return false
}

func (e *contactEntry) snapshot() contactEntry {
	out := *e
	out.SeedContact = e.SeedContact.clone()
	return out
}

// account is the state of the one account a Server plays: contacts,
// pending friend requests, the event log and stored media.
type account struct {
	uin      int64
	order    []string // contact ids in seed order (self first)
	contacts map[string]*contactEntry
	requests map[string]*friendRequest // pending friend requests by stranger id

	strangers   int
	authTickets map[string]bool // webwx_auth_ticket values ever issued
	uvid        string

	log        []*event // positions: after log[i] the position is i+1
	keys       keyBase
	syncIssued map[int]bool // positions for which a SyncKey was issued
	chkIssued  map[int]bool // positions for which a SyncCheckKey was issued

	lastMsgID int64
	msgs      map[int64]*storedMsg
	files     map[string]*storedMsg // file messages by MediaId

	uploads    map[string]*Upload // finished uploads by MediaId
	signatures map[string]string  // checkupload signatures by FileMd5
}

type friendRequest struct {
	strangerID string
	ticket     string
	msgID      int64
}

func newAccount(seed *Seed, now time.Time) *account {
	a := &account{
		uin:         seed.Uin,
		contacts:    make(map[string]*contactEntry),
		requests:    make(map[string]*friendRequest),
		authTickets: make(map[string]bool),
		uvid:        randomHex(32),
		keys:        newKeyBase(now),
		syncIssued:  make(map[int]bool),
		chkIssued:   make(map[int]bool),
		// Message ids exceed 2^53, as on the real server.
		lastMsgID:  7_000_000_000_000_000_000 + randomInt63n(1_000_000_000_000_000),
		msgs:       make(map[int64]*storedMsg),
		files:      make(map[string]*storedMsg),
		uploads:    make(map[string]*Upload),
		signatures: make(map[string]string),
	}
	if a.uin == 0 {
		a.uin = 1_000_000_000 + randomInt63n(1_000_000_000)
	}
	self := seed.Self.clone()
	self.ID = SelfID
	a.put(self)
	for _, c := range seed.Contacts {
		a.put(c.clone())
	}
	return a
}

// put adds or replaces a contact.
func (a *account) put(c SeedContact) *contactEntry {
	if e, ok := a.contacts[c.ID]; ok {
		if string(e.Avatar) != string(c.Avatar) {
			e.avatarSeq++
		}
		e.SeedContact = c
		e.deleted = false
		return e
	}
	e := &contactEntry{SeedContact: c, avatarSeq: 600_000_000 + randomInt63n(100_000_000)}
	switch {
	case isSpecialID(c.ID):
		e.rawID = c.ID
	case c.Group:
		e.rawID = randomDigits(11) + "@chatroom"
	case e.isOfficial():
		e.rawID = "gh_" + randomHex(12)
	default:
		e.rawID = "wxid_" + randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 14)
	}
	a.contacts[c.ID] = e
	a.order = append(a.order, c.ID)
	return e
}

// entry returns a contact, creating a stranger for an unknown id so that
// messages can name anyone.
func (a *account) entry(id string) *contactEntry {
	if e, ok := a.contacts[id]; ok {
		return e
	}
	return a.put(SeedContact{ID: id, NickName: id})
}

func (a *account) isGroup(id string) bool {
	e, ok := a.contacts[id]
	return ok && e.Group
}

// newStranger adds a person who is not a friend (for friend requests).
func (a *account) newStranger(c SeedContact) *contactEntry {
	if c.ID == "" {
		for {
			a.strangers++
			c.ID = "stranger" + strconv.Itoa(a.strangers)
			if _, taken := a.contacts[c.ID]; !taken {
				break
			}
		}
	}
	c.Friend, c.Group = false, false
	return a.put(c)
}

// nextMsgID returns a new message id, increasing by a random step.
func (a *account) nextMsgID() int64 {
	a.lastMsgID += 1 + randomInt63n(97)
	return a.lastMsgID
}
