package e2e_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestCreateGroup: the user creates WeChat groups from Matrix. In a room
// of their own with the bot and two friends' ghosts, `create-group` first
// tells the user the power the bot needs there (WeChat is not asked); once
// granted, it is refused as web WeChat refuses most accounts since 2018
// (the simulator's default): the user reads what happened and what to do,
// and the room stays as it was. Where WeChat allows it, the same command
// creates the group (one webwxcreatechatroom with the room's name and both
// friends) and makes that room its portal: named by the bridge, both
// ghosts joined, messages both ways, no second room. The provisioning API
// (no room) creates the group with a new room. When
// WeChat refuses but creates the group all the same, its room opens by
// itself with the phone's notice, as the refusal says.
func TestCreateGroup(t *testing.T) {
	e := setup(t, stack.Options{})
	e.login(e.u, e.s.Sim, defaultSelf)
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))
	alice, bob := family.ghosts[seedName("alice")], family.ghosts[seedName("bob")]
	room := e.roomForGroup("Hike", alice, bob)
	accepted := func() []wechattest.CreatedChatRoom {
		var out []wechattest.CreatedChatRoom
		for _, c := range e.s.Sim.CreatedChatRooms() {
			if c.GroupID != "" {
				out = append(out, c)
			}
		}
		return out
	}
	provision := func(name string) error {
		body := map[string]any{"name": map[string]string{"name": name}, "participants": []id.UserID{alice, bob}}
		var resp struct {
			ID   string    `json:"id"`
			MXID id.RoomID `json:"mxid"`
		}
		err := stack.Provision(e.ctx, http.DefaultClient, e.s.Bridge.URL, e.u.Client.AccessToken, e.u.ID,
			http.MethodPost, "/_matrix/provision/v3/create_group/group", body, &resp)
		if err == nil && (resp.ID == "" || resp.MXID == "") {
			err = fmt.Errorf("no portal in the answer: %+v", resp)
		}
		return err
	}

	t.Run("bot without power", func(t *testing.T) {
		e := e.sub(t)
		after := e.command(e.u, room, "!wx create-group")
		reply := stack.Message(e.botReply(e.u, room, after, "Failed to create group: the bridge bot"))
		t.Logf("the bot answered: %s", reply.Body)
		assert.Contains(t, reply.Body, "has power level 0 in this room and needs 100 to run it as the WeChat group's room")
		assert.Contains(t, reply.Body, "Give it power level 100 (room settings, Roles & Permissions), then run create-group again.")
		assert.Empty(t, e.s.Sim.CreatedChatRooms(), "WeChat was not asked")
		// What the reply asks for, as Element's Roles & Permissions does it.
		var pl event.PowerLevelsEventContent
		require.NoError(t, e.u.Client.StateEvent(e.ctx, room, event.StatePowerLevels, "", &pl))
		pl.SetUserLevel(e.s.Bridge.Bot, 100)
		_, err := e.u.Client.SendStateEvent(e.ctx, room, event.StatePowerLevels, "", &pl)
		require.NoError(t, err)
	})

	t.Run("refused", func(t *testing.T) {
		e := e.sub(t)
		after := e.command(e.u, room, "!wx create-group")
		reply := stack.Message(e.botReply(e.u, room, after, "Failed to create group: WeChat refused to create the group"))
		t.Logf("the bot answered: %s", reply.Body)
		assert.Contains(t, reply.Body, "Web WeChat has not been allowed to create groups for most accounts since 2018.")
		assert.Contains(t, reply.Body, "Create the group on your phone instead; the bridge opens a room for it when its first message arrives.")
		created := e.s.Sim.CreatedChatRooms()
		require.Len(t, created, 1, "one webwxcreatechatroom")
		assert.Equal(t, "Hike", created[0].Topic)
		assert.ElementsMatch(t, []string{"alice", "bob"}, created[0].Members, "the room's two ghosts")
		assert.Equal(t, wechattest.GroupCreationRefused, created[0].Answer)
		assert.Empty(t, created[0].GroupID, "WeChat made no group")
		rooms, err := e.u.Rooms(e.ctx)
		require.NoError(t, err)
		for _, ri := range rooms {
			assert.False(t, ri.Name == "Hike" && ri.ID != room, "no portal is left behind: %s", ri)
			if ri.ID == room {
				assert.Empty(t, ri.State[event.StateBridge], "the user's room is left as it was, not bridged")
			}
		}
	})

	t.Run("too frequent", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.SetGroupCreation(wechattest.GroupCreationTooFrequent)
		err := provision("Hike")
		require.Error(t, err)
		t.Logf("the provisioning API answered: %v", err)
		assert.Contains(t, err.Error(), "429")
		assert.Contains(t, err.Error(), "WeChat says you are creating groups too often")
		assert.Empty(t, accepted())
	})

	t.Run("command", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.SetGroupCreation(wechattest.GroupCreationAllowed)
		// A slow answer: the group's first message (the phone's notice)
		// reaches the bridge before create-group has its answer.
		e.s.Sim.FailNext("webwxcreatechatroom", 1, wechattest.FaultSlowAnswer)
		after := e.command(e.u, room, "!wx create-group")
		e.botReply(e.u, room, after, "Successfully created group")
		got := accepted()
		require.Len(t, got, 1, "one group created")
		assert.Equal(t, "Hike", got[0].Topic)
		assert.ElementsMatch(t, []string{"alice", "bob"}, got[0].Members, "the room's two ghosts")
		// The room the command ran in is the group's: the bridge marks it
		// as the group's portal (m.bridge), it keeps the group's name, and
		// the ghosts it had invited join.
		_, err := e.u.WaitRoom(e.ctx, "the user's room as the group's portal", func(ri *stack.RoomInfo) bool {
			bridged := false
			for _, evt := range ri.State[event.StateBridge] {
				bridged = bridged || evt.Sender == e.s.Bridge.Bot
			}
			return ri.ID == room && bridged && ri.Name == "Hike" && ri.Has(alice) && ri.Has(bob)
		})
		require.NoError(t, err)
		_, err = e.u.WaitEvent(e.ctx, room, "the phone's notice of the new group", stack.Text("", "加入了群聊"))
		require.NoError(t, err)
		_, err = e.u.SendText(e.ctx, room, "meet at the trailhead")
		require.NoError(t, err)
		e.waitSent(e.s.Sim, "the message in the new group", func(m wechattest.SentMessage) bool {
			return m.ToID == got[0].GroupID && m.Msg.Content == "meet at the trailhead"
		})
		e.s.Sim.InjectText(got[0].GroupID, "alice", "bringing snacks")
		e.waitMessage(e.u, room, alice, "bringing snacks")
		rooms, err := e.u.Rooms(e.ctx)
		require.NoError(t, err)
		for _, ri := range rooms {
			assert.False(t, ri.ID != room && ri.Name == "Hike", "no second room for the group: %s", ri)
		}
		invites, err := e.u.Client.SyncRequest(e.ctx, 0, "", "", true, event.PresenceOffline)
		require.NoError(t, err)
		assert.Empty(t, invites.Rooms.Invite, "no invitation to a second room")
	})

	t.Run("provisioning", func(t *testing.T) {
		e := e.sub(t)
		require.NoError(t, provision("Book Club"))
		got := accepted()
		require.Len(t, got, 2)
		assert.Equal(t, "Book Club", got[1].Topic)
		e.waitPortal(e.u, "Book Club", seedName("alice"), seedName("bob"))
	})

	t.Run("refused but created", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.SetGroupCreation(wechattest.GroupCreationCreatedAnyway)
		err := provision("Picnic")
		require.Error(t, err)
		t.Logf("the provisioning API answered: %v", err)
		assert.Contains(t, err.Error(), "403")
		assert.Contains(t, err.Error(), "WeChat sometimes creates the group despite this answer")
		p := e.waitPortal(e.u, "Picnic", seedName("alice"), seedName("bob"))
		_, err = e.u.WaitEvent(e.ctx, p.ID, "the phone's notice of the new group", stack.Text("", "加入了群聊"))
		require.NoError(t, err)
	})
}

