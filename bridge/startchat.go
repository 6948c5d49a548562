package bridge

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

var (
	_ bridgev2.IdentifierResolvingNetworkAPI = (*WeChatClient)(nil)
	_ bridgev2.ContactListingNetworkAPI      = (*WeChatClient)(nil)
	_ bridgev2.UserSearchingNetworkAPI       = (*WeChatClient)(nil)
)

// maxSearchResults bounds a search answer.
const maxSearchResults = 50

// ResolveIdentifier finds the contact a user means, to start a direct chat
// with someone who has no room yet (`start-chat <name>`): by WeChat ID
// (alias), remark name or nickname, ignoring case, or by PUID.
func (c *WeChatClient) ResolveIdentifier(ctx context.Context, identifier string, createChat bool) (*bridgev2.ResolveIdentifierResponse, error) {
	r := c.currentRoster()
	if r == nil {
		return nil, bridgev2.ErrNotLoggedIn
	}
	found := r.contactsMatching(c.conn.Config.BridgeOfficialAccounts, func(puid string, ct *wechat.Contact) bool {
		return puid == identifier || strings.EqualFold(ct.Alias, identifier) ||
			strings.EqualFold(wechat.CleanName(ct.RemarkName), identifier) ||
			strings.EqualFold(wechat.CleanName(ct.NickName), identifier)
	})
	switch len(found) {
	case 0:
		return nil, bridgev2.RespError{
			ErrCode:    mautrix.MNotFound.ErrCode,
			Err:        fmt.Sprintf("No WeChat contact is called %q. Send `search <part of the name>` to find them.", identifier),
			StatusCode: http.StatusNotFound,
		}
	case 1:
		return c.contactResponse(ctx, found[0], createChat)
	}
	names := make([]string, 0, len(found))
	for _, m := range found {
		name := c.displayName(m.contact)
		if where := strings.TrimSpace(m.contact.City + " " + m.contact.Province); where != "" {
			name += ", " + where
		}
		names = append(names, fmt.Sprintf("%s (`%s`)", name, m.puid))
	}
	return nil, bridgev2.RespError{
		ErrCode:    mautrix.MNotFound.ErrCode,
		Err:        fmt.Sprintf("%d contacts are called %q: %s. Start the chat with the ID in brackets.", len(found), identifier, strings.Join(names, ", ")),
		StatusCode: http.StatusConflict,
	}
}

// GetContactList lists the user's WeChat friends.
func (c *WeChatClient) GetContactList(ctx context.Context) ([]*bridgev2.ResolveIdentifierResponse, error) {
	return c.searchContacts(ctx, "", -1)
}

// SearchUsers lists the friends whose WeChat ID, remark name or nickname
// contains the query, ignoring case.
func (c *WeChatClient) SearchUsers(ctx context.Context, query string) ([]*bridgev2.ResolveIdentifierResponse, error) {
	return c.searchContacts(ctx, query, maxSearchResults)
}

func (c *WeChatClient) searchContacts(ctx context.Context, query string, limit int) ([]*bridgev2.ResolveIdentifierResponse, error) {
	r := c.currentRoster()
	if r == nil {
		return nil, bridgev2.ErrNotLoggedIn
	}
	query = strings.ToLower(strings.TrimSpace(query))
	found := r.contactsMatching(c.conn.Config.BridgeOfficialAccounts, func(_ string, ct *wechat.Contact) bool {
		for _, s := range []string{ct.Alias, wechat.CleanName(ct.RemarkName), wechat.CleanName(ct.NickName)} {
			if strings.Contains(strings.ToLower(s), query) {
				return true
			}
		}
		return false
	})
	slices.SortFunc(found, func(a, b rosterMatch) int {
		return cmp.Compare(c.displayName(a.contact), c.displayName(b.contact))
	})
	if limit >= 0 && len(found) > limit {
		found = found[:limit]
	}
	out := make([]*bridgev2.ResolveIdentifierResponse, 0, len(found))
	for _, m := range found {
		resp, err := c.contactResponse(ctx, m, false)
		if err != nil {
			return nil, err
		}
		out = append(out, resp)
	}
	return out, nil
}

// contactResponse describes a contact, and its direct chat if asked.
func (c *WeChatClient) contactResponse(ctx context.Context, m rosterMatch, createChat bool) (*bridgev2.ResolveIdentifierResponse, error) {
	userID := wxid.MakeUserID(m.puid)
	ghost, err := c.conn.Bridge.GetGhostByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("getting ghost: %w", err)
	}
	resp := &bridgev2.ResolveIdentifierResponse{
		Ghost:    ghost,
		UserID:   userID,
		UserInfo: c.userInfo(m.contact, m.contact.UserName),
	}
	if createChat {
		resp.Chat = &bridgev2.CreateChatResponse{
			PortalKey:  wxid.MakePortalKey(m.puid, c.login.ID),
			PortalInfo: c.dmInfo(m.puid, m.contact),
		}
	}
	return resp, nil
}

// displayName is a contact's name as its ghost shows it.
func (c *WeChatClient) displayName(ct *wechat.Contact) string {
	return *c.userInfo(ct, ct.UserName).Name
}

// rosterMatch is a contact found in the roster, with its PUID.
type rosterMatch struct {
	puid    string
	contact *wechat.Contact
}

// contactsMatching returns copies of the people one can chat with (friends,
// and official accounts if they are bridged) that match.
func (r *puidRoster) contactsMatching(officials bool, match func(puid string, ct *wechat.Contact) bool) []rosterMatch {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []rosterMatch
	for name, ct := range r.contacts {
		switch ct.Kind() {
		case wechat.KindFriend:
		case wechat.KindOfficial:
			if !officials {
				continue
			}
		default:
			continue
		}
		puid, ok := r.puids[name]
		if !ok || !match(puid, ct) {
			continue
		}
		cp := *ct
		out = append(out, rosterMatch{puid: puid, contact: &cp})
	}
	return out
}
