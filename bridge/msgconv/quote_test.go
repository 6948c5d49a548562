package msgconv

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestQuoteSnippet(t *testing.T) {
	long := strings.Repeat("好", quoteSnippetRunes+10)
	tests := []struct {
		name, in, want string
	}{
		{"trimmed", "  hello\n", "hello"},
		{"short kept", "早上好 🌅", "早上好 🌅"},
		{"long cut at a rune boundary", long, strings.Repeat("好", quoteSnippetRunes)},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quoteSnippet(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestQuoteMatches(t *testing.T) {
	full := strings.Repeat("a", quoteSnippetRunes)
	tests := []struct {
		name            string
		snippet, quoted string
		want            bool
	}{
		{"same text", "see you at 8", "see you at 8", true},
		{"other text", "see you at 8", "see you at 9", false},
		{"phone shortened with an ellipsis", "a long story about the weekend", "a long story…", true},
		{"three dots", "a long story about the weekend", "a long story...", true},
		{"ellipsis alone matches nothing", "anything", "…", false},
		{"snippet cut short of a longer quote", full, full + "bbb", true},
		{"short snippet is not a prefix match", "a", "ab", false},
		{"no snippet", "", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, quoteMatches(tt.snippet, tt.quoted))
		})
	}
}

func TestMediaLabel(t *testing.T) {
	tests := []struct {
		content wechat.Content
		file    string
		want    string
	}{
		{&wechat.Image{}, "image.png", "[Photo]"},
		{&wechat.Emoticon{}, "", "[Sticker]"},
		{&wechat.Voice{}, "", "[Voice]"},
		{&wechat.Video{}, "", "[Video]"},
		{&wechat.File{}, "report Q3.pdf", "report Q3.pdf"},
		{&wechat.Text{}, "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mediaLabel(tt.content, tt.file))
	}
	for zh, en := range mediaLabels {
		assert.Contains(t, []string{"[Photo]", "[Sticker]", "[Voice]", "[Video]"}, en, zh)
	}
}
