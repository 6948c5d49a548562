package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMessageUnsupported(t *testing.T) {
	tests := []struct {
		name       string
		raw        RawMessage
		wantReason string
	}{
		{"unknown type", RawMessage{MsgType: 12345, Content: "whatever"}, "unknown MsgType 12345"},
		{"internal type", RawMessage{MsgType: 35}, "unknown MsgType 35"},
		{"broken app xml", RawMessage{MsgType: MsgTypeApp, AppMsgType: AppMsgTypeURL, Content: serverEscape(`<msg><appmsg><title>x</title>`)}, "app message XML: "},
		{"app without appmsg", RawMessage{MsgType: MsgTypeApp, Content: serverEscape(`<msg><other/></msg>`)}, "app message XML: no <appmsg> element"},
		{"app as plain text", RawMessage{MsgType: MsgTypeApp, Content: "just text"}, "app message XML: no XML element"},
		{"broken recall", RawMessage{MsgType: MsgTypeRecalled, Content: "&lt;sysmsg type=&quot;revokemsg&quot;&gt;&lt;revokemsg&gt;"}, "recall XML: "},
		{"broken location", RawMessage{MsgType: MsgTypeLocation, Content: "&lt;msg&gt;&lt;location x="}, "location XML: "},
		{"huge app xml", RawMessage{MsgType: MsgTypeApp, Content: strings.Repeat("&lt;a&gt;", maxXMLSize)}, "app message XML: payload over 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseOne(t, tt.raw)
			require.IsType(t, &Unsupported{}, c)
			u := c.(*Unsupported)
			assert.Equal(t, tt.raw.MsgType, u.MsgType)
			assert.Equal(t, tt.raw.AppMsgType, u.AppMsgType)
			assert.True(t, strings.HasPrefix(u.Reason, tt.wantReason), u.Reason)
			assert.LessOrEqual(t, len(u.Reason), maxReasonLen+len("…"))
			assert.True(t, utf8.ValidString(u.Reason))
		})
	}
}
