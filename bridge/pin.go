package bridge

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// Pinned chats (ContactFlag 0x800) and Matrix's favourite tag, both ways
// (reference §3.7, §8.2).

var _ bridgev2.TagHandlingNetworkAPI = (*WeChatClient)(nil)

// pinInfo is the user's own view of a chat: m.favourite when it is pinned
// on WeChat, no favourite otherwise. bridgev2 applies it with double
// puppeting, following bridge.tag_only_on_create and only_bridge_tags.
func pinInfo(ct *wechat.Contact) *bridgev2.UserLocalPortalInfo {
	tag := event.RoomTag("")
	if ct.ContactFlag&wechat.ContactFlagTop != 0 {
		tag = event.RoomTagFavourite
	}
	return &bridgev2.UserLocalPortalInfo{Tag: &tag}
}

// HandleRoomTag pins a chat on WeChat when its portal gets the favourite
// tag and unpins it when the tag goes (webwxoplog CmdId 3), sending the
// contact's current remark name, which the call would otherwise clear.
// Other tags are not WeChat's business.
func (c *WeChatClient) HandleRoomTag(ctx context.Context, msg *bridgev2.MatrixRoomTag) error {
	_, fav := msg.Content.Tags[event.RoomTagFavourite]
	wx, r := c.currentSession()
	if wx == nil || r == nil {
		return bridgev2.ErrNotLoggedIn
	}
	userName, err := c.chatUserName(ctx, r, string(msg.Portal.ID))
	if err != nil {
		return err
	}
	ct := r.contact(userName)
	if ct == nil {
		return ErrChatNotInSession
	}
	if pinned := ct.ContactFlag&wechat.ContactFlagTop != 0; pinned == fav {
		return nil
	}
	if err = wx.SetPinned(ctx, userName, fav, ct.RemarkName); err != nil {
		// A tag has no delivery status to show a failure: say it in the room.
		what, tag := "pin", "is a favourite"
		if !fav {
			what, tag = "unpin", "is no longer a favourite"
		}
		c.roomNotice(ctx, msg.Portal, fmt.Sprintf("WeChat did not %s this chat (%s). The room %s only in Matrix; %s it on your phone, or change the tag again later.",
			what, describeWeChatError(err), tag, what))
		return fmt.Errorf("pinning the chat on WeChat: %w", err)
	}
	return nil
}
