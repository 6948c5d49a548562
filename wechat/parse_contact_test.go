package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const (
	friendRequestXML = `<msg fromusername="wxid_bob1234567" encryptusername="v3_020b3826fd03010000000000d3c2@stranger" fromnickname="Bob" content="我是Bob &amp; friends"  shortpy="BOB" imagestatus="3" scene="30" country="CN" province="Guangdong" city="Shenzhen" sign="" percard="1" sex="1" alias="bob_w" weibo="" albumflag="0" albumstyle="0" albumbgimgid="" snsflag="1" snsbgimgid="" snsbgobjectid="0" mhash="" mfullhash="" bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/abc/0" smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/abc/96" ticket="v4_000b708f0b0400000100@stranger" opcode="2" googlecontact="" qrticket="" chatroomusername="" sourceusername="" sourcenickname="" sharecardusername="" sharecardnickname="" cardversion=""><brandlist count="0" ver="706001024"></brandlist></msg>`
	cardXML          = `<?xml version="1.0"?>
<msg bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/def/0" smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/def/132" username="v3_020b3826fd0301000000000099aa@stranger" nickname="Carol" fullpy="carol" shortpy="" alias="carol_w" imagestatus="3" scene="17" province="北京" city="中国" sign="" sex="2" certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" brandSubscriptConfigUrl="" brandFlags="0" regionCode="CN_Beijing_Haidian" />
`
	officialCardXML = `<?xml version="1.0"?>
<msg bigheadimgurl="" smallheadimgurl="http://wx.qlogo.cn/mmhead/gh/132" username="gh_0123456789ab" nickname="Gopher Daily" alias="gopherdaily" imagestatus="0" scene="17" province="" city="" sign="News" sex="0" certflag="24" certinfo="Gopher Inc." brandIconUrl="http://mmbiz.qpic.cn/icon" brandHomeUrl="" brandSubscriptConfigUrl="" brandFlags="0" regionCode="" />
`
)

func TestParseFriendRequest(t *testing.T) {
	ri := RecommendInfo{
		UserName:   "@7d3e1f2a3b4c5d6e7f8091a2b3c4d5e6",
		NickName:   `Bob<span class="emoji emoji1f436"></span>`,
		Province:   "广东",
		City:       "深圳",
		Content:    "我是Bob &amp; friends",
		Alias:      "bob_w",
		Scene:      30,
		AttrStatus: 4210789,
		Sex:        1,
		Ticket:     "v4_000b708f0b0400000100@stranger",
		OpCode:     2,
	}
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "full",
			raw:  RawMessage{RecommendInfo: ri, Content: serverEscape(friendRequestXML)},
			want: &FriendRequest{
				UserName:        "@7d3e1f2a3b4c5d6e7f8091a2b3c4d5e6",
				NickName:        "Bob🐶",
				Greeting:        "我是Bob & friends",
				Ticket:          "v4_000b708f0b0400000100@stranger",
				Alias:           "bob_w",
				Province:        "广东",
				City:            "深圳",
				Sex:             1,
				Scene:           30,
				RealID:          "wxid_bob1234567",
				EncryptUserName: "v3_020b3826fd03010000000000d3c2@stranger",
			},
		},
		{
			name: "xml only",
			raw:  RawMessage{Content: serverEscapeQuotes(friendRequestXML)},
			want: &FriendRequest{
				UserName:        "v3_020b3826fd03010000000000d3c2@stranger",
				NickName:        "Bob",
				Greeting:        "我是Bob & friends",
				Ticket:          "v4_000b708f0b0400000100@stranger",
				Alias:           "bob_w",
				Province:        "Guangdong",
				City:            "Shenzhen",
				Sex:             1,
				Scene:           30,
				RealID:          "wxid_bob1234567",
				EncryptUserName: "v3_020b3826fd03010000000000d3c2@stranger",
			},
		},
		{
			name: "recommend info only, broken xml",
			raw:  RawMessage{RecommendInfo: RecommendInfo{UserName: "@abc", NickName: "Z"}, Ticket: "t1", Content: "&lt;msg"},
			want: &FriendRequest{UserName: "@abc", NickName: "Z", Ticket: "t1"},
		},
		{
			name: "nothing usable",
			raw:  RawMessage{Content: "&lt;msg"},
			want: &Unsupported{MsgType: MsgTypeVerify, Reason: "friend request XML: XML syntax error on line 1: unexpected EOF"},
		},
		{
			name: "xml without names",
			raw:  RawMessage{Content: `<msg content="hi"/>`},
			want: &Unsupported{MsgType: MsgTypeVerify, Reason: "friend request: no <fromusername> element"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.MsgType = MsgTypeVerify
			tt.raw.FromUserName = FriendRequestSender
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParseCard(t *testing.T) {
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "person",
			raw: RawMessage{
				RecommendInfo: RecommendInfo{UserName: "@e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0", NickName: "Carol", Province: "北京", Sex: 2},
				Content:       serverEscape(cardXML),
			},
			want: &Card{
				UserName:   "@e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0",
				NickName:   "Carol",
				Alias:      "carol_w",
				Province:   "北京",
				City:       "中国",
				HeadImgURL: "http://wx.qlogo.cn/mmhead/ver_1/def/0",
				Sex:        2,
			},
		},
		{
			name: "official account from xml only",
			raw:  RawMessage{Content: serverEscape(officialCardXML)},
			want: &Card{
				UserName:   "gh_0123456789ab",
				NickName:   "Gopher Daily",
				Alias:      "gopherdaily",
				HeadImgURL: "http://wx.qlogo.cn/mmhead/gh/132",
				IsOfficial: true,
			},
		},
		{
			name: "official by verify flag, broken xml",
			raw:  RawMessage{RecommendInfo: RecommendInfo{UserName: "@x", NickName: "News", VerifyFlag: 24}, Content: "&lt;msg"},
			want: &Card{UserName: "@x", NickName: "News", IsOfficial: true},
		},
		{
			name: "broken xml without recommend info",
			raw:  RawMessage{Content: "&lt;msg"},
			want: &Unsupported{MsgType: MsgTypeShareCard, Reason: "card XML: XML syntax error on line 1: unexpected EOF"},
		},
		{
			name: "xml without username",
			raw:  RawMessage{Content: `<msg nickname="x"/>`},
			want: &Unsupported{MsgType: MsgTypeShareCard, Reason: "card: no <username> element"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.MsgType = MsgTypeShareCard
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParsePossibleFriend(t *testing.T) {
	c := parseOne(t, RawMessage{
		MsgType:       MsgTypePossibleFriend,
		RecommendInfo: RecommendInfo{UserName: "@f00d", NickName: "Dan &amp; Eve"},
	})
	assert.Equal(t, &PossibleFriend{UserName: "@f00d", NickName: "Dan & Eve"}, c)
}
