package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// memberNamed returns the UserName of the group member an "@name" refers
// to (see msgconv.MemberNamed), or "".
func (r *roster) memberNamed(groupUserName, name string) string {
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
func (r *roster) mentionName(groupUserName, userName string) string {
	return msgconv.MentionName(r.member(groupUserName, userName), r.contact(userName))
}

// mentionTargets resolves the "@name"s of a message in a group to Matrix
// users: the logged-in user for their own name, ghosts for members.
func (c *WeChatClient) mentionTargets(ctx context.Context, r *roster, group string) func(name string) (msgconv.MentionTarget, bool) {
	return func(name string) (msgconv.MentionTarget, bool) {
		self := r.selfUserName()
		userName := r.memberNamed(group, name)
		if userName == "" {
			return msgconv.MentionTarget{}, false
		}
		if userName == self {
			return msgconv.MentionTarget{UserID: c.login.UserMXID, DisplayName: name}, true
		}
		puid, err := c.resolvePUID(ctx, r, userName, group)
		if err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to resolve a mentioned member")
			return msgconv.MentionTarget{}, false
		}
		mxid := c.conn.Bridge.Matrix.GhostIntent(wxid.MakeUserID(puid)).GetMXID()
		return msgconv.MentionTarget{UserID: mxid, DisplayName: name}, true
	}
}

// mentionedMembers resolves Matrix mention pills in a message to a group
// to the members to @-mention in WeChat.
func (c *WeChatClient) mentionedMembers(r *roster, group string) func(userID id.UserID) (msgconv.MentionedMember, bool) {
	return func(userID id.UserID) (msgconv.MentionedMember, bool) {
		if !wechat.IsGroupUserName(group) {
			return msgconv.MentionedMember{}, false
		}
		ghostID, ok := c.conn.Bridge.Matrix.ParseGhostMXID(userID)
		if !ok {
			return msgconv.MentionedMember{}, false
		}
		userName, ok := r.userName(string(ghostID))
		if !ok || r.member(group, userName) == nil {
			return msgconv.MentionedMember{}, false
		}
		name := r.mentionName(group, userName)
		if name == "" {
			return msgconv.MentionedMember{}, false
		}
		return msgconv.MentionedMember{Name: name, UserName: userName}, true
	}
}
