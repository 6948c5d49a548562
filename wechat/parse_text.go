package wechat

import "strings"

// Text is a plain text message (MsgType 1), or an app message of
// AppMsgType 1, whose title is shown as text.
type Text struct {
	// Text is the formatted text (see FormatText).
	Text string
	// Mentions are the distinct names mentioned with "@name" (see
	// ParseMentions). The server sends no list of mentioned users.
	Mentions []string
}

func (*Text) isContent() {}

// newsAppUserName is the account that pushes Tencent News articles as
// MsgType 1 with <mmreader> XML.
const newsAppUserName = "newsapp"

// parseText handles MsgType 1 and its special cases: locations, newsapp
// articles and red packets.
func parseText(raw *RawMessage, body string) Content {
	if raw.SubMsgType == SubMsgTypeLocation || isLocationURL(raw.Url, body) {
		return parseTextLocation(raw, body)
	}
	if raw.FromUserName == newsAppUserName && strings.Contains(body, "mmreader") {
		if root, err := decodePayload(body); err == nil {
			if a := parseArticles(root); a != nil {
				return a
			}
		}
	}
	if raw.AppMsgType == AppMsgTypeRedPacket {
		if c, ok := parseAppMessage(raw, body).(*RedPacket); ok {
			return c
		}
		return &RedPacket{Title: FormatText(body)}
	}
	return textContent(FormatText(body))
}

// textContent makes a *Quote of a formatted text in the quote form, and a
// *Text of anything else.
func textContent(text string) Content {
	if q, ok := parseQuote(text); ok {
		return q
	}
	return &Text{Text: text, Mentions: ParseMentions(text)}
}
