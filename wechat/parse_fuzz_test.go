package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are realistic bodies shared by the fuzz targets.
func fuzzSeeds() []string {
	return []string{
		"",
		"hello",
		`Hi <span class="emoji emoji1f604"></span><br/>x &lt; y &amp;&amp; z @Alice` + "\u2005",
		`&lt;span class="emoji emoji1f604"&gt;&lt;/span&gt;`,
		`<span class="emoji emoji1f450"></span`,
		`<span class="emoji emoji1f1e81f1f3"></span><span class="emoji emoji2320e3"></span>`,
		"「Alice：are you coming?」<br/>- - - - - - - - - - - - - - -<br/>yes",
		groupBody(testMember, "a:<br/>b:<br/>c"),
		serverEscape(appMsg(linkAppMsg, "")),
		serverEscape(appMsg(fileAppMsg, "")),
		serverEscape(mmreaderXML(3)),
		serverEscape(redPacketXML),
		serverEscape(transferXML),
		serverEscape(recallXML("7123456789012345678", `"Alice" 撤回了一条消息`)),
		groupBody(testMember, serverEscape(recallXML("1", "x"))),
		serverEscape(imageXML),
		serverEscape(voiceXML),
		serverEscape(videoXML),
		serverEscape(emojiXML),
		serverEscape(friendRequestXML),
		serverEscape(cardXML),
		serverEscape(locationXML),
		`"Alice"邀请"Bob"、"Carol"加入了群聊`,
		`"Alice"修改群名为“Gophers”`,
		`You were removed from the group chat by "Alice"`,
		`<a href="weixin://findfriend/verifycontact">发送朋友验证</a>`,
		"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]><msg>&a;</msg>",
		strings.Repeat("<a>", 100),
		"bad \xff\xfe",
	}
}

func FuzzParseMessage(f *testing.F) {
	types := []int{MsgTypeText, MsgTypeImage, MsgTypeVoice, MsgTypeVerify, MsgTypePossibleFriend, MsgTypeShareCard, MsgTypeVideo,
		MsgTypeEmoticon, MsgTypeLocation, MsgTypeApp, MsgTypeVoIPMsg, MsgTypeStatusNotify, MsgTypeMicroVideo, MsgTypeSysNotice,
		MsgTypeSys, MsgTypeRecalled, 12345}
	appTypes := []int{0, AppMsgTypeText, AppMsgTypeURL, AppMsgTypeAttach, AppMsgTypeEmoji, AppMsgTypeMiniProgram, AppMsgTypeChatHistory,
		AppMsgTypeQuote, AppMsgTypeTransfer, AppMsgTypeRedPacket}
	for i, seed := range fuzzSeeds() {
		f.Add(seed, types[i%len(types)], appTypes[i%len(appTypes)], i%2 == 0, seed)
	}
	f.Add(serverEscape(appMsg(linkAppMsg, "")), MsgTypeApp, AppMsgTypeURL, true, "")
	f.Add("中关村:<br/>/cgi-bin/x?pictype=location", MsgTypeText, 0, false, serverEscape(locationXML))
	f.Fuzz(func(t *testing.T, content string, msgType, appMsgType int, group bool, ori string) {
		raw := &RawMessage{
			MsgId:                "7123456789012345678",
			FromUserName:         testPeer,
			ToUserName:           testSelf,
			MsgType:              msgType,
			Content:              content,
			AppMsgType:           appMsgType,
			OriContent:           ori,
			SubMsgType:           SubMsgTypeLocation * (msgType % 2),
			FileName:             ori,
			StatusNotifyUserName: content,
			StatusNotifyCode:     appMsgType,
		}
		if group {
			raw.FromUserName = testGroup
		}
		m := ParseMessage(raw, testSelf)
		if m == nil || m.Content == nil {
			t.Fatal("nil message or content")
		}
		assertValidUTF8(t, m.Content)
		if sender, _, ok := SplitGroupPrefix(content); group && ok && hasSenderPrefix(msgType) && m.Sender != sender {
			t.Errorf("sender %q, prefix %q", m.Sender, sender)
		}
	})
}

