package wechattest

import (
	"maps"
	"slices"
)

// SelfID is the seed id of the logged-in account itself.
const SelfID = "self"

// Seed is the account a Server plays: the user, its stable uin and its
// contacts. Contact ids are stable across logins; UserNames are not.
type Seed struct {
	Self     SeedContact
	Uin      int64
	Contacts []SeedContact
}

// SeedContact is a contact of the seed account: a friend, an official
// account, a group, a stranger (a group member who is not a friend), or a
// special account such as filehelper (whose id is its fixed UserName).
type SeedContact struct {
	ID         string
	NickName   string
	RemarkName string
	Alias      string
	Sex        int
	Province   string
	City       string
	Signature  string
	VerifyFlag int
	// ContactFlag overrides the computed flag when non-zero.
	ContactFlag int
	// Pinned puts the chat on top (ContactFlag 0x800), as pinning it on
	// the phone or webwxoplog CmdId 3 does.
	Pinned bool
	// Friend puts the contact in the address book (also for official
	// accounts and filehelper).
	Friend bool
	// Group makes the contact a group chat (UserName "@@…").
	Group bool
	// SavedToContacts lists the group in webwxgetcontact; unsaved groups
	// only appear in webwxinit's ChatSet and in messages.
	SavedToContacts bool
	// Members are the seed ids of a group's members (SelfID included).
	Members []string
	// Avatar is served by webwxgeticon/webwxgetheadimg; nil means a
	// generated picture.
	Avatar []byte

	// Recent puts the contact in webwxinit's ContactList and ChatSet.
	Recent bool
	// Dormant leaves a group that is not saved to contacts out of
	// webwxinit's ChatSet too (no recent activity): a client learns of it
	// only from a message, and webwxbatchgetcontact answers it in full.
	Dormant bool
	// MemberDisplayNames are group nicknames (DisplayName) by member id.
	MemberDisplayNames map[string]string
	// Owner is the seed id of a group's owner; empty means the first member.
	Owner string
}

// specialUserNames are accounts whose UserName is fixed (not "@…").
var specialUserNames = []string{
	"filehelper", "newsapp", "fmessage", "weixin", "weibo", "qqmail", "tmessage",
	"qmessage", "qqsync", "floatbottle", "lbsapp", "shakeapp", "medianote",
	"qqfriend", "readerapp", "blogapp", "facebookapp", "masssendapp", "meishiapp",
	"feedsapp", "voip", "blogappweixin", "brandsessionholder", "weixinreminder",
	"officialaccounts", "notification_messages",
}

func isSpecialID(id string) bool {
	return slices.Contains(specialUserNames, id)
}

// DefaultSeed returns the default account: self "Tester"; friends alice,
// bob (emoji in the nickname), carol (with an alias), dave and dave2 (same
// NickName, different City); the official account news; filehelper; the
// group family (saved to contacts; self, alice, bob and the non-friend
// erin) and the group project (not saved; self, carol and the non-friend
// frank).
func DefaultSeed() *Seed {
	return &Seed{
		Uin: 2143658709,
		Self: SeedContact{
			ID: SelfID, NickName: "Tester", Sex: 1, Province: "Guangdong", City: "Shenzhen",
			Signature: "testing the bridge",
		},
		Contacts: []SeedContact{
			{ID: "alice", NickName: "Alice", RemarkName: "Alice Work", Sex: 2, Province: "Beijing", City: "Haidian", Friend: true, Recent: true},
			{ID: "bob", NickName: `Bob<span class="emoji emoji1f604"></span>`, Sex: 1, Province: "Shanghai", City: "Pudong", Friend: true},
			{ID: "carol", NickName: "Carol", Alias: "carol_wx", Sex: 2, Province: "Zhejiang", City: "Hangzhou", Friend: true},
			{ID: "dave", NickName: "Dave", Sex: 1, Province: "Guangdong", City: "Guangzhou", Friend: true},
			{ID: "dave2", NickName: "Dave", Sex: 1, Province: "Guangdong", City: "Foshan", Friend: true},
			{ID: "news", NickName: "Daily News", VerifyFlag: 24, Friend: true, Signature: "news every morning"},
			{ID: "filehelper", NickName: "文件传输助手", Friend: true, Recent: true},
			{ID: "erin", NickName: "Erin", Sex: 2, Province: "Sichuan", City: "Chengdu"},
			{ID: "frank", NickName: "Frank", Sex: 1, Province: "Hubei", City: "Wuhan"},
			{
				ID: "family", NickName: "Family", Group: true, SavedToContacts: true, Recent: true,
				Members:            []string{SelfID, "alice", "bob", "erin"},
				MemberDisplayNames: map[string]string{"bob": "Bobby"},
			},
			{ID: "project", NickName: "Project X", Group: true, Members: []string{SelfID, "carol", "frank"}},
		},
	}
}

func (c SeedContact) clone() SeedContact {
	c.Members = slices.Clone(c.Members)
	c.Avatar = slices.Clone(c.Avatar)
	c.MemberDisplayNames = maps.Clone(c.MemberDisplayNames)
	return c
}

func (s *Seed) clone() *Seed {
	out := &Seed{Self: s.Self.clone(), Uin: s.Uin}
	for _, c := range s.Contacts {
		out.Contacts = append(out.Contacts, c.clone())
	}
	return out
}

func (c *SeedContact) owner() string {
	if c.Owner != "" {
		return c.Owner
	}
	if len(c.Members) > 0 {
		return c.Members[0]
	}
	return ""
}
