package e2e_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestRelogin: when WeChat ends the session the user is told to log in
// again; `login` then asks the phone to confirm (push login, no QR code),
// or shows a QR code when WeChat refuses the push login. Afterwards the
// chats keep their rooms although every UserName is new.
func TestRelogin(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{DoublePuppet: true})
	sim, bot, room := e.s.Sim, e.s.Bridge.Bot, e.u.ManagementRoom
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	bobGhost := family.ghosts[seedName("bob")]
	sim.InjectText("alice", "", "first session")
	e.waitMessage(e.u, alice.ID, aliceGhost, "first session")

	// endSession ends the WeChat session and waits for the notice.
	endSession := func(t *testing.T, ret int) {
		events, err := e.u.Events(e.ctx, room)
		require.NoError(t, err)
		last := events[len(events)-1].ID
		sim.EndSession(ret)
		notice, err := e.u.WaitEventAfter(e.ctx, room, last, "a notice that the WeChat session ended", func(evt *event.Event) bool {
			msg := stack.Message(evt)
			if msg == nil || evt.Sender != bot {
				return false
			}
			body := strings.ToLower(msg.Body)
			return strings.Contains(body, "log in") || strings.Contains(body, "login")
		})
		require.NoError(t, err)
		t.Logf("notice after ret %d: %q", ret, stack.Message(notice).Body)
	}
	// sameRooms checks that the chats still land in their rooms and that
	// Matrix messages reach the new UserName.
	sameRooms := func(t *testing.T, oldAlice, oldFamily, tag string) {
		require.NotEqual(t, oldAlice, sim.UserName("alice"), "the simulator gave alice a new UserName")
		require.NotEqual(t, oldFamily, sim.UserName("family"))
		sim.InjectText("alice", "", "alice "+tag)
		sim.InjectText("family", "bob", "bob "+tag)
		e.waitMessage(e.u, alice.ID, aliceGhost, "alice "+tag)
		e.waitMessage(e.u, family.ID, bobGhost, "bob "+tag)
		_, err := e.u.SendText(e.ctx, alice.ID, "reply "+tag)
		require.NoError(t, err)
		m := e.waitSent(sim, quote("reply "+tag), func(m wechattest.SentMessage) bool { return m.Msg.Content == "reply "+tag })
		assert.Equal(t, sim.UserName("alice"), m.Msg.ToUserName, "sent to alice's new UserName")
	}

	t.Run("push login", func(t *testing.T) {
		e := e.sub(t)
		oldAlice, oldFamily := sim.UserName("alice"), sim.UserName("family")
		endSession(t, 1101)
		pushes := len(sim.Requests("webwxpushloginurl"))
		cmd := e.command(e.u, room, "login")
		uuid := e.pendingLogin(sim, "")
		assert.Greater(t, len(sim.Requests("webwxpushloginurl")), pushes, "the bridge tried push login first")
		assert.ErrorIs(t, sim.Scan(uuid), wechattest.ErrLoginState, "the pending login is a push login (it cannot be scanned)")
		require.NoError(t, sim.Confirm(uuid))
		e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)
		after, err := e.u.Events(e.ctx, room)
		require.NoError(t, err)
		for _, evt := range stack.After(after, cmd) {
			assert.False(t, isQRImage(bot)(evt), "no QR code was needed: %s", stack.Describe(evt))
		}
		sameRooms(t, oldAlice, oldFamily, "after push login")
	})

	t.Run("QR code when push login is refused", func(t *testing.T) {
		e := e.sub(t)
		oldAlice, oldFamily := sim.UserName("alice"), sim.UserName("family")
		endSession(t, 1100)
		sim.FailNext("webwxpushloginurl", 5, wechattest.FaultHTTP500)
		cmd := e.command(e.u, room, "login")
		img := e.qrImage(e.u, room, cmd)
		uuid := e.pendingLogin(sim, "")
		assert.Contains(t, stack.Message(img).Body, uuid)
		require.NoError(t, sim.Confirm(uuid))
		e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)
		sameRooms(t, oldAlice, oldFamily, "after QR login")
	})
}
