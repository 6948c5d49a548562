package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

var (
	_ bridgev2.RoomNameHandlingNetworkAPI   = (*WeChatClient)(nil)
	_ bridgev2.MembershipHandlingNetworkAPI = (*WeChatClient)(nil)
)

// errGroupOpRefused is the status of a group change WeChat (or the bridge,
// for WeChat) refused. The user has been told why in the room already.
var errGroupOpRefused = bridgev2.WrapErrorInStatus(errors.New("WeChat refused the change")).
	WithIsCertain(true).WithSendNotice(false)

// HandleMatrixRoomName renames the WeChat group of a portal (modtopic).
// The portal takes the new name at once, so that WeChat's echo of the
// change (the group's new record) finds nothing to change. When WeChat
// refuses, the room gets its old name back and a notice says why.
func (c *WeChatClient) HandleMatrixRoomName(ctx context.Context, msg *bridgev2.MatrixRoomName) (bool, error) {
	log := zerolog.Ctx(ctx).With().Str("action", "rename group").Logger()
	ctx = log.WithContext(ctx)
	wx, group, err := c.groupOfPortal(ctx, msg.Portal)
	if err != nil {
		return false, err
	}
	name := strings.TrimSpace(msg.Content.Name)
	if name == "" {
		c.undoRoomName(ctx, msg.Portal)
		c.roomNotice(ctx, msg.Portal, "WeChat groups cannot have an empty name, so the group keeps the name \""+msg.Portal.Name+"\". Choose a name to rename it.")
		return false, errGroupOpRefused
	}
	if err = wx.RenameGroup(ctx, group, name); err != nil {
		log.Warn().Err(err).Msg("WeChat refused to rename the group")
		c.undoRoomName(ctx, msg.Portal)
		c.roomNotice(ctx, msg.Portal, "WeChat did not rename the group, so it keeps the name \""+msg.Portal.Name+"\": "+
			refusalText(err)+" Try again later, or rename it on your phone.")
		return false, errGroupOpRefused
	}
	log.Debug().Msg("Renamed the group on WeChat")
	msg.Portal.Name = name
	msg.Portal.NameSet = true
	return true, nil
}

// HandleMatrixMembership removes a member's ghost from the WeChat group
// when the user kicks it (delmember, owner only) and adds a friend's ghost
// when the user invites it (addmember, or invitemember from the account's
// InviteStartCount on). A refused change is undone in the room and a
// notice says why. Other membership changes are not WeChat's to make.
func (c *WeChatClient) HandleMatrixMembership(ctx context.Context, msg *bridgev2.MatrixMembershipChange) (*bridgev2.MatrixMembershipResult, error) {
	ghost, ok := msg.Target.(*bridgev2.Ghost)
	// The previous membership is not always known (Dendrite sends no
	// prev_content to appservices), so a kick is any leave the user made
	// for a ghost.
	kick := msg.Type.To == event.MembershipLeave && !msg.Type.IsSelf
	if !ok || (!kick && msg.Type.To != event.MembershipInvite) {
		return nil, nil
	}
	if msg.Portal.RoomType == database.RoomTypeDM {
		return c.handleDMMembership(ctx, msg, ghost, kick)
	}
	log := zerolog.Ctx(ctx).With().Str("action", "group membership").Str("ghost_id", string(ghost.ID)).Logger()
	ctx = log.WithContext(ctx)
	wx, group, err := c.groupOfPortal(ctx, msg.Portal)
	if err != nil {
		return nil, err
	}
	_, r := c.currentSession()
	who := ghost.Name
	if who == "" {
		who = "This contact"
	}
	member, err := c.chatUserName(ctx, r, string(ghost.ID))
	if err != nil {
		c.undoMembership(ctx, msg, ghost)
		c.roomNotice(ctx, msg.Portal, who+" is not in your current WeChat session, so the bridge cannot change their membership; the room was put back as it was.")
		return nil, errGroupOpRefused
	}
	gc := r.contact(group)
	if kick {
		if gc != nil && gc.ChatRoomOwner != "" && gc.ChatRoomOwner != r.selfUserName() {
			log.Debug().Msg("Not removing a member: the user does not own the group")
			c.undoMembership(ctx, msg, ghost)
			c.roomNotice(ctx, msg.Portal, "Only the group's owner can remove members on WeChat, and you do not own this group, so "+
				who+" is still in it. Ask the owner to remove them.")
			return nil, errGroupOpRefused
		}
		if err = wx.RemoveMembers(ctx, group, []string{member}); err != nil {
			log.Warn().Err(err).Msg("WeChat refused to remove a member")
			c.undoMembership(ctx, msg, ghost)
			c.roomNotice(ctx, msg.Portal, "WeChat did not remove "+who+" from the group, so they are still in it: "+refusalText(err)+
				" Only the group's owner can remove members.")
			return nil, errGroupOpRefused
		}
		log.Debug().Msg("Removed a member from the WeChat group")
		return nil, nil
	}
	count := 0
	if gc != nil {
		count = max(gc.MemberCount, len(gc.MemberList))
	}
	fun, err := wx.AddMembers(ctx, group, []string{member}, count)
	if err != nil {
		log.Warn().Err(err).Str("fun", fun).Msg("WeChat refused to add a member")
		c.undoMembership(ctx, msg, ghost)
		c.roomNotice(ctx, msg.Portal, "WeChat did not add "+who+" to the group: "+refusalText(err)+
			" Only your WeChat friends can be added; add them as a friend first, or invite them on your phone.")
		return nil, errGroupOpRefused
	}
	log.Debug().Str("fun", fun).Msg("Added a member to the WeChat group")
	if fun == wechat.ChatRoomInviteMember {
		c.roomNotice(ctx, msg.Portal, "The group is large, so WeChat sent "+who+" an invitation; they join the group when they accept it.")
	}
	return nil, nil
}

