package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestStartChat: a friend without a recent chat has no room until the user
// asks for one with start-chat (by WeChat ID, remark name or nickname);
// the room then carries messages both ways. A name two friends share gets
// an answer listing both, and search finds contacts by part of a name.
func TestStartChat(t *testing.T) {
	e := setup(t, stack.Options{})
	e.login(e.u, e.s.Sim, defaultSelf)
	room := e.managementRoom(e.u)
	// Wait for the first chat sync, so that rooms seen later come from start-chat.
	e.waitPortal(e.u, "Family", seedName("alice"))

	t.Run("by WeChat ID", func(t *testing.T) {
		e := e.sub(t)
		e.command(e.u, room, "start-chat carol_wx")
		carol := e.waitPortal(e.u, seedName("carol"), seedName("carol"))
		e.command(e.u, carol.ID, "hello carol")
		m := e.waitSent(e.s.Sim, "the message to carol", func(m wechattest.SentMessage) bool {
			return m.ToID == "carol" && m.Msg.Content == "hello carol"
		})
		assert.Equal(t, e.s.Sim.UserName("carol"), m.Msg.ToUserName)
		e.s.Sim.InjectText("carol", "", "hi back")
		e.waitMessage(e.u, carol.ID, carol.ghosts[seedName("carol")], "hi back")
	})

	t.Run("a name two friends share", func(t *testing.T) {
		e := e.sub(t)
		after := e.command(e.u, room, "start-chat dave")
		reply := e.botReply(e.u, room, after, "2 contacts are called")
		assert.Contains(t, stack.Message(reply).Body, "Start the chat with the ID in brackets")
	})

	t.Run("unknown name", func(t *testing.T) {
		e := e.sub(t)
		after := e.command(e.u, room, "start-chat nobody-here")
		e.botReply(e.u, room, after, "No WeChat contact is called")
	})

	t.Run("search", func(t *testing.T) {
		e := e.sub(t)
		after := e.command(e.u, room, "search dav")
		reply := e.botReply(e.u, room, after, seedName("dave"))
		assert.NotContains(t, stack.Message(reply).Body, seedName("carol"))
	})
}
