package bridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/bridgev2/simplevent"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// A message can reach the room while the bridge learns nothing of it: the
// homeserver stores the event and then fails to answer (it was stopping),
// or the bridge dies before it saves the mapping. bridgev2 gives every
// attempt a new transaction ID, and a homeserver forgets its transactions
// when it restarts, so sending again would show the message twice. Every
// message the bridge sends carries its WeChat ID under msgconv.MsgIDKey, and
// an item that may have been sent before is first looked for in its room.
const (
	// redeliveryLookback is how many of the sender's latest messages in the
	// room are searched. Nothing later in the same chat was bridged after
	// the item, so it is among the last few.
	redeliveryLookback = 50
	// redeliveryReadLag is how long after storing an event a homeserver
	// may still leave it out of the room's history: reads are served from
	// a copy that trails the writes (Dendrite's sync API reads the
	// roomserver's output stream, Synapse's workers replicate). A retry
	// can come milliseconds after the failure, when the chat's next
	// message starts a pass, so an item not found is looked for again once
	// this long has passed since the attempt.
	redeliveryReadLag = 3 * time.Second
)

// lookUntilSettled calls look, and if it finds nothing before settled,
// waits until then and calls it once more.
func lookUntilSettled(ctx context.Context, settled time.Time, look func(context.Context) (bool, error)) (bool, error) {
	found, err := look(ctx)
	wait := time.Until(settled)
	if found || err != nil || wait <= 0 {
		return found, err
	}
	zerolog.Ctx(ctx).Debug().Dur("wait", wait).
		Msg("Message not in the room's history; looking again once the homeserver has caught up")
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return look(ctx)
}

// findDelivered looks for a message in its room's latest events, once more
// at settled if it is not there before (see redeliveryReadLag). When it is
// there, it saves the mapping bridgev2 would have saved and reports true:
// the message must not be sent again. Events other than messages, rooms
// not created yet, and messages bridgev2 already knows report false at
// once: no later look can change that.
func (c *WeChatClient) findDelivered(ctx context.Context, evt bridgev2.RemoteEvent, settled time.Time) (bool, error) {
	var msgID networkid.MessageID
	var meta *msgconv.MessageMetadata
	var replyTo *networkid.MessageOptionalPartID
	switch e := evt.(type) {
	case *simplevent.PreConvertedMessage:
		if e.Data == nil || len(e.Data.Parts) == 0 {
			return false, nil
		}
		msgID, replyTo = e.ID, e.Data.ReplyTo
		meta, _ = e.Data.Parts[0].DBMetadata.(*msgconv.MessageMetadata)
	case *simplevent.Message[*msgconv.FetchedMedia]:
		msgID, meta = e.ID, e.Data.Metadata()
	default:
		return false, nil
	}
	portal, err := c.conn.Bridge.GetExistingPortalByKey(ctx, evt.GetPortalKey())
	if err != nil || portal == nil || portal.MXID == "" {
		return false, err
	}
	known, err := c.conn.Bridge.DB.Message.GetFirstPartByID(ctx, portal.Receiver, msgID)
	if err != nil || known != nil {
		// A known message is dropped by bridgev2 as a duplicate.
		return false, err
	}
	intent, ok := portal.GetIntentFor(ctx, evt.GetSender(), c.login, bridgev2.RemoteEventMessage)
	if !ok {
		return false, nil
	}
	cli, doublePuppet, ok := senderClient(ctx, intent)
	if !ok {
		return false, nil
	}
	decrypt := ownEventDecrypter(c.conn.Bridge)
	var sent *event.Event
	found, err := lookUntilSettled(ctx, settled, func(ctx context.Context) (found bool, err error) {
		sent, err = findByMsgID(ctx, cli, portal.MXID, msgID, decrypt)
		return sent != nil, err
	})
	if err != nil || !found {
		return false, err
	}
	dbMsg := &database.Message{
		ID:               msgID,
		MXID:             sent.ID,
		Room:             portal.PortalKey,
		SenderID:         evt.GetSender().Sender,
		SenderMXID:       sent.Sender,
		Timestamp:        evt.(bridgev2.RemoteEventWithTimestamp).GetTimestamp(),
		Metadata:         meta,
		IsDoublePuppeted: doublePuppet,
	}
	if replyTo != nil {
		dbMsg.ReplyTo = *replyTo
	}
	if err = saveFoundMessage(ctx, c.conn.Bridge, dbMsg); err != nil {
		return false, fmt.Errorf("saving message %s found in the room: %w", msgID, err)
	}
	zerolog.Ctx(ctx).Info().Stringer("event_id", sent.ID).Msg("Message was already in the room; not sending it again")
	return true, nil
}

// decryptFunc decrypts an m.room.encrypted event the bridge's own device
// sent. nil when the bridge has no encryption.
type decryptFunc func(context.Context, *event.Event) (*event.Event, error)

// findByMsgID returns the sender's latest event in a room that carries a
// WeChat message ID, or nil. A sender who cannot read the room never sent
// anything to it. In an encrypted room the ID is inside the ciphertext: the
// bridge's device encrypted every event its ghosts sent and kept the
// Megolm sessions, so decrypt opens them, across restarts too. An event it
// cannot open is not one it can prove it sent, and is passed over.
func findByMsgID(ctx context.Context, cli *mautrix.Client, roomID id.RoomID, msgID networkid.MessageID, decrypt decryptFunc) (*event.Event, error) {
	types := []event.Type{event.EventMessage, event.EventSticker}
	if decrypt != nil {
		types = append(types, event.EventEncrypted)
	}
	filter := &mautrix.FilterPart{Types: types, Senders: []id.UserID{cli.UserID}}
	resp, err := cli.Messages(ctx, roomID, "", "", mautrix.DirectionBackward, filter, redeliveryLookback)
	if errors.Is(err, mautrix.MForbidden) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading the room's latest messages: %w", err)
	}
	for _, evt := range resp.Chunk {
		if evt.Sender != cli.UserID {
			continue
		}
		content := evt.Content.Raw
		if evt.Type == event.EventEncrypted && decrypt != nil {
			if evt.RoomID == "" {
				// Megolm payloads name their room; decryption checks it.
				evt.RoomID = roomID
			}
			content = decryptedContent(ctx, evt, decrypt)
		}
		if content[msgconv.MsgIDKey] == string(msgID) {
			return evt, nil
		}
	}
	return nil, nil
}

// decryptedContent is the plaintext content of an encrypted event, or nil
// when it cannot be decrypted.
func decryptedContent(ctx context.Context, evt *event.Event, decrypt decryptFunc) map[string]any {
	if err := evt.Content.ParseRaw(evt.Type); err != nil {
		zerolog.Ctx(ctx).Debug().Err(err).Stringer("event_id", evt.ID).Msg("Encrypted event in the room's history is malformed")
		return nil
	}
	plain, err := decrypt(ctx, evt)
	if err != nil {
		zerolog.Ctx(ctx).Debug().Err(err).Stringer("event_id", evt.ID).Msg("Could not decrypt an event in the room's history")
		return nil
	}
	return plain.Content.Raw
}
