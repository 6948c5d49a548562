package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/matrix"
	"maunium.net/go/mautrix/event"
)

// ephemeralRoomTags is a room's m.tag as it arrives in the ephemeral part
// of an appservice transaction, where a homeserver that pushes room
// account data to appservices puts it. Dendrite and Synapse push none.
var ephemeralRoomTags = event.Type{Type: event.AccountDataRoomTags.Type, Class: event.EphemeralEventType}

// routeRoomTags hands the user's room tags that reach the bridge to
// bridgev2 as room account data, which it passes to HandleRoomTag:
// bridgev2 v0.33.0's Matrix connector listens for no account data itself.
func (wc *WeChatConnector) routeRoomTags() {
	mc, ok := wc.Bridge.Matrix.(*matrix.Connector)
	if !ok || mc.EventProcessor == nil {
		return
	}
	mc.EventProcessor.On(ephemeralRoomTags, func(ctx context.Context, evt *event.Event) {
		if evt.Sender == "" || evt.RoomID == "" {
			return
		}
		ctx = wc.Bridge.Log.With().Str("action", "route room tags").Stringer("room_id", evt.RoomID).Logger().WithContext(ctx)
		// Room account data, not an ephemeral event, which bridgev2 would
		// take for a receipt or typing and drop.
		evt.Type = event.AccountDataRoomTags
		evt.Mautrix.EventSource = event.SourceAccountData | event.SourceJoin
		evt.Content.Parsed = nil
		if err := evt.Content.ParseRaw(evt.Type); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Msg("Ignoring room tags that do not parse")
			return
		}
		wc.Bridge.QueueMatrixEvent(ctx, evt)
	})
}
