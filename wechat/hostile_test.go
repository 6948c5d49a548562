package wechat

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile and broken input to the parsers: what a malicious contact (or a
// broken server) can put in a message. Whatever arrives, ParseMessage
// returns a Content of bounded size with valid UTF-8, in bounded time and
// memory. Already covered elsewhere: billion laughs in app messages and
// decodePayload, 100k-deep nesting in decodePayload and 50k-deep nesting
// as app, recall and location messages (parse_xml_test.go); multi-megabyte
// text (TestParseMessageHuge); invalid UTF-8 in Content and FileName of
// five types (TestParseMessageInvalidUTF8); max int64 recall IDs
// (parse_recall_test.go). These tests add every XML-bearing message type,
// every string field and whole webwxsync bodies.

// hostileKind is a message type whose payload is XML.
type hostileKind struct {
	name       string
	msgType    int
	appMsgType int
	subMsgType int
	// inOri puts the payload in OriContent (text locations) instead of
	// Content.
	inOri bool
}

var hostileKinds = []hostileKind{
	{name: "link", msgType: MsgTypeApp, appMsgType: AppMsgTypeURL},
	{name: "file", msgType: MsgTypeApp, appMsgType: AppMsgTypeAttach},
	{name: "quote", msgType: MsgTypeApp, appMsgType: AppMsgTypeQuote},
	{name: "app of unknown type", msgType: MsgTypeApp},
	{name: "recall", msgType: MsgTypeRecalled},
	{name: "location", msgType: MsgTypeLocation},
	{name: "text location", msgType: MsgTypeText, subMsgType: SubMsgTypeLocation, inOri: true},
	{name: "image", msgType: MsgTypeImage},
	{name: "voice", msgType: MsgTypeVoice},
	{name: "video", msgType: MsgTypeVideo},
	{name: "sticker", msgType: MsgTypeEmoticon},
	{name: "friend request", msgType: MsgTypeVerify},
	{name: "card", msgType: MsgTypeShareCard},
	{name: "system", msgType: MsgTypeSys},
}

// raw builds the message of this kind with payload as its XML, in a group
// from testMember.
func (k hostileKind) raw(payload string) *RawMessage {
	raw := &RawMessage{
		MsgId: "1", NewMsgId: 1, FromUserName: testGroup, ToUserName: testSelf,
		MsgType: k.msgType, AppMsgType: k.appMsgType, SubMsgType: k.subMsgType,
		Content: groupBody(testMember, payload),
	}
	if k.inOri {
		raw.Content = groupBody(testMember, "Somewhere:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=x")
		raw.OriContent = payload
	}
	return raw
}

// laughsDTD defines lol9 as 10^9 "lol"s.
const laughsDTD = `<?xml version="1.0"?>
<!DOCTYPE msg [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
`

// entityPayload is a payload of the kind's shape whose every field refers
// to lol9 (and xxe, an external entity).
func (k hostileKind) entityPayload() string {
	const e = "&lol9;&xxe;"
	switch k.msgType {
	case MsgTypeApp:
		return fmt.Sprintf(`<msg><appmsg appid="%s"><title>%s</title><des>%s</des><type>%d</type><url>%s</url>`+
			`<appattach><totallen>%s</totallen><fileext>%s</fileext><attachid>%s</attachid></appattach>`+
			`<refermsg><displayname>%s</displayname><content>%s</content></refermsg></appmsg>`+
			`<appinfo><appname>%s</appname></appinfo></msg>`, e, e, e, k.appMsgType, e, e, e, e, e, e, e)
	case MsgTypeRecalled:
		return `<sysmsg type="revokemsg"><revokemsg><session>` + e + `</session><oldmsgid>` + e + `</oldmsgid><msgid>` + e +
			`</msgid><replacemsg>` + e + `</replacemsg></revokemsg></sysmsg>`
	case MsgTypeLocation, MsgTypeText:
		return `<msg><location x="` + e + `" y="` + e + `" scale="` + e + `" label="` + e + `" poiname="` + e + `"/></msg>`
	case MsgTypeImage:
		return `<msg><img aeskey="` + e + `" length="` + e + `" cdnthumbwidth="` + e + `"/></msg>`
	case MsgTypeVoice:
		return `<msg><voicemsg voicelength="` + e + `" length="` + e + `" fromusername="` + e + `"/></msg>`
	case MsgTypeVideo:
		return `<msg><videomsg playlength="` + e + `" length="` + e + `" cdnthumbwidth="` + e + `"/></msg>`
	case MsgTypeEmoticon:
		return `<msg><emoji md5="` + e + `" len="` + e + `" cdnurl="` + e + `" width="` + e + `"/></msg>`
	case MsgTypeVerify:
		return `<msg fromusername="` + e + `" fromnickname="` + e + `" content="` + e + `" ticket="` + e + `" province="` + e + `" sign="` + e + `"/>`
	case MsgTypeShareCard:
		return `<msg username="` + e + `" nickname="` + e + `" alias="` + e + `" province="` + e + `" sign="` + e + `"/>`
	}
	return `<sysmsg type="` + e + `"><content>` + e + `</content></sysmsg>`
}

// contentSize is the number of bytes in the strings reachable from c.
func contentSize(c Content) int {
	n := 0
	for _, s := range stringsIn(reflect.ValueOf(c)) {
		n += len(s)
	}
	return n
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestHostileEntities(t *testing.T) {
	for _, k := range hostileKinds {
		t.Run(k.name, func(t *testing.T) {
			doc := laughsDTD + k.entityPayload()
			for _, payload := range []string{doc, serverEscape(doc), serverEscapeQuotes(doc)} {
				raw := k.raw(payload)
				m := ParseMessage(raw, testSelf)
				require.NotNil(t, m.Content)
				assertValidUTF8(t, m.Content)
				assert.LessOrEqual(t, contentSize(m.Content), len(raw.Content)+len(raw.OriContent), "nothing was expanded")
				for _, s := range stringsIn(reflect.ValueOf(m.Content)) {
					assert.NotContains(t, s, "lollol", "%T", m.Content)
					assert.NotContains(t, s, "root:", "%T: an external entity was read", m.Content)
				}
			}
		})
	}
}

func TestHostileDeepNesting(t *testing.T) {
	const depth = 100_000
	for _, k := range hostileKinds {
		t.Run(k.name, func(t *testing.T) {
			deep := strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth)
			for _, payload := range []string{
				deep,
				serverEscape(deep),
				serverEscape(strings.Repeat("<msg>", depth)),
				serverEscape("<msg><appmsg><title>x</title>" + strings.Repeat("<a>", depth) + "</appmsg></msg>"),
				serverEscape(`<sysmsg type="revokemsg"><revokemsg>` + strings.Repeat("<msgid>", depth)),
				serverEscape(`<msg><location x="1" y="2">` + strings.Repeat("<location>", depth)),
			} {
				raw := k.raw(payload)
				var m *Message
				mem := allocated(func() { m = ParseMessage(raw, testSelf) })
				require.NotNil(t, m.Content)
				assertValidUTF8(t, m.Content)
				if u, ok := m.Content.(*Unsupported); ok {
					assert.LessOrEqual(t, len(u.Reason), maxReasonLen+len("…"))
					if strings.Contains(u.Reason, "XML") {
						assert.True(t, strings.Contains(u.Reason, "nested deeper") || strings.Contains(u.Reason, "over 1 MiB"), u.Reason)
					}
				} else {
					// Text kinds show the text; nothing is multiplied.
					assert.LessOrEqual(t, contentSize(m.Content), len(raw.Content)+len(raw.OriContent), "%T", m.Content)
				}
				// Decoding stops at maxXMLDepth: memory is a small multiple
				// of the payload (600 KiB to 1 MiB here), however deep it goes.
				assert.Less(t, mem, uint64(16<<20), "%d bytes allocated for %d bytes of payload", mem, len(payload))
				t.Logf("%d bytes of payload: %d bytes allocated", len(payload), mem)
			}
		})
	}
}

// TestHostileHugeFields: a 10 MB field is refused (XML over 1 MiB) or
// passed on as the text it is, never multiplied, in memory linear in the
// input.
func TestHostileHugeFields(t *testing.T) {
	const size = 10 << 20
	big := strings.Repeat("长", size/3+1)
	tests := []struct {
		name    string
		raw     RawMessage
		wantErr string // the Unsupported reason, or "" for a parsed message
	}{
		{"app title", RawMessage{MsgType: MsgTypeApp, AppMsgType: AppMsgTypeURL,
			Content: serverEscape(appMsg("<title>"+big+"</title><type>5</type>", ""))}, "payload over 1 MiB"},
		{"raw app title", RawMessage{MsgType: MsgTypeApp, Content: appMsg("<title>"+big+"</title><type>5</type>", "")}, "payload over 1 MiB"},
		{"recall text", RawMessage{MsgType: MsgTypeRecalled, Content: serverEscape(recallXML("1", big))}, "payload over 1 MiB"},
		{"location label", RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(`<msg><location x="1" y="2" label="` + big + `"/></msg>`)}, "payload over 1 MiB"},
		{"text location label", RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: big + ":<br/>/x",
			OriContent: serverEscape(`<msg><location x="1" y="2" label="` + big + `"/></msg>`)}, ""},
		{"friend request", RawMessage{MsgType: MsgTypeVerify, Content: serverEscape(`<msg fromnickname="` + big + `"/>`),
			RecommendInfo: RecommendInfo{NickName: big, Content: big}}, "payload over 1 MiB"},
		{"friend request without XML", RawMessage{MsgType: MsgTypePossibleFriend, RecommendInfo: RecommendInfo{NickName: big, Content: big}}, ""},
		{"text", RawMessage{MsgType: MsgTypeText, Content: big}, ""},
		{"system text", RawMessage{MsgType: MsgTypeSys, Content: big}, ""},
		{"file name", RawMessage{MsgType: MsgTypeApp, AppMsgType: AppMsgTypeAttach, FileName: big,
			Content: serverEscape(appMsg(fileAppMsg, ""))}, ""},
		{"link URL", RawMessage{MsgType: MsgTypeApp, AppMsgType: AppMsgTypeURL, Url: "https://x/" + big,
			Content: serverEscape(appMsg("<title>t</title><type>5</type>", ""))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			raw.FromUserName, raw.ToUserName = testPeer, testSelf
			in := 0
			for _, s := range stringsIn(reflect.ValueOf(raw)) {
				in += len(s)
			}
			var m *Message
			mem := allocated(func() { m = ParseMessage(&raw, testSelf) })
			require.NotNil(t, m.Content)
			assertValidUTF8(t, m.Content)
			if tt.wantErr != "" {
				require.IsType(t, &Unsupported{}, m.Content)
				assert.Contains(t, m.Content.(*Unsupported).Reason, tt.wantErr)
			} else {
				assert.NotEqual(t, "*wechat.Unsupported", fmt.Sprintf("%T", m.Content), "%+v", m.Content)
			}
			out := contentSize(m.Content)
			assert.LessOrEqual(t, out, in, "the output is never larger than the input")
			t.Logf("%d bytes in, %d bytes out, %d bytes allocated", in, out, mem)
			assert.Less(t, mem, uint64(8*in+(1<<20)), "memory is linear in the input")
		})
	}
}

