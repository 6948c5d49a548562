package wechattest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// The wire types write the fields the client does not decode, once each,
// and the client still reads what it needs from them.
func TestWireContactWritesEveryField(t *testing.T) {
	c := newWireContact()
	c.UserName, c.NickName, c.MemberCount = "@@g", "Group", 1
	c.MemberList = []wireMember{{UserName: "@a", NickName: "Alice", DisplayName: "Al", PYQuanPin: "alice", PYInitial: "ALICE", KeyWord: "wxi"}}
	a := newBatchContactAnswer()
	a.Count, a.ContactList = 1, []wireContact{c}
	data, err := json.Marshal(a)
	require.NoError(t, err)

	var raw struct {
		ContactList []map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	require.Len(t, raw.ContactList, 1)
	var members []map[string]any
	require.NoError(t, json.Unmarshal(raw.ContactList[0]["MemberList"], &members))
	require.Len(t, members, 1)
	for _, key := range []string{"UserName", "NickName", "DisplayName", "PYQuanPin", "PYInitial", "RemarkPYInitial", "RemarkPYQuanPin", "KeyWord", "AttrStatus", "MemberStatus", "Uin"} {
		assert.Contains(t, members[0], key)
	}
	assert.Equal(t, "alice", members[0]["PYQuanPin"])

	var got wechat.BatchContactResponse
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got.ContactList, 1)
	assert.Equal(t, []wechat.Member{{UserName: "@a", NickName: "Alice", DisplayName: "Al"}}, got.ContactList[0].MemberList)
}

// TestErrorAnswersHaveFullShape: an error answer carries every key of its
// endpoint's answer at its zero value, as the real server's do: lists are
// [], never null or missing, and sync keys are {"Count":0,"List":[]}.
func TestErrorAnswersHaveFullShape(t *testing.T) {
	emptyKey := map[string]any{"Count": float64(0), "List": []any{}}
	tests := []struct {
		endpoint string
		want     map[string]any // keys that must be there with these values
		keys     []string       // further keys that must be there
	}{
		{"webwxinit", map[string]any{"ContactList": []any{}, "SyncKey": emptyKey, "MPSubscribeMsgList": []any{}, "ChatSet": "", "SKey": ""},
			[]string{"Count", "User", "ClientVersion", "SystemTime", "GrayScale", "InviteStartCount", "MPSubscribeMsgCount", "ClickReportInterval"}},
		{"webwxsync", map[string]any{
			"AddMsgList": []any{}, "ModContactList": []any{}, "DelContactList": []any{}, "ModChatRoomMemberList": []any{},
			"SyncKey": emptyKey, "SyncCheckKey": emptyKey, "SKey": "", "ContinueFlag": float64(0),
		}, []string{"AddMsgCount", "ModContactCount", "DelContactCount", "ModChatRoomMemberCount", "Profile"}},
		{"webwxgetcontact", map[string]any{"MemberList": []any{}, "MemberCount": float64(0), "Seq": float64(0)}, nil},
		{"webwxbatchgetcontact", map[string]any{"ContactList": []any{}, "Count": float64(0)}, nil},
		{"webwxsendmsg", map[string]any{"MsgID": "", "LocalID": ""}, nil},
		{"webwxsendappmsg", map[string]any{"MsgID": "", "LocalID": ""}, nil},
		{"webwxrevokemsg", map[string]any{"Introduction": "", "SysWording": ""}, nil},
		{"webwxstatusnotify", map[string]any{"MsgID": ""}, nil},
		{"webwxuploadmedia", map[string]any{"MediaId": "", "StartPos": float64(0), "EncryFileName": ""}, []string{"CDNThumbImgHeight", "CDNThumbImgWidth"}},
		{"webwxcheckupload", map[string]any{"MediaId": "", "AESKey": "", "Signature": "", "EncryFileName": ""}, nil},
		{"webwxverifyuser", map[string]any{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			data, err := json.Marshal(errorAnswer(tt.endpoint, retSessionInvalid, "x"))
			require.NoError(t, err)
			var got map[string]any
			require.NoError(t, json.Unmarshal(data, &got))
			assert.Equal(t, map[string]any{"Ret": float64(retSessionInvalid), "ErrMsg": "x"}, got["BaseResponse"])
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], "key %s", k)
			}
			for _, k := range tt.keys {
				assert.Contains(t, got, k)
			}
			assert.Len(t, got, 1+len(tt.want)+len(tt.keys), "no other keys: %s", data)
			assert.NotContains(t, string(data), "null")
		})
	}
}

// TestErrorAnswerOnTheWire: a webwxsync refused for its session answers
// the full shape, SyncKey included, which the client reads as a session
// error and not as an empty sync.
func TestErrorAnswerOnTheWire(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.EndSession(retSessionInvalid)
	body, err := json.Marshal(wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: init.SyncKey, RR: -1})
	require.NoError(t, err)
	_, data := c.do("POST", api("webwxsync"), c.syncQuery(), body, nil)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got), string(data))
	assert.Equal(t, map[string]any{"Ret": float64(retSessionInvalid), "ErrMsg": ""}, got["BaseResponse"])
	assert.Equal(t, map[string]any{"Count": float64(0), "List": []any{}}, got["SyncKey"])
	assert.Equal(t, []any{}, got["AddMsgList"])
}
