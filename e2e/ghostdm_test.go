package e2e_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestGhostDM: as in mautrix bridges, the user starts a direct chat by
// creating a room marked as direct and inviting a contact's ghost. A
// friend's ghost joins, the bot joins, the room becomes the friend's DM
// portal (named after them) and carries messages both ways. A group member
// who is not a friend (WeChat delivers nothing to them), a contact who
// already has a DM portal the user is in, and a user with no WeChat login
// get a sentence in the room, and nothing reaches WeChat.
func TestGhostDM(t *testing.T) {
	const loggedOut = "newcomer"
	e := setup(t, stack.Options{Users: []stack.Account{{Localpart: loggedOut}}})
	e.login(e.u, e.s.Sim, defaultSelf)
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"), seedName("erin"))
	bob, erin, alice := family.ghosts[seedName("bob")], family.ghosts[seedName("erin")], family.ghosts[seedName("alice")]
	dmRoom := func(e *env, u *stack.User, ghost id.UserID) id.RoomID {
		e.t.Helper()
		resp, err := u.Client.CreateRoom(e.ctx, &mautrix.ReqCreateRoom{Invite: []id.UserID{ghost}, IsDirect: true, Preset: "trusted_private_chat"})
		require.NoError(e.t, err)
		return resp.RoomID
	}
	sentTo := func(who string) []string {
		var out []string
		for _, m := range e.s.Sim.Sent() {
			if m.ToID == who {
				out = append(out, m.Msg.Content)
			}
		}
		return out
	}
	waitLeft := func(e *env, room id.RoomID, who id.UserID) {
		e.t.Helper()
		e.waitUntil(who.String()+" to leave", func(ctx context.Context) (bool, error) {
			var m event.MemberEventContent
			_, err := e.u.StateEvent(ctx, room, event.StateMember, who.String(), &m)
			return err == nil && m.Membership == event.MembershipLeave, err
		})
	}

	var bobRoom id.RoomID
	t.Run("a friend", func(t *testing.T) {
		e := e.sub(t)
		room := dmRoom(e, e.u, bob)
		bobRoom = room
		require.NoError(t, e.u.WaitJoined(e.ctx, room, bob, e.s.Bridge.Bot), "bob's ghost and the bot join")
		_, err := e.u.WaitEvent(e.ctx, room, "bridgev2's notice", stack.Text(bob, "Private chat portal created"))
		require.NoError(t, err)
		_, err = e.u.WaitState(e.ctx, room, event.StateRoomName, "", "the room named after bob", func(evt *event.Event) bool {
			return evt.Content.AsRoomName().Name == seedName("bob")
		})
		require.NoError(t, err)

		_, err = e.u.SendText(e.ctx, room, "hello bob")
		require.NoError(t, err)
		m := e.waitSent(e.s.Sim, "the message to bob", func(m wechattest.SentMessage) bool {
			return m.ToID == "bob" && m.Msg.Content == "hello bob"
		})
		assert.Equal(t, e.s.Sim.UserName("bob"), m.Msg.ToUserName)
		e.s.Sim.InjectText("bob", "", "hi from bob")
		e.waitMessage(e.u, room, bob, "hi from bob")
	})

	t.Run("a group member who is not a friend", func(t *testing.T) {
		e := e.sub(t)
		room := dmRoom(e, e.u, erin)
		notice, err := e.u.WaitEvent(e.ctx, room, "the refusal", stack.Text(erin, "is not your WeChat friend"))
		require.NoError(t, err)
		assert.Equal(t, seedName("erin")+" is in one of your WeChat groups but is not your WeChat friend, and WeChat delivers direct messages only between friends. "+
			"Add them as a friend on your phone, then invite them again; their messages in the group still reach you there.", stack.Message(notice).Body)
		assert.Equal(t, event.MsgNotice, stack.Message(notice).MsgType)
		waitLeft(e, room, erin)
		_, err = e.u.SendText(e.ctx, room, "hello erin")
		require.NoError(t, err)
		// A later message to a friend is sent; nothing went to erin before it.
		e.s.Sim.InjectText("family", "alice", "ping")
		e.waitMessage(e.u, family.ID, alice, "ping")
		assert.Empty(t, sentTo("erin"))
		var bot event.MemberEventContent
		found, _ := e.u.StateEvent(e.ctx, room, event.StateMember, e.s.Bridge.Bot.String(), &bot)
		assert.False(t, found && bot.Membership == event.MembershipJoin, "the bot is not in the room")
	})

	t.Run("a contact who already has a direct chat", func(t *testing.T) {
		e := e.sub(t)
		existing := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
		room := dmRoom(e, e.u, alice)
		notice, err := e.u.WaitEvent(e.ctx, room, "the link to the existing chat", stack.Text(alice, "You already have a direct chat with me at "))
		require.NoError(t, err)
		assert.Contains(t, stack.Message(notice).Body, existing.ID.String())
		waitLeft(e, room, alice)
		require.NoError(t, e.u.WaitJoined(e.ctx, existing.ID, alice), "the existing chat is kept")
	})

	t.Run("a contact whose direct chat the user left", func(t *testing.T) {
		e := e.sub(t)
		old := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
		_, err := e.u.Client.LeaveRoom(e.ctx, old.ID)
		require.NoError(t, err)
		room := dmRoom(e, e.u, alice)
		_, err = e.u.WaitEvent(e.ctx, room, "bridgev2's notice", stack.Text(alice, "Private chat portal created"))
		require.NoError(t, err)
		_, err = e.u.WaitState(e.ctx, room, event.StateRoomName, "", "the room named after alice", func(evt *event.Event) bool {
			return evt.Content.AsRoomName().Name == seedName("alice")
		})
		require.NoError(t, err)
		e.s.Sim.InjectText("alice", "", "found you again")
		e.waitMessage(e.u, room, alice, "found you again")
	})

	t.Run("IDs that are no contact", func(t *testing.T) {
		var bridgeInfo event.BridgeEventContent
		_, err := e.u.StateEvent(e.ctx, family.ID, event.StateBridge, "localhost/wechat", &bridgeInfo)
		require.NoError(t, err)
		for _, tt := range []struct {
			name  string
			ghost id.UserID
			want  string
		}{
			{"a group's ID", e.s.Bridge.GhostMXID(bridgeInfo.Channel.ID), "is a WeChat group, not a person"},
			{"an unknown ID", e.s.Bridge.GhostMXID("aaaaaaaaaaaaaaaa"), "This contact is not among the contacts of your current WeChat session"},
			{"an ID of no shape", e.s.Bridge.GhostMXID("hello"), "This contact is not among the contacts of your current WeChat session"},
			{"the user's own account", e.s.Bridge.GhostMXID("self_" + strconv.FormatInt(e.s.Sim.SelfUin(), 10)), "This is your own WeChat account"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := e.sub(t)
				room := dmRoom(e, e.u, tt.ghost)
				_, err := e.u.WaitEvent(e.ctx, room, "the refusal", stack.Text(tt.ghost, tt.want))
				require.NoError(t, err)
				waitLeft(e, room, tt.ghost)
			})
		}
	})

	t.Run("the members of a direct chat stay", func(t *testing.T) {
		require.NotEmpty(t, bobRoom, "needs bob's direct chat")
		e := e.sub(t)
		_, err := e.u.Client.InviteUser(e.ctx, bobRoom, &mautrix.ReqInviteUser{UserID: erin})
		require.NoError(t, err)
		notice, err := e.u.WaitEvent(e.ctx, bobRoom, "the notice about the invitation", stack.Text(e.s.Bridge.Bot, "was not added"))
		require.NoError(t, err)
		assert.Equal(t, "A WeChat direct chat has only two people, so "+seedName("erin")+" was not added. "+
			"To write to them, invite their ghost to a new direct chat; to talk with both, start a group on your phone.", stack.Message(notice).Body)
		waitLeft(e, bobRoom, erin)

		_, err = e.u.Client.KickUser(e.ctx, bobRoom, &mautrix.ReqKickUser{UserID: bob})
		require.NoError(t, err)
		notice, err = e.u.WaitEvent(e.ctx, bobRoom, "the notice about the kick", stack.Text(e.s.Bridge.Bot, "cannot be removed"))
		require.NoError(t, err)
		assert.Equal(t, event.MsgNotice, stack.Message(notice).MsgType)
		require.NoError(t, e.u.WaitJoined(e.ctx, bobRoom, bob), "the kick is undone")
		assert.Empty(t, e.s.Sim.ChatRoomUpdates(), "nothing was asked of WeChat")
	})

	t.Run("no WeChat login", func(t *testing.T) {
		e := e.sub(t)
		u, err := e.s.Login(e.ctx, loggedOut)
		require.NoError(t, err)
		room := dmRoom(e, u, bob)
		_, err = u.WaitEvent(e.ctx, room, "the refusal", stack.Text(bob, "You are not logged in to WeChat"))
		require.NoError(t, err)
	})
	assert.Empty(t, e.s.Sim.Violations())
}
