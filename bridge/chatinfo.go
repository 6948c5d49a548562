package bridge

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

var errNotConnected = fmt.Errorf("bridge: not connected to WeChat")

// GetChatInfo describes a chat from the session's roster.
func (c *WeChatClient) GetChatInfo(ctx context.Context, portal *bridgev2.Portal) (*bridgev2.ChatInfo, error) {
	r := c.currentRoster()
	if r == nil {
		return nil, errNotConnected
	}
	puid := string(portal.ID)
	ct := r.contactByPUID(puid)
	if ct == nil {
		return nil, fmt.Errorf("bridge: chat %s is not in the current WeChat session", puid)
	}
	self := bridgev2.ChatMember{
		EventSender: bridgev2.EventSender{IsFromMe: true, SenderLogin: c.login.ID, Sender: wxid.MakeSelfUserID(c.login.ID)},
		Membership:  event.MembershipJoin,
	}
	if !wechat.IsGroupUserName(ct.UserName) {
		other := wxid.MakeUserID(puid)
		return &bridgev2.ChatInfo{
			Type: ptrTo(database.RoomTypeDM),
			Members: &bridgev2.ChatMemberList{
				IsFull:      true,
				OtherUserID: other,
				Members: []bridgev2.ChatMember{self, {
					EventSender: bridgev2.EventSender{Sender: other},
					Membership:  event.MembershipJoin,
				}},
			},
		}, nil
	}
	members := []bridgev2.ChatMember{self}
	selfName := r.selfUserName()
	for _, m := range ct.MemberList {
		if m.UserName == selfName {
			continue
		}
		mp, ok := r.puid(m.UserName)
		if !ok {
			continue
		}
		cm := bridgev2.ChatMember{
			EventSender: bridgev2.EventSender{Sender: wxid.MakeUserID(mp)},
			Membership:  event.MembershipJoin,
		}
		if dn := wechat.CleanName(m.DisplayName); dn != "" {
			cm.Nickname = ptrTo(dn)
		}
		members = append(members, cm)
	}
	return &bridgev2.ChatInfo{
		Name: ptrTo(wechat.CleanName(ct.NickName)),
		Type: ptrTo(database.RoomTypeDefault),
		Members: &bridgev2.ChatMemberList{
			IsFull:           len(ct.MemberList) > 0,
			TotalMemberCount: len(ct.MemberList),
			Members:          members,
		},
	}, nil
}

// GetUserInfo describes a contact from the session's roster.
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
	return c.userInfo(ct, ct.UserName), nil
}

func (c *WeChatClient) userInfo(ct *wechat.Contact, fallback string) *bridgev2.UserInfo {
	name := c.conn.Config.FormatDisplayname(DisplaynameParams{
		RemarkName: wechat.CleanName(ct.RemarkName),
		NickName:   wechat.CleanName(ct.NickName),
		Alias:      ct.Alias,
	}, fallback)
	return &bridgev2.UserInfo{
		Name:  &name,
		IsBot: ptrTo(ct.Kind() == wechat.KindOfficial),
	}
}

func ptrTo[T any](v T) *T { return &v }
