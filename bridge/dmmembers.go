package bridge

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
)

// errDMMembersFixed is the status of a membership change in a direct
// chat, which WeChat has no way to make. The user has been told why in
// the room already.
var errDMMembersFixed = bridgev2.WrapErrorInStatus(errors.New("a WeChat direct chat has fixed members")).
	WithIsCertain(true).WithSendNotice(false)

// handleDMMembership answers a ghost's kick or invitation in a direct
// chat's portal, which is always the user and one contact on WeChat:
// kicking the contact's ghost is undone (it joins again), inviting anyone
// else is withdrawn, and a notice says why and what to do instead.
// Inviting the contact's own ghost back lets it join; kicking any other
// ghost (one that should not be there) is left alone.
func (c *WeChatClient) handleDMMembership(ctx context.Context, msg *bridgev2.MatrixMembershipChange, ghost *bridgev2.Ghost, kick bool) (*bridgev2.MatrixMembershipResult, error) {
	contact := msg.Portal.OtherUserID
	if contact == "" {
		contact = wxid.MakeUserID(string(msg.Portal.ID))
	}
	log := zerolog.Ctx(ctx).With().Str("action", "dm membership").Str("ghost_id", string(ghost.ID)).Bool("kick", kick).Logger()
	ctx = log.WithContext(ctx)
	who := ghost.Name
	if who == "" {
		who = "This contact"
	}
	switch {
	case kick && ghost.ID == contact:
		log.Debug().Msg("Undoing the kick of a direct chat's contact")
		if err := ghost.Intent.EnsureJoined(ctx, msg.Portal.MXID); err != nil {
			log.Err(err).Msg("Failed to bring a direct chat's contact back")
		}
		c.roomNotice(ctx, msg.Portal, "A WeChat direct chat is between you and "+who+", who cannot be removed from it, so they are back in the room. "+
			"To stop seeing this chat, leave the room or send `delete-portal` here.")
		return nil, errDMMembersFixed
	case kick:
		return nil, nil
	case ghost.ID == contact:
		if err := ghost.Intent.EnsureJoined(ctx, msg.Portal.MXID); err != nil {
			log.Err(err).Msg("Failed to bring a direct chat's contact back")
		}
		return nil, nil
	}
	log.Debug().Msg("Withdrawing an invitation to a direct chat")
	_, err := c.conn.Bridge.Bot.SendState(ctx, msg.Portal.MXID, event.StateMember, ghost.Intent.GetMXID().String(),
		&event.Content{Parsed: &event.MemberEventContent{Membership: event.MembershipLeave, Reason: "A WeChat direct chat has only two people"}}, time.Now())
	if err != nil {
		log.Err(err).Msg("Failed to withdraw an invitation to a direct chat")
	}
	c.roomNotice(ctx, msg.Portal, "A WeChat direct chat has only two people, so "+who+" was not added. "+
		"To write to them, invite their ghost to a new direct chat; to talk with both, start a group on your phone.")
	return nil, errDMMembersFixed
}
