package msgconv

import (
	"context"
	"strings"
	"unicode"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/format"
	"maunium.net/go/mautrix/id"
)

// MentionedMember is the WeChat group member a mentioned Matrix user is.
type MentionedMember struct {
	// Name is how the member is @-mentioned in WeChat (group nickname,
	// else nickname).
	Name string
	// UserName is the member's session UserName, for wechat.Client.SendText.
	UserName string
}

// emotePrefix starts the text of an m.emote: WeChat has no emotes, and
// "/me waves" reads as intended, as in mautrix-signal and
// mautrix-gmessages.
const emotePrefix = "/me "

// mentionEnd ends an @-mention in WeChat text (see wechat.FindMentions).
const mentionEnd = "\u2005"

// TextFromMatrix converts an m.text, m.notice or m.emote to the text to send
// to WeChat and the UserNames of the members it @-mentions, each once, in
// order of first appearance.
//
// An HTML body is flattened to plain text, since WeChat shows no formatting:
// bold, italic, underline, strikethrough, spoilers, inline code and headings
// become their bare text; code blocks their text on lines of their own; links
// "text (url)" unless the text is the URL; list items "• item" or "1. item",
// nested ones indented; block quotes "> " lines; <br> and paragraphs line
// breaks; images their alt text. A pill of a user that memberOf knows becomes
// "@Name" + U+2005 and a mention, whether or not content.Mentions lists the
// user (Element always does); other user pills become their text, room and
// event pills links. The reply fallback (<mx-reply>, or the "> <@user> …"
// lines of a plain reply) is dropped. Without an HTML body, or when the HTML
// yields no text (only a reply fallback, or nesting too deep to parse), the
// body is used as is, and content.Mentions alone mentions nobody. Trailing
// white space is trimmed. An emote starts with "/me ". memberOf may be nil
// and is asked once per user; content is not modified.
func TextFromMatrix(content *event.MessageEventContent, memberOf func(userID id.UserID) (MentionedMember, bool)) (text string, mentionUserNames []string) {
	if content == nil {
		return "", nil
	}
	if content.Format == event.FormatHTML && content.FormattedBody != "" {
		f := flattener{memberOf: memberOf}
		text = trimTrailingSpace(f.flatten(event.TrimReplyFallbackHTML(content.FormattedBody)))
		mentionUserNames = f.userNames
		if len(mentionUserNames) > 0 {
			text = dropLeadingMentionColon(text)
		}
	}
	if text == "" {
		text, mentionUserNames = content.Body, nil
		if content.RelatesTo.GetReplyTo() != "" {
			text = event.TrimReplyFallbackText(text)
		}
		text = trimTrailingSpace(text)
	}
	if content.MsgType == event.MsgEmote && text != "" {
		text = emotePrefix + text
	}
	return text, mentionUserNames
}

// dropLeadingMentionColon removes the ": " Element puts after a pill that
// starts a message ("@Bob\u2005: hi" becomes "@Bob\u2005hi"): in WeChat the
// U+2005 already ends the name.
func dropLeadingMentionColon(text string) string {
	if !strings.HasPrefix(text, "@") {
		return text
	}
	end := strings.Index(text, mentionEnd)
	if end < 0 {
		return text
	}
	rest := text[end+len(mentionEnd):]
	if !strings.HasPrefix(rest, ":") {
		return text
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
	return text[:end+len(mentionEnd)] + rest
}

// trimTrailingSpace trims trailing white space, except a U+2005 that may end
// a mention.
func trimTrailingSpace(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) && r != '\u2005'
	})
}

// format.HTMLParser writes "* " before unordered list items and "# " before
// headings, and trims white space around blocks, which would eat the
// indentation of a code block or the U+2005 after a mention at the end of a
// paragraph. So the text the parser sees is escaped: every literal mark, "*"
// and "#" is prefixed with mark, and we write markMention and markCode where
// those must survive. After parsing, restoreMarks reads the result in one
// pass: escaped characters come back, the marks become what they stand for,
// and the "*" and "#" that are left can only be the parser's own. Where
// several pairs match at one position the first listed wins, so the order of
// restoreMarks matters ("# " before "#").
const (
	mark        = "\uE000" // a private-use character
	markMention = mark + "m"
	markCode    = mark + "c"
)

