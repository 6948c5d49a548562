package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestFormatTextEmoji(t *testing.T) {
	span := func(code string) string { return `<span class="emoji emoji` + code + `"></span>` }
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"4 digits", span("2600"), "\u2600"},
		{"5 digits", span("1f604"), "\U0001F604"},
		{"6 digits keycap", span("2320e3"), "#\u20e3"},
		{"6 digits with variation selector", span("a9fe0f"), "\u00a9\ufe0f"},
		{"8 digits", span("2764fe0f"), "\u2764\ufe0f"},
		{"10 digits flag", span("1f1e81f1f3"), "\U0001F1E8\U0001F1F3"},
		{"remap 1f63c", span("1f63c"), "\U0001F601"},
		{"remap 1f639", span("1f639"), "\U0001F602"},
		{"remap 1f63a", span("1f63a"), "\U0001F603"},
		{"remap 1f4ab", span("1f4ab"), "\U0001F616"},
		{"remap 1f64d", span("1f64d"), "\U0001F614"},
		{"remap 1f63b", span("1f63b"), "\U0001F60D"},
		{"remap 1f63d", span("1f63d"), "\U0001F618"},
		{"remap 1f64e", span("1f64e"), "\U0001F621"},
		{"remap 1f63f", span("1f63f"), "\U0001F622"},
		{"truncated span", `a<span class="emoji emoji1f450"></spanb`, "a\U0001F450b"},
		{"truncated span at end", `a<span class="emoji emoji1f450"></span`, "a\U0001F450"},
		{"invalid hex", span("zz12"), "\uFFFD"},
		{"surrogate", span("d83d"), "\uFFFD"},
		{"6 digits with control", span("110000"), "\uFFFD"},
		{"above max 5 digits", span("fffff"), "\U000FFFFF"},
		{"control", span("0007"), "\uFFFD"},
		{"bad length", span("123"), "\uFFFD"},
		{"invalid second half", span("2320g3"), "\uFFFD"},
		{"empty code", span(""), "\uFFFD"},
		{"unterminated", `<span class="emoji emoji1f604">x`, `<span class="emoji emoji1f604">x`},
		{"too long code", span(strings.Repeat("1", 40)), span(strings.Repeat("1", 40))},
		{"two in a row", span("1f604") + span("1f604"), "😄😄"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}
