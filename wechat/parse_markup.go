package wechat

import (
	"html"
	"strings"
)

// FormatText turns the HTML-ish text of a message body into plain text:
// <br/> becomes a newline, emoji spans become the emoji, and entities are
// unescaped.
//
// The order matters. Markup is recognised on the text as the server sent
// it, and only the text between markup is unescaped, once. A user who types
// `<span class="emoji emoji1f604"></span>` or "<br/>" reaches us as
// "&lt;span …&gt;" and gets exactly those characters back, not an emoji or
// a line break; and an entity can never be assembled across a converted
// span. Invalid UTF-8 becomes U+FFFD. The work is linear in len(s).
func FormatText(s string) string {
	return formatMarkup(s, false)
}

// CleanName formats a NickName, RemarkName or DisplayName: emoji spans and
// entities as in FormatText, any other markup removed, line breaks and other
// control characters turned into spaces, and surrounding space trimmed.
func CleanName(s string) string {
	return strings.TrimSpace(spaceControls(formatMarkup(s, true)))
}

// spaceControls turns line breaks and other control characters into spaces.
func spaceControls(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

// formatSystemText formats the text of a system message: like FormatText,
// but tags such as <a href="weixin://…">…</a> are dropped and their inner
// text kept.
func formatSystemText(s string) string {
	return strings.TrimSpace(formatMarkup(s, true))
}

func isControl(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0
}

// formatMarkup implements FormatText and, with stripTags, CleanName and
// formatSystemText.
func formatMarkup(s string, stripTags bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, '<') < 0 {
		return html.UnescapeString(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	seg := 0          // start of the text not yet written
	noCloser := false // no '>' after the current position
	flush := func(end int) {
		b.WriteString(html.UnescapeString(s[seg:end]))
	}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if n := matchBreak(s[i:]); n > 0 {
			flush(i)
			b.WriteByte('\n')
			i += n
			seg = i
			continue
		}
		if n, r1, r2 := matchEmoji(s[i:]); n > 0 {
			flush(i)
			b.WriteRune(r1)
			if r2 >= 0 {
				b.WriteRune(r2)
			}
			i += n
			seg = i
			continue
		}
		if stripTags && !noCloser && i+1 < len(s) && isTagStart(s[i+1]) {
			k := strings.IndexByte(s[i+1:], '>')
			if k < 0 {
				noCloser = true
			} else {
				flush(i)
				i += k + 2
				seg = i
				continue
			}
		}
		i++
	}
	flush(len(s))
	return b.String()
}

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// matchBreak returns the length of a <br/>, <br> or <br /> at the start
// of s, or 0.
func matchBreak(s string) int {
	if len(s) < 4 || !strings.EqualFold(s[:3], "<br") {
		return 0
	}
	switch {
	case s[3] == '>':
		return 4
	case strings.HasPrefix(s[3:], "/>"):
		return 5
	case strings.HasPrefix(s[3:], " />"):
		return 6
	}
	return 0
}