var (
	escapeMarks = strings.NewReplacer(
		mark, mark+mark,
		"*", mark+"*",
		"#", mark+"#",
	)
	restoreMarks = strings.NewReplacer(
		mark+mark, mark,
		mark+"*", "*",
		mark+"#", "#",
		markMention, mentionEnd,
		markCode, "",
		"*", "•",
		"# ", "",
		"#", "",
	)
)

// flattener holds the state of one TextFromMatrix call.
type flattener struct {
	memberOf  func(userID id.UserID) (MentionedMember, bool)
	known     map[id.UserID]*MentionedMember // nil: not a member
	userNames []string
	seen      map[string]struct{}
}

// flatten converts HTML to plain text. The parser is built per call since
// its pill converter records this call's mentions.
//
// Invalid UTF-8 is replaced first: the HTML tokenizer drops NUL bytes, and
// bytes on both sides of one could otherwise join into a mark character
// that no escaping saw.
func (f *flattener) flatten(html string) string {
	html = strings.ToValidUTF8(html, "\uFFFD")
	parser := &format.HTMLParser{
		TabsToSpaces:            -1,
		Newline:                 "\n",
		HorizontalLine:          "---",
		TextConverter:           escapeText,
		BoldConverter:           bareText,
		ItalicConverter:         bareText,
		StrikethroughConverter:  bareText,
		UnderlineConverter:      bareText,
		MonospaceConverter:      bareText,
		SpoilerConverter:        spoilerText,
		MonospaceBlockConverter: codeBlockText,
		LinkConverter:           linkText,
		ImageConverter:          imageText,
		PillConverter:           f.pillText,
	}
	return restoreMarks.Replace(parser.Parse(html, format.NewContext(context.Background())))
}

func escapeText(s string, _ format.Context) string {
	return escapeMarks.Replace(s)
}

func bareText(s string, _ format.Context) string {
	return s
}

func spoilerText(text, _ string, _ format.Context) string {
	return text
}

func codeBlockText(code, _ string, _ format.Context) string {
	return markCode + strings.TrimSuffix(code, "\n") + markCode
}

// linkText is "text (url)", or the URL alone when the text is the URL with
// or without its scheme, or empty.
func linkText(text, href string, _ format.Context) string {
	url := escapeMarks.Replace(href)
	if text == "" || text == url {
		return url
	}
	for _, scheme := range []string{"https://", "http://", "mailto:"} {
		if rest, ok := strings.CutPrefix(href, scheme); ok && text == escapeMarks.Replace(rest) {
			return text
		}
	}
	return text + " (" + url + ")"
}

func imageText(_, alt, title, _, _ string, _ bool) string {
	if alt == "" {
		alt = title
	}
	return escapeMarks.Replace(alt)
}

// pillText turns a pill into a mention of a known member, into its text for
// other users, and into a link for rooms and events.
func (f *flattener) pillText(text, mxid, eventID string, _ format.Context) string {
	if mxid == "" {
		return text
	}
	if mxid[0] == '@' && eventID == "" {
		if m, ok := f.member(id.UserID(mxid)); ok {
			return escapeMarks.Replace("@"+m.Name) + markMention
		}
		if text == "" {
			return escapeMarks.Replace(mxid)
		}
		return text
	}
	// The parser gives us the identifiers, not the href: rebuild a link that
	// reads well (matrix.to as Element writes it, without via).
	target := mxid
	switch {
	case eventID != "":
		target = "https://matrix.to/#/" + mxid + "/" + eventID
	case mxid[0] != '#':
		target = "https://matrix.to/#/" + mxid
	}
	return linkText(text, target, format.Context{})
}

// member resolves a mentioned user, asking memberOf once per user, and
// records the mention.
func (f *flattener) member(userID id.UserID) (MentionedMember, bool) {
	if f.memberOf == nil {
		return MentionedMember{}, false
	}
	known, asked := f.known[userID]
	if !asked {
		if m, ok := f.memberOf(userID); ok && m.Name != "" && m.UserName != "" {
			known = &m
		}
		if f.known == nil {
			f.known = make(map[id.UserID]*MentionedMember)
		}
		f.known[userID] = known
	}
	if known == nil {
		return MentionedMember{}, false
	}
	m := *known
	if _, dup := f.seen[m.UserName]; !dup {
		if f.seen == nil {
			f.seen = make(map[string]struct{})
		}
		f.seen[m.UserName] = struct{}{}
		f.userNames = append(f.userNames, m.UserName)
	}
	return m, true
}
