package bridge

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

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
	c := &WeChatClient{conn: &WeChatConnector{}}
	r := newRoster(&wechat.Roster{Self: wechat.Contact{UserName: self}}, nil, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			raw.NewMsgId = 9007199254740993 // 2^53+1: must survive exactly
			m := wechat.ParseMessage(&raw, self)
			conv := c.convertMessage(context.Background(), r, m, networkid.PortalKey{ID: "chat"})
			if tt.skip {
				assert.Nil(t, conv)
				return
			}
			require.NotNil(t, conv)
			require.Len(t, conv.Parts, 1)
			assert.Equal(t, event.EventMessage, conv.Parts[0].Type)
			assert.Equal(t, tt.wantType, conv.Parts[0].Content.MsgType)
			assert.Contains(t, conv.Parts[0].Content.Body, tt.wantBody)
		})
	}
}

func TestInboxItemsRoundTrip(t *testing.T) {
	raw := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: 9007199254740993, FromUserName: "@alice", ToUserName: "@self", Content: "hi", CreateTime: 1700000000}
	b := &wechat.Batch{Messages: []*wechat.Message{wechat.ParseMessage(raw, "@self")}}
	c := &WeChatClient{conn: &WeChatConnector{}}
	r := newRoster(&wechat.Roster{Self: wechat.Contact{UserName: "@self"}},
		&database.Resolution{Contacts: []database.Resolved{{UserName: "@alice", PUID: "alicepuid"}}}, nil)
	items, err := c.inboxItems(context.Background(), r, b)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, int64(9007199254740993), items[0].MsgID)

	var p inboxPayload
	require.NoError(t, json.Unmarshal(items[0].Payload, &p))
	assert.Equal(t, "@self", p.Self)
	assert.Equal(t, "alicepuid", p.ChatPUID, "the chat's PUID is kept for bridging after a re-login")
	m := wechat.ParseMessage(p.Message, p.Self)
	assert.Equal(t, int64(9007199254740993), m.ID)
	assert.Equal(t, "@alice", m.Chat)
	assert.Equal(t, &wechat.Text{Text: "hi"}, m.Content)
}
