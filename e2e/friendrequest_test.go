package e2e_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestFriendRequest: a WeChat friend request is announced in the management
// room with the requester's name (shown literally), region
// and greeting; `accept-friend` accepts it with the UserName and ticket
// WeChat sent, also after the bridge restarted, and the new friend's DM
// room appears with their ghost and carries their messages.
func TestFriendRequest(t *testing.T) {
	// Once alice's portal is there the first chat sync is over, so that
	// rooms seen later come from the request.
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{})
	room := e.managementRoom(e.u)

	// Markdown and an ampersand in the name must reach the user as typed.
	const nick = "Zhang *Wei* & `Co`"
	stranger, _ := e.s.Sim.InjectFriendRequest(nick, "hi, it's Zhang from work")
	notice, err := e.u.WaitEvent(e.ctx, room, "the friend request notice", stack.Text(e.s.Bridge.Bot, "WeChat friend request from "+nick))
	require.NoError(t, err)
	msg := stack.Message(notice)
	assert.Equal(t, event.MsgNotice, msg.MsgType)
	assert.Equal(t, "WeChat friend request from "+nick+" (Shenzhen, Guangdong): \"hi, it's Zhang from work\". "+
		"Send `accept-friend 1` to accept.", msg.Body)
	assert.Empty(t, msg.FormattedBody, "plain text: nothing in the name is rendered")

	t.Run("listed", func(t *testing.T) {
		e := e.sub(t)
		cmd := e.command(e.u, room, "friend-requests")
		e.botReply(e.u, room, cmd, "1. "+nick+" (Shenzhen, Guangdong)")
	})
	t.Run("unknown number", func(t *testing.T) {
		e := e.sub(t)
		cmd := e.command(e.u, room, "accept-friend 5")
		e.botReply(e.u, room, cmd, "You have no friend request number 5")
	})

	// The request survives a restart: the session resumes, and with it
	// the UserName and ticket the request came with.
	require.NoError(t, e.s.Bridge.Stop())
	require.NoError(t, e.s.Bridge.Start(e.ctx))
	e.s.Sim.InjectText("alice", "", "back after the restart")
	e.waitMessage(e.u, alice.ID, aliceGhost, "back after the restart")

	t.Run("WeChat too busy", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.FailNext("webwxverifyuser", 1, wechattest.FaultTooFrequent)
		cmd := e.command(e.u, room, "accept-friend zhang")
		e.botReply(e.u, room, cmd, "too many requests in a short time")
		assert.Empty(t, e.s.Sim.Verifies())
	})

	cmd := e.command(e.u, room, "accept-friend 1")
	e.botReply(e.u, room, cmd, "Accepted the friend request from "+nick)
	verifies := e.s.Sim.Verifies()
	require.Len(t, verifies, 1, "the simulator accepted one webwxverifyuser (it refuses a wrong ticket)")
	v := verifies[0]
	assert.Equal(t, wechat.VerifyOpVerifyOK, v.Opcode)
	require.Len(t, v.VerifyUserList, 1)
	assert.Equal(t, e.s.Sim.UserName(stranger), v.VerifyUserList[0].Value)
	assert.True(t, strings.HasPrefix(v.VerifyUserList[0].VerifyUserTicket, "v2_"), "the ticket of the request: %q", v.VerifyUserList[0].VerifyUserTicket)
	assert.Empty(t, e.s.Sim.Violations())

	// WeChat follows the acceptance with the new contact (ModContactList)
	// and the notice "you added X" in the new chat, which opens its room.
	dm := e.waitPortal(e.u, nick, nick)
	ghost := dm.ghosts[nick]
	_, err = e.u.WaitEvent(e.ctx, dm.ID, "WeChat's notice that the friend was added", stack.Text("", "你已添加了"+nick))
	require.NoError(t, err)
	e.s.Sim.InjectText(stranger, "", "nice to meet you")
	e.waitMessage(e.u, dm.ID, ghost, "nice to meet you")

	t.Run("accepted already", func(t *testing.T) {
		e := e.sub(t)
		cmd := e.command(e.u, room, "accept-friend 1")
		e.botReply(e.u, room, cmd, "was accepted already")
		cmd = e.command(e.u, room, "friend-requests")
		e.botReply(e.u, room, cmd, "You have no WeChat friend requests waiting")
		assert.Len(t, e.s.Sim.Verifies(), 1)
	})
}