// groupOfPortal is the current session and group UserName of a group
// portal. Other portals (direct chats) have no members to change.
func (c *WeChatClient) groupOfPortal(ctx context.Context, portal *bridgev2.Portal) (*wechat.Client, string, error) {
	wx, r := c.currentSession()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return nil, "", bridgev2.ErrNotLoggedIn
	}
	group, err := c.chatUserName(ctx, r, string(portal.ID))
	if err != nil {
		return nil, "", err
	}
	if !strings.HasPrefix(group, "@@") {
		return nil, "", bridgev2.ErrRoomMetadataNotAllowed
	}
	return wx, group, nil
}

// refusalText says what WeChat answered, as a sentence.
func refusalText(err error) string {
	var re *wechat.RetError
	switch {
	case errors.As(err, &re) && re.Message != "":
		return fmt.Sprintf("WeChat answered %q (error %d).", re.Message, re.Ret)
	case errors.As(err, &re):
		return fmt.Sprintf("WeChat answered with error %d.", re.Ret)
	}
	return "the request failed (" + err.Error() + ")."
}

// undoRoomName puts the portal's name back on the room.
func (c *WeChatClient) undoRoomName(ctx context.Context, portal *bridgev2.Portal) {
	_, err := c.conn.Bridge.Bot.SendState(ctx, portal.MXID, event.StateRoomName, "",
		&event.Content{Parsed: &event.RoomNameEventContent{Name: portal.Name}}, time.Now())
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to put the room's name back")
	}
}

// undoMembership reverses a kick (the ghost joins again) or an invite (the
// invitation is withdrawn) that WeChat did not carry out.
func (c *WeChatClient) undoMembership(ctx context.Context, msg *bridgev2.MatrixMembershipChange, ghost *bridgev2.Ghost) {
	var err error
	if msg.Type.To == event.MembershipLeave {
		err = ghost.Intent.EnsureJoined(ctx, msg.Portal.MXID)
	} else {
		_, err = c.conn.Bridge.Bot.SendState(ctx, msg.Portal.MXID, event.StateMember, ghost.Intent.GetMXID().String(),
			&event.Content{Parsed: &event.MemberEventContent{Membership: event.MembershipLeave, Reason: "WeChat did not add them to the group"}}, time.Now())
	}
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to undo a membership change WeChat refused")
	}
}
