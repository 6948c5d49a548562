package wechat

import (
	"errors"
	"strings"
	"testing"
)

// FuzzSyncResponse decodes a webwxsync answer as the sync loop does and
// parses everything in it: a value or an error, never a panic; IDs as the
// JSON holds them; valid UTF-8 and bounded sizes out.
func FuzzSyncResponse(f *testing.F) {
	item := func(content string) string {
		return strings.Replace(addMsgItem, `"Content": "@c4ca4238a0b923820dcc509a6f75849b:<br/>Morning <span class=\"emoji emoji1f604\"></span>&lt;3 @Alice\u2005"`,
			`"Content": `+jsonString(content), 1)
	}
	for _, s := range []string{
		`{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":1,"AddMsgList":[` + addMsgItem + `],"SyncKey":{"Count":1,"List":[{"Key":1,"Val":1}]}}`,
		`{"BaseResponse":{"Ret":0},"AddMsgList":[` + item(groupBody(testMember, serverEscape(appMsg(linkAppMsg, "")))) + `]}`,
		`{"BaseResponse":{"Ret":0},"AddMsgList":[` + item(groupBody(testMember, serverEscape(recallXML("9007199254740993", "x")))) + `]}`,
		`{"BaseResponse":{"Ret":0},"AddMsgList":[{"MsgId":"9223372036854775807","NewMsgId":"9223372036854775807","MsgType":10002,"Content":` +
			jsonString(serverEscape(laughsDTD+hostileKinds[4].entityPayload())) + `}]}`,
		`{"BaseResponse":{"Ret":0},"ModContactList":[{"UserName":"@@g","NickName":"G<span class=\"emoji emoji1f604\"></span>","MemberList":[{"UserName":"@m","DisplayName":"\u202eX"}]}],` +
			`"DelContactList":[{"UserName":"@x"}],"Profile":{"BitFlag":190,"NickName":{"Buff":"me"}},"SKey":"@crypt_1"}`,
		"{\"BaseResponse\":{\"Ret\":0},\"AddMsgList\":[{\"NewMsgId\":1,\"MsgType\":1,\"Content\":\"bad \xff \\ud800\"}]}",
		`{"BaseResponse":{"Ret":1101,"ErrMsg":""}}`,
		`{"BaseResponse":{"Ret":0},"AddMsgList":[{"NewMsgId":9.007199254740993e15}]}`,
		`<html>502</html>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp SyncResponse
		err := decodeAnswer("webwxsync", body, &resp)
		var retErr *RetError
		if err != nil {
			if !errors.Is(err, ErrUnexpectedResponse) && !errors.As(err, &retErr) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for i := range resp.AddMsgList {
			raw := &resp.AddMsgList[i]
			m := ParseMessage(raw, testSelf)
			if m == nil || m.Content == nil {
				t.Fatal("nil message or content")
			}
			if m.ID != raw.ID() || raw.NewMsgId != 0 && m.ID != int64(raw.NewMsgId) {
				t.Fatalf("ID %d, NewMsgId %d, MsgId %q", m.ID, raw.NewMsgId, raw.MsgId)
			}
			assertValidUTF8(t, m)
			// Invalid bytes become U+FFFD (3 bytes each); nothing else grows.
			if n := contentSize(m.Content); n > 3*len(body)+maxReasonLen+64 {
				t.Fatalf("%d bytes of content from %d bytes of body", n, len(body))
			}
		}
		for _, c := range resp.ModContactList {
			for _, name := range []string{c.NickName, c.RemarkName, c.DisplayName} {
				if clean := CleanName(name); strings.IndexFunc(clean, isControl) >= 0 || len(clean) > 2*len(name) {
					t.Fatalf("CleanName(%q) = %q", name, clean)
				}
			}
			for _, mem := range c.MemberList {
				if clean := CleanName(mem.DisplayName); len(clean) > 2*len(mem.DisplayName) {
					t.Fatalf("CleanName(%q) = %q", mem.DisplayName, clean)
				}
			}
		}
		assertValidUTF8(t, resp.ModContactList)
		assertValidUTF8(t, resp.Profile)
	})
}
