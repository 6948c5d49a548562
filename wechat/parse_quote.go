package wechat

import "strings"

// Quote is a quoted reply. Web clients receive it flattened into a text
// message (see parseQuote); the rare app message of AppMsgType 57 that
// reaches web is read from its <refermsg>. Neither carries a usable id of
// the quoted message.
type Quote struct {
	// Name is the display name of the quoted author; empty if unknown.
	Name string
	// Quoted is the quoted text.
	Quoted string
	// Reply is the text of the reply itself.
	Reply string
}

func (*Quote) isContent() {}

const (
	quoteOpen  = "「"
	quoteClose = "」\n"
	// minQuoteDashes is how many dashes a divider line needs at least. The
	// phone draws 15 ("- - - … -"); other clients draw fewer.
	minQuoteDashes = 3
)

// parseQuote recognises the flattened form in which web clients receive
// quoted replies, in a formatted text:
//
//	「<name>：<quoted text>」
//	- - - - - - - - - - - - - - -
//	<reply>
//
// The divider is any line of at least three dashes, optionally separated by
// spaces. The name ends at the first fullwidth colon (U+FF1A) or, if there
// is none, the first ASCII colon; without either the whole quote is the
// quoted text. The work is linear in len(text).
func parseQuote(text string) (*Quote, bool) {
	if !strings.HasPrefix(text, quoteOpen) {
		return nil, false
	}
	for off := len(quoteOpen); off < len(text); {
		k := strings.Index(text[off:], quoteClose)
		if k < 0 {
			return nil, false
		}
		closeAt := off + k
		line := closeAt + len(quoteClose)
		if n, ok := dividerLine(text[line:]); ok {
			name, quoted := splitQuoteAuthor(text[len(quoteOpen):closeAt])
			return &Quote{Name: name, Quoted: quoted, Reply: text[line+n:]}, true
		}
		off = closeAt + len("」")
	}
	return nil, false
}

// dividerLine reports whether s starts with a divider line and returns its
// length including the line break.
func dividerLine(s string) (int, bool) {
	dashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-':
			dashes++
		case ' ', '\t', '\r':
		case '\n':
			return i + 1, dashes >= minQuoteDashes
		default:
			return 0, false
		}
	}
	return len(s), dashes >= minQuoteDashes
}

// splitQuoteAuthor splits "name：quoted"; spaces around the name and
// before the quoted text are dropped.
func splitQuoteAuthor(s string) (name, quoted string) {
	name, quoted, ok := strings.Cut(s, "：")
	if !ok {
		name, quoted, ok = strings.Cut(s, ":")
	}
	if !ok {
		return "", s
	}
	return strings.TrimSpace(name), strings.TrimLeft(quoted, " ")
}

// parseReferMsg reads the <refermsg> of an app message of AppMsgType 57,
// whose title is the reply.
func parseReferMsg(ref *xmlNode, reply string) *Quote {
	return &Quote{Name: cleanText(ref.textOf("displayname")), Quoted: cleanText(ref.textOf("content")), Reply: reply}
}
