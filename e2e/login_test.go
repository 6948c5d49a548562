package e2e_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestLoginQR walks through a QR login as the user sees it: the QR code,
// its refresh when it expires (an edit of the same image), the scan notice
// and the final "Logged in as".
func TestLoginQR(t *testing.T) {
	e := setup(t, stack.Options{})
	room := e.managementRoom(e.u)
	bot := e.s.Bridge.Bot

	cmd := e.command(e.u, room, "login")
	img := e.qrImage(e.u, room, cmd)
	first := stack.Message(img)
	uuid := e.pendingLogin(e.s.Sim, "")
	assert.Contains(t, first.Body, uuid, "the QR image's body is the raw QR payload with the login uuid")
	png, err := e.u.Download(e.ctx, first.URL)
	require.NoError(t, err, "downloading the QR image")
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "the QR image is a PNG")

	require.NoError(t, e.s.Sim.ExpireQR(uuid))
	edit, err := e.u.WaitEventAfter(e.ctx, room, img.ID, "an edit of the QR image after the QR expired", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == bot && msg.RelatesTo != nil &&
			msg.RelatesTo.Type == event.RelReplace && msg.RelatesTo.EventID == img.ID
	})
	require.NoError(t, err)
	uuid2 := e.pendingLogin(e.s.Sim, uuid)
	newContent := stack.Message(edit).NewContent
	require.NotNil(t, newContent, "the edit has m.new_content")
	assert.Equal(t, event.MsgImage, newContent.MsgType)
	assert.Contains(t, newContent.Body, uuid2, "the edited QR names the new login uuid")
	assert.NotEqual(t, first.Body, newContent.Body)

	require.NoError(t, e.s.Sim.Scan(uuid2))
	scanned := e.botReply(e.u, room, cmd, "scanned")
	assert.Contains(t, strings.ToLower(stack.Message(scanned).Body), "confirm", "the scan notice asks to confirm on the phone")
	require.NoError(t, e.s.Sim.Confirm(uuid2))
	e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)
	assert.Equal(t, 1, e.s.Sim.LoginCount())
}

// TestLoginCancel: `cancel` during a login stops it.
func TestLoginCancel(t *testing.T) {
	e := setup(t, stack.Options{})
	room := e.managementRoom(e.u)
	cmd := e.command(e.u, room, "login")
	e.qrImage(e.u, room, cmd)
	cancel := e.command(e.u, room, "cancel")
	e.botReply(e.u, room, cancel, "cancel")
}

// TestLoginWebBarred: in web mode, an account WeChat bars from web login
// (ret 1203) gets an error that names 1203, quotes WeChat's own words (what
// the phone would say) and says what to do.
func TestLoginWebBarred(t *testing.T) {
	e := setup(t, stack.Options{
		Sims:   []wechattest.Config{{WebLoginBarred: true}},
		Config: map[string]any{"network.login_mode": "web"},
	})
	room := e.managementRoom(e.u)
	cmd := e.command(e.u, room, "login")
	e.qrImage(e.u, room, cmd)
	require.NoError(t, e.s.Sim.Confirm(e.pendingLogin(e.s.Sim, "")))
	reply := stack.Message(e.botReply(e.u, room, cmd, "1203")).Body
	assert.Contains(t, reply, "此微信号不能登录网页微信", "WeChat's own words")
	assert.Contains(t, reply, "`desktop`", "what the admin can do")
	assert.Zero(t, e.s.Sim.LoginCount(), "no session was started")
}

// TestLoginOutsideManagementRoom: `!wx login` works in any room with the
// bot, and the QR code goes to that room.
func TestLoginOutsideManagementRoom(t *testing.T) {
	e := setup(t, stack.Options{})
	e.managementRoom(e.u)
	room, err := e.u.CreateRoom(e.ctx, "Elsewhere", e.s.Bridge.Bot)
	require.NoError(t, err)
	require.NoError(t, e.u.WaitJoined(e.ctx, room, e.s.Bridge.Bot))

	cmd := e.command(e.u, room, "!wx login")
	img := e.qrImage(e.u, room, cmd)
	uuid := e.pendingLogin(e.s.Sim, "")
	assert.Contains(t, stack.Message(img).Body, uuid)
	require.NoError(t, e.s.Sim.Confirm(uuid))
	e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)
}

// TestLoginRelayOnly: a user with only the relay permission cannot log in:
// the bot refuses their invite, and their `!wx login` in a shared room
// fails with a permission error.
func TestLoginRelayOnly(t *testing.T) {
	const relayUser = "relayonly"
	e := setup(t, stack.Options{
		Users:       []stack.Account{{Localpart: relayUser}},
		Permissions: map[string]string{"@" + relayUser + ":" + stack.Domain: "relay"},
		Config:      map[string]any{"matrix.message_status_events": true},
	})
	bot := e.s.Bridge.Bot
	relay, err := e.s.Login(e.ctx, relayUser)
	require.NoError(t, err)

	t.Run("bot refuses the invite", func(t *testing.T) {
		resp, err := relay.Client.CreateRoom(e.ctx, &mautrix.ReqCreateRoom{
			Invite: []id.UserID{bot}, IsDirect: true, Preset: "trusted_private_chat",
		})
		require.NoError(t, err)
		evt, err := relay.WaitState(e.ctx, resp.RoomID, event.StateMember, bot.String(), "the bot rejecting the invite", func(evt *event.Event) bool {
			return evt.Content.AsMember().Membership == event.MembershipLeave
		})
		require.NoError(t, err)
		assert.Contains(t, strings.ToLower(evt.Content.AsMember().Reason), "permission", "the rejection says why")
	})

	t.Run("login command refused", func(t *testing.T) {
		e := e.sub(t)
		e.managementRoom(e.u)
		room, err := e.u.CreateRoom(e.ctx, "Shared", bot, relay.ID)
		require.NoError(t, err)
		require.NoError(t, relay.Join(e.ctx, room))
		require.NoError(t, e.u.WaitJoined(e.ctx, room, bot, relay.ID))
		cmd, err := relay.SendText(e.ctx, room, "!wx login")
		require.NoError(t, err)
		status, err := relay.WaitEvent(e.ctx, room, "a failed message status for `!wx login`", func(evt *event.Event) bool {
			return evt.Type == event.BeeperMessageStatus && relatesTo(evt, cmd)
		})
		require.NoError(t, err)
		content, ok := status.Content.Parsed.(*event.BeeperMessageStatusEventContent)
		require.True(t, ok)
		assert.True(t, strings.HasPrefix(string(content.Status), "FAIL"), "status %s", content.Status)
		assert.Contains(t, strings.ToLower(content.Message+content.Error), "permission")
		assert.Zero(t, e.s.Sim.LoginCount())
	})
}

func relatesTo(evt *event.Event, target id.EventID) bool {
	rel, ok := evt.Content.Raw["m.relates_to"].(map[string]any)
	return ok && rel["event_id"] == target.String()
}
