package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestChats: after login the user is in a portal for each group, the file
// helper and each recent chat, with named ghosts that have avatars, all
// in a personal space; official accounts get no portal by default.
func TestChats(t *testing.T) {
	e := setup(t, stack.Options{Metrics: true})
	e.login(e.u, e.s.Sim, defaultSelf)

	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"), seedName("erin"))
	project := e.waitPortal(e.u, "Project X", seedName("carol"), seedName("frank"))
	fileHelper := e.waitPortal(e.u, seedName("filehelper"), seedName("filehelper"))
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))

	t.Run("group members", func(t *testing.T) {
		for _, p := range []portal{family, project} {
			assert.True(t, p.Has(e.u.ID), "the tester is joined to %s", p)
			assert.True(t, p.Has(e.s.Bridge.Bot), "the bot is in %s", p)
		}
		assert.NotContains(t, family.ghosts, seedName("carol"), "carol is not in the family group")
	})

	t.Run("direct chats", func(t *testing.T) {
		for _, p := range []portal{alice, fileHelper} {
			others := 0
			for name := range p.ghosts {
				if name != p.Name && name != defaultSelf {
					others++
				}
			}
			assert.Zero(t, others, "a direct chat has only the contact's ghost (and the user's): %s", p)
		}
	})

	t.Run("ghost profiles", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			portal portal
		}{
			{seedName("alice"), alice},
			{seedName("bob"), family},
			// erin, who is not a friend, gets hers when she first writes
			// (TestStartupLikeOfficialClient).
			{seedName("carol"), project},
		} {
			profile, err := e.u.Profile(e.ctx, c.portal.ghosts[c.name])
			require.NoError(t, err)
			assert.Equal(t, c.name, profile.DisplayName)
			if assert.NotEmpty(t, profile.AvatarURL, "%s's ghost has an avatar", c.name) {
				data, err := e.u.Download(e.ctx, profile.AvatarURL.CUString())
				require.NoError(t, err)
				assert.NotEmpty(t, data, "%s's avatar downloads", c.name)
			}
		}
		// erin is in the family group but not a friend: her avatar is
		// fetched when she first writes, as the web client fetches it,
		// through the group's EncryChatRoomId: with the URL it builds from
		// the member list, or with the HeadImgUrl of her record as the
		// server wrote it.
		sim := e.s.Sim
		erinGhost := family.ghosts[seedName("erin")]
		sim.InjectText("family", "erin", "hi, it is erin")
		e.waitMessage(e.u, family.ID, erinGhost, "hi, it is erin")
		e.waitUntil("erin's ghost has an avatar", func(ctx context.Context) (bool, error) {
			p, err := e.u.Profile(ctx, erinGhost)
			return err == nil && !p.AvatarURL.IsEmpty(), err
		})
		var erin []wechattest.Request
		for _, r := range sim.Requests("webwxgeticon") {
			if r.Query.Get("username") == sim.UserName("erin") {
				erin = append(erin, r)
			}
		}
		require.NotEmpty(t, erin, "erin's avatar came from webwxgeticon")
		for _, r := range erin {
			assert.Equal(t, sim.EncryChatRoomId("family"), r.Query.Get("chatroomid"), "through the group: %s", r.RawQuery)
			var names []string
			for _, p := range strings.Split(r.RawQuery, "&") {
				name, _, _ := strings.Cut(p, "=")
				names = append(names, name)
			}
			assert.Contains(t, [][]string{{"seq", "username", "skey", "chatroomid"}, {"seq", "username", "chatroomid", "skey"}}, names,
				"the web client's form: %s", r.RawQuery)
		}
		for _, v := range sim.Violations() {
			assert.NotContains(t, v, "webwxgeticon")
		}
	})

	t.Run("space", func(t *testing.T) {
		want := []id.RoomID{family.ID, project.ID, fileHelper.ID, alice.ID}
		_, err := e.u.WaitRoom(e.ctx, "a space with the portals as m.space.child", func(ri *stack.RoomInfo) bool {
			if !ri.IsSpace {
				return false
			}
			children := ri.SpaceChildren()
			for _, w := range want {
				if !slices.Contains(children, w) {
					return false
				}
			}
			return true
		})
		require.NoError(t, err)
	})

	t.Run("no official account", func(t *testing.T) {
		e := e.sub(t)
		// A message in another chat proves nothing about this one (chats are
		// drained in parallel lanes), and the news chat is not bridged, so
		// nothing of it reaches the user to wait for. The bridge counts each
		// message it handled without bridging it: once the news message and
		// a closing one in the same chat are counted, both were handled.
		skipped := func(ctx context.Context) (float64, error) {
			m, err := e.s.Bridge.Scrape(ctx)
			return m.Get("wxbridge_messages_total", "direction", "wechat_to_matrix", "kind", "text", "outcome", "skipped"), err
		}
		before, err := skipped(e.ctx)
		require.NoError(t, err)
		e.s.Sim.InjectText("news", "", "Today's headlines")
		e.s.Sim.InjectText("news", "", "End of the news")
		e.waitUntil("the bridge to handle both news messages without bridging them", func(ctx context.Context) (bool, error) {
			n, err := skipped(ctx)
			return n >= before+2, err
		})
		rooms, err := e.u.Rooms(e.ctx)
		require.NoError(t, err)
		for _, ri := range rooms {
			assert.NotEqual(t, seedName("news"), ri.Name, "the official account has no portal")
			assert.NotContains(t, e.ghostsByName(e.u, ri), seedName("news"), "the official account's ghost is in %s", ri)
			assert.Zero(t, countAnySender(e, ri.ID, "Today's headlines"), "the official account's message was not bridged")
			assert.Zero(t, countAnySender(e, ri.ID, "End of the news"), "the official account's message was not bridged")
		}
	})
}

// TestChatsConfigured: the network config reaches what the user sees:
// with bridge_official_accounts a message from an official account gets a
// portal, and displayname_template names the ghosts.
func TestChatsConfigured(t *testing.T) {
	e := setup(t, stack.Options{Config: map[string]any{
		"network.bridge_official_accounts": true,
		"network.displayname_template":     "{{.NickName}} (WeChat)",
	}})
	e.login(e.u, e.s.Sim, defaultSelf)
	nick := func(id string) string { return seedNick(id) + " (WeChat)" }

	t.Run("displayname template", func(t *testing.T) {
		e := e.sub(t)
		e.waitPortal(e.u, "Family", nick("alice"), nick("bob"), nick("erin"))
	})

	t.Run("official account", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.InjectText("news", "", "Today's headlines")
		news := e.waitPortal(e.u, nick("news"), nick("news"))
		e.waitMessage(e.u, news.ID, news.ghosts[nick("news")], "Today's headlines")
	})
}

// countAnySender counts the messages in a room with this body, from anyone.
func countAnySender(e *env, room id.RoomID, body string) int {
	msgs, err := e.u.Messages(e.ctx, room)
	require.NoError(e.t, err)
	n := 0
	for _, evt := range msgs {
		if stack.Message(evt).Body == body {
			n++
		}
	}
	return n
}
