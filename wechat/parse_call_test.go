package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseCall(t *testing.T) {
	tests := []struct {
		name    string
		msgType int
		content string
		want    Content
	}{
		{"voip message", MsgTypeVoIPMsg, serverEscape(`<voipmsg type="VoIPBubbleMsg"><VoIPBubbleMsg><msg><![CDATA[Call canceled]]></msg><room_type>1</room_type></VoIPBubbleMsg></voipmsg>`), &Call{Kind: CallMissed}},
		{"voip notify", MsgTypeVoIPNotify, "", &Call{Kind: CallEnded}},
		{"voip invite", MsgTypeVoIPInvite, "", &Call{Kind: CallInvite}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, RawMessage{MsgType: tt.msgType, Content: tt.content}))
		})
	}
}