// insertInvalid puts invalid UTF-8 (a stray continuation byte, a
// truncated sequence, an overlong encoding, a surrogate) inside s.
func insertInvalid(s string) string {
	const bad = "\x80\xc3\xc0\xaf\xed\xa0\x80\xff"
	if s == "" {
		return bad
	}
	i := len(s) / 2
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + bad + s[i:] + "\xfe"
}

// opaqueFields are the RawMessage strings the parser passes through as
// tokens for later requests (IDs, tickets, keys), not as text to show.
// JSON decoding makes them valid UTF-8 (see TestHostileSyncBody); the
// parser does not look at them.
var opaqueFields = map[string]bool{
	"MsgId": true, "FromUserName": true, "ToUserName": true, "MediaId": true, "EncryFileName": true,
	"Ticket": true, "FileSize": true, "RecommendInfo.UserName": true, "RecommendInfo.Ticket": true, "AppInfo.AppID": true,
}

// stringFields lists the paths of the settable string fields of v.
func stringFields(v reflect.Value, prefix string) []string {
	var out []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		switch f.Type.Kind() {
		case reflect.String:
			out = append(out, prefix+f.Name)
		case reflect.Struct:
			out = append(out, stringFields(v.Field(i), prefix+f.Name+".")...)
		}
	}
	return out
}

