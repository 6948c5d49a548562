package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"
)

// ensureUserInRoom checks, once per portal per run, that the user is in the
// room a message was just bridged to, and syncs the chat's members again
// when they are not. bridgev2 invites the user right after it creates a
// portal, and when the homeserver fails that one request it logs it and
// goes on: every message of the chat would then go to a room the user
// never sees. The member sync of a chat resync sends the invite again.
//
// The check reads the bridge's state store (no request to the homeserver),
// and only the first message of each portal in a run makes it.
func (c *WeChatClient) ensureUserInRoom(ctx context.Context, key networkid.PortalKey) {
	if _, checked := c.membersChecked.LoadOrStore(key.ID, struct{}{}); checked {
		return
	}
	log := zerolog.Ctx(ctx)
	portal, err := c.conn.Bridge.GetExistingPortalByKey(ctx, key)
	if err != nil || portal == nil || portal.MXID == "" {
		// No room (yet): the next message checks again.
		c.membersChecked.Delete(key.ID)
		return
	}
	member, err := c.conn.Bridge.Matrix.GetMemberInfo(ctx, portal.MXID, c.login.UserMXID)
	if err != nil {
		log.Warn().Err(err).Msg("Failed to read the user's membership in the chat's room")
		c.membersChecked.Delete(key.ID)
		return
	}
	if member != nil && (member.Membership == event.MembershipJoin || member.Membership == event.MembershipInvite) {
		return
	}
	log.Warn().Stringer("room_id", portal.MXID).
		Msg("The user is not in the chat's room (the homeserver may have failed the invite); syncing its members again")
	if res := c.resyncChat(string(key.ID), false); !res.Success {
		log.Warn().Err(res.Error).Msg("Failed to sync the chat's members again; the next message tries again")
		c.membersChecked.Delete(key.ID)
	}
}
