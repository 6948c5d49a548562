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
// never sees. Queueing the chat resync invites the user again (bridgev2
// does so for an event to a room the user is not known to be in), and its
// member sync leaves an invited user alone (see selfMember).
//
// The check reads the bridge's state store (no request to the homeserver),
// and only the first message of each portal in a run makes it. It holds
// the chat's lock, so that a sync of the chat's members already under way
// (a contact update) ends first, with its invite in the state store: two
// invites at once can cross the user's join, which Dendrite then takes for
// an invite (see selfMember).
func (c *WeChatClient) ensureUserInRoom(ctx context.Context, key networkid.PortalKey) {
	if _, checked := c.membersChecked.LoadOrStore(key.ID, struct{}{}); checked {
		return
	}
	log := zerolog.Ctx(ctx)
	defer c.chatLocks.lock(string(key.ID))()
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
	if res := c.queueResync(string(key.ID), false); !res.Success {
		log.Warn().Err(res.Error).Msg("Failed to sync the chat's members again; the next message tries again")
		c.membersChecked.Delete(key.ID)
	}
}
