package bridge

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

var errNotConnected = bridgev2.ErrNotLoggedIn

// GetChatInfo describes a chat from the session's roster: a DM (the file
// helper included) with its contact, or a group with its name, avatar and
// members.
func (c *WeChatClient) GetChatInfo(ctx context.Context, portal *bridgev2.Portal) (*bridgev2.ChatInfo, error) {
	r := c.currentRoster()
	if r == nil {
		return nil, errNotConnected
	}
	puid := string(portal.ID)
	ct := r.contactByPUID(puid)
	if ct == nil {
		return nil, fmt.Errorf("chat %s is not in the current WeChat session", puid)
	}
	var info *bridgev2.ChatInfo
	if !wechat.IsGroupUserName(ct.UserName) {
		info = c.dmInfo(puid, ct)
	} else {
		info = c.groupInfo(ctx, r, ct)
	}
	info.UserLocal = pinInfo(ct)
	return info, nil
}

// selfMember is the logged-in user in a portal, with the power level to
// manage it (relay mode, room settings), as in their own chat.
//
// The user is only invited when they are not in the room at all
// (PrevMembership): bridgev2 would otherwise invite a user who has not
// joined yet again at every sync of the chat's members, and an invite that
// crosses the user's join makes Dendrite take the user for still invited
// (both events get the same depth), so that it hides the room's history
// from them for good. The same entry stands for the user's own ghost (the
// sender of what they write on their phone): a ghost left invited is no
// longer joined by a resync, but joins by itself when it next sends.
func (c *WeChatClient) selfMember() bridgev2.ChatMember {
	return bridgev2.ChatMember{
		EventSender:    c.selfSender(),
		Membership:     event.MembershipJoin,
		PrevMembership: event.MembershipLeave,
		PowerLevel:     ptrTo(50),
	}
}

// selfSender is the logged-in account as the sender of an event.
func (c *WeChatClient) selfSender() bridgev2.EventSender {
	return bridgev2.EventSender{IsFromMe: true, SenderLogin: c.login.ID, Sender: wxid.MakeSelfUserID(c.login.ID)}
}

func (c *WeChatClient) dmInfo(puid string, ct *wechat.Contact) *bridgev2.ChatInfo {
	other := wxid.MakeUserID(puid)
	return &bridgev2.ChatInfo{
		Type: ptrTo(database.RoomTypeDM),
		Members: &bridgev2.ChatMemberList{
			IsFull:      true,
			OtherUserID: other,
			Members: []bridgev2.ChatMember{c.selfMember(), {
				EventSender: bridgev2.EventSender{Sender: other},
				Membership:  event.MembershipJoin,
				UserInfo:    c.userInfo(ct, ct.UserName),
			}},
		},
	}
}

func (c *WeChatClient) groupInfo(ctx context.Context, r *puidRoster, ct *wechat.Contact) *bridgev2.ChatInfo {
	members := []bridgev2.ChatMember{c.selfMember()}
	selfName := r.selfUserName()
	names := make([]string, len(ct.MemberList))
	for i := range ct.MemberList {
		names[i] = ct.MemberList[i].UserName
	}
	if err := c.resolveMembers(ctx, r, ct.UserName, names); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to resolve some group members, leaving them out until the next resync")
	}
	leftOut := 0
	for _, m := range ct.MemberList {
		if m.UserName == selfName {
			continue
		}
		mp, ok := r.puid(m.UserName)
		if !ok {
			leftOut++
			continue
		}
		cm := bridgev2.ChatMember{
			EventSender: bridgev2.EventSender{Sender: wxid.MakeUserID(mp)},
			Membership:  event.MembershipJoin,
		}
		known := r.contact(m.UserName)
		if known == nil {
			known = &wechat.Contact{UserName: m.UserName, NickName: m.NickName, EncryChatRoomId: ct.EncryChatRoomId}
		}
		cm.UserInfo = c.contactInfo(r, known, m.UserName)
		if dn := wechat.CleanName(m.DisplayName); dn != "" {
			cm.Nickname = ptrTo(dn)
		}
		members = append(members, cm)
	}
	info := &bridgev2.ChatInfo{
		Name: ptrTo(groupName(ct)),
		Type: ptrTo(database.RoomTypeDefault),
		Members: &bridgev2.ChatMemberList{
			// A list with members left out is not full: bridgev2 would
			// remove them from the room.
			IsFull:           len(ct.MemberList) > 0 && leftOut == 0,
			TotalMemberCount: len(ct.MemberList),
			Members:          members,
		},
	}
	if avatar := c.avatarOf(ct); avatar != nil {
		info.Avatar = avatar
	}
	return info
}

// groupName is a group's name, or for an unnamed group the names of its
// first members, as WeChat shows it.
func groupName(ct *wechat.Contact) string {
	if name := wechat.CleanName(ct.NickName); name != "" {
		return name
	}
	var names []string
	for _, m := range ct.MemberList {
		if n := wechat.CleanName(firstNonEmpty(m.DisplayName, m.NickName)); n != "" {
			names = append(names, n)
		}
		if len(names) == 3 {
			break
		}
	}
	if len(names) == 0 {
		return "WeChat group"
	}
	return strings.Join(names, ", ")
}

// GetUserInfo describes a contact (or the account itself) from the
// session's roster.
func (c *WeChatClient) GetUserInfo(ctx context.Context, ghost *bridgev2.Ghost) (*bridgev2.UserInfo, error) {
	r := c.currentRoster()
	if r == nil {
		return nil, errNotConnected
	}
	if ghost.ID == wxid.MakeSelfUserID(c.login.ID) {
		r.mu.RLock()
		self := r.self
		r.mu.RUnlock()
		return c.userInfo(&self, string(c.login.ID)), nil
	}
	ct := r.contactByPUID(string(ghost.ID))
	if ct == nil {
		return nil, nil
	}
	return c.contactInfo(r, ct, ct.UserName), nil
}

// contactInfo is userInfo for a contact of the session, where a group member
// who is not a contact has no avatar until they wrote: the official client
// loads a member's avatar only to show it, and fetching every member of
// every group at once would not look like a person. bridgev2 asks
// GetUserInfo again for every message's sender (AggressiveUpdateInfo), and
// then the avatar comes.
func (c *WeChatClient) contactInfo(r *puidRoster, ct *wechat.Contact, fallback string) *bridgev2.UserInfo {
	info := c.userInfo(ct, fallback)
	if ct.Kind() == wechat.KindStranger && !r.hasWritten(ct.UserName) {
		info.Avatar = nil
	}
	return info
}

func (c *WeChatClient) userInfo(ct *wechat.Contact, fallback string) *bridgev2.UserInfo {
	name := c.conn.Config.FormatDisplayname(DisplaynameParams{
		RemarkName: wechat.CleanName(ct.RemarkName),
		NickName:   wechat.CleanName(ct.NickName),
		Alias:      ct.Alias,
	}, fallback)
	return &bridgev2.UserInfo{
		Name:   &name,
		Avatar: c.avatarOf(ct),
		IsBot:  ptrTo(ct.Kind() == wechat.KindOfficial),
	}
}

func ptrTo[T any](v T) *T { return &v }

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
