package msgconv

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// ToMatrix converts a WeChat message that needs no download to Matrix
// content, or returns nil for messages that are not bridged. Kinds the bridge
// cannot show become a notice saying so, so that nothing vanishes silently.
// portal is the message's portal, where a quote looks for the quoted
// message; msgID is the message's ID, which the event carries (MsgIDKey).
func (mc *MessageConverter) ToMatrix(ctx context.Context, cl Client, m *wechat.Message, portal networkid.PortalKey, msgID networkid.MessageID) *bridgev2.ConvertedMessage {
	var content *event.MessageEventContent
	var replyTo *networkid.MessageOptionalPartID
	snippet := ""
	switch wc := m.Content.(type) {
	case *wechat.Text:
		content = TextToMatrix(wc.Text, mentionTargets(ctx, cl, m, wc.Mentions))
		snippet = wc.Text
	case *wechat.Quote:
		snippet = wc.Reply
		if target := findQuoted(ctx, cl, portal, wc); target != nil {
			content = TextToMatrix(wc.Reply, mentionTargets(ctx, cl, m, wechat.ParseMentions(wc.Reply)))
			replyTo = &networkid.MessageOptionalPartID{MessageID: target.ID, PartID: &target.PartID}
		} else {
			content = QuoteBlock(wc)
		}
	case *wechat.StatusNotify, *wechat.SysNotice:
		return nil
	default:
		if content = ContentToMatrix(wc); content == nil {
			content = &event.MessageEventContent{
				MsgType:  event.MsgNotice,
				Body:     fmt.Sprintf("This kind of WeChat message (type %d) cannot be shown here; see it on your phone.", m.Type),
				Mentions: &event.Mentions{},
			}
		}
	}
	return &bridgev2.ConvertedMessage{
		ReplyTo: replyTo,
		Parts: []*bridgev2.ConvertedMessagePart{{
			Type:       event.EventMessage,
			Content:    content,
			Extra:      msgIDExtra(msgID),
			DBMetadata: &MessageMetadata{Text: quoteSnippet(snippet)},
		}},
	}
}
