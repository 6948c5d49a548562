package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestRichMessagesFromWeChat: locations, links and the kinds web clients
// can only announce arrive readable, from the right ghost, never as XML.
func TestRichMessagesFromWeChat(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{})
	sim := e.s.Sim
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	bobGhost := family.ghosts[seedName("bob")]

	tests := []struct {
		name   string
		inject func()
		room   portal
		sender id.UserID
		check  func(t *testing.T, c *event.MessageEventContent)
	}{
		{"location", func() { sim.InjectLocation("alice", "", "Tiananmen Square <Beijing>", 39.908823, 116.39747) }, alice, aliceGhost,
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, event.MsgLocation, c.MsgType)
				assert.Equal(t, "geo:39.908823,116.39747", c.GeoURI)
				assert.Contains(t, c.Body, "Tiananmen Square <Beijing>")
			}},
		{"link", func() {
			sim.InjectLink("family", "bob", "Hiking <b>trip</b>", "Photos from Sunday 🏔", "https://example.com/trip?a=1&b=2")
		}, family, bobGhost, func(t *testing.T, c *event.MessageEventContent) {
			assert.Equal(t, event.MsgText, c.MsgType)
			assert.Contains(t, c.Body, "Hiking <b>trip</b>")
			assert.Contains(t, c.Body, "Photos from Sunday 🏔")
			assert.Contains(t, c.Body, "https://example.com/trip?a=1&b=2")
			assert.Contains(t, c.FormattedBody, `href="https://example.com/trip?a=1&amp;b=2"`)
			assert.NotContains(t, c.FormattedBody, "<b>trip</b>", "the title is text, not markup")
		}},
		{"red packet", func() {
			sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeApp, AppMsgType: wechat.AppMsgTypeRedPacket, FileName: "恭喜发财，大吉大利"})
		}, alice, aliceGhost, func(t *testing.T, c *event.MessageEventContent) {
			assert.Equal(t, event.MsgNotice, c.MsgType)
			assert.Contains(t, strings.ToLower(c.Body), "red packet")
			assert.Contains(t, c.Body, "phone")
		}},
		{"video call", func() { sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeVoIPInvite}) }, alice, aliceGhost,
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, event.MsgNotice, c.MsgType)
				assert.Contains(t, strings.ToLower(c.Body), "call")
			}},
		{"system message", func() { sim.InjectSystem("alice", "Alice has enabled friend verification.") }, alice, "",
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, event.MsgNotice, c.MsgType)
				assert.Equal(t, "Alice has enabled friend verification.", c.Body)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := lastEventID(t, e, tt.room.ID)
			tt.inject()
			evt, err := e.u.WaitEventAfter(e.ctx, tt.room.ID, before, tt.name, func(evt *event.Event) bool {
				return stack.Message(evt) != nil && (tt.sender == "" || evt.Sender == tt.sender)
			})
			require.NoError(t, err)
			c := stack.Message(evt)
			assert.NotContains(t, c.Body, "<msg", "no raw XML")
			assert.NotContains(t, c.Body, "&lt;", "no escaped XML")
			tt.check(t, c)
		})
	}
}