// TestCreateGroupDoublePuppet: with double puppeting, the user need not
// give the bot power in their room: `create-group` has the user's puppet
// give it, but only once WeChat has created the group. A refusal leaves
// the room's power levels as they were.
func TestCreateGroupDoublePuppet(t *testing.T) {
	e := setup(t, stack.Options{DoublePuppet: true})
	e.login(e.u, e.s.Sim, defaultSelf)
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))
	alice, bob := family.ghosts[seedName("alice")], family.ghosts[seedName("bob")]
	room := e.roomForGroup("Hike", alice, bob)
	botLevel := func() int {
		var pl event.PowerLevelsEventContent
		require.NoError(t, e.u.Client.StateEvent(e.ctx, room, event.StatePowerLevels, "", &pl))
		return pl.GetUserLevel(e.s.Bridge.Bot)
	}

	after := e.command(e.u, room, "!wx create-group")
	e.botReply(e.u, room, after, "Failed to create group: WeChat refused to create the group")
	assert.Equal(t, 0, botLevel(), "a refusal leaves the room's power levels as they were")

	e.s.Sim.SetGroupCreation(wechattest.GroupCreationAllowed)
	after = e.command(e.u, room, "!wx create-group")
	e.botReply(e.u, room, after, "Successfully created group")
	assert.Equal(t, 100, botLevel(), "the user's puppet gave the bot the power to run the room")
	_, err := e.u.WaitRoom(e.ctx, "the user's room as the group's portal", func(ri *stack.RoomInfo) bool {
		return ri.ID == room && len(ri.State[event.StateBridge]) > 0 && ri.Has(alice) && ri.Has(bob)
	})
	require.NoError(t, err)
	_, err = e.u.WaitEvent(e.ctx, room, "the phone's notice of the new group", stack.Text("", "加入了群聊"))
	require.NoError(t, err)
}

// roomForGroup is a room the user makes to run create-group in: the
// ghosts are invited first, the bot once they are, since the bot reads
// the room's members when it joins and create-group asks it for them.
func (e *env) roomForGroup(name string, ghosts ...id.UserID) id.RoomID {
	e.t.Helper()
	room, err := e.u.CreateRoom(e.ctx, name, ghosts...)
	require.NoError(e.t, err)
	_, err = e.u.Client.InviteUser(e.ctx, room, &mautrix.ReqInviteUser{UserID: e.s.Bridge.Bot})
	require.NoError(e.t, err)
	require.NoError(e.t, e.u.WaitJoined(e.ctx, room, e.s.Bridge.Bot))
	return room
}
