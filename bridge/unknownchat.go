package bridge

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// A chat can write before the session knows it: a group neither saved to
// contacts nor among webwxinit's recent chats, or a new friend whose
// ModContactList has not come yet. The official client fetches such a chat
// with webwxbatchgetcontact when its first message arrives; the bridge does
// the same when the message is bridged (not on the sync loop, which waits
// for the batch), so that the portal has its name, avatar and members from
// the start and the identity layer matches the chat on its full record.

// isUnknownChat reports whether a message's chat is one the roster has no
// record of and that can be fetched: the message came in the current
// session (the UserNames of an ended one mean nothing to the server now).
func isUnknownChat(wx *wechat.Client, r *puidRoster, chat, self string) bool {
	return wx != nil && r != nil && self == r.selfUserName() && r.contact(chat) == nil &&
		!wechat.IsSpecialUserName(chat) && !r.isUnrecorded(chat)
}

// markUnrecorded notes that WeChat has no record of a chat.
func (r *puidRoster) markUnrecorded(chat string) { r.note(&r.unrecorded, chat) }

// isUnrecorded reports whether markUnrecorded was called for chat.
func (r *puidRoster) isUnrecorded(chat string) bool { return r.noted(&r.unrecorded, chat) }

// unknownChatPUID fetches a chat isUnknownChat reports and returns the PUID
// the identity layer matches its record to. A failed fetch is returned: the
// message stays in the inbox and is tried again. bridged is false for a
// chat that turns out not to be bridged (an official account the config
// leaves out). A chat WeChat has no record of is mapped under its bare
// UserName, as before.
func (c *WeChatClient) unknownChatPUID(ctx context.Context, wx *wechat.Client, r *puidRoster, chat string) (puid string, bridged bool, err error) {
	ct, err := c.fetchChat(ctx, wx, chat)
	if err != nil {
		return "", false, err
	}
	if ct == nil {
		zerolog.Ctx(ctx).Warn().Msg("WeChat returned no record for a chat that wrote; bridging it under its bare ID")
		r.markUnrecorded(chat)
		puid, err = c.puidFor(ctx, r, chat, "")
		return puid, err == nil, err
	}
	if puid, err = c.mapFetchedChat(ctx, r, ct); err != nil {
		return "", false, err
	}
	return puid, bridgeable(ct, c.conn.Config.BridgeOfficialAccounts), nil
}

// fetchChat asks WeChat for a chat's record; nil when the answer holds no
// usable record of it (a bare entry with neither name nor members).
func (c *WeChatClient) fetchChat(ctx context.Context, wx *wechat.Client, chat string) (*wechat.Contact, error) {
	kind := map[bool]string{true: "group", false: "contact"}[wechat.IsGroupUserName(chat)]
	cts, err := wx.BatchGetContacts(ctx, []wechat.BatchContactRequestItem{{UserName: chat}})
	if err != nil {
		return nil, fmt.Errorf("fetching an unknown %s: %w", kind, err)
	}
	for i := range cts {
		ct := &cts[i]
		if ct.UserName == chat && (ct.NickName != "" || ct.RemarkName != "" || len(ct.MemberList) > 0) {
			zerolog.Ctx(ctx).Debug().Str("kind", kind).Int("members", len(ct.MemberList)).Msg("Fetched a chat that was not in the roster")
			return ct, nil
		}
	}
	return nil, nil
}

// mapFetchedChat keeps a fetched chat in the roster and gives it the PUID
// the identity layer matches its record to.
func (c *WeChatClient) mapFetchedChat(ctx context.Context, r *puidRoster, ct *wechat.Contact) (string, error) {
	// Several chats are drained at once; the same UserName resolved
	// meanwhile (a group member who writes directly) keeps its PUID.
	c.resolveMu.Lock()
	defer c.resolveMu.Unlock()
	res, err := c.conn.DB.Identity.MapMore(ctx, c.loginID, []wxdb.SessionContact{identityContact(ct)})
	if err != nil {
		return "", fmt.Errorf("resolving a fetched chat: %w", err)
	}
	// Kept only once mapped: a retry after a failure fetches it again.
	r.put(*ct)
	c.countResolution(res)
	r.addResolution(res)
	puid, ok := r.puid(ct.UserName)
	if !ok {
		return "", fmt.Errorf("resolving a fetched chat: the identity layer rejected its record")
	}
	return puid, nil
}
