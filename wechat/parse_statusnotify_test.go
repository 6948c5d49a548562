package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseStatusNotify(t *testing.T) {
	const opXML = `<msg><op id='4'><username>wxid_a1,wxid_b2,12345678@chatroom</username><unreadchatlist><chat><username>wxid_a1</username><lastreadtime>1700000000</lastreadtime></chat></unreadchatlist><unreadfunctionlist></unreadfunctionlist></op></msg>`
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "read",
			raw:  RawMessage{ToUserName: testPeer, StatusNotifyCode: StatusNotifyRead},
			want: &StatusNotify{Code: StatusNotifyRead, UserNames: []string{testPeer}},
		},
		{
			name: "entered chat",
			raw:  RawMessage{ToUserName: testGroup, StatusNotifyCode: StatusNotifyEnterSession, StatusNotifyUserName: testGroup},
			want: &StatusNotify{Code: StatusNotifyEnterSession, UserNames: []string{testGroup}},
		},
		{
			name: "inited",
			raw:  RawMessage{ToUserName: testSelf, StatusNotifyCode: StatusNotifyInited},
			want: &StatusNotify{Code: StatusNotifyInited},
		},
		{
			name: "sync conversations",
			raw: RawMessage{
				ToUserName:           testSelf,
				StatusNotifyCode:     StatusNotifySyncConv,
				StatusNotifyUserName: testPeer + "," + testGroup + ",," + FileHelper + ",",
				Content:              serverEscape(opXML),
			},
			want: &StatusNotify{Code: StatusNotifySyncConv, UserNames: []string{testPeer, testGroup, FileHelper}},
		},
		{
			name: "sync conversations, empty list",
			raw:  RawMessage{ToUserName: testSelf, StatusNotifyCode: StatusNotifySyncConv, StatusNotifyUserName: " , "},
			want: &StatusNotify{Code: StatusNotifySyncConv},
		},
		{
			// Found by FuzzParseMessage: the list is split, so its parts
			// must be valid UTF-8 even when the field is not.
			name: "sync conversations, invalid UTF-8",
			raw:  RawMessage{ToUserName: testSelf, StatusNotifyCode: StatusNotifySyncConv, StatusNotifyUserName: "bad \xff\xfe,@a"},
			want: &StatusNotify{Code: StatusNotifySyncConv, UserNames: []string{"bad \uFFFD", "@a"}},
		},
		{
			name: "left chat",
			raw:  RawMessage{ToUserName: testPeer, StatusNotifyCode: StatusNotifyQuitSession},
			want: &StatusNotify{Code: StatusNotifyQuitSession, UserNames: []string{testPeer}},
		},
		{
			name: "code 9 to filehelper",
			raw:  RawMessage{ToUserName: FileHelper, StatusNotifyCode: 9},
			want: &StatusNotify{Code: 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.MsgType = MsgTypeStatusNotify
			tt.raw.FromUserName = testSelf
			m := ParseMessage(&tt.raw, testSelf)
			assert.Equal(t, tt.want, m.Content)
			assert.True(t, m.FromSelf)
			assert.Equal(t, tt.raw.ToUserName, m.Chat)
		})
	}
	t.Run("no chat", func(t *testing.T) {
		c := parseOne(t, RawMessage{MsgType: MsgTypeStatusNotify, FromUserName: testSelf, StatusNotifyCode: StatusNotifyRead, ToUserName: ""})
		assert.Equal(t, &StatusNotify{Code: StatusNotifyRead, UserNames: []string{testSelf}}, c)
	})
}
