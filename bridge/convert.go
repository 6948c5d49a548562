package bridge

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// convertMessage converts a WeChat message that needs no download to Matrix
// content, or returns nil for messages that are not bridged. Kinds the bridge
// cannot show become a notice saying so, so that nothing vanishes silently.
func (c *WeChatClient) convertMessage(ctx context.Context, r *roster, m *wechat.Message, portal networkid.PortalKey) *bridgev2.ConvertedMessage {
	var content *event.MessageEventContent
	var replyTo *networkid.MessageOptionalPartID
	snippet := ""
	switch mc := m.Content.(type) {
	case *wechat.Text:
		content = msgconv.TextToMatrix(mc.Text, c.mentionResolver(ctx, r, m, mc.Mentions))
		snippet = mc.Text
	case *wechat.Quote:
		snippet = mc.Reply
		if target := c.findQuoted(ctx, portal, mc); target != nil {
			content = msgconv.TextToMatrix(mc.Reply, c.mentionResolver(ctx, r, m, wechat.ParseMentions(mc.Reply)))
			replyTo = &networkid.MessageOptionalPartID{MessageID: target.ID, PartID: &target.PartID}
		} else {
			content = msgconv.QuoteBlock(mc)
		}
	case *wechat.StatusNotify, *wechat.SysNotice:
		return nil
	default:
		if content = msgconv.ContentToMatrix(mc); content == nil {
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
			Extra:      msgIDExtra(wxid.MakeMessageID(m.ID)),
			DBMetadata: &msgconv.MessageMetadata{Text: quoteSnippet(snippet)},
		}},
	}
}

// mentionResolver resolves the "@name"s of a group message; elsewhere
// nobody is mentioned.
func (c *WeChatClient) mentionResolver(ctx context.Context, r *roster, m *wechat.Message, mentions []string) func(string) (msgconv.MentionTarget, bool) {
	if !m.IsGroup || len(mentions) == 0 {
		return nil
	}
	return c.mentionTargets(ctx, r, m.Chat)
}
