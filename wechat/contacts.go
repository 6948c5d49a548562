package wechat

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ContactKind classifies a contact.
type ContactKind int

const (
	KindStranger ContactKind = iota
	KindFriend
	KindGroup
	KindOfficial
	KindSpecial
)

func (k ContactKind) String() string {
	switch k {
	case KindFriend:
		return "friend"
	case KindGroup:
		return "group"
	case KindOfficial:
		return "official"
	case KindSpecial:
		return "special"
	}
	return "stranger"
}

// specialAccounts are the built-in accounts whose UserName is fixed.
var specialAccounts = map[string]struct{}{
	"filehelper": {}, "newsapp": {}, "fmessage": {}, "weixin": {}, "weibo": {}, "qqmail": {},
	"tmessage": {}, "qmessage": {}, "qqsync": {}, "floatbottle": {}, "lbsapp": {}, "shakeapp": {},
	"medianote": {}, "qqfriend": {}, "readerapp": {}, "blogapp": {}, "facebookapp": {},
	"masssendapp": {}, "meishiapp": {}, "feedsapp": {}, "voip": {}, "blogappweixin": {},
	"brandsessionholder": {}, "weixinreminder": {}, "wxid_novlwrv3lqwv11": {}, "gh_22b87fa7cb3c": {},
	"officialaccounts": {}, "notification_messages": {}, "wxitil": {}, "userexperience_alarm": {},
}

// IsSpecialUserName reports whether name is a built-in account such as
// filehelper.
func IsSpecialUserName(name string) bool {
	_, ok := specialAccounts[name]
	return ok || strings.HasSuffix(name, "@qqim")
}

// Kind classifies the contact the way the web client does.
func (c *Contact) Kind() ContactKind {
	switch {
	case IsGroupUserName(c.UserName):
		return KindGroup
	case IsSpecialUserName(c.UserName):
		return KindSpecial
	case c.VerifyFlag&VerifyFlagBizBrand != 0:
		return KindOfficial
	case c.ContactFlag&ContactFlagContact != 0:
		return KindFriend
	}
	return KindStranger
}

// maxContactPages stops a server that never ends its Seq chain.
const maxContactPages = 64

// GetContacts fetches the address book (webwxgetcontact), page by page
// until Seq is 0 or repeats. Groups in it usually come without members.
func (c *Client) GetContacts(ctx context.Context) ([]Contact, error) {
	// Pages are joined once at the end: appending page by page would copy
	// a big address book (records of ~400 bytes each) several times.
	var pages [][]Contact
	total := 0
	seen := map[int64]bool{}
	var seq int64
	for page := 0; page < maxContactPages; page++ {
		v := c.view()
		q := url.Values{
			"r":    {strconv.FormatInt(time.Now().UnixMilli(), 10)},
			"seq":  {strconv.FormatInt(seq, 10)},
			"skey": {v.base.Skey},
		}
		var resp ContactListResponse
		if err := c.t.callJSON(ctx, "webwxgetcontact", c.webURL(v, "webwxgetcontact", q), nil, &resp); err != nil {
			return nil, err
		}
		pages = append(pages, resp.MemberList)
		total += len(resp.MemberList)
		seen[seq] = true
		if resp.Seq == 0 || seen[resp.Seq] {
			return joinPages(pages, total), nil
		}
		seq = resp.Seq
	}
	c.log.Warn().Int("pages", maxContactPages).Msg("Contact list did not end, using what was fetched")
	return joinPages(pages, total), nil
}

func joinPages(pages [][]Contact, total int) []Contact {
	if len(pages) == 1 {
		return pages[0]
	}
	all := make([]Contact, 0, total)
	for _, p := range pages {
		all = append(all, p...)
	}
	return all
}

// BatchGetContacts fetches full records (webwxbatchgetcontact), at most 50
// per call and one call per ContactInterval. Groups come with their
// members. For a group member who is not a friend, set EncryChatRoomId to
// the group's UserName (or use FetchMembers). A batch WeChat refuses as
// too frequent is asked for again after a cooldown. On an error it returns
// what the calls before the failed one brought, and the error.
func (c *Client) BatchGetContacts(ctx context.Context, items []BatchContactRequestItem) ([]Contact, error) {
	var out []Contact
	for start := 0; start < len(items); start += MaxBatchContacts {
		got, err := c.batchGet(ctx, items[start:min(start+MaxBatchContacts, len(items))])
		if err != nil {
			return out, err
		}
		if out == nil {
			out = make([]Contact, 0, len(items))
		}
		out = append(out, got...)
	}
	return out, nil
}

// FetchMembers fetches the records of members of a group who are not the
// user's contacts, as the official client does when a group's chat is
// opened: through the group (EncryChatRoomId set to its UserName).
func (c *Client) FetchMembers(ctx context.Context, group string, userNames []string) ([]Contact, error) {
	items := make([]BatchContactRequestItem, len(userNames))
	for i, name := range userNames {
		items[i] = BatchContactRequestItem{UserName: name, EncryChatRoomId: group}
	}
	return c.BatchGetContacts(ctx, items)
}

