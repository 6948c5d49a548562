package bridge

import (
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/bridgeconfig"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/simplevent"

	"github.com/wxbridge/wxbridge/bridge/wxid"
)

// TestHandlingError: only an event bridgev2 handled lets the inbox delete
// its item; one it merely queued is kept, with an error that says why.
func TestHandlingError(t *testing.T) {
	sendFailed := errors.New("homeserver answered 500")
	tests := []struct {
		name string
		res  bridgev2.EventHandlingResult
		want error
	}{
		{"handled", bridgev2.EventHandlingResultSuccess, nil},
		{"ignored as a duplicate", bridgev2.EventHandlingResultIgnored, nil},
		{"only queued", bridgev2.EventHandlingResultQueued, errQueuedNotHandled},
		{"failed with a reason", bridgev2.EventHandlingResultFailed.WithError(sendFailed), sendFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, handlingError(tt.res))
		})
	}
	t.Run("failed without a reason", func(t *testing.T) {
		assert.ErrorContains(t, handlingError(bridgev2.EventHandlingResultFailed), "did not handle")
	})
	assert.Contains(t, errQueuedNotHandled.Error(), "docs/architecture.md", "the error says where to look")
}

// TestSynchronousPortals: whatever the admin set, portals handle events
// before QueueRemoteEvent returns.
func TestSynchronousPortals(t *testing.T) {
	for _, configured := range []int{0, 64, -1} {
		cfg := &bridgeconfig.BridgeConfig{PortalEventBuffer: configured}
		log := zerolog.Nop()
		synchronousPortals(cfg, &log)
		assert.Zero(t, cfg.PortalEventBuffer, "configured %d", configured)
	}
}

// TestCheckStored: a message bridgev2 reports "ignored" without storing it
// (it drops sends the homeserver refused) is tried again, up to
// droppedTries times; one it stored, or any other result, is done.
func TestCheckStored(t *testing.T) {
	const chat = "pcarol"
	msgID := wxid.MakeMessageID(7000855071026356502)
	msg := func() bridgev2.RemoteEvent {
		return &simplevent.PreConvertedMessage{
			EventMeta: simplevent.EventMeta{Type: bridgev2.RemoteEventMessage, PortalKey: wxid.MakePortalKey(chat, testLoginID)},
			ID:        msgID,
		}
	}
	tests := []struct {
		name   string
		evt    bridgev2.RemoteEvent
		res    bridgev2.EventHandlingResult
		stored bool
		tries  int
		want   error
	}{
		{"handled", msg(), bridgev2.EventHandlingResultSuccess, false, 0, nil},
		{"ignored as a duplicate it stored", msg(), bridgev2.EventHandlingResultIgnored, true, 0, nil},
		{"ignored and not stored", msg(), bridgev2.EventHandlingResultIgnored, false, 0, errDroppedByBridgev2},
		{"ignored and not stored, last try but one", msg(), bridgev2.EventHandlingResultIgnored, false, droppedTries - 2, errDroppedByBridgev2},
		{"ignored and not stored, last try", msg(), bridgev2.EventHandlingResultIgnored, false, droppedTries - 1, nil},
		{"not a message", &simplevent.ChatResync{EventMeta: simplevent.EventMeta{Type: bridgev2.RemoteEventChatResync, PortalKey: wxid.MakePortalKey(chat, testLoginID)}},
			bridgev2.EventHandlingResultIgnored, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			ctx := tb.br.BackgroundCtx
			c := friendTestClient(t, tb)
			tb.addPortal(t, chat, "!carol:example.com", database.RoomTypeDM)
			if tt.stored {
				require.NoError(t, tb.br.DB.Ghost.Insert(ctx, &database.Ghost{BridgeID: tb.br.ID, ID: wxid.MakeUserID(chat)}))
				require.NoError(t, tb.br.DB.Message.Insert(ctx, &database.Message{
					BridgeID: tb.br.ID, ID: msgID, MXID: "$sent", Room: wxid.MakePortalKey(chat, testLoginID),
					SenderID: wxid.MakeUserID(chat), Timestamp: time.Now(),
				}))
			}
			assert.Equal(t, tt.want, c.checkStored(ctx, tt.evt, tt.res, tt.tries))
		})
	}
}
