package bridge

import (
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
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
