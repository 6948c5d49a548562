package e2e_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// unknownChatSeed is the default account with the group project dormant
// (neither saved to contacts nor among webwxinit's recent chats) and grace,
// who is no contact at start-up.
func unknownChatSeed() *wechattest.Seed {
	seed := wechattest.DefaultSeed()
	for i := range seed.Contacts {
		if seed.Contacts[i].ID == "project" {
			seed.Contacts[i].Dormant = true
		}
	}
	seed.Contacts = append(seed.Contacts, wechattest.SeedContact{
		ID: "grace", NickName: "Grace", Sex: 2, Province: "Fujian", City: "Xiamen",
	})
	return seed
}

// batchGetsOf counts the webwxbatchgetcontact requests that asked for
// userName itself (not as a group member: no EncryChatRoomId).
func batchGetsOf(t *testing.T, sim *wechattest.Server, userName string) int {
	t.Helper()
	n := 0
	for _, req := range sim.Requests("webwxbatchgetcontact") {
		var body struct {
			List []struct{ UserName, EncryChatRoomId string }
		}
		require.NoError(t, json.Unmarshal(req.Body, &body))
		for _, it := range body.List {
			if it.UserName == userName && it.EncryChatRoomId == "" {
				n++
			}
		}
	}
	return n
}

// TestUnknownChats: a chat the session did not know at start-up gets its
// real name and members from its first message, as the official client
// fetches it with webwxbatchgetcontact. A message from a group neither
// saved to contacts nor among the recent chats makes a portal with the
// group's name and members (not "WeChat group" with nobody in it), after
// one fetch of the group; a direct message from a new friend whose contact
// update has not come makes a room named after them, even when the first
// fetch fails (the message waits in the inbox and comes once).
func TestUnknownChats(t *testing.T) {
	e := setup(t, stack.Options{Sims: []wechattest.Config{{Seed: unknownChatSeed()}}})
	sim := e.s.Sim
	e.login(e.u, sim, defaultSelf)
	// The first chat sync is done: rooms seen later come from messages.
	e.waitPortal(e.u, "Family", seedName("alice"))

	t.Run("dormant group", func(t *testing.T) {
		e := e.sub(t)
		project := sim.UserName("project")
		require.Zero(t, batchGetsOf(t, sim, project), "the dormant group is not fetched at start-up")
		sim.InjectText("project", "frank", "anyone for lunch?")
		room := e.waitPortal(e.u, "Project X", seedName("carol"), seedNick("frank"))
		e.waitMessage(e.u, room.ID, room.ghosts[seedNick("frank")], "anyone for lunch?")
		sim.InjectText("project", "carol", "me")
		e.waitMessage(e.u, room.ID, room.ghosts[seedName("carol")], "me")
		assert.Equal(t, 1, batchGetsOf(t, sim, project), "one webwxbatchgetcontact for the group")
		var name event.RoomNameEventContent
		require.NoError(t, e.u.Client.StateEvent(e.ctx, room.ID, event.StateRoomName, "", &name))
		assert.Equal(t, "Project X", name.Name, "the name stays")
	})

	t.Run("new friend", func(t *testing.T) {
		e := e.sub(t)
		// Accepted on the phone; the contact update lags behind the message.
		sim.UpdateContactQuietly("grace", func(c *wechattest.SeedContact) { c.Friend = true })
		sim.FailNext("webwxbatchgetcontact", 1, wechattest.FaultHTTP500)
		sim.InjectText("grace", "", "hi, it's Grace")
		room := e.waitPortal(e.u, "Grace", "Grace")
		e.waitMessage(e.u, room.ID, room.ghosts["Grace"], "hi, it's Grace")
		sim.InjectText("grace", "", "are you there?")
		e.waitMessage(e.u, room.ID, room.ghosts["Grace"], "are you there?")
		assert.Equal(t, []string{"hi, it's Grace", "are you there?"}, e.bodies(e.u, room.ID, room.ghosts["Grace"]),
			"the message that waited for the fetch came once, before the next")
		assert.GreaterOrEqual(t, batchGetsOf(t, sim, sim.UserName("grace")), 2, "the failed fetch was tried again")
	})
}