func FuzzFormatText(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := FormatText(s)
		if !utf8.ValidString(out) {
			t.Errorf("FormatText(%q) = %q: invalid UTF-8", s, out)
		}
		if !strings.ContainsAny(s, "<&") && out != strings.ToValidUTF8(s, "\uFFFD") {
			t.Errorf("FormatText(%q) = %q: changed text without markup", s, out)
		}
		name := CleanName(s)
		if !utf8.ValidString(name) || strings.IndexFunc(name, isControl) >= 0 || name != strings.TrimSpace(name) {
			t.Errorf("CleanName(%q) = %q", s, name)
		}
		if sys := formatSystemText(s); !utf8.ValidString(sys) {
			t.Errorf("formatSystemText(%q) = %q: invalid UTF-8", s, sys)
		}
		for _, m := range FindMentions(out) {
			if m.Name == "" || out[m.Start:m.End] != "@"+m.Name {
				t.Errorf("mention %+v does not match %q", m, out)
			}
		}
	})
}

func FuzzSplitGroupPrefix(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Add("wxid_a-b:<br/>")
	f.Add("@:<br/>")
	f.Fuzz(func(t *testing.T, s string) {
		sender, rest, ok := SplitGroupPrefix(s)
		if !ok {
			if sender != "" || rest != s {
				t.Errorf("no prefix but got %q, %q", sender, rest)
			}
			return
		}
		if sender+":<br/>"+rest != s {
			t.Errorf("%q + %q does not round-trip to %q", sender, rest, s)
		}
		if sender == "" || sender == "@" || strings.ContainsAny(sender, ":<> ") {
			t.Errorf("bad sender %q", sender)
		}
	})
}

func FuzzAppMessageXML(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed, 0)
	}
	f.Add(appMsg(linkAppMsg, "x"), AppMsgTypeURL)
	f.Add(mmreaderXML(1), AppMsgTypeURL)
	f.Add(appMsg(fileAppMsg, ""), AppMsgTypeAttach)
	f.Fuzz(func(t *testing.T, xml string, appMsgType int) {
		for _, body := range []string{xml, serverEscape(xml)} {
			c := parseAppMessage(&RawMessage{MsgType: MsgTypeApp, AppMsgType: appMsgType, Content: body}, body)
			if c == nil {
				t.Fatal("nil content")
			}
			assertValidUTF8(t, c)
		}
	})
}

func FuzzRecallXML(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Add(recallXML("0", ""))
	f.Add(recallXML("-1", "<span class=\"emoji emoji1f604\"></span>"))
	f.Fuzz(func(t *testing.T, xml string) {
		for _, body := range []string{xml, serverEscape(xml), groupBody(testMember, serverEscape(xml))} {
			m := ParseMessage(&RawMessage{FromUserName: testGroup, MsgType: MsgTypeRecalled, Content: body}, testSelf)
			if m.Content == nil {
				t.Fatal("nil content")
			}
			assertValidUTF8(t, m.Content)
		}
	})
}

func FuzzQuote(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Add("「A：x」\n- - -\ny")
	f.Add("「A:」\n---")
	f.Fuzz(func(t *testing.T, s string) {
		text := FormatText(s)
		q, ok := parseQuote(text)
		if !ok {
			if q != nil {
				t.Error("non-nil quote without ok")
			}
			return
		}
		if !strings.HasSuffix(text, q.Reply) || !strings.Contains(text, q.Quoted) || !strings.HasPrefix(text, "「") {
			t.Errorf("quote %+v not taken from %q", q, text)
		}
		assertValidUTF8(t, q)
		if c := textContent(text); c != Content(q) {
			if got, isQuote := c.(*Quote); !isQuote || *got != *q {
				t.Errorf("textContent(%q) = %#v, want %#v", text, c, q)
			}
		}
	})
}
