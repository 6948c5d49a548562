package wechat

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Functions of webwxupdatechatroom (reference §8.3).
const (
	ChatRoomAddMember    = "addmember"
	ChatRoomInviteMember = "invitemember"
	ChatRoomDelMember    = "delmember"
	ChatRoomModTopic     = "modtopic"
)

// DefaultInviteStartCount is the group size from which adding people needs
// an invitation when webwxinit does not say (the official client's 40).
const DefaultInviteStartCount = 40

// UpdateChatRoomRequest is the body of webwxupdatechatroom. Each fun reads
// one of the optional fields; the member lists are comma-joined UserNames.
type UpdateChatRoomRequest struct {
	BaseRequest      BaseRequest
	ChatRoomName     string
	NewTopic         string `json:",omitempty"`
	AddMemberList    string `json:",omitempty"`
	InviteMemberList string `json:",omitempty"`
	DelMemberList    string `json:",omitempty"`
}

// RenameGroup sets a group's name (fun=modtopic). The change comes back
// in a later sync as a ModContactList entry and a system message.
func (c *Client) RenameGroup(ctx context.Context, group, name string) error {
	if name == "" {
		return fmt.Errorf("wechat: a group name cannot be empty")
	}
	return c.updateChatRoom(ctx, ChatRoomModTopic, UpdateChatRoomRequest{ChatRoomName: group, NewTopic: name})
}

// RemoveMembers removes people from a group (fun=delmember). Only the
// group's owner may; WeChat refuses anyone else.
func (c *Client) RemoveMembers(ctx context.Context, group string, users []string) error {
	if len(users) == 0 {
		return fmt.Errorf("wechat: no members to remove")
	}
	return c.updateChatRoom(ctx, ChatRoomDelMember, UpdateChatRoomRequest{ChatRoomName: group, DelMemberList: strings.Join(users, ",")})
}

// AddMembers adds friends to a group of memberCount members. Below the
// account's InviteStartCount they are added directly (fun=addmember); from
// it on, as the official client does, they get an invitation
// (fun=invitemember). It returns the fun it used.
func (c *Client) AddMembers(ctx context.Context, group string, users []string, memberCount int) (string, error) {
	if len(users) == 0 {
		return "", fmt.Errorf("wechat: no members to add")
	}
	req := UpdateChatRoomRequest{ChatRoomName: group}
	fun := ChatRoomAddMember
	if memberCount >= c.InviteStartCount() {
		fun = ChatRoomInviteMember
		req.InviteMemberList = strings.Join(users, ",")
	} else {
		req.AddMemberList = strings.Join(users, ",")
	}
	return fun, c.updateChatRoom(ctx, fun, req)
}

// InviteStartCount is the group size from which adding people needs an
// invitation, as webwxinit said (DefaultInviteStartCount before Init or
// when it did not say).
func (c *Client) InviteStartCount() int {
	if n := int(c.inviteStart.Load()); n > 0 {
		return n
	}
	return DefaultInviteStartCount
}

func (c *Client) updateChatRoom(ctx context.Context, fun string, req UpdateChatRoomRequest) error {
	v := c.view()
	req.BaseRequest = v.base
	q := url.Values{"fun": {fun}, "lang": {"zh_CN"}}
	var resp GenericResponse
	if err := c.t.callJSON(ctx, "webwxupdatechatroom", c.webURL(v, "webwxupdatechatroom", q), req, &resp); err != nil {
		return fmt.Errorf("webwxupdatechatroom %s: %w", fun, err)
	}
	return nil
}
