package wechat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

// benchMessages builds n AddMsgList items with the mix a busy account sees:
// 1:1 and group texts with emoji, escapes and mentions, self-sent texts,
// links and article pushes with escaped XML, images, stickers, recalls and
// group system messages.
func benchMessages(n int) []RawMessage {
	msgs := make([]RawMessage, 0, n)
	for i := range n {
		id := int64(7123456789012345678 + i)
		raw := RawMessage{
			MsgId:        strconv.FormatInt(id, 10),
			NewMsgId:     Int64(id),
			FromUserName: testPeer,
			ToUserName:   testSelf,
			MsgType:      MsgTypeText,
			Status:       3,
			ImgStatus:    1,
			CreateTime:   1700000000 + int64(i),
		}
		switch i % 10 {
		case 0:
			raw.Content = `Good morning <span class="emoji emoji1f604"></span>! Lunch at 12? &lt;3 &amp; see you<br/>Bring the <span class="emoji emoji1f4c4"></span> please`
		case 1:
			raw.FromUserName = testGroup
			raw.Content = groupBody(testMember, "@Alice\u2005@所有人\u2005今晚八点开会，记得带电脑 <span class=\"emoji emoji1f44d\"></span>")
		case 2:
			raw.FromUserName = testGroup
			raw.Content = groupBody(testMember, "「Bob：明天几点？」<br/>- - - - - - - - - - - - - - -<br/>九点半")
		case 3:
			raw.FromUserName = testGroup
			raw.MsgType = MsgTypeApp
			raw.AppMsgType = AppMsgTypeURL
			raw.FileName = "深度好文 | Go &amp; you"
			raw.Url = "http://mp.weixin.qq.com/s?__biz=MzA3&amp;mid=2650&amp;idx=1&amp;sn=abc#rd"
			raw.Content = groupBody(testMember, serverEscape(appMsg(linkAppMsg, "")))
		case 4:
			raw.MsgType = MsgTypeImage
			raw.ImgWidth, raw.ImgHeight = 90, 120
			raw.Content = serverEscape(imageXML)
		case 5:
			raw.FromUserName = testGroup
			raw.MsgType = MsgTypeRecalled
			raw.Content = groupBody(testMember, serverEscape(recallXML(strconv.FormatInt(id-1, 10), `"Alice" 撤回了一条消息`)))
		case 6:
			raw.FromUserName, raw.ToUserName = testSelf, testPeer
			raw.Content = "sent from my phone"
		case 7:
			raw.FromUserName = "@b1946ac92492d2347c6235b4d2611184"
			raw.MsgType = MsgTypeApp
			raw.AppMsgType = AppMsgTypeURL
			raw.Content = serverEscape(mmreaderXML(3))
		case 8:
			raw.FromUserName = testGroup
			raw.MsgType = MsgTypeEmoticon
			raw.Content = groupBody(testMember, serverEscape(emojiXML))
		case 9:
			raw.FromUserName = testGroup
			raw.MsgType = MsgTypeSys
			raw.Content = `"Alice"邀请"Bob"、"<span class="emoji emoji1f338"></span>Lily"加入了群聊`
		}
		msgs = append(msgs, raw)
	}
	return msgs
}

// benchSyncBody is a webwxsync answer carrying n messages, encoded as the
// server does: raw UTF-8, no HTML escaping by the JSON encoder.
func benchSyncBody(tb testing.TB, n int) []byte {
	tb.Helper()
	msgs := benchMessages(n)
	resp := SyncResponse{
		AddMsgCount:  len(msgs),
		AddMsgList:   msgs,
		SyncKey:      SyncKey{Count: 2, List: []SyncKeyItem{{Key: 1, Val: 700000001}, {Key: 2, Val: 700000002}}},
		SyncCheckKey: SyncKey{Count: 2, List: []SyncKeyItem{{Key: 1, Val: 700000001}, {Key: 2, Val: 700000002}}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&resp); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestBenchSyncBody(t *testing.T) {
	body := benchSyncBody(t, 20)
	var resp SyncResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for i := range resp.AddMsgList {
		m := ParseMessage(&resp.AddMsgList[i], testSelf)
		want[fmt.Sprintf("%T", m.Content)]++
		if _, bad := m.Content.(*Unsupported); bad {
			t.Errorf("message %d unsupported: %+v", i, m.Content)
		}
	}
	for _, typ := range []string{"*wechat.Text", "*wechat.Quote", "*wechat.Link", "*wechat.Image", "*wechat.Recall", "*wechat.Articles", "*wechat.Emoticon", "*wechat.System"} {
		if want[typ] == 0 {
			t.Errorf("no %s in the benchmark mix: %v", typ, want)
		}
	}
}

func BenchmarkDecodeAndParseSync(b *testing.B) {
	for _, n := range []int{100, 1000} {
		body := benchSyncBody(b, n)
		b.Run(fmt.Sprintf("decode+parse/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				var resp SyncResponse
				if err := json.Unmarshal(body, &resp); err != nil {
					b.Fatal(err)
				}
				for i := range resp.AddMsgList {
					if m := ParseMessage(&resp.AddMsgList[i], testSelf); m.Content == nil {
						b.Fatal("nil content")
					}
				}
			}
			runtime.ReadMemStats(&after)
			msgs := float64(b.N * n)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
		})
		b.Run(fmt.Sprintf("parse/%d", n), func(b *testing.B) {
			var resp SyncResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				for i := range resp.AddMsgList {
					ParseMessage(&resp.AddMsgList[i], testSelf)
				}
			}
			runtime.ReadMemStats(&after)
			msgs := float64(b.N * n)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
		})
	}
}
