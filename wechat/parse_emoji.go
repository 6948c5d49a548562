package wechat

import (
	"strings"
	"unicode/utf8"
)

const (
	emojiSpanStart = `<span class="emoji emoji`
	emojiSpanEnd   = `"></span`
	// maxEmojiHex bounds the search for the end of an emoji span.
	maxEmojiHex = 16
)

// matchEmoji recognises an emoji span at the start of s and returns its
// length and the one or two code points it stands for (r2 is -1 when there
// is one). The truncated form that ends in `"></span` without the final
// ">" is accepted too. A span whose code cannot be turned into valid,
// printable code points yields U+FFFD. n is 0 when s does not start with a
// span.
func matchEmoji(s string) (n int, r1, r2 rune) {
	if !strings.HasPrefix(s, emojiSpanStart) {
		return 0, 0, 0
	}
	rest := s[len(emojiSpanStart):]
	if len(rest) > maxEmojiHex+len(emojiSpanEnd) {
		rest = rest[:maxEmojiHex+len(emojiSpanEnd)]
	}
	end := strings.Index(rest, emojiSpanEnd)
	if end < 0 {
		return 0, 0, 0
	}
	n = len(emojiSpanStart) + end + len(emojiSpanEnd)
	if n < len(s) && s[n] == '>' {
		n++
	}
	r1, r2, ok := emojiRunes(rest[:end])
	if !ok {
		return n, utf8.RuneError, -1
	}
	return n, r1, r2
}

// emojiRunes decodes the hex code of an emoji span. Codes of 4 or 5 digits
// are one code point; 6 digits are 2+4 (keycaps: "23"+"20e3"), 8 are 4+4
// and 10 are 5+5 (flags). Codes the server is known to mix up are remapped
// first.
func emojiRunes(code string) (r1, r2 rune, ok bool) {
	code = remapEmoji(strings.ToLower(code))
	var first int
	switch len(code) {
	case 4, 5:
		first = len(code)
	case 6:
		first = 2
	case 8:
		first = 4
	case 10:
		first = 5
	default:
		return 0, 0, false
	}
	r1, ok = parseEmojiRune(code[:first])
	if !ok {
		return 0, 0, false
	}
	if first == len(code) {
		return r1, -1, true
	}
	r2, ok = parseEmojiRune(code[first:])
	if !ok {
		return 0, 0, false
	}
	return r1, r2, true
}

// remapEmoji fixes codes the server sends for the wrong emoji.
func remapEmoji(code string) string {
	switch code {
	case "1f63c":
		return "1f601"
	case "1f639":
		return "1f602"
	case "1f63a":
		return "1f603"
	case "1f4ab":
		return "1f616"
	case "1f64d":
		return "1f614"
	case "1f63b":
		return "1f60d"
	case "1f63d":
		return "1f618"
	case "1f64e":
		return "1f621"
	case "1f63f":
		return "1f622"
	}
	return code
}

// parseEmojiRune parses lowercase hex into a code point that is valid
// (not a surrogate, at most U+10FFFF) and printable.
func parseEmojiRune(hex string) (rune, bool) {
	var r rune
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		default:
			return 0, false
		}
	}
	if !utf8.ValidRune(r) || isControl(r) {
		return 0, false
	}
	return r, true
}
