package bridge

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// Members of a group who are not the user's contacts ("strangers") are known
// at start-up only by what the group's member list says of them. The
// official client fetches them when a group's chat is opened; the bridge
// fetches them when something needs them: the group's portal being created
// or resynced, or a message from one of them. What was fetched goes to the
// identity layer, which gives the members their PUIDs.

// storedPUID returns the PUID of a session UserName that the roster or the
// identity layer already has (the identity holding the UserName: a session
// resumed after a restart), without asking WeChat or making a new identity;
// "" when there is none. A stored one is kept in the roster.
func (c *WeChatClient) storedPUID(ctx context.Context, r *puidRoster, userName string) (string, error) {
	if puid, ok := r.puid(userName); ok {
		return puid, nil
	}
	ident, err := c.conn.DB.Identity.GetByUserName(ctx, c.loginID, userName)
	if err != nil {
		return "", fmt.Errorf("looking up %s: %w", userName, err)
	} else if ident == nil {
		return "", nil
	}
	puid, err := c.currentPUID(ctx, r, ident.PUID)
	if err != nil {
		return "", err
	}
	r.setPUID(userName, puid)
	return puid, nil
}

// resolveMembers gives PUIDs to those of userNames, members of group, that
// the roster has none for: the identity that already holds the UserName (a
// session resumed after a restart), else the identity layer's match for the
// record fetched through the group. A member the server had no record for
// is matched on what the group says of them. A failed fetch is returned;
// the members it did not reach stay without a PUID until something needs
// them again, and nothing else is affected.
func (c *WeChatClient) resolveMembers(ctx context.Context, r *puidRoster, group string, userNames []string) error {
	missing := r.unresolved(userNames)
	if len(missing) == 0 {
		return nil
	}
	toFetch := missing[:0:0]
	for _, name := range missing {
		puid, err := c.storedPUID(ctx, r, name)
		if err != nil {
			return err
		} else if puid == "" {
			toFetch = append(toFetch, name)
		}
	}
	if len(toFetch) == 0 {
		return nil
	}
	wx, current := c.currentSession()
	if wx == nil || current != r {
		return errNotConnected
	}
	fetched, fetchErr := wx.FetchMembers(ctx, group, toFetch)
	if fetchErr != nil && len(fetched) == 0 {
		return fmt.Errorf("fetching %d members of a group: %w", len(toFetch), fetchErr)
	}
	if err := c.mapMembers(ctx, r, group, toFetch, fetched, fetchErr == nil); err != nil {
		return err
	}
	if fetchErr != nil {
		return fmt.Errorf("fetching members of a group (%d of %d fetched): %w", len(fetched), len(toFetch), fetchErr)
	}
	return nil
}

// mapMembers hands fetched member records to the identity layer and keeps
// them in the roster. When complete (every call succeeded), members the
// server returned no record for are matched on the group's word for them.
func (c *WeChatClient) mapMembers(ctx context.Context, r *puidRoster, group string, wanted []string, fetched []wechat.Contact, complete bool) error {
	// Several chats are drained at once; a member resolved meanwhile (by a
	// message, or another resync) must not become two identities.
	c.resolveMu.Lock()
	defer c.resolveMu.Unlock()
	got := make(map[string]bool, len(fetched))
	var records []wxdb.SessionContact
	var keep []wechat.Contact
	for i := range fetched {
		ct := &fetched[i]
		got[ct.UserName] = true
		if _, done := r.puid(ct.UserName); done || ct.UserName == "" {
			continue
		}
		records = append(records, identityContact(ct))
		keep = append(keep, *ct)
	}
	if complete {
		for _, name := range wanted {
			if _, done := r.puid(name); done || got[name] {
				continue
			}
			weak := wxdb.SessionContact{UserName: name}
			if m := r.member(group, name); m != nil {
				weak.NickName = wechat.CleanName(m.NickName)
			}
			records = append(records, weak)
		}
	}
	if len(records) == 0 {
		return nil
	}
	res, err := c.conn.DB.Identity.MapMore(ctx, c.loginID, records)
	if err != nil {
		return fmt.Errorf("resolving group members: %w", err)
	}
	c.countResolution(res)
	for _, ct := range keep {
		r.put(ct)
	}
	r.addResolution(res)
	zerolog.Ctx(ctx).Debug().Int("fetched", len(keep)).Int("resolved", len(res.Contacts)).
		Msg("Resolved group members who are not contacts")
	return nil
}
