package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// roomNotice tells the user in a portal, as the bot, what happened to a
// change they made there that WeChat refused or the bridge undid (a
// rename, a kick, a pin, a DM's members), which has no delivery status of
// its own to show it. It mentions nobody.
func (c *WeChatClient) roomNotice(ctx context.Context, portal *bridgev2.Portal, text string) {
	content := &event.MessageEventContent{MsgType: event.MsgNotice, Body: text, Mentions: &event.Mentions{UserIDs: []id.UserID{}}}
	if _, err := c.conn.Bridge.Bot.SendMessage(ctx, portal.MXID, event.EventMessage, &event.Content{Parsed: content}, nil); err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to send a notice about a refused change to the portal")
	}
}
