package msgconv

import (
	"cmp"
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat"
)

// MemberNamed returns the UserName of the member of a group an "@name"
// refers to: the name the group shows (their group nickname), else their
// own nickname, else the remark name the user gave them (remarkName looks
// it up among the user's contacts). "" if nobody matches or group is nil.
func MemberNamed(group *wechat.Contact, name string, remarkName func(userName string) string) string {
	if group == nil {
		return ""
	}
	pick := []func(m *wechat.Member) string{
		func(m *wechat.Member) string { return m.DisplayName },
		func(m *wechat.Member) string { return m.NickName },
		func(m *wechat.Member) string { return remarkName(m.UserName) },
	}
	for _, field := range pick {
		for i := range group.MemberList {
			if n := field(&group.MemberList[i]); n != "" && wechat.CleanName(n) == name {
				return group.MemberList[i].UserName
			}
		}
	}
	return ""
}

// MentionName is how a group member is @-mentioned in WeChat: their group
// nickname, else their own nickname, both as the group lists the member;
// else the nickname of their contact record. Either may be nil.
func MentionName(member *wechat.Member, contact *wechat.Contact) string {
	if member != nil {
		if n := wechat.CleanName(cmp.Or(member.DisplayName, member.NickName)); n != "" {
			return n
		}
	}
	if contact != nil {
		return wechat.CleanName(contact.NickName)
	}
	return ""
}

// mentionedMembers resolves the pills of a Matrix message to a chat to
// the members to @-mention in WeChat; outside groups nobody is.
func mentionedMembers(cl Client, chat string) func(userID id.UserID) (MentionedMember, bool) {
	return func(userID id.UserID) (MentionedMember, bool) {
		if !wechat.IsGroupUserName(chat) {
			return MentionedMember{}, false
		}
		return cl.MentionedMember(chat, userID)
	}
}

// mentionTargets resolves the "@name"s of a group message; elsewhere
// nobody is mentioned.
func mentionTargets(ctx context.Context, cl Client, m *wechat.Message, mentions []string) func(string) (MentionTarget, bool) {
	if !m.IsGroup || len(mentions) == 0 {
		return nil
	}
	return func(name string) (MentionTarget, bool) {
		return cl.MentionTarget(ctx, m.Chat, name)
	}
}
