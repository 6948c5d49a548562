package wechat

import (
	"strconv"
	"strings"
)

// parseInt parses a non-negative decimal number leniently: anything else
// reads as 0.
func parseInt(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// cleanText tidies text read from XML, which the decoder has already
// unescaped.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// plainLine tidies a one-line text read from XML: control characters
// become spaces, like CleanName does, but nothing is read as markup.
func plainLine(s string) string {
	return strings.TrimSpace(spaceControls(cleanText(s)))
}

// cleanURL tidies a link. Only "&amp;" is undone: a full HTML unescape
// would turn a query such as "&copy=1" into "©=1".
func cleanURL(s string) string {
	s = cleanText(s)
	if strings.Contains(s, "&amp;") {
		s = strings.ReplaceAll(s, "&amp;", "&")
	}
	return s
}

// firstNonEmpty returns the first value that is not empty, or "".
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