func fieldByPath(v reflect.Value, path string) reflect.Value {
	for _, name := range strings.Split(path, ".") {
		v = v.FieldByName(name)
	}
	return v
}

// TestHostileInvalidUTF8: invalid UTF-8 in any string field of any message
// kind gives valid UTF-8 in every text the parser produces.
func TestHostileInvalidUTF8(t *testing.T) {
	samples := map[string]RawMessage{
		"text":            {MsgType: MsgTypeText, Content: `Hi <span class="emoji emoji1f604"></span> @Alice` + "\u2005" + `&lt;3`},
		"quote":           {MsgType: MsgTypeText, Content: "「Alice：ok?」<br/>- - - - - - - - - - - - - - -<br/>sure"},
		"text location":   {MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "中关村:<br/>/cgi-bin/x", OriContent: serverEscape(locationXML)},
		"link":            {MsgType: MsgTypeApp, AppMsgType: AppMsgTypeURL, Content: serverEscape(appMsg(linkAppMsg, "Gopher")), Url: "http://x/y"},
		"file":            {MsgType: MsgTypeApp, AppMsgType: AppMsgTypeAttach, Content: serverEscape(appMsg(fileAppMsg, "")), FileName: "report.pdf"},
		"articles":        {MsgType: MsgTypeApp, AppMsgType: AppMsgTypeURL, Content: serverEscape(mmreaderXML(2))},
		"transfer":        {MsgType: MsgTypeApp, Content: serverEscape(transferXML), FileName: transferFileName},
		"red packet":      {MsgType: MsgTypeApp, AppMsgType: AppMsgTypeRedPacket, Content: serverEscape(redPacketXML)},
		"recall":          {MsgType: MsgTypeRecalled, Content: serverEscape(recallXML("7123456789012345678", `"Alice" 撤回了一条消息`))},
		"location":        {MsgType: MsgTypeLocation, Content: serverEscape(locationXML), Url: "https://apis.map.qq.com/uri/v1/geocoder?coord=1,2"},
		"image":           {MsgType: MsgTypeImage, Content: serverEscape(imageXML)},
		"voice":           {MsgType: MsgTypeVoice, Content: serverEscape(voiceXML), VoiceLength: 3000},
		"video":           {MsgType: MsgTypeVideo, Content: serverEscape(videoXML), PlayLength: 3},
		"sticker":         {MsgType: MsgTypeEmoticon, Content: serverEscape(emojiXML)},
		"friend request":  {MsgType: MsgTypeVerify, Content: serverEscape(friendRequestXML), RecommendInfo: RecommendInfo{NickName: "Bob", Content: "hi", Province: "x", City: "y", Signature: "s", Alias: "a"}},
		"card":            {MsgType: MsgTypeShareCard, Content: serverEscape(cardXML), RecommendInfo: RecommendInfo{NickName: "Carol"}},
		"possible friend": {MsgType: MsgTypePossibleFriend, RecommendInfo: RecommendInfo{NickName: "Dan", Content: "hi"}},
		"system":          {MsgType: MsgTypeSys, Content: `"Alice"邀请"Bob"加入了群聊`},
		"notice":          {MsgType: MsgTypeSysNotice, Content: "notice"},
		"status notify":   {MsgType: MsgTypeStatusNotify, StatusNotifyCode: StatusNotifySyncConv, StatusNotifyUserName: testPeer + "," + testGroup},
	}
	fields := stringFields(reflect.ValueOf(RawMessage{}), "")
	require.Contains(t, fields, "RecommendInfo.NickName")
	for name, sample := range samples {
		for _, group := range []bool{false, true} {
			for _, field := range fields {
				raw := sample
				raw.FromUserName, raw.ToUserName = testPeer, testSelf
				if group {
					raw.FromUserName = testGroup
					if raw.MsgType != MsgTypeSys && raw.MsgType != MsgTypeSysNotice && raw.MsgType != MsgTypeStatusNotify {
						raw.Content = groupBody(testMember, raw.Content)
					}
				}
				f := fieldByPath(reflect.ValueOf(&raw).Elem(), field)
				f.SetString(insertInvalid(f.String()))
				m := ParseMessage(&raw, testSelf)
				require.NotNil(t, m.Content, "%s, %s", name, field)
				if opaqueFields[field] {
					continue
				}
				for _, s := range stringsIn(reflect.ValueOf(m.Content)) {
					if !utf8.ValidString(s) {
						t.Errorf("%s (group %v), invalid %s: invalid UTF-8 in %T: %q", name, group, field, m.Content, s)
					}
				}
			}
		}
	}
}

