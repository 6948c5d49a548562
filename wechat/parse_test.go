package wechat

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addMsgItem is one AddMsgList item as webwxsync sends it: NewMsgId is a
// JSON number above 2^53, MsgId the same value as a string.
const addMsgItem = `{
	"MsgId": "7123456789012345678",
	"FromUserName": "@@6512bd43d9caa6e02c990b0a82652dcab1f0e7a3c2d4b5e6f708192a3b4c5d6e",
	"ToUserName": "@0f1e2d3c4b5a69788796a5b4c3d2e1f0",
	"MsgType": 1,
	"Content": "@c4ca4238a0b923820dcc509a6f75849b:<br/>Morning <span class=\"emoji emoji1f604\"></span>&lt;3 @Alice\u2005",
	"Status": 3,
	"ImgStatus": 1,
	"CreateTime": 1700000123,
	"VoiceLength": 0,
	"PlayLength": 0,
	"FileName": "",
	"FileSize": "",
	"MediaId": "",
	"Url": "",
	"AppMsgType": 0,
	"StatusNotifyCode": 0,
	"StatusNotifyUserName": "",
	"RecommendInfo": {"UserName": "", "NickName": "", "QQNum": 0, "Province": "", "City": "", "Content": "", "Signature": "", "Alias": "", "Scene": 0, "VerifyFlag": 0, "AttrStatus": 0, "Sex": 0, "Ticket": "", "OpCode": 0},
	"ForwardFlag": 0,
	"AppInfo": {"AppID": "", "Type": 0},
	"HasProductId": 0,
	"Ticket": "",
	"ImgHeight": 0,
	"ImgWidth": 0,
	"SubMsgType": 0,
	"NewMsgId": 7123456789012345678,
	"OriContent": "",
	"EncryFileName": ""
}`

func TestParseMessageFromJSON(t *testing.T) {
	var raw RawMessage
	require.NoError(t, json.Unmarshal([]byte(addMsgItem), &raw))
	m := ParseMessage(&raw, testSelf)
	assert.Equal(t, &Message{
		ID:      7123456789012345678,
		MsgID:   "7123456789012345678",
		Type:    MsgTypeText,
		Chat:    testGroup,
		Sender:  testMember,
		IsGroup: true,
		Time:    time.Unix(1700000123, 0),
		Content: &Text{Text: "Morning 😄<3 @Alice\u2005", Mentions: []string{"Alice"}},
		Raw:     &raw,
	}, m)
	// 7123456789012345678 is not representable as a float64: a float
	// round trip would have changed it.
	assert.NotEqual(t, int64(float64(7123456789012345678)), m.ID)
}

