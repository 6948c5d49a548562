package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// convClient is what msgconv needs of a login for one message: the
// session's protocol client and roster, taken together when the message's
// handling began. The protocol client is nil for conversions that call
// nothing of WeChat.
type convClient struct {
	*wechat.Client
	c *WeChatClient
	r *puidRoster
}

var (
	_ msgconv.Client = convClient{}
	_ msgconv.WeChat = (*wechat.Client)(nil)
)

// convClient makes the msgconv.Client of a session.
func (c *WeChatClient) convClient(wx *wechat.Client, r *puidRoster) convClient {
	return convClient{Client: wx, c: c, r: r}
}

// MentionTarget resolves an "@name" of a message in a group to a Matrix
// user: the logged-in user for their own name, ghosts for members.
func (cc convClient) MentionTarget(ctx context.Context, group, name string) (msgconv.MentionTarget, bool) {
	self := cc.r.selfUserName()
	userName := cc.r.memberNamed(group, name)
	if userName == "" {
		return msgconv.MentionTarget{}, false
	}
	if userName == self {
		return msgconv.MentionTarget{UserID: cc.c.login.UserMXID, DisplayName: name}, true
	}
	puid, err := cc.c.puidFor(ctx, cc.r, userName, group)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to resolve a mentioned member")
		return msgconv.MentionTarget{}, false
	}
	mxid := cc.c.conn.Bridge.Matrix.GhostIntent(wxid.MakeUserID(puid)).GetMXID()
	return msgconv.MentionTarget{UserID: mxid, DisplayName: name}, true
}

// MentionedMember resolves a Matrix user mentioned in a message to a group
// to the member to @-mention in WeChat: a ghost of one of its members.
func (cc convClient) MentionedMember(group string, userID id.UserID) (msgconv.MentionedMember, bool) {
	ghostID, ok := cc.c.conn.Bridge.Matrix.ParseGhostMXID(userID)
	if !ok {
		return msgconv.MentionedMember{}, false
	}
	userName, ok := cc.r.userName(string(ghostID))
	if !ok || cc.r.member(group, userName) == nil {
		return msgconv.MentionedMember{}, false
	}
	name := cc.r.mentionName(group, userName)
	if name == "" {
		return msgconv.MentionedMember{}, false
	}
	return msgconv.MentionedMember{Name: name, UserName: userName}, true
}

// Author finds who wrote a bridged message in the roster: the user, or the
// contact of the sender's PUID; in a group portal also their membership.
func (cc convClient) Author(msg *database.Message) (*wechat.Contact, *wechat.Member) {
	var ct *wechat.Contact
	if msg.SenderID == wxid.MakeSelfUserID(cc.c.login.ID) {
		ct = cc.r.contact(cc.r.selfUserName())
	} else {
		ct = cc.r.contactByPUID(string(msg.SenderID))
	}
	if ct == nil {
		return nil, nil
	}
	if group, ok := cc.r.userName(string(msg.Room.ID)); ok && wechat.IsGroupUserName(group) {
		return ct, cc.r.member(group, ct.UserName)
	}
	return ct, nil
}

// RecentMessages reads a portal's latest messages from bridgev2's table.
func (cc convClient) RecentMessages(ctx context.Context, portal networkid.PortalKey, n int) ([]*database.Message, error) {
	return cc.c.conn.Bridge.DB.Message.GetLastNInPortal(ctx, portal, n)
}
