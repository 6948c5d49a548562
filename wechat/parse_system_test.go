package wechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSystem(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *System
	}{
		// Chinese.
		{
			name: "invite one",
			body: `"Alice"邀请"Bob"加入了群聊`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "invite several",
			body: `"Alice"邀请"Bob"、"Carol"、"<span class="emoji emoji1f338"></span>Lily"加入了群聊`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob", "Carol", "🌸Lily"}},
		},
		{
			name: "you invited",
			body: `你邀请"Bob"加入了群聊  <a href="weixin://findfriend/revoke">撤销</a>`,
			want: &System{Kind: SystemJoin, Targets: []string{"Bob"}},
		},
		{
			name: "invited you",
			body: `"Alice"邀请你和"Bob"加入了群聊`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "invited you with member list",
			body: `"Alice"邀请你加入了群聊，群聊参与人还有：Bob、Carol`,
			want: &System{Kind: SystemJoin, Actor: "Alice"},
		},
		{
			name: "qr code",
			body: `"Bob"通过扫描"Alice"分享的二维码加入群聊`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "qr code you shared",
			body: `"Bob"通过扫描你分享的二维码加入群聊  <a href="weixin://findfriend/revoke">撤销</a>`,
			want: &System{Kind: SystemJoin, Targets: []string{"Bob"}},
		},
		{
			name: "you removed",
			body: `你将"Bob"移出了群聊`,
			want: &System{Kind: SystemRemove, Targets: []string{"Bob"}},
		},
		{
			name: "you removed several",
			body: `你将"Bob"、"Carol"移出了群聊`,
			want: &System{Kind: SystemRemove, Targets: []string{"Bob", "Carol"}},
		},
		{
			name: "you were removed",
			body: `你被"Alice"移出群聊`,
			want: &System{Kind: SystemRemovedSelf, Actor: "Alice"},
		},
		{
			name: "rename",
			body: `"Alice"修改群名为“Gophers &amp; friends”`,
			want: &System{Kind: SystemRename, Actor: "Alice", NewName: "Gophers & friends"},
		},
		{
			name: "you renamed",
			body: `你修改群名为“周末”`,
			want: &System{Kind: SystemRename, NewName: "周末"},
		},
		{
			name: "you added",
			body: `你已添加了Bob，现在可以开始聊天了。`,
			want: &System{Kind: SystemNewFriend, Targets: []string{"Bob"}},
		},
		{
			name: "added you",
			body: `Bob、Jr刚刚把你添加到通讯录，现在可以开始聊天了。`,
			want: &System{Kind: SystemNewFriend, Actor: "Bob、Jr"},
		},
		{
			name: "red packet received",
			body: `收到红包，请在手机上查看`,
			want: &System{Kind: SystemRedPacket},
		},
		{
			name: "red packet sent",
			body: `发出红包，请在手机上查看`,
			want: &System{Kind: SystemRedPacket},
		},
		{
			name: "location share ended",
			body: `位置共享已经结束`,
			want: &System{Kind: SystemLocationShareEnded},
		},
		{
			name: "pat",
			body: `"Alice" 拍了拍 "Bob" 的肩膀`,
			want: &System{Kind: SystemPat, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "patted me",
			body: `"Alice" 拍了拍我`,
			want: &System{Kind: SystemPat, Actor: "Alice"},
		},
		{
			name: "pat other form",
			body: `你拍了拍自己`,
			want: &System{Kind: SystemPat},
		},
		{
			name: "friend verification with link",
			body: `Bob开启了朋友验证，你还不是他（她）朋友。请先发送朋友验证请求，对方验证通过后，才能聊天。<a href="weixin://findfriend/verifycontact">发送朋友验证</a>`,
			want: &System{Kind: SystemOther},
		},
		// English.
		{
			name: "en invite",
			body: `Alice invited Bob, Carol and Dan to the group chat`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob", "Carol", "Dan"}},
		},
		{
			name: "en invite quoted",
			body: `"Alice" invited "Bob", "Carol" to the group chat`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob", "Carol"}},
		},
		{
			name: "en you invited",
			body: `You invited "Bob" to the group chat.  <a href="weixin://findfriend/revoke">Revoke</a>`,
			want: &System{Kind: SystemJoin, Targets: []string{"Bob"}},
		},
		{
			name: "en qr code",
			body: `"Bob" joined the group chat via the QR Code shared by "Alice".`,
			want: &System{Kind: SystemJoin, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "en you removed",
			body: `You removed "Bob" from the group chat`,
			want: &System{Kind: SystemRemove, Targets: []string{"Bob"}},
		},
		{
			name: "en you were removed",
			body: `You were removed from the group chat by "Alice"`,
			want: &System{Kind: SystemRemovedSelf, Actor: "Alice"},
		},
		{
			name: "en rename",
			body: `"Alice" changed the group name to "Gophers"`,
			want: &System{Kind: SystemRename, Actor: "Alice", NewName: "Gophers"},
		},
		{
			name: "en you renamed",
			body: `You changed the group name to “Weekend”`,
			want: &System{Kind: SystemRename, NewName: "Weekend"},
		},
		{
			name: "en new friend",
			body: `You have added Bob as your WeChat contact. Start chatting!`,
			want: &System{Kind: SystemNewFriend, Targets: []string{"Bob"}},
		},
		{
			name: "en pat",
			body: `"Alice" patted "Bob"`,
			want: &System{Kind: SystemPat, Actor: "Alice", Targets: []string{"Bob"}},
		},
		{
			name: "en red packet",
			body: `Red Packet received. View on phone.`,
			want: &System{Kind: SystemRedPacket},
		},
		{
			name: "en location",
			body: `Location sharing has ended`,
			want: &System{Kind: SystemLocationShareEnded},
		},
		{
			name: "en other",
			body: `Group notice updated`,
			want: &System{Kind: SystemOther},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseOne(t, RawMessage{FromUserName: testGroup, MsgType: MsgTypeSys, Content: tt.body})
			tt.want.Text = formatSystemText(tt.body)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got.(*System).Text, "<a ")
		})
	}
}

func TestParseSystemLong(t *testing.T) {
	body := `"Alice"邀请"` + strings.Repeat("x", maxSystemMatch) + `"加入了群聊，收到红包`
	got := parseOne(t, RawMessage{MsgType: MsgTypeSys, Content: body})
	assert.Equal(t, SystemRedPacket, got.(*System).Kind, "long texts are only searched for fragments")
}

func TestNameList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`"A"、"B"`, []string{"A", "B"}},
		{`"A", "B" and "C"`, []string{"A", "B", "C"}},
		{`你和"B"`, []string{"B"}},
		{`A、B，C, D and E`, []string{"A", "B", "C", "D", "E"}},
		{`you`, nil},
		{`"unterminated`, []string{`"unterminated`}},
		{`"A" and "`, []string{"A"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, nameList(tt.in))
		})
	}
}
