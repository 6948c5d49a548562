package e2e_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestTextFromWeChat: text from WeChat reaches the user from the right
// ghost, with entities, emoji and newlines restored, group prefixes
// removed, mentions of the user marked, and own messages from the phone
// sent as the user (double puppeting).
func TestTextFromWeChat(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{DoublePuppet: true})
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))

	tests := []struct {
		name       string
		chat, from string
		text       string
		room       portal
		sender     id.UserID
		wantBody   string
		check      func(t *testing.T, msg *event.MessageEventContent)
	}{
		{
			name: "direct chat with entities, emoji and a newline", chat: "alice",
			text: "Tom & Jerry <3\nline two 😀 <span class=\"emoji emoji1f604\"></span>",
			room: alice, sender: aliceGhost,
			wantBody: "Tom & Jerry <3\nline two 😀 😄",
		},
		{
			name: "group message without the sender prefix", chat: "family", from: "bob",
			text: "hello family", room: family, sender: family.ghosts[seedName("bob")],
			wantBody: "hello family",
		},
		{
			name: "group message mentioning the user", chat: "family", from: "alice",
			text: "@" + defaultSelf + "\u2005are you there?", room: family, sender: family.ghosts[seedName("alice")],
			check: func(t *testing.T, msg *event.MessageEventContent) {
				require.NotNil(t, msg.Mentions, "the message has m.mentions")
				assert.Contains(t, msg.Mentions.UserIDs, e.u.ID, "the user is mentioned")
				assert.Contains(t, msg.Body, "are you there?")
			},
		},
		{
			name: "sent from the phone", chat: "alice", from: wechattest.SelfID,
			text: "sent from my phone", room: alice, sender: e.u.ID,
			wantBody: "sent from my phone",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			e.s.Sim.InjectText(tt.chat, tt.from, tt.text)
			var evt *event.Event
			var err error
			if tt.wantBody != "" {
				evt = e.waitMessage(e.u, tt.room.ID, tt.sender, tt.wantBody)
			} else {
				evt, err = e.u.WaitEvent(e.ctx, tt.room.ID, "a message from "+tt.sender.String(), func(evt *event.Event) bool {
					msg := stack.Message(evt)
					return msg != nil && evt.Sender == tt.sender && strings.Contains(msg.Body, "are you there?")
				})
				require.NoError(t, err)
			}
			msg := stack.Message(evt)
			assert.Equal(t, event.MsgText, msg.MsgType)
			if tt.check != nil {
				tt.check(t, msg)
			}
		})
	}
}

// TestTextFromPhoneWithoutDoublePuppet: without double puppeting, a message
// the user sent from the phone comes from the user's own ghost.
func TestTextFromPhoneWithoutDoublePuppet(t *testing.T) {
	e, alice, _ := setupWithAlice(t, stack.Options{})
	e.s.Sim.InjectText("alice", wechattest.SelfID, "sent from my phone")
	evt, err := e.u.WaitEvent(e.ctx, alice.ID, "the message sent from the phone", stack.Text("", "sent from my phone"))
	require.NoError(t, err)
	assert.True(t, e.s.Bridge.IsGhost(evt.Sender), "sent by a ghost, not %s", evt.Sender)
	name, err := e.u.ProfileName(e.ctx, evt.Sender)
	require.NoError(t, err)
	assert.Equal(t, defaultSelf, name, "the user's own ghost has the account's name")
}