// batchGet makes one webwxbatchgetcontact call, in its turn.
func (c *Client) batchGet(ctx context.Context, items []BatchContactRequestItem) ([]Contact, error) {
	var resp BatchContactResponse
	// A batch WeChat refuses as too frequent is asked for again after the
	// cooldown (see callRefusable), each time in its turn of the pacer.
	err := c.callRefusable(ctx, &c.contacts, "webwxbatchgetcontact", func() error {
		release, err := c.contactPace.turn(ctx)
		if err != nil {
			return err
		}
		defer release()
		if err := c.contacts.wait(ctx); err != nil {
			return err
		}
		v := c.view()
		q := url.Values{"type": {"ex"}, "r": {strconv.FormatInt(time.Now().UnixMilli(), 10)}, "lang": {"zh_CN"}}
		req := BatchContactRequest{BaseRequest: v.base, Count: len(items), List: items}
		resp = BatchContactResponse{}
		return c.t.callJSON(ctx, "webwxbatchgetcontact", c.webURL(v, "webwxbatchgetcontact", q), req, &resp)
	})
	if err != nil {
		return nil, err
	}
	for i := range resp.ContactList {
		resp.ContactList[i].MemberList = compactMembers(resp.ContactList[i].MemberList)
	}
	return resp.ContactList, nil
}

// compactMembers copies a group's member list into a slice of its exact
// length: decoding leaves slices up to twice as long as needed, and a big
// account holds tens of thousands of members for the whole session.
func compactMembers(ms []Member) []Member {
	if len(ms) == 0 || len(ms) == cap(ms) {
		return ms
	}
	return append(make([]Member, 0, len(ms)), ms...)
}

// Roster is what the account can see after a login: the user, the address
// book, and groups with their member lists. Members who are not the user's
// contacts are only known by what their groups say of them (UserName,
// NickName, DisplayName) until FetchMembers fetches them.
type Roster struct {
	Self     Contact
	Contacts []Contact
	// Unfetched are groups whose records a failed call did not bring: they
	// are in Contacts (from the address book) without members, or missing
	// (only named by webwxinit), and are fetched again when needed.
	Unfetched []string
}

// ByKind returns the contacts of one kind.
func (r *Roster) ByKind(kind ContactKind) []Contact {
	var out []Contact
	for _, c := range r.Contacts {
		if c.Kind() == kind {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the contact with a UserName, or nil.
func (r *Roster) Find(userName string) *Contact {
	for i := range r.Contacts {
		if r.Contacts[i].UserName == userName {
			return &r.Contacts[i]
		}
	}
	return nil
}

// LoadRoster fetches what a session needs to map its UserNames, as the
// official client does at start-up: the address book, and every group the
// user has (address book, webwxinit's contacts and ChatSet) with its member
// list, 50 groups a call, paced. Members who are not friends are not
// fetched here (see FetchMembers). A failed group call leaves only its
// groups out (Roster.Unfetched); a failed address book, or a session that
// ended, fails the whole load.
func (c *Client) LoadRoster(ctx context.Context, init *InitResult) (*Roster, error) {
	book, err := c.GetContacts(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]int, len(book))
	roster := &Roster{Self: c.Self(), Contacts: make([]Contact, 0, len(book))}
	add := func(ct Contact) {
		if ct.UserName == "" || ct.UserName == roster.Self.UserName {
			return
		}
		if i, ok := byName[ct.UserName]; ok {
			roster.Contacts[i] = mergeContact(roster.Contacts[i], ct)
			return
		}
		byName[ct.UserName] = len(roster.Contacts)
		roster.Contacts = append(roster.Contacts, ct)
	}
	for _, ct := range book {
		add(ct)
	}
	var groups []BatchContactRequestItem
	wantGroup := map[string]bool{}
	queueGroup := func(name string) {
		if IsGroupUserName(name) && !wantGroup[name] {
			wantGroup[name] = true
			groups = append(groups, BatchContactRequestItem{UserName: name})
		}
	}
	if init != nil {
		// Recent chats first, as the official client fetches them.
		for _, ct := range init.Contacts {
			add(ct)
			queueGroup(ct.UserName)
		}
		for _, name := range init.ChatSet {
			queueGroup(name)
		}
	}
	for _, ct := range book {
		queueGroup(ct.UserName)
	}
	fetched := 0
	for start := 0; start < len(groups); start += MaxBatchContacts {
		chunk := groups[start:min(start+MaxBatchContacts, len(groups))]
		full, err := c.batchGet(ctx, chunk)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrLoggedOut) {
				return nil, err
			}
			c.log.Warn().Err(err).Int("groups", len(chunk)).Msg("Failed to fetch groups, they will be fetched when needed")
			for _, it := range chunk {
				roster.Unfetched = append(roster.Unfetched, it.UserName)
			}
			continue
		}
		fetched += len(full)
		for _, g := range full {
			add(g)
		}
	}
	for i := range roster.Contacts {
		g := &roster.Contacts[i]
		for j := range g.MemberList {
			if ci, known := byName[g.MemberList[j].UserName]; known {
				shareStrings(&g.MemberList[j], &roster.Contacts[ci])
			}
		}
	}
	c.log.Debug().Int("contacts", len(roster.Contacts)).Int("groups", fetched).
		Int("unfetched_groups", len(roster.Unfetched)).Msg("Loaded roster")
	return roster, nil
}

// shareStrings points a member's UserName and NickName at the contact's
// copies when they are equal: a big account's members are mostly its
// contacts, and each decoded answer holds its own copy of every string.
func shareStrings(m *Member, ct *Contact) {
	m.UserName = ct.UserName
	if m.NickName == ct.NickName {
		m.NickName = ct.NickName
	}
}

// mergeContact keeps the richer of two records of the same contact.
func mergeContact(old, upd Contact) Contact {
	if len(upd.MemberList) == 0 && len(old.MemberList) > 0 {
		upd.MemberList = old.MemberList
		upd.MemberCount = old.MemberCount
	}
	if upd.NickName == "" {
		upd.NickName = old.NickName
	}
	if upd.HeadImgUrl == "" {
		upd.HeadImgUrl = old.HeadImgUrl
	}
	if upd.ContactFlag == 0 {
		upd.ContactFlag = old.ContactFlag
	}
	return upd
}
