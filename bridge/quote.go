package bridge

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

const (
	// quoteSnippetRunes bounds the text kept with each bridged message to
	// find it again when WeChat quotes it, and to quote it when a Matrix
	// reply goes to WeChat.
	quoteSnippetRunes = 200
	// quoteSearchDepth is how many recent messages of a portal are searched
	// for the message a WeChat quote refers to.
	quoteSearchDepth = 100
	// quoteDivider is the line the phone draws between a quote and the reply.
	quoteDivider = "- - - - - - - - - - - - - - -"
)

// quoteSnippet is the part of a message's text kept for quotes: trimmed,
// and cut after quoteSnippetRunes runes.
func quoteSnippet(text string) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= quoteSnippetRunes {
		return text
	}
	n := 0
	for i := range text {
		if n == quoteSnippetRunes {
			return text[:i]
		}
		n++
	}
	return text
}

// findQuoted looks for the message a WeChat quote refers to among the
// portal's recent messages. WeChat gives web clients no ID, only the quoted
// author's name and text: the text must match; when several messages match,
// the newest one by an author of that name wins, else the newest.
func (c *WeChatClient) findQuoted(ctx context.Context, portal networkid.PortalKey, q *wechat.Quote) *database.Message {
	quoted := quoteSnippet(q.Quoted)
	if label, ok := mediaLabels[quoted]; ok {
		quoted = label
	}
	if quoted == "" {
		return nil
	}
	msgs, err := c.conn.Bridge.DB.Message.GetLastNInPortal(ctx, portal, quoteSearchDepth)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to search the quoted message; showing the quote as text")
		return nil
	}
	var first *database.Message
	for _, msg := range msgs {
		meta, _ := msg.Metadata.(*msgconv.MessageMetadata)
		if meta == nil || !quoteMatches(meta.Text, quoted) {
			continue
		}
		if q.Name == "" || slices.Contains(c.senderNames(msg), q.Name) {
			return msg
		}
		if first == nil {
			first = msg
		}
	}
	return first
}

// quoteMatches reports whether a stored snippet is the quoted text. The
// phone shortens long quotes with an ellipsis.
func quoteMatches(snippet, quoted string) bool {
	if snippet == "" {
		return false
	} else if snippet == quoted {
		return true
	}
	for _, ellipsis := range []string{"…", "..."} {
		if prefix, ok := strings.CutSuffix(quoted, ellipsis); ok && prefix != "" && strings.HasPrefix(snippet, prefix) {
			return true
		}
	}
	return strings.HasPrefix(quoted, snippet) && utf8.RuneCountInString(snippet) == quoteSnippetRunes
}

// senderNames are the WeChat names of who wrote a bridged message, best
// first: how the group shows them (in a group portal), their nickname, the
// user's remark for them. A quote shows one of these.
func (c *WeChatClient) senderNames(msg *database.Message) []string {
	r := c.currentRoster()
	if r == nil {
		return nil
	}
	var ct *wechat.Contact
	if msg.SenderID == wxid.MakeSelfUserID(c.login.ID) {
		ct = r.contact(r.selfUserName())
	} else {
		ct = r.contactByPUID(string(msg.SenderID))
	}
	if ct == nil {
		return nil
	}
	names := make([]string, 0, 3)
	add := func(name string) {
		if name = wechat.CleanName(name); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if group, ok := r.userName(string(msg.Room.ID)); ok && wechat.IsGroupUserName(group) {
		if m := r.member(group, ct.UserName); m != nil {
			add(m.DisplayName)
		}
	}
	add(ct.NickName)
	add(ct.RemarkName)
	return names
}

// quotePrefix is the flattened quote WeChat clients show for a reply, put
// before the text of a Matrix reply sent to WeChat: 「name：quoted」 and the
// divider. Without a stored snippet (media, messages from before snippets
// were kept) the quote says what kind of message it was.
func (c *WeChatClient) quotePrefix(replyTo *database.Message) string {
	if replyTo == nil {
		return ""
	}
	text := ""
	if meta, _ := replyTo.Metadata.(*msgconv.MessageMetadata); meta != nil {
		text = meta.Text
	}
	if text == "" {
		text = "[message]"
	}
	name := ""
	if names := c.senderNames(replyTo); len(names) > 0 {
		name = names[0] + "："
	}
	return "「" + name + text + "」\n" + quoteDivider + "\n"
}

// mediaLabels are the snippets of media messages, in English and in the
// Chinese the phone uses when it quotes them.
var mediaLabels = map[string]string{
	"[图片]":   "[Photo]",
	"[动画表情]": "[Sticker]",
	"[语音]":   "[Voice]",
	"[视频]":   "[Video]",
}

// mediaLabel is the snippet kept for a media message.
func mediaLabel(c wechat.Content, fileName string) string {
	switch c.(type) {
	case *wechat.Image:
		return "[Photo]"
	case *wechat.Emoticon:
		return "[Sticker]"
	case *wechat.Voice:
		return "[Voice]"
	case *wechat.Video:
		return "[Video]"
	case *wechat.File:
		return quoteSnippet(fileName)
	}
	return ""
}