func TestHostileMessageIDs(t *testing.T) {
	const above53 = 9007199254740993 // 2^53 + 1: a float64 reads it as 2^53
	require.NotEqual(t, int64(above53), int64(float64(above53)))
	ids := []int64{above53, math.MaxInt64, 7123456789012345678}
	for _, id := range ids {
		s := strconv.FormatInt(id, 10)
		t.Run(s, func(t *testing.T) {
			m := ParseMessage(&RawMessage{MsgId: s, NewMsgId: Int64(id), FromUserName: testPeer, MsgType: MsgTypeText, Content: "x"}, testSelf)
			assert.Equal(t, id, m.ID, "from NewMsgId")
			m = ParseMessage(&RawMessage{MsgId: s, FromUserName: testPeer, MsgType: MsgTypeText, Content: "x"}, testSelf)
			assert.Equal(t, id, m.ID, "from MsgId when NewMsgId is missing")

			recall := ParseMessage(&RawMessage{FromUserName: testPeer, MsgType: MsgTypeRecalled,
				Content: serverEscape(recallXML(s, "x"))}, testSelf)
			require.IsType(t, &Recall{}, recall.Content)
			assert.Equal(t, id, recall.Content.(*Recall).MsgID, "the recalled message's ID")

			for _, form := range []string{s, `"` + s + `"`} {
				body := `{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":2,"AddMsgList":[` +
					`{"MsgId":"` + s + `","NewMsgId":` + form + `,"FromUserName":"` + testPeer + `","ToUserName":"` + testSelf + `","MsgType":1,"Content":"hi"},` +
					`{"MsgId":"1","NewMsgId":` + form + `,"FromUserName":"` + testPeer + `","ToUserName":"` + testSelf + `","MsgType":10002,` +
					`"Content":` + jsonString(serverEscape(recallXML(s, "x"))) + `}],` +
					`"SyncKey":{"Count":1,"List":[{"Key":1,"Val":` + s + `}]}}`
				var resp SyncResponse
				require.NoError(t, decodeAnswer("webwxsync", []byte(body), &resp), form)
				require.Len(t, resp.AddMsgList, 2)
				assert.Equal(t, id, ParseMessage(&resp.AddMsgList[0], testSelf).ID, "NewMsgId as %s", form)
				r := ParseMessage(&resp.AddMsgList[1], testSelf)
				require.IsType(t, &Recall{}, r.Content)
				assert.Equal(t, id, r.Content.(*Recall).MsgID)
				assert.Equal(t, id, resp.SyncKey.List[0].Val, "sync key values are int64 too")
			}
		})
	}
	t.Run("rounded forms are refused", func(t *testing.T) {
		for _, form := range []string{"9.007199254740993e15", "9007199254740993.0", `"9.007199254740993e15"`, "9223372036854775808", "1e400"} {
			var resp SyncResponse
			body := `{"BaseResponse":{"Ret":0},"AddMsgList":[{"NewMsgId":` + form + `,"MsgType":1}]}`
			err := decodeAnswer("webwxsync", []byte(body), &resp)
			assert.ErrorIs(t, err, ErrUnexpectedResponse, "%s must not be read as a rounded ID", form)
		}
	})
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestHostileSyncBody decodes a whole webwxsync answer full of hostile
// input, as the sync loop does, and parses every message and name in it.
func TestHostileSyncBody(t *testing.T) {
	const above53 = 9007199254740993
	bigNick := strings.Repeat("长", (10<<20)/3)
	laughs := serverEscape(laughsDTD + hostileKinds[0].entityPayload())
	deep := serverEscape(strings.Repeat("<msg>", 100_000))
	msg := func(id int64, typ int, content string, extra string) string {
		return fmt.Sprintf(`{"MsgId":"%d","NewMsgId":%d,"FromUserName":"%s","ToUserName":"%s","MsgType":%d,"AppMsgType":5,"Content":%s%s}`,
			id, id, testGroup, testSelf, typ, jsonString(groupBody(testMember, content)), extra)
	}
	// Raw invalid bytes in JSON strings, and escaped lone surrogates.
	invalid := "\"bad \xff\xfe \\ud800 \\udfff end\""
	body := `{"BaseResponse":{"Ret":0,"ErrMsg":` + invalid + `},` +
		`"AddMsgCount":6,"AddMsgList":[` +
		msg(above53, MsgTypeApp, laughs, "") + `,` +
		msg(above53+1, MsgTypeApp, deep, "") + `,` +
		msg(math.MaxInt64, MsgTypeRecalled, deep, "") + `,` +
		msg(above53+2, MsgTypeText, "x", `,"FileName":`+invalid+`,"Url":`+invalid) + `,` +
		`{"MsgId":"5","NewMsgId":5,"FromUserName":"` + testPeer + `","MsgType":1,"Content":` + invalid + `},` +
		`{"MsgId":"6","NewMsgId":6,"FromUserName":` + invalid + `,"MsgType":49,"AppMsgType":6,"Content":` + jsonString(serverEscape(appMsg(fileAppMsg, ""))) + `,"FileName":` + invalid + `}` +
		`],"ModContactCount":2,"ModContactList":[` +
		`{"UserName":"@abc","NickName":` + jsonString(bigNick) + `,"RemarkName":` + invalid + `},` +
		`{"UserName":"@@grp","NickName":` + invalid + `,"MemberList":[{"UserName":"@m","NickName":` + invalid + `,"DisplayName":` + invalid + `}]}` +
		`],"DelContactCount":1,"DelContactList":[{"UserName":` + invalid + `}],` +
		`"Profile":{"BitFlag":190,"NickName":{"Buff":` + invalid + `}},` +
		`"SyncKey":{"Count":1,"List":[{"Key":1,"Val":` + strconv.FormatInt(math.MaxInt64, 10) + `}]},"SKey":` + invalid + `}`

	var resp SyncResponse
	mem := allocated(func() { require.NoError(t, decodeAnswer("webwxsync", []byte(body), &resp)) })
	t.Logf("decoding %d bytes allocated %d bytes", len(body), mem)
	for _, s := range stringsIn(reflect.ValueOf(resp)) {
		require.True(t, utf8.ValidString(s), "the JSON decoder leaves only valid UTF-8: %q", truncate(s, 64))
	}
	require.Len(t, resp.AddMsgList, 6)
	wantIDs := []int64{above53, above53 + 1, math.MaxInt64, above53 + 2, 5, 6}
	for i := range resp.AddMsgList {
		m := ParseMessage(&resp.AddMsgList[i], testSelf)
		assert.Equal(t, wantIDs[i], m.ID, "message %d", i)
		require.NotNil(t, m.Content)
		assertValidUTF8(t, m)
		assert.LessOrEqual(t, contentSize(m.Content), len(resp.AddMsgList[i].Content)+len(resp.AddMsgList[i].FileName)+len(resp.AddMsgList[i].Url))
	}
	link, ok := ParseMessage(&resp.AddMsgList[0], testSelf).Content.(*Link)
	require.True(t, ok)
	assert.Equal(t, "&lol9;&xxe;", link.Title, "entities stay literal")
	assert.Equal(t, "&lol9;&xxe;", link.Description)
	for _, c := range resp.ModContactList {
		for _, name := range []string{c.NickName, c.RemarkName} {
			clean := CleanName(name)
			assert.True(t, utf8.ValidString(clean))
			assert.LessOrEqual(t, len(clean), len(name))
		}
	}
	assert.Equal(t, int64(math.MaxInt64), resp.SyncKey.List[0].Val)

	t.Run("deep JSON", func(t *testing.T) {
		var resp SyncResponse
		for _, body := range []string{
			`{"AddMsgList":[` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `]}`,
			`{"Profile":` + strings.Repeat(`{"a":`, 100_000) + `1` + strings.Repeat("}", 100_000) + `}`,
		} {
			err := decodeAnswer("webwxsync", []byte(body), &resp)
			assert.ErrorIs(t, err, ErrUnexpectedResponse)
		}
	})
}

// BenchmarkHostile measures time and memory of the worst inputs: 100k-deep
// nesting (refused at depth 64) and a 10 MB title (refused above 1 MiB,
// before decoding) as app messages, and a 10 MB text, which is formatted.
func BenchmarkHostile(b *testing.B) {
	big := strings.Repeat("长", (10<<20)/3)
	for _, bm := range []struct {
		name string
		raw  RawMessage
	}{
		{"deep nesting", RawMessage{MsgType: MsgTypeApp, Content: serverEscape(strings.Repeat("<msg>", 100_000))}},
		{"deep nesting raw", RawMessage{MsgType: MsgTypeApp, Content: strings.Repeat("<a>", 100_000)}},
		{"billion laughs", RawMessage{MsgType: MsgTypeApp, Content: serverEscape(laughsDTD + hostileKinds[0].entityPayload())}},
		{"10 MB title", RawMessage{MsgType: MsgTypeApp, Content: serverEscape(appMsg("<title>"+big+"</title>", ""))}},
		{"10 MB text", RawMessage{MsgType: MsgTypeText, Content: big}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			raw := bm.raw
			raw.FromUserName, raw.ToUserName = testPeer, testSelf
			b.SetBytes(int64(len(raw.Content)))
			b.ReportAllocs()
			for b.Loop() {
				ParseMessage(&raw, testSelf)
			}
		})
	}
}
