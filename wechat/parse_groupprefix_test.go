package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitGroupPrefix(t *testing.T) {
	const member = "@a3f5c1d2e4b6978812345678abcdef01"
	tests := []struct {
		name       string
		content    string
		wantSender string
		wantRest   string
		wantOK     bool
	}{
		{"member", member + ":<br/>hello", member, "hello", true},
		{"raw id", "wxid_ab-12:<br/>hi", "wxid_ab-12", "hi", true},
		{"later separators kept", member + ":<br/>a:<br/>b:<br/>c", member, "a:<br/>b:<br/>c", true},
		{"escaped xml body", member + ":<br/>&lt;msg&gt;&lt;/msg&gt;", member, "&lt;msg&gt;&lt;/msg&gt;", true},
		{"empty body", member + ":<br/>", member, "", true},
		{"no prefix", "hello world", "", "hello world", false},
		{"group id is not a sender", "@@abc:<br/>x", "", "@@abc:<br/>x", false},
		{"bare at", "@:<br/>x", "", "@:<br/>x", false},
		{"at with dash", "@ab-cd:<br/>x", "", "@ab-cd:<br/>x", false},
		{"chinese text", "地点:<br/>/cgi-bin/x", "", "地点:<br/>/cgi-bin/x", false},
		{"space in id", "ab cd:<br/>x", "", "ab cd:<br/>x", false},
		{"colon without br", member + ":hello", "", member + ":hello", false},
		{"empty", "", "", "", false},
		{"separator first", ":<br/>x", "", ":<br/>x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender, rest, ok := SplitGroupPrefix(tt.content)
			assert.Equal(t, tt.wantSender, sender)
			assert.Equal(t, tt.wantRest, rest)
			assert.Equal(t, tt.wantOK, ok)
			if ok {
				assert.Equal(t, tt.content, sender+":<br/>"+rest)
			}
		})
	}
}
