package msgconv_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// stranger is a Client that must not be asked anything: any call panics.
type stranger struct{ msgconv.Client }

func TestConvertMessage(t *testing.T) {
	const self = "@self"
	tests := []struct {
		name     string
		raw      wechat.RawMessage
		wantType event.MessageType
		wantBody string
		skip     bool
	}{
		{"text with emoji, entity and newline", wechat.RawMessage{MsgType: wechat.MsgTypeText, FromUserName: "@alice", ToUserName: self,
			Content: `a &amp; b<br/>c <span class="emoji emoji1f604"></span>`}, event.MsgText, "a & b\nc 😄", false},
		{"group text loses the sender prefix", wechat.RawMessage{MsgType: wechat.MsgTypeText, FromUserName: "@@fam", ToUserName: self,
			Content: "@bob:<br/>hi all"}, event.MsgText, "hi all", false},
		{"status notify is not bridged", wechat.RawMessage{MsgType: wechat.MsgTypeStatusNotify, FromUserName: self, ToUserName: "@alice",
			StatusNotifyCode: wechat.StatusNotifyEnterSession}, "", "", true},
		{"system message is a notice", wechat.RawMessage{MsgType: wechat.MsgTypeSys, FromUserName: "@@fam", ToUserName: self,
			Content: `"Bob" invited "Carol" to the group chat`}, event.MsgNotice, `"Bob" invited "Carol" to the group chat`, false},
		{"video call is a notice", wechat.RawMessage{MsgType: wechat.MsgTypeVoIPInvite, FromUserName: "@alice", ToUserName: self},
			event.MsgNotice, "call", false},
		{"unknown type 12345 says it is not shown", wechat.RawMessage{MsgType: 12345, FromUserName: "@alice", ToUserName: self, Content: "&lt;msg&gt;new&lt;/msg&gt;"},
			event.MsgNotice, "(type 12345) cannot be shown here; see it on your phone", false},
	}
	var mc msgconv.MessageConverter
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			raw.NewMsgId = 9007199254740993 // 2^53+1: must survive exactly
			m := wechat.ParseMessage(&raw, self)
			conv := mc.ToMatrix(context.Background(), stranger{}, m, networkid.PortalKey{ID: "chat"}, wxid.MakeMessageID(m.ID))
			if tt.skip {
				assert.Nil(t, conv)
				return
			}
			require.NotNil(t, conv)
			require.Len(t, conv.Parts, 1)
			assert.Equal(t, event.EventMessage, conv.Parts[0].Type)
			assert.Equal(t, tt.wantType, conv.Parts[0].Content.MsgType)
			assert.Contains(t, conv.Parts[0].Content.Body, tt.wantBody)
			assert.Equal(t, "9007199254740993", conv.Parts[0].Extra[msgconv.MsgIDKey], "the event names the message")
		})
	}
}
