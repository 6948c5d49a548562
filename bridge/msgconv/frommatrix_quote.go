package msgconv

import (
	"maunium.net/go/mautrix/bridgev2/database"
)

// quotePrefix is the flattened quote WeChat clients show for a reply, put
// before the text of a Matrix reply sent to WeChat: 「name：quoted」 and the
// divider. Without a stored snippet (media, messages from before snippets
// were kept) the quote says what kind of message it was.
func quotePrefix(cl Client, replyTo *database.Message) string {
	if replyTo == nil {
		return ""
	}
	text := ""
	if meta, _ := replyTo.Metadata.(*MessageMetadata); meta != nil {
		text = meta.Text
	}
	if text == "" {
		text = "[message]"
	}
	name := ""
	if names := senderNames(cl, replyTo); len(names) > 0 {
		name = names[0] + "："
	}
	return "「" + name + text + "」\n" + quoteDivider + "\n"
}
