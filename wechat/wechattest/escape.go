package wechattest

import (
	"regexp"
	"strings"
)

// Both values are immutable once built and safe for concurrent use.
var (
	emojiSpan = regexp.MustCompile(`<span class="emoji emoji[0-9a-fA-F]+"></span>`)
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r\n", "<br/>", "\n", "<br/>")
)

// escapeText turns plain text into server form: '&', '<' and '>' escaped,
// newlines as <br/>, emoji spans kept as they are.
func escapeText(s string) string {
	var sb strings.Builder
	last := 0
	for _, loc := range emojiSpan.FindAllStringIndex(s, -1) {
		sb.WriteString(escaper.Replace(s[last:loc[0]]))
		sb.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	sb.WriteString(escaper.Replace(s[last:]))
	return sb.String()
}

// escapeXML turns an XML payload into server form: HTML-escaped, with
// newlines as <br/>.
func escapeXML(s string) string { return escaper.Replace(s) }
