package bridge

import (
	"context"
	"fmt"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// The identity layer as the bridge uses it: WeChat contacts become the
// records wxdb.IdentityQuery resolves to PUIDs (at connect and for each
// batch's changed contacts), and session UserNames the roster does not know
// are resolved one at a time as messages name them.

// identityContacts maps the roster onto what the identity layer needs.
func identityContacts(contacts []wechat.Contact) []wxdb.SessionContact {
	out := make([]wxdb.SessionContact, 0, len(contacts))
	for i := range contacts {
		out = append(out, identityContact(&contacts[i]))
	}
	return out
}

func identityContact(ct *wechat.Contact) wxdb.SessionContact {
	dc := wxdb.SessionContact{
		UserName:   ct.UserName,
		Group:      wechat.IsGroupUserName(ct.UserName),
		Alias:      ct.Alias,
		RemarkName: wechat.CleanName(ct.RemarkName),
		NickName:   wechat.CleanName(ct.NickName),
		Sex:        ct.Sex,
		Province:   ct.Province,
		City:       ct.City,
	}
	for _, m := range ct.MemberList {
		dc.MemberUserNames = append(dc.MemberUserNames, m.UserName)
	}
	return dc
}

// puidFor returns the PUID of a session UserName, asking the identity
// layer for UserNames the roster does not know yet (strangers in groups, new
// chats). group is the chat a member was seen in, or "".
func (c *WeChatClient) puidFor(ctx context.Context, r *puidRoster, userName, group string) (string, error) {
	if puid, ok := r.puid(userName); ok {
		return puid, nil
	}
	if group != "" && !wechat.IsGroupUserName(userName) {
		// A member who is not a contact: fetched through the group.
		if err := c.resolveMembers(ctx, r, group, []string{userName}); err != nil {
			return "", err
		}
		if puid, ok := r.puid(userName); ok {
			return puid, nil
		}
	}
	// Several chats are drained at once; a stranger seen in two of them
	// must not become two identities.
	c.resolveMu.Lock()
	defer c.resolveMu.Unlock()
	if puid, ok := r.puid(userName); ok {
		return puid, nil
	}
	ct := wxdb.SessionContact{UserName: userName, Group: wechat.IsGroupUserName(userName)}
	if group != "" {
		if m := r.member(group, userName); m != nil {
			ct.NickName = wechat.CleanName(m.NickName)
		}
	}
	res, err := c.conn.DB.Identity.MapOne(ctx, c.loginID, ct)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", map[bool]string{true: "group", false: "contact"}[ct.Group], err)
	}
	c.metrics().Identities(identityOutcome(res), 1)
	r.mu.Lock()
	r.setPUIDLocked(userName, res.PUID)
	r.mu.Unlock()
	return res.PUID, nil
}

// currentPUID returns the identity a stored PUID stands for now: itself, or
// the identity an admin merged it into since. "" stays "".
func (c *WeChatClient) currentPUID(ctx context.Context, r *puidRoster, puid string) (string, error) {
	if puid == "" {
		return "", nil
	}
	if _, live := r.userName(puid); live {
		return puid, nil
	}
	ident, err := c.conn.DB.Identity.GetByPUID(ctx, c.loginID, puid)
	if err != nil {
		return "", fmt.Errorf("looking up identity %s: %w", puid, err)
	} else if ident == nil {
		return puid, nil
	}
	return ident.PUID, nil
}
