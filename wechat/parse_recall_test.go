package wechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recallXML is a revoke notice for msgid.
func recallXML(msgid, replace string) string {
	return `<sysmsg type="revokemsg"><revokemsg><session>` + testGroup + `</session><oldmsgid>1693247012</oldmsgid>` +
		`<msgid>` + msgid + `</msgid><replacemsg><![CDATA[` + replace + `]]></replacemsg></revokemsg></sysmsg>`
}

func TestParseRecall(t *testing.T) {
	tests := []struct {
		name       string
		raw        RawMessage
		wantSender string
		want       Content
	}{
		{
			name:       "1:1",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(recallXML("7123456789012345678", `"Alice" 撤回了一条消息`))},
			wantSender: testPeer,
			want:       &Recall{MsgID: 7123456789012345678, OldMsgID: 1693247012, ReplaceText: `"Alice" 撤回了一条消息`},
		},
		{
			name:       "group with prefix",
			raw:        RawMessage{FromUserName: testGroup, Content: groupBody(testMember, serverEscape(recallXML("9223372036854775807", `"<span class="emoji emoji1f338"></span>Lily" recalled a message`)))},
			wantSender: testMember,
			want:       &Recall{MsgID: 9223372036854775807, OldMsgID: 1693247012, ReplaceText: `"🌸Lily" recalled a message`},
		},
		{
			name:       "escaped quotes",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscapeQuotes(recallXML("1", `你撤回了一条消息`))},
			wantSender: testPeer,
			want:       &Recall{MsgID: 1, OldMsgID: 1693247012, ReplaceText: "你撤回了一条消息"},
		},
		{
			name:       "msgid 0 means the last one sent",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(recallXML("0", "x"))},
			wantSender: testPeer,
			want:       &Recall{OldMsgID: 1693247012, ReplaceText: "x"},
		},
		{
			name:       "bare revokemsg",
			raw:        RawMessage{FromUserName: testPeer, Content: `<revokemsg><msgid>5</msgid></revokemsg>`},
			wantSender: testPeer,
			want:       &Recall{MsgID: 5},
		},
		{
			name:       "msgid too large",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(recallXML("9223372036854775808", "x"))},
			wantSender: testPeer,
			want:       &Unsupported{MsgType: MsgTypeRecalled, Reason: `recall msgid: strconv.ParseInt: parsing "9223372036854775808": value out of range`},
		},
		{
			name:       "long reason is truncated",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(recallXML(strings.Repeat("9", 300), "x"))},
			wantSender: testPeer,
			want:       &Unsupported{MsgType: MsgTypeRecalled, Reason: truncateReason(`recall msgid: strconv.ParseInt: parsing "` + strings.Repeat("9", 300) + `": value out of range`)},
		},
		{
			name:       "missing msgid",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(`<sysmsg type="revokemsg"><revokemsg><replacemsg>x</replacemsg></revokemsg></sysmsg>`)},
			wantSender: testPeer,
			want:       &Unsupported{MsgType: MsgTypeRecalled, Reason: `recall msgid: strconv.ParseInt: parsing "": invalid syntax`},
		},
		{
			name:       "pat sysmsg",
			raw:        RawMessage{FromUserName: testGroup, Content: serverEscape(`<sysmsg type="pat"><pat><fromusername>wxid_a</fromusername></pat></sysmsg>`)},
			wantSender: testGroup,
			want:       &Unsupported{MsgType: MsgTypeRecalled, Reason: `recall XML: sysmsg type "pat"`},
		},
		{
			name:       "no revokemsg",
			raw:        RawMessage{FromUserName: testPeer, Content: serverEscape(`<sysmsg type="revokemsg"></sysmsg>`)},
			wantSender: testPeer,
			want:       &Unsupported{MsgType: MsgTypeRecalled, Reason: "recall XML: no <revokemsg> element"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.MsgType = MsgTypeRecalled
			m := ParseMessage(&tt.raw, testSelf)
			assert.Equal(t, tt.wantSender, m.Sender)
			assert.Equal(t, tt.want, m.Content)
		})
	}
}

func truncateReason(s string) string {
	return s[:maxReasonLen] + "…"
}