// TestQuotesBothWays: a WeChat quote of a bridged message becomes a Matrix
// reply to it; a quote of something unknown becomes a quote block; a Matrix
// reply reaches WeChat in the flattened form the phone shows.
func TestQuotesBothWays(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{})
	sim := e.s.Sim
	const divider = "- - - - - - - - - - - - - - -"

	sim.InjectText("alice", "", "see you at 8 at the station")
	original := e.waitMessage(e.u, alice.ID, aliceGhost, "see you at 8 at the station")
	sim.InjectText("alice", "", "something else in between")
	e.waitMessage(e.u, alice.ID, aliceGhost, "something else in between")

	t.Run("WeChat quote of a bridged message is a reply", func(t *testing.T) {
		e := e.sub(t)
		sim.InjectText("alice", "", "「"+seedNick("alice")+"：see you at 8 at the station」\n"+divider+"\nmake it 9?")
		reply := e.waitMessage(e.u, alice.ID, aliceGhost, "make it 9?")
		assert.Equal(t, original.ID, stack.Message(reply).RelatesTo.GetReplyTo(), "it replies to the quoted message")
	})
	t.Run("WeChat quote of an unknown message is a quote block", func(t *testing.T) {
		sim.InjectText("alice", "", "「Zed：a message from long ago」\n"+divider+"\nstill true")
		evt, err := e.u.WaitEvent(e.ctx, alice.ID, "the quote block", func(evt *event.Event) bool {
			c := stack.Message(evt)
			return c != nil && strings.HasSuffix(c.Body, "still true")
		})
		require.NoError(t, err)
		c := stack.Message(evt)
		assert.Equal(t, "> Zed: a message from long ago\n\nstill true", c.Body)
		assert.Contains(t, c.FormattedBody, "<blockquote>")
		assert.Empty(t, c.RelatesTo.GetReplyTo())
	})
	t.Run("Matrix reply is a flattened quote in WeChat", func(t *testing.T) {
		e := e.sub(t)
		content := &event.MessageEventContent{MsgType: event.MsgText, Body: "9 works"}
		content.RelatesTo = (&event.RelatesTo{}).SetReplyTo(original.ID)
		_, err := e.u.SendContent(e.ctx, alice.ID, content)
		require.NoError(t, err)
		want := "「" + seedNick("alice") + "：see you at 8 at the station」\n" + divider + "\n9 works"
		e.waitSent(sim, "the reply as a quote", func(m wechattest.SentMessage) bool { return m.Msg.Content == want })
	})
}

// TestGroupChangesFromWeChat: when a system message says a group was
// renamed or gained a member, the portal's name and members follow, even
// before the server's contact update arrives.
func TestGroupChangesFromWeChat(t *testing.T) {
	e := setup(t, stack.Options{})
	e.login(e.u, e.s.Sim, defaultSelf)
	sim := e.s.Sim
	family := e.waitPortal(e.u, "Family", seedName("bob"))

	sim.UpdateContactQuietly("family", func(c *wechattest.SeedContact) {
		c.NickName = "Family 🏡 2026"
		c.Members = append(c.Members, "frank")
	})
	sim.InjectSystem("family", `"Bob" invited "Frank" to the group chat`)
	e.waitMessage(e.u, family.ID, "", `"Bob" invited "Frank" to the group chat`)
	sim.InjectSystem("family", `"Bob" changed the group name to "Family 🏡 2026"`)
	e.waitMessage(e.u, family.ID, "", `"Bob" changed the group name to "Family 🏡 2026"`)

	e.waitUntil("the portal to be renamed and Frank to join", func(ctx context.Context) (bool, error) {
		ri, err := e.u.Room(ctx, family.ID)
		if err != nil {
			return false, err
		}
		names := e.ghostsByName(e.u, ri)
		if _, ok := names[seedName("frank")]; ri.Name != "Family 🏡 2026" || !ok {
			return false, fmt.Errorf("name %q, ghosts %v", ri.Name, names)
		}
		return true, nil
	})

	sim.UpdateContactQuietly("family", func(c *wechattest.SeedContact) {
		c.Members = []string{wechattest.SelfID, "alice", "bob", "erin"}
	})
	sim.InjectSystem("family", `You removed "Frank" from the group chat`)
	e.waitUntil("Frank to leave the portal", func(ctx context.Context) (bool, error) {
		ri, err := e.u.Room(ctx, family.ID)
		if err != nil {
			return false, err
		}
		names := e.ghostsByName(e.u, ri)
		if _, ok := names[seedName("frank")]; ok {
			return false, fmt.Errorf("ghosts %v", names)
		}
		return true, nil
	})
}

// lastEventID is the newest event the user sees in a room, so that a test
// waits for what comes after it.
func lastEventID(t *testing.T, e *env, room id.RoomID) id.EventID {
	t.Helper()
	evts, err := e.u.Events(e.ctx, room)
	require.NoError(t, err)
	if len(evts) == 0 {
		return ""
	}
	return evts[len(evts)-1].ID
}
