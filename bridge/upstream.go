package bridge

import (
	"context"
	"errors"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/bridgeconfig"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/matrix"
	"maunium.net/go/mautrix/bridgev2/status"
)

// This file holds every place where the bridge relies on how bridgev2
// behaves rather than on what its API promises. bridgev2 offers no public
// mechanism for any of them (checked against mautrix-go v0.33.0). Each is
// one small function whose guard fails loudly when a mautrix upgrade changes
// the behaviour; docs/architecture.md lists them with what to do then.

// errQueuedNotHandled is what the guard of synchronousPortals reports.
var errQueuedNotHandled = errors.New("bridgev2 queued the event instead of handling it, so the bridge cannot know it reached Matrix; " +
	"portal_event_buffer 0 no longer makes QueueRemoteEvent synchronous (see docs/architecture.md, \"bridgev2 behaviour we rely on\")")

// synchronousPortals sets bridge.portal_event_buffer to 0, whatever the
// admin configured: then QueueRemoteEvent handles an event before it
// returns and gives the real result, which is what lets the inbox delete a
// WeChat message only once it reached Matrix. bridgev2 reads the setting on
// every event, so it must be set before the first portal is loaded.
func synchronousPortals(cfg *bridgeconfig.BridgeConfig, log *zerolog.Logger) {
	if cfg.PortalEventBuffer != 0 {
		log.Info().Int("configured", cfg.PortalEventBuffer).
			Msg("Using portal_event_buffer 0: WeChat messages are bridged one at a time so that none is lost in a crash")
		cfg.PortalEventBuffer = 0
	}
}

// handlingError turns QueueRemoteEvent's result into nil once the event
// was handled, or the reason it was not. A result that says the event was
// only queued is an error (guard of synchronousPortals): the inbox keeps the
// item rather than lose it.
func handlingError(res bridgev2.EventHandlingResult) error {
	switch {
	case res.Queued:
		return errQueuedNotHandled
	case res.Success:
		return nil
	case res.Error != nil:
		return res.Error
	default:
		return errors.New("bridgev2 did not handle the event")
	}
}

// markStateSent records a bridge state as already sent, so that sending it
// next is dropped as a duplicate: no notice in the management room, but
// whoami shows it. bridgev2 posts a notice for every error state that is not
// a repeat of the previous one, and after a restart there is no previous
// one. Set and send back to back, while no other state of the login is on
// its way (before the first after a restart, or on a login that is logged
// out): once a previous state is set, GetPrevUnsent (whoami) dereferences
// the unsent one, which only Send sets. Guarded end to end by
// TestSessionLossOneNotice ("exactly one notice about the lost session"
// across a restart) and TestRestrictedWebLoginBarred (no notice besides the
// login's reply).
func markStateSent(login *bridgev2.UserLogin, state status.BridgeState) {
	login.BridgeState.SetPrev(state.Fill(login))
	login.BridgeState.Send(state)
}

// senderClient is the Matrix client that sends as intent, to read what it
// sent before. bridgev2's MatrixAPI has no way to read a room's history, so
// this takes the appservice intent behind it. The compile-time check below
// breaks when the type changes; a false answer at run time turns lost-answer
// detection off and is logged as an error. Guarded end to end by
// TestLostAnswerNotDoubled.
func senderClient(ctx context.Context, intent bridgev2.MatrixAPI) (cli *mautrix.Client, doublePuppet bool, ok bool) {
	as, isAS := intent.(*matrix.ASIntent)
	if !isAS {
		zerolog.Ctx(ctx).Error().Type("intent_type", intent).
			Msg("bridgev2's Matrix intent is no longer *matrix.ASIntent: a message whose answer was lost may be sent twice (see docs/architecture.md)")
		return nil, false, false
	}
	return as.Matrix().Client, as.IsDoublePuppet(), true
}

// The shape senderClient relies on: ASIntent.Matrix gives the appservice
// intent, whose Client reads the room.
var _ = func(as *matrix.ASIntent) *mautrix.Client { return as.Matrix().Client }

// ownEventDecrypter is the bridge device's decryption, for reading back
// what its ghosts sent to encrypted rooms, or nil without encryption.
// bridgev2 exposes it only on its Matrix connector's Crypto field.
func ownEventDecrypter(br *bridgev2.Bridge) decryptFunc {
	mc, ok := br.Matrix.(*matrix.Connector)
	if !ok || mc.Crypto == nil {
		return nil
	}
	return mc.Crypto.Decrypt
}

// saveFoundMessage stores the mapping of a message found in its room,
// the row bridgev2 would have written had the send been answered, so that
// replies, recalls and duplicate checks find it. bridgev2 has no public way
// to adopt an event it did not send; its message table is written through
// its own query type. Guarded by TestLostAnswerNotDoubled (a recall of the
// found message must redact it).
func saveFoundMessage(ctx context.Context, br *bridgev2.Bridge, msg *database.Message) error {
	return br.DB.Message.Insert(ctx, msg)
}

// droppedTries is how many attempts a message gets that bridgev2 dropped
// without storing it, before the bridge accepts the drop and goes on with
// the chat's next message.
const droppedTries = 5

// checkStored reports an error when bridgev2 said a message was handled
// ("ignored") but did not store it: bridgev2 drops a message the homeserver
// refused with M_FORBIDDEN, M_NOT_FOUND and the like instead of failing it,
// so that one refusing room does not stop the login. A homeserver that is
// stopping or starting answers that too (Dendrite: "appservice has not
// registered this user"), and the message would be lost. A message bridgev2
// handled or already had is in its message table; one that is not is tried
// again, up to droppedTries times. Guarded by TestCheckStored and end to end by
// TestDeliveryUnderFaults (the homeserver stopped while messages are
// bridged).
func (c *WeChatClient) checkStored(ctx context.Context, evt bridgev2.RemoteEvent, res bridgev2.EventHandlingResult, tries int) error {
	msg, isMsg := evt.(bridgev2.RemoteMessage)
	if !res.Ignored || !isMsg {
		return nil
	}
	known, err := c.conn.Bridge.DB.Message.GetFirstPartByID(ctx, evt.GetPortalKey().Receiver, msg.GetID())
	if err != nil || known != nil {
		return err
	}
	if tries+1 >= droppedTries {
		zerolog.Ctx(ctx).Error().Int("tries", tries+1).
			Msg("bridgev2 dropped the message every time (the homeserver refused it); giving up on it")
		return nil
	}
	return errDroppedByBridgev2
}

var errDroppedByBridgev2 = errors.New("bridgev2 dropped the message without storing it (the homeserver refused it); trying again")
