package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestRecallAndRead: recalls and read state go both ways. A message
// recalled in WeChat is redacted in Matrix; a message redacted in Matrix is
// recalled in WeChat; reading a chat on the phone moves the user's read
// marker; a Matrix read receipt marks the chat read in WeChat. Dendrite
// does not push redactions or receipts to appservices, so those two are
// pushed to the bridge as the homeserver would.
func TestRecallAndRead(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{DoublePuppet: true})
	sim := e.s.Sim

	t.Run("recalled in WeChat", func(t *testing.T) {
		e := e.sub(t)
		msgID := sim.InjectText("alice", "", "oops, wrong chat")
		evt := e.waitMessage(e.u, alice.ID, aliceGhost, "oops, wrong chat")
		sim.InjectRecall("alice", "alice", msgID)
		e.waitUntil("the recalled message to be redacted", func(ctx context.Context) (bool, error) {
			got, err := e.u.Client.GetEvent(ctx, alice.ID, evt.ID)
			if err != nil {
				return false, err
			}
			return got.Unsigned.RedactedBecause != nil, nil
		})
	})

	t.Run("read on the phone", func(t *testing.T) {
		e := e.sub(t)
		sim.InjectText("alice", "", "read me on the phone")
		evt := e.waitMessage(e.u, alice.ID, aliceGhost, "read me on the phone")
		sim.InjectStatusNotify(wechat.StatusNotifyEnterSession, "alice")
		e.waitUntil("the user's read marker on the message read on the phone", func(ctx context.Context) (bool, error) {
			var marker struct {
				EventID id.EventID `json:"event_id"`
			}
			err := e.u.Client.GetRoomAccountData(ctx, alice.ID, "m.fully_read", &marker)
			return marker.EventID == evt.ID, err
		})
	})

	t.Run("redacted in Matrix", func(t *testing.T) {
		e := e.sub(t)
		evtID, err := e.u.SendText(e.ctx, alice.ID, "take this back")
		require.NoError(t, err)
		sent := e.waitSent(sim, "the message to recall", func(m wechattest.SentMessage) bool {
			return m.ToID == "alice" && m.Msg.Content == "take this back"
		})
		e.pushEvents(t, &event.Event{
			Type: event.EventRedaction, RoomID: alice.ID, Sender: e.u.ID, ID: id.EventID("$redaction-" + strconv.FormatInt(time.Now().UnixNano(), 10)),
			Redacts: evtID, Timestamp: time.Now().UnixMilli(),
			Content: event.Content{Raw: map[string]any{"redacts": evtID.String()}},
		})
		e.waitUntil("WeChat to receive the recall", func(context.Context) (bool, error) {
			for _, r := range sim.Revokes() {
				if r.SvrMsgId == strconv.FormatInt(sent.MsgID, 10) && r.ToUserName == sim.UserName("alice") && r.ClientMsgId == sent.Msg.ClientMsgId {
					return true, nil
				}
			}
			return false, nil
		})
	})

	t.Run("read receipt from Matrix", func(t *testing.T) {
		e := e.sub(t)
		evt := e.waitMessage(e.u, alice.ID, aliceGhost, "read me on the phone")
		before := len(sim.StatusNotifies())
		e.pushEphemeral(t, &event.Event{
			Type: event.EphemeralEventReceipt, RoomID: alice.ID,
			Content: event.Content{Raw: map[string]any{evt.ID.String(): map[string]any{
				"m.read": map[string]any{e.u.ID.String(): map[string]any{"ts": time.Now().UnixMilli()}},
			}}},
		})
		e.waitUntil("WeChat to be told the chat was read", func(context.Context) (bool, error) {
			for _, n := range sim.StatusNotifies()[before:] {
				if n.Code == wechat.StatusNotifyRead && n.ToUserName == sim.UserName("alice") {
					return true, nil
				}
			}
			return false, nil
		})
	})
}

// pushEvents and pushEphemeral hand made-up events to the bridge in an
// appservice transaction, as a homeserver that pushes them would.
func (e *env) pushEvents(t *testing.T, evts ...*event.Event) {
	t.Helper()
	require.NoError(t, e.s.Bridge.PushTransaction(e.ctx, fmt.Sprintf("txn-%d", time.Now().UnixNano()), stack.Transaction{Events: evts}))
}

func (e *env) pushEphemeral(t *testing.T, evts ...*event.Event) {
	t.Helper()
	require.NoError(t, e.s.Bridge.PushTransaction(e.ctx, fmt.Sprintf("txn-%d", time.Now().UnixNano()), stack.Transaction{Ephemeral: evts}))
}
