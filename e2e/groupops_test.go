package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestGroupOps: the user runs WeChat groups from Matrix. Renaming a portal
// renames the group (modtopic) and WeChat's echo leaves the name alone;
// kicking a ghost removes the member (delmember) when the user owns the
// group, and in a group someone else owns the kick is undone with a
// notice saying why; inviting a friend's ghost adds them (addmember), and
// WeChat's refusal to add someone who is not a friend is undone with a
// notice.
func TestGroupOps(t *testing.T) {
	e := setup(t, stack.Options{})
	// A group carol owns: only she may remove members.
	e.s.Sim.AddContact(wechattest.SeedContact{ID: "carols", NickName: "Carol's Club", Group: true, SavedToContacts: true,
		Owner: "carol", Members: []string{"carol", wechattest.SelfID, "frank"}})
	// A group of InviteStartCount (40) members: WeChat invites instead.
	club := []string{wechattest.SelfID}
	for i := range 39 {
		club = append(club, fmt.Sprintf("member%02d", i))
	}
	e.s.Sim.AddContact(wechattest.SeedContact{ID: "club", NickName: "Big Club", Group: true, SavedToContacts: true, Members: club})
	e.login(e.u, e.s.Sim, defaultSelf)
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"), seedName("erin"))
	carols := e.waitPortal(e.u, "Carol's Club", seedName("carol"), seedName("frank"))
	erin, carol, frank := family.ghosts[seedName("erin")], carols.ghosts[seedName("carol")], carols.ghosts[seedName("frank")]
	updates := func(group string) []wechattest.ChatRoomUpdate {
		return slices.DeleteFunc(e.s.Sim.ChatRoomUpdates(), func(u wechattest.ChatRoomUpdate) bool { return u.GroupID != group })
	}

	t.Run("rename", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.Client.SendStateEvent(e.ctx, family.ID, event.StateRoomName, "", &event.RoomNameEventContent{Name: "Family 2027"})
		require.NoError(t, err)
		// WeChat's echo: the group's new record and the phone's notice.
		_, err = e.u.WaitEvent(e.ctx, family.ID, "WeChat's rename notice", stack.Text("", "你修改群名为“Family 2027”"))
		require.NoError(t, err)
		assert.Equal(t, []wechattest.ChatRoomUpdate{{Fun: "modtopic", GroupID: "family", Topic: "Family 2027"}}, updates("family"))
		// Everything the echo caused is in the room once a later message is.
		e.s.Sim.InjectText("family", "alice", "nice name")
		e.waitMessage(e.u, family.ID, family.ghosts[seedName("alice")], "nice name")
		var name event.RoomNameEventContent
		_, err = e.u.StateEvent(e.ctx, family.ID, event.StateRoomName, "", &name)
		require.NoError(t, err)
		assert.Equal(t, "Family 2027", name.Name)
		events, err := e.u.Events(e.ctx, family.ID)
		require.NoError(t, err)
		var renames []string
		for _, evt := range events {
			if evt.Type == event.StateRoomName {
				renames = append(renames, evt.Sender.String()+": "+evt.Content.AsRoomName().Name)
			}
		}
		assert.Equal(t, e.u.ID.String()+": Family 2027", renames[len(renames)-1], "the user's rename is the last: %q", renames)
		assert.Equal(t, 1, count(renames, e.u.ID.String()+": Family 2027"), "the name was set once: %q", renames)
	})

	t.Run("remove as owner", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.Client.KickUser(e.ctx, family.ID, &mautrix.ReqKickUser{UserID: erin})
		require.NoError(t, err)
		_, err = e.u.WaitEvent(e.ctx, family.ID, "WeChat's removal notice", stack.Text("", "移出了群聊"))
		require.NoError(t, err)
		assert.Equal(t, wechattest.ChatRoomUpdate{Fun: "delmember", GroupID: "family", Members: []string{"erin"}}, updates("family")[1])
		e.s.Sim.InjectText("family", "alice", "bye erin")
		e.waitMessage(e.u, family.ID, family.ghosts[seedName("alice")], "bye erin")
		assertMembership(e, family.ID, erin, event.MembershipLeave)
	})

	t.Run("remove from a group the user does not own", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.Client.KickUser(e.ctx, carols.ID, &mautrix.ReqKickUser{UserID: frank})
		require.NoError(t, err)
		notice, err := e.u.WaitEvent(e.ctx, carols.ID, "the refusal notice", stack.Text(e.s.Bridge.Bot, "Only the group's owner can remove members"))
		require.NoError(t, err)
		assert.Equal(t, "Only the group's owner can remove members on WeChat, and you do not own this group, so "+
			seedName("frank")+" is still in it. Ask the owner to remove them.", stack.Message(notice).Body)
		assert.Equal(t, event.MsgNotice, stack.Message(notice).MsgType)
		require.NoError(t, e.u.WaitJoined(e.ctx, carols.ID, frank), "the kick is undone")
		assert.Empty(t, updates("carols"), "nothing was asked of WeChat")
	})

	t.Run("add a friend", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.Client.InviteUser(e.ctx, family.ID, &mautrix.ReqInviteUser{UserID: carol})
		require.NoError(t, err)
		_, err = e.u.WaitEvent(e.ctx, family.ID, "WeChat's notice that carol joined", stack.Text("", "加入了群聊"))
		require.NoError(t, err)
		got := updates("family")
		assert.Equal(t, wechattest.ChatRoomUpdate{Fun: "addmember", GroupID: "family", Members: []string{"carol"}}, got[len(got)-1])
		require.NoError(t, e.u.WaitJoined(e.ctx, family.ID, carol), "carol's ghost joins the group's room")
	})

	t.Run("add to a group of 40", func(t *testing.T) {
		e := e.sub(t)
		big := e.waitPortal(e.u, "Big Club")
		alice := family.ghosts[seedName("alice")]
		_, err := e.u.Client.InviteUser(e.ctx, big.ID, &mautrix.ReqInviteUser{UserID: alice})
		require.NoError(t, err)
		notice, err := e.u.WaitEvent(e.ctx, big.ID, "the invitation notice", stack.Text(e.s.Bridge.Bot, "WeChat sent"))
		require.NoError(t, err)
		assert.Equal(t, "The group is large, so WeChat sent "+seedName("alice")+
			" an invitation; they join the group when they accept it.", stack.Message(notice).Body)
		assert.Equal(t, []wechattest.ChatRoomUpdate{{Fun: "invitemember", GroupID: "club", Members: []string{"alice"}}}, updates("club"))
		assertMembership(e, big.ID, alice, event.MembershipInvite)
	})

	t.Run("add someone who is not a friend", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.Client.InviteUser(e.ctx, carols.ID, &mautrix.ReqInviteUser{UserID: erin})
		require.NoError(t, err)
		notice, err := e.u.WaitEvent(e.ctx, carols.ID, "the refusal notice", stack.Text(e.s.Bridge.Bot, "WeChat did not add "+seedName("erin")))
		require.NoError(t, err)
		assert.Contains(t, stack.Message(notice).Body, "only friends can be added to a group")
		assert.Contains(t, stack.Message(notice).Body, "add them as a friend first")
		e.waitUntil("the invitation is withdrawn", func(ctx context.Context) (bool, error) {
			var m event.MemberEventContent
			_, err := e.u.StateEvent(ctx, carols.ID, event.StateMember, erin.String(), &m)
			return err == nil && m.Membership == event.MembershipLeave, nil
		})
		assert.Empty(t, updates("carols"))
		assert.Equal(t, []string{"only friends can be added to a group"}, e.s.Sim.ChatRoomRefusals())
	})
	assert.Empty(t, e.s.Sim.Violations())
}

// assertMembership checks a member's current membership in a room.
func assertMembership(e *env, room id.RoomID, user id.UserID, want event.Membership) {
	e.t.Helper()
	var m event.MemberEventContent
	_, err := e.u.StateEvent(e.ctx, room, event.StateMember, user.String(), &m)
	require.NoError(e.t, err)
	assert.Equal(e.t, want, m.Membership)
}