func TestParseMessageIdentity(t *testing.T) {
	tests := []struct {
		name         string
		raw          RawMessage
		wantChat     string
		wantSender   string
		wantFromSelf bool
		wantIsGroup  bool
		wantContent  Content
	}{
		{
			name:        "1:1 from peer",
			raw:         RawMessage{FromUserName: testPeer, ToUserName: testSelf, MsgType: MsgTypeText, Content: "hi"},
			wantChat:    testPeer,
			wantSender:  testPeer,
			wantContent: &Text{Text: "hi"},
		},
		{
			name:         "1:1 from self on the phone",
			raw:          RawMessage{FromUserName: testSelf, ToUserName: testPeer, MsgType: MsgTypeText, Content: "hi"},
			wantChat:     testPeer,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantContent:  &Text{Text: "hi"},
		},
		{
			name:         "empty FromUserName is self",
			raw:          RawMessage{ToUserName: FileHelper, MsgType: MsgTypeText, Content: "note"},
			wantChat:     FileHelper,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantContent:  &Text{Text: "note"},
		},
		{
			name:         "to filehelper",
			raw:          RawMessage{FromUserName: testSelf, ToUserName: FileHelper, MsgType: MsgTypeText, Content: "x"},
			wantChat:     FileHelper,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantContent:  &Text{Text: "x"},
		},
		{
			name:        "group from member",
			raw:         RawMessage{FromUserName: testGroup, ToUserName: testSelf, MsgType: MsgTypeText, Content: groupBody(testMember, "a:<br/>b")},
			wantChat:    testGroup,
			wantSender:  testMember,
			wantIsGroup: true,
			wantContent: &Text{Text: "a:\nb"},
		},
		{
			name:         "group from self",
			raw:          RawMessage{FromUserName: testSelf, ToUserName: testGroup, MsgType: MsgTypeText, Content: "note:<br/>x"},
			wantChat:     testGroup,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantIsGroup:  true,
			wantContent:  &Text{Text: "note:\nx"},
		},
		{
			name:         "group from self with own prefix",
			raw:          RawMessage{FromUserName: testSelf, ToUserName: testGroup, MsgType: MsgTypeText, Content: groupBody(testSelf, "x")},
			wantChat:     testGroup,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantIsGroup:  true,
			wantContent:  &Text{Text: "x"},
		},
		{
			name:         "group message whose prefix is self",
			raw:          RawMessage{FromUserName: testGroup, ToUserName: testSelf, MsgType: MsgTypeText, Content: groupBody(testSelf, "x")},
			wantChat:     testGroup,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantIsGroup:  true,
			wantContent:  &Text{Text: "x"},
		},
		{
			name:        "group without prefix",
			raw:         RawMessage{FromUserName: testGroup, ToUserName: testSelf, MsgType: MsgTypeText, Content: "odd"},
			wantChat:    testGroup,
			wantSender:  testGroup,
			wantIsGroup: true,
			wantContent: &Text{Text: "odd"},
		},
		{
			name:        "group system message has no prefix",
			raw:         RawMessage{FromUserName: testGroup, ToUserName: testSelf, MsgType: MsgTypeSys, Content: `abc:<br/>x`},
			wantChat:    testGroup,
			wantSender:  testGroup,
			wantIsGroup: true,
			wantContent: &System{Text: "abc:\nx", Kind: SystemOther},
		},
		{
			name:        "group sys notice has no prefix",
			raw:         RawMessage{FromUserName: testGroup, ToUserName: testSelf, MsgType: MsgTypeSysNotice, Content: `abc:<br/>x`},
			wantChat:    testGroup,
			wantSender:  testGroup,
			wantIsGroup: true,
			wantContent: &SysNotice{Text: "abc:\nx"},
		},
		{
			name:         "status notify for a group",
			raw:          RawMessage{FromUserName: testSelf, ToUserName: testGroup, MsgType: MsgTypeStatusNotify, StatusNotifyCode: StatusNotifyEnterSession},
			wantChat:     testGroup,
			wantSender:   testSelf,
			wantFromSelf: true,
			wantIsGroup:  true,
			wantContent:  &StatusNotify{Code: StatusNotifyEnterSession, UserNames: []string{testGroup}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ParseMessage(&tt.raw, testSelf)
			assert.Equal(t, tt.wantChat, m.Chat)
			assert.Equal(t, tt.wantSender, m.Sender)
			assert.Equal(t, tt.wantFromSelf, m.FromSelf)
			assert.Equal(t, tt.wantIsGroup, m.IsGroup)
			assert.Equal(t, tt.wantContent, m.Content)
			assert.Same(t, &tt.raw, m.Raw)
		})
	}
}

