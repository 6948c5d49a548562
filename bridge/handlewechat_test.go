package bridge

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

func TestInboxItemsRoundTrip(t *testing.T) {
	raw := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: 9007199254740993, FromUserName: "@alice", ToUserName: "@self", Content: "hi", CreateTime: 1700000000}
	b := &wechat.Batch{Messages: []*wechat.Message{wechat.ParseMessage(raw, "@self")}}
	c := &WeChatClient{conn: &WeChatConnector{}}
	r := newRoster(&wechat.Roster{Self: wechat.Contact{UserName: "@self"}},
		&wxdb.Resolution{Contacts: []wxdb.Resolved{{UserName: "@alice", PUID: "alicepuid"}}}, nil)
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
