package e2e_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestSendWhenSessionEnds: WeChat ends the session while a message from
// Matrix is on its way (WeChat answered "too frequent" and the bridge waits
// out the cooldown to send it again). The sender sees the message fail with
// a sentence that says the WeChat session ended and to log in again; after
// the new login the failed message is not sent after all, nothing reaches
// WeChat twice, and new messages go through.
func TestSendWhenSessionEnds(t *testing.T) {
	e, alice, _ := setupWithAlice(t, stack.Options{Config: map[string]any{"matrix.message_status_events": true}})
	sim, bot, room := e.s.Sim, e.s.Bridge.Bot, e.u.ManagementRoom

	const inFlight = "sent as the session ends"
	calls := func(body string) int {
		n := 0
		for _, r := range sim.Requests("webwxsendmsg") {
			if bytes.Contains(r.Body, []byte(body)) {
				n++
			}
		}
		return n
	}
	sim.FailNext("webwxsendmsg", 1, wechattest.FaultTooFrequent)
	evtID, err := e.u.SendText(e.ctx, alice.ID, inFlight)
	require.NoError(t, err)
	e.waitUntil("WeChat to refuse the send as too frequent", func(context.Context) (bool, error) {
		return calls(inFlight) == 1, nil
	})
	sim.EndSession(wechat.RetSessionInvalid)

	st := e.messageStatus(alice.ID, evtID)
	assert.NotEqual(t, event.MessageStatusSuccess, st.Status)
	assert.Contains(t, st.Message, "WeChat ended the session")
	assert.Contains(t, st.Message, "log in again")
	notice, err := e.u.WaitEvent(e.ctx, alice.ID, "a notice in the chat that the message failed", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == bot && msg.MsgType == event.MsgNotice && strings.Contains(msg.Body, "ended the session")
	})
	require.NoError(t, err)
	body := stack.Message(notice).Body
	t.Logf("the chat says: %q", body)
	assert.Contains(t, body, "was not bridged", "the bridge knows WeChat did not take it")
	assert.Contains(t, body, "send `login` to the bridge bot")
	assert.Equal(t, 2, calls(inFlight), "the refused call, then the one the ended session answered")

	cmd := e.command(e.u, room, "login")
	uuid := e.pendingLogin(sim, "")
	require.NoError(t, sim.Confirm(uuid))
	e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)

	// Sends go out one at a time, in order: once this one is in, a resend
	// of the failed message would be in too.
	const after = "after logging in again"
	_, err = e.u.SendText(e.ctx, alice.ID, after)
	require.NoError(t, err)
	e.waitSent(sim, quote(after), func(m wechattest.SentMessage) bool { return m.Msg.Content == after })
	received := map[string]int{}
	for _, m := range sim.Sent() {
		received[m.Msg.Content]++
	}
	assert.Zero(t, received[inFlight], "the failed message was not delivered later")
	assert.Equal(t, 1, received[after])
	for body, n := range received {
		assert.Equal(t, 1, n, "%q reached WeChat once", body)
	}
	assert.Equal(t, 2, calls(inFlight), "and not even tried again")
}