func TestParseMessageFields(t *testing.T) {
	t.Run("MsgId fallback", func(t *testing.T) {
		m := ParseMessage(&RawMessage{MsgId: "9123456789012345678", MsgType: MsgTypeText}, testSelf)
		assert.Equal(t, int64(9123456789012345678), m.ID)
		assert.Equal(t, "9123456789012345678", m.MsgID)
	})
	t.Run("no CreateTime", func(t *testing.T) {
		m := ParseMessage(&RawMessage{MsgType: MsgTypeText}, testSelf)
		assert.True(t, m.Time.IsZero())
	})
	t.Run("nil", func(t *testing.T) {
		m := ParseMessage(nil, testSelf)
		require.NotNil(t, m)
		assert.IsType(t, &Unsupported{}, m.Content)
	})
	t.Run("unknown self", func(t *testing.T) {
		m := ParseMessage(&RawMessage{FromUserName: testGroup, MsgType: MsgTypeText, Content: groupBody(testMember, "x")}, "")
		assert.False(t, m.FromSelf)
		assert.Equal(t, testMember, m.Sender)
	})
}

func TestIsGroupUserName(t *testing.T) {
	assert.True(t, IsGroupUserName(testGroup))
	assert.False(t, IsGroupUserName(testPeer))
	assert.False(t, IsGroupUserName(FileHelper))
	assert.False(t, IsGroupUserName(""))
}

// hugeBody is a text of over 3 MiB full of markup, for every message type
// the parser reads.
var hugeBody = strings.Repeat(`<span class="emoji emoji1f604"></span>&amp;<br/>@a `, 1<<16)

var hugeTypes = []int{MsgTypeText, MsgTypeApp, MsgTypeImage, MsgTypeSys, MsgTypeRecalled, MsgTypeVerify, MsgTypeShareCard, MsgTypeEmoticon}

func TestParseMessageHuge(t *testing.T) {
	// A multi-megabyte message of any type parses; how fast is
	// BenchmarkParseMessageHuge's to say.
	require.Greater(t, len(hugeBody), 3<<20)
	for _, typ := range hugeTypes {
		m := ParseMessage(&RawMessage{FromUserName: testGroup, MsgType: typ, Content: groupBody(testMember, hugeBody)}, testSelf)
		require.NotNil(t, m.Content)
	}
}

// BenchmarkParseMessageHuge: a multi-megabyte text is formatted in linear
// time; XML payloads that large are refused without decoding. One op is
// the whole set of types (it took well under 5 s when the time was
// asserted in TestParseMessageHuge).
func BenchmarkParseMessageHuge(b *testing.B) {
	content := groupBody(testMember, hugeBody)
	b.SetBytes(int64(len(content) * len(hugeTypes)))
	for b.Loop() {
		for _, typ := range hugeTypes {
			ParseMessage(&RawMessage{FromUserName: testGroup, MsgType: typ, Content: content}, testSelf)
		}
	}
}

func TestParseMessageInvalidUTF8(t *testing.T) {
	for _, typ := range []int{MsgTypeText, MsgTypeSys, MsgTypeSysNotice, MsgTypeApp, MsgTypeRecalled} {
		raw := RawMessage{
			FromUserName: testGroup,
			MsgType:      typ,
			Content:      groupBody(testMember, "bad \xff\xfe bytes "+serverEscape("<msg><appmsg><title>\xc3</title></appmsg></msg>")),
			FileName:     "\xff",
		}
		m := ParseMessage(&raw, testSelf)
		require.NotNil(t, m.Content)
		assertValidUTF8(t, m.Content)
	}
}

// TestContentSet pins the closed set of views ParseMessage produces.
func TestContentSet(t *testing.T) {
	views := []Content{
		&Text{}, &Quote{}, &Location{}, &Image{}, &Voice{}, &Video{}, &Emoticon{},
		&Link{}, &Articles{}, &File{}, &MiniProgram{}, &Transfer{}, &RedPacket{}, &RealtimeLocation{}, &ChatHistory{}, &AppMessage{},
		&FriendRequest{}, &Card{}, &PossibleFriend{}, &Recall{}, &System{}, &SysNotice{}, &StatusNotify{}, &Call{}, &Unsupported{},
	}
	seen := map[string]bool{}
	for _, v := range views {
		v.isContent()
		name := fmt.Sprintf("%T", v)
		assert.False(t, seen[name], name)
		seen[name] = true
	}
	assert.Len(t, seen, 25)
}