// TestTextToWeChat: text from Matrix reaches the chat's current UserName,
// formatting flattened and mention pills turned into WeChat mentions, and
// its echo does not come back.
func TestTextToWeChat(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{DoublePuppet: true})
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))
	sim := e.s.Sim

	t.Run("plain text in a direct chat", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.SendText(e.ctx, alice.ID, "hello alice")
		require.NoError(t, err)
		m := e.waitSent(sim, `"hello alice"`, func(m wechattest.SentMessage) bool { return m.Msg.Content == "hello alice" })
		assert.Equal(t, sim.UserName("alice"), m.Msg.ToUserName, "sent to alice's current UserName")
		assert.Equal(t, sim.UserName(wechattest.SelfID), m.Msg.FromUserName)
	})

	t.Run("formatting flattened", func(t *testing.T) {
		e := e.sub(t)
		_, err := e.u.SendContent(e.ctx, alice.ID, &event.MessageEventContent{
			MsgType:       event.MsgText,
			Body:          "**bold** and a list:\n\n* one\n* two",
			Format:        event.FormatHTML,
			FormattedBody: "<b>bold</b> and a list:<ul><li>one</li><li>two</li></ul>",
		})
		require.NoError(t, err)
		m := e.waitSent(sim, "the formatted message", func(m wechattest.SentMessage) bool {
			return m.ToID == "alice" && strings.Contains(m.Msg.Content, "bold")
		})
		content := m.Msg.Content
		t.Logf("WeChat received %q", content)
		assert.NotContains(t, content, "<", "no HTML tags: %q", content)
		assert.NotContains(t, content, "**", "no markdown: %q", content)
		lines := strings.Split(content, "\n")
		one := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "one") })
		two := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "two") })
		assert.True(t, one >= 0 && two > one, "list items on their own lines, in order: %q", content)
	})

	t.Run("mention pill in a group", func(t *testing.T) {
		e := e.sub(t)
		bob := family.ghosts[seedName("bob")]
		_, err := e.u.SendContent(e.ctx, family.ID, &event.MessageEventContent{
			MsgType:       event.MsgText,
			Body:          seedName("bob") + ": hi there",
			Format:        event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/` + bob.String() + `">` + seedName("bob") + `</a>: hi there`,
			Mentions:      &event.Mentions{UserIDs: []id.UserID{bob}},
		})
		require.NoError(t, err)
		m := e.waitSent(sim, "the message mentioning bob", func(m wechattest.SentMessage) bool {
			return m.ToID == "family" && strings.Contains(m.Msg.Content, "hi there")
		})
		t.Logf("WeChat received %q with MsgSource %q", m.Msg.Content, m.Msg.MsgSource)
		assert.Equal(t, sim.UserName("family"), m.Msg.ToUserName, "sent to the group's current UserName")
		assert.Regexp(t, regexp.MustCompile("^@(Bobby|"+regexp.QuoteMeta(seedName("bob"))+")\u2005hi there$"), m.Msg.Content,
			"the pill became @<bob's name> and a four-per-em space, without Element's colon")
		assert.Contains(t, m.Msg.MsgSource, sim.UserName("bob"), "MsgSource's atusername names bob")
	})

	t.Run("echoes are not bridged back", func(t *testing.T) {
		e := e.sub(t)
		// Everything WeChat had before this message has been bridged once
		// it arrives.
		sim.InjectText("alice", "", "sentinel")
		e.waitMessage(e.u, alice.ID, aliceGhost, "sentinel")
		sim.InjectText("family", "bob", "group sentinel")
		e.waitMessage(e.u, family.ID, family.ghosts[seedName("bob")], "group sentinel")
		assert.Equal(t, 1, countAnySender(e, alice.ID, "hello alice"), "the DM message appears once")
		assert.Equal(t, 1, countAnySender(e, family.ID, seedName("bob")+": hi there"), "the group message appears once")
		for _, room := range []id.RoomID{alice.ID, family.ID} {
			msgs, err := e.u.Messages(e.ctx, room)
			require.NoError(t, err)
			for _, evt := range msgs {
				if evt.Sender != e.u.ID {
					assert.NotContains(t, stack.Message(evt).Body, "hello alice", "echo from %s", evt.Sender)
					assert.NotContains(t, stack.Message(evt).Body, "hi there", "echo from %s", evt.Sender)
				}
			}
		}
	})
}
