package msgconv_test

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// wantContent is what a converted content must hold. An empty html means
// no HTML body at all.
type wantContent struct {
	msgType event.MessageType
	body    string
	html    string
	geoURI  string
}

// assertContent checks a converted content against want, and that it never
// pings anyone.
func assertContent(t *testing.T, want wantContent, got *event.MessageEventContent) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.msgType, got.MsgType, "msgtype")
	assert.Equal(t, want.body, got.Body, "body")
	assert.Equal(t, want.html, got.FormattedBody, "formatted body")
	if want.html == "" {
		assert.Empty(t, got.Format, "format")
	} else {
		assert.Equal(t, event.FormatHTML, got.Format, "format")
	}
	assert.Equal(t, want.geoURI, got.GeoURI, "geo URI")
	if assert.NotNil(t, got.Mentions, "mentions") {
		assert.Empty(t, got.Mentions.UserIDs, "mentioned users")
		assert.False(t, got.Mentions.Room, "room mention")
	}
}

const hostile = `<script>alert(1)</script> <a href="javascript:x">**hi**</a>`

const hostileHTML = `&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=&quot;javascript:x&quot;&gt;**hi**&lt;/a&gt;`

func TestContentToMatrix(t *testing.T) {
	tests := []struct {
		name    string
		content wechat.Content
		want    wantContent
	}{
		{
			name: "location with name and address",
			content: &wechat.Location{
				Latitude: 39.908823, Longitude: 116.39747, Scale: 15,
				Label: "北京市东城区东长安街", POIName: "天安门广场 🇨🇳",
				URL: "https://apis.map.qq.com/uri/v1/geocoder?coord=39.908823,116.39747",
			},
			want: wantContent{
				msgType: event.MsgLocation,
				body: "Location: 天安门广场 🇨🇳\n北京市东城区东长安街\n" +
					"https://www.openstreetmap.org/?mlat=39.908823&mlon=116.39747#map=15/39.908823/116.39747",
				html: `Location: <a href="https://www.openstreetmap.org/?mlat=39.908823&amp;mlon=116.39747#map=15/39.908823/116.39747">天安门广场 🇨🇳</a>` +
					`<br>北京市东城区东长安街`,
				geoURI: "geo:39.908823,116.39747",
			},
		},
		{
			name: "location with hostile names in the southern and western hemispheres",
			content: &wechat.Location{
				Latitude: -34.6037, Longitude: -58.3816, Scale: 0,
				Label: `Av. 9 de Julio & "Corrientes"`, POIName: hostile,
			},
			want: wantContent{
				msgType: event.MsgLocation,
				body: "Location: " + hostile + "\nAv. 9 de Julio & \"Corrientes\"\n" +
					"https://www.openstreetmap.org/?mlat=-34.6037&mlon=-58.3816#map=16/-34.6037/-58.3816",
				html: `Location: <a href="https://www.openstreetmap.org/?mlat=-34.6037&amp;mlon=-58.3816#map=16/-34.6037/-58.3816">` +
					hostileHTML + `</a><br>Av. 9 de Julio &amp; &quot;Corrientes&quot;`,
				geoURI: "geo:-34.6037,-58.3816",
			},
		},
		{
			name:    "location with only an address uses it as the name",
			content: &wechat.Location{Latitude: 31.2304, Longitude: 121.4737, Scale: 16, Label: "上海市黄浦区"},
			want: wantContent{
				msgType: event.MsgLocation,
				body:    "Location: 上海市黄浦区\nhttps://www.openstreetmap.org/?mlat=31.2304&mlon=121.4737#map=16/31.2304/121.4737",
				html:    `Location: <a href="https://www.openstreetmap.org/?mlat=31.2304&amp;mlon=121.4737#map=16/31.2304/121.4737">上海市黄浦区</a>`,
				geoURI:  "geo:31.2304,121.4737",
			},
		},
		{
			name:    "location without names shows the coordinates",
			content: &wechat.Location{Latitude: 22.5, Longitude: 0, Scale: 99},
			want: wantContent{
				msgType: event.MsgLocation,
				body:    "Location: 22.5, 0\nhttps://www.openstreetmap.org/?mlat=22.5&mlon=0#map=16/22.5/0",
				html:    `Location: <a href="https://www.openstreetmap.org/?mlat=22.5&amp;mlon=0#map=16/22.5/0">22.5, 0</a>`,
				geoURI:  "geo:22.5,0",
			},
		},
		{
			name: "location at 0,0 is shown as text with the map link",
			content: &wechat.Location{
				Label: "广东省深圳市南山区", POIName: "腾讯大厦",
				URL: "http://weixin.qq.com/cgi-bin/redirectforward?args=abc&x=1",
			},
			want: wantContent{
				msgType: event.MsgText,
				body:    "Location: 腾讯大厦\n广东省深圳市南山区\nhttp://weixin.qq.com/cgi-bin/redirectforward?args=abc&x=1",
				html: `Location: 腾讯大厦<br>广东省深圳市南山区<br>` +
					`<a href="http://weixin.qq.com/cgi-bin/redirectforward?args=abc&amp;x=1">http://weixin.qq.com/cgi-bin/redirectforward?args=abc&amp;x=1</a>`,
			},
		},
		{
			name:    "location at 0,0 with a hostile name and no link has no HTML",
			content: &wechat.Location{POIName: hostile},
			want:    wantContent{msgType: event.MsgText, body: "Location: " + hostile},
		},
		{
			name:    "location at 0,0 without a name",
			content: &wechat.Location{},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Shared a location that arrived without coordinates; see it on your phone.",
			},
		},
		{
			name:    "location with impossible coordinates counts as unknown",
			content: &wechat.Location{Latitude: math.NaN(), Longitude: 200, POIName: "Nowhere"},
			want:    wantContent{msgType: event.MsgText, body: "Location: Nowhere"},
		},
		{
			name: "link with every field",
			content: &wechat.Link{
				Title:       "深度好文 | Go 1.26 发布 🎉",
				Description: "新特性一览\n第二行",
				URL:         "https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1",
				ThumbURL:    "https://mmbiz.qpic.cn/thumb.jpg",
				AppName:     "微信读书",
			},
			want: wantContent{
				msgType: event.MsgText,
				body:    "深度好文 | Go 1.26 发布 🎉\n新特性一览\n第二行\nhttps://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1\nvia 微信读书",
				html: `<b>深度好文 | Go 1.26 发布 🎉</b><br>新特性一览<br>第二行<br>` +
					`<a href="https://mp.weixin.qq.com/s?__biz=MzA&amp;mid=1&amp;idx=1">https://mp.weixin.qq.com/s?__biz=MzA&amp;mid=1&amp;idx=1</a><br>via 微信读书`,
			},
		},
		{
			name:    "link with hostile text and a javascript URL is never linked",
			content: &wechat.Link{Title: hostile, Description: "**not bold**", URL: `javascript:alert("x")`, AppName: "<b>App</b>"},
			want: wantContent{
				msgType: event.MsgText,
				body:    hostile + "\n**not bold**\njavascript:alert(\"x\")\nvia <b>App</b>",
				html:    `<b>` + hostileHTML + `</b><br>**not bold**<br>javascript:alert(&quot;x&quot;)<br>via &lt;b&gt;App&lt;/b&gt;`,
			},
		},
		{
			name:    "link with a weixin URL and no title",
			content: &wechat.Link{URL: "weixin://dl/business/?t=abc"},
			want:    wantContent{msgType: event.MsgText, body: "weixin://dl/business/?t=abc"},
		},
		{
			name:    "link with a URL whose quote would break out of the attribute",
			content: &wechat.Link{Title: "t", URL: `https://example.com/"><script>x</script>`},
			want: wantContent{
				msgType: event.MsgText,
				body:    "t\nhttps://example.com/\"><script>x</script>",
				html: `<b>t</b><br><a href="https://example.com/&#34;&gt;&lt;script&gt;x&lt;/script&gt;">` +
					`https://example.com/&quot;&gt;&lt;script&gt;x&lt;/script&gt;</a>`,
			},
		},
		{
			name:    "empty link",
			content: &wechat.Link{Title: "  ", AppName: "QQ音乐"},
			want:    wantContent{msgType: event.MsgNotice, body: "Shared a link card with nothing in it; see it on your phone."},
		},
		{
			name: "one article is shown as a link",
			content: &wechat.Articles{Items: []wechat.Article{
				{Title: "今日要闻", URL: "https://news.qq.com/a/1", Digest: "摘要 😀", Cover: "https://p.qpic.cn/c.jpg"},
			}},
			want: wantContent{
				msgType: event.MsgText,
				body:    "今日要闻\n摘要 😀\nhttps://news.qq.com/a/1",
				html:    `<b>今日要闻</b><br>摘要 😀<br><a href="https://news.qq.com/a/1">https://news.qq.com/a/1</a>`,
			},
		},
		{
			name: "several articles link their titles",
			content: &wechat.Articles{Items: []wechat.Article{
				{Title: "第一篇 <i>", URL: "https://mp.weixin.qq.com/s/a?x=1&y=2", Digest: "摘要一"},
				{},
				{Title: "Second", URL: "ftp://example.com/file", Digest: ""},
				{URL: "http://example.com/untitled"},
				{Digest: "only a digest"},
			}},
			want: wantContent{
				msgType: event.MsgText,
				body: "第一篇 <i>\n摘要一\nhttps://mp.weixin.qq.com/s/a?x=1&y=2\n\n" +
					"Second\nftp://example.com/file\n\n" +
					"http://example.com/untitled\n\n" +
					"(untitled)\nonly a digest",
				html: `<b><a href="https://mp.weixin.qq.com/s/a?x=1&amp;y=2">第一篇 &lt;i&gt;</a></b><br>摘要一<br><br>` +
					`<b>Second</b><br>ftp://example.com/file<br><br>` +
					`<b><a href="http://example.com/untitled">http://example.com/untitled</a></b><br><br>` +
					`<b>(untitled)</b><br>only a digest`,
			},
		},
		{
			name:    "articles that are all empty",
			content: &wechat.Articles{Items: []wechat.Article{{}, {Title: " "}}},
			want:    wantContent{msgType: event.MsgNotice, body: "An article push with no articles arrived; see it on your phone."},
		},
		{
			name:    "mini program",
			content: &wechat.MiniProgram{Title: "美团外卖 🍔", AppName: "美团", URL: "https://mp.weixin.qq.com/mp/waerrpage"},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Shared the mini program 美团: 美团外卖 🍔 (mini programs open only in WeChat on the phone)",
			},
		},
		{
			name:    "mini program without app name",
			content: &wechat.MiniProgram{Title: hostile},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Shared a mini program: " + hostile + " (mini programs open only in WeChat on the phone)",
			},
		},
		{
			name:    "empty mini program",
			content: &wechat.MiniProgram{},
			want:    wantContent{msgType: event.MsgNotice, body: "Shared a mini program (mini programs open only in WeChat on the phone)"},
		},
		{
			name:    "transfer",
			content: &wechat.Transfer{Title: "微信转账", Description: "收到转账0.01元。如需收钱，请点此升级至最新版本"},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Money transfer: 微信转账\n收到转账0.01元。如需收钱，请点此升级至最新版本\nCheck WeChat on your phone to see or accept it.",
			},
		},
		{
			name:    "empty transfer",
			content: &wechat.Transfer{},
			want:    wantContent{msgType: event.MsgNotice, body: "Money transfer\nCheck WeChat on your phone to see or accept it."},
		},
		{
			name:    "red packet",
			content: &wechat.RedPacket{Title: "恭喜发财，大吉大利 🧧"},
			want:    wantContent{msgType: event.MsgNotice, body: "Sent a red packet (恭喜发财，大吉大利 🧧); open it on your phone."},
		},
		{
			name:    "red packet without title",
			content: &wechat.RedPacket{},
			want:    wantContent{msgType: event.MsgNotice, body: "Sent a red packet; open it on your phone."},
		},
		{
			name:    "live location",
			content: &wechat.RealtimeLocation{Title: "我发起了位置共享"},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Started sharing live location: 我发起了位置共享\nLive locations can only be seen in WeChat on the phone.",
			},
		},
		{
			name:    "chat history",
			content: &wechat.ChatHistory{Title: "群聊的聊天记录", Description: "Alice: 你好\nBob: <b>hi</b>"},
			want: wantContent{
				msgType: event.MsgText,
				body: "Chat history: 群聊的聊天记录\nAlice: 你好\nBob: <b>hi</b>\n" +
					"(Only this summary reaches the bridge; open it on your phone for every message.)",
				html: `Chat history: <b>群聊的聊天记录</b><br>Alice: 你好<br>Bob: &lt;b&gt;hi&lt;/b&gt;<br>` +
					`(Only this summary reaches the bridge; open it on your phone for every message.)`,
			},
		},
		{
			name:    "chat history without title",
			content: &wechat.ChatHistory{Description: "Alice: 1"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "Chat history\nAlice: 1\n(Only this summary reaches the bridge; open it on your phone for every message.)",
			},
		},
		{
			name:    "app message with content",
			content: &wechat.AppMessage{AppMsgType: 51, Title: "视频号 · 直播", Description: "点击观看", URL: "https://channels.weixin.qq.com/x"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "视频号 · 直播\n点击观看\nhttps://channels.weixin.qq.com/x",
				html:    `<b>视频号 · 直播</b><br>点击观看<br><a href="https://channels.weixin.qq.com/x">https://channels.weixin.qq.com/x</a>`,
			},
		},
		{
			name:    "app message with only a description",
			content: &wechat.AppMessage{AppMsgType: 16, Description: "卡券 & more"},
			want:    wantContent{msgType: event.MsgText, body: "卡券 & more"},
		},
		{
			name:    "empty app message",
			content: &wechat.AppMessage{AppMsgType: 10},
			want:    wantContent{msgType: event.MsgNotice, body: "An unsupported app message (type 10) arrived; see it on your phone."},
		},
		{
			name:    "contact card",
			content: &wechat.Card{UserName: "@abc", NickName: "张三 🐼", Alias: "zhangsan88", Province: "广东", City: "深圳"},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Shared a contact card: 张三 🐼\nWeChat ID: zhangsan88\nRegion: 广东, 深圳",
			},
		},
		{
			name:    "official account card",
			content: &wechat.Card{UserName: "gh_123", NickName: hostile, City: "Beijing", IsOfficial: true},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "Shared a contact card: " + hostile + " (official account)\nRegion: Beijing",
			},
		},
		{
			name:    "card with only an alias",
			content: &wechat.Card{UserName: "wxid_x", Alias: "lisi"},
			want:    wantContent{msgType: event.MsgNotice, body: "Shared a contact card: lisi"},
		},
		{
			name:    "card without names never shows the UserName",
			content: &wechat.Card{UserName: "@0123456789abcdef"},
			want:    wantContent{msgType: event.MsgNotice, body: "Shared a contact card"},
		},
		{
			name:    "possible friend",
			content: &wechat.PossibleFriend{UserName: "@abc", NickName: "王五"},
			want:    wantContent{msgType: event.MsgNotice, body: "WeChat recommends adding 王五 as a friend; see it on your phone."},
		},
		{
			name:    "possible friend without a name",
			content: &wechat.PossibleFriend{UserName: "@abc"},
			want:    wantContent{msgType: event.MsgNotice, body: "WeChat recommends adding a friend; see it on your phone."},
		},
		{
			name:    "call invite",
			content: &wechat.Call{Kind: wechat.CallInvite},
			want:    wantContent{msgType: event.MsgNotice, body: "Started a call; WeChat calls can only be answered on the phone."},
		},
		{
			name:    "missed call",
			content: &wechat.Call{Kind: wechat.CallMissed},
			want:    wantContent{msgType: event.MsgNotice, body: "Missed call; WeChat calls can only be answered on the phone."},
		},
		{
			name:    "call ended",
			content: &wechat.Call{Kind: wechat.CallEnded},
			want:    wantContent{msgType: event.MsgNotice, body: "The call ended."},
		},
		{
			name:    "call of an unknown kind",
			content: &wechat.Call{Kind: "whatever"},
			want:    wantContent{msgType: event.MsgNotice, body: "Call activity; WeChat calls can only be answered on the phone."},
		},
		{
			name:    "system message",
			content: &wechat.System{Text: `"Alice"邀请"<b>Bob</b>"加入了群聊`, Kind: wechat.SystemJoin, Actor: "Alice"},
			want:    wantContent{msgType: event.MsgNotice, body: `"Alice"邀请"<b>Bob</b>"加入了群聊`},
		},
		{
			name:    "unsupported message type",
			content: &wechat.Unsupported{MsgType: 9998, Reason: "unknown MsgType 9998"},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "This kind of WeChat message (type 9998) cannot be shown here; see it on your phone.",
			},
		},
		{
			name:    "unsupported app message never shows the reason",
			content: &wechat.Unsupported{MsgType: 49, AppMsgType: 62, Reason: `app message XML: <msg><appmsg>secret</appmsg>`},
			want: wantContent{
				msgType: event.MsgNotice,
				body:    "This kind of WeChat message (type 49, app type 62) cannot be shown here; see it on your phone.",
			},
		},
		{
			name:    "unsupported without a type",
			content: &wechat.Unsupported{Reason: "no message"},
			want:    wantContent{msgType: event.MsgNotice, body: "This kind of WeChat message cannot be shown here; see it on your phone."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertContent(t, tt.want, msgconv.ContentToMatrix(tt.content))
		})
	}
}

func TestContentToMatrixUnhandled(t *testing.T) {
	tests := []struct {
		name    string
		content wechat.Content
	}{
		{"nil", nil},
		{"text", &wechat.Text{Text: "hi"}},
		{"quote", &wechat.Quote{Quoted: "a", Reply: "b"}},
		{"image", &wechat.Image{}},
		{"emoticon", &wechat.Emoticon{}},
		{"voice", &wechat.Voice{}},
		{"video", &wechat.Video{}},
		{"file", &wechat.File{Name: "a.pdf"}},
		{"recall", &wechat.Recall{MsgID: 1}},
		{"status notify", &wechat.StatusNotify{Code: wechat.StatusNotifyRead}},
		{"sys notice", &wechat.SysNotice{Text: "x"}},
		{"friend request", &wechat.FriendRequest{UserName: "@a"}},
		{"system without text", &wechat.System{Text: " \n", Kind: wechat.SystemOther}},
		{"nil link", (*wechat.Link)(nil)},
		{"nil location", (*wechat.Location)(nil)},
		{"nil unsupported", (*wechat.Unsupported)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Nil(t, msgconv.ContentToMatrix(tt.content))
		})
	}
}

func TestContentToMatrixLongFields(t *testing.T) {
	huge := strings.Repeat("长", 2<<20) // 6 MiB of three-byte runes
	longURL := "https://example.com/" + strings.Repeat("a", 5000)
	hugeURL := "https://example.com/" + huge
	many := make([]wechat.Article, 1000)
	for i := range many {
		many[i] = wechat.Article{Title: huge, URL: hugeURL, Digest: huge}
	}
	tests := []struct {
		name    string
		content wechat.Content
		prefix  string
	}{
		{"link title", &wechat.Link{Title: huge, Description: huge, URL: longURL, AppName: huge}, "长长长"},
		{"articles", &wechat.Articles{Items: many}, "长长长"},
		{"location", &wechat.Location{Latitude: 1, Longitude: 2, POIName: huge, Label: huge}, "Location: 长长"},
		{"system", &wechat.System{Text: huge}, "长长长"},
		{"card", &wechat.Card{NickName: huge, Alias: huge, Province: huge}, "Shared a contact card: 长"},
		{"unsupported reason", &wechat.Unsupported{MsgType: 1, Reason: huge}, "This kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := msgconv.ContentToMatrix(tt.content)
			require.NotNil(t, got)
			assert.True(t, strings.HasPrefix(got.Body, tt.prefix), "body starts %q", got.Body[:min(len(got.Body), 40)])
			assert.LessOrEqual(t, len(got.Body), 20<<10, "body size")
			assert.LessOrEqual(t, len(got.FormattedBody), 40<<10, "HTML size")
			assert.True(t, utf8.ValidString(got.Body), "body is UTF-8")
			assert.True(t, utf8.ValidString(got.FormattedBody), "HTML is UTF-8")
			assert.NotContains(t, got.FormattedBody, "\"https://example.com/aaaa", "a clipped URL is not linked")
		})
	}

	t.Run("clipped fields end in an ellipsis", func(t *testing.T) {
		got := msgconv.ContentToMatrix(&wechat.Link{Title: huge, URL: longURL})
		require.NotNil(t, got)
		title, rest, ok := strings.Cut(got.Body, "\n")
		require.True(t, ok)
		assert.True(t, strings.HasSuffix(title, "长…"), "title ends %q", title[len(title)-10:])
		assert.True(t, strings.HasSuffix(rest, "aaa…"), "URL is clipped")
	})
	t.Run("quote reply", func(t *testing.T) {
		got := msgconv.QuoteBlock(&wechat.Quote{Name: huge, Quoted: huge, Reply: huge})
		require.NotNil(t, got)
		assert.True(t, strings.HasPrefix(got.Body, "> 长长"))
		assert.LessOrEqual(t, len(got.Body), 20<<10, "body size")
		assert.LessOrEqual(t, len(got.FormattedBody), 40<<10, "HTML size")
	})
}

// FuzzContentToMatrix feeds arbitrary strings into the fields of links,
// articles, locations and quotes. The output must be valid UTF-8 when the
// input is, and its HTML may hold only our own tags, with links only to
// http and https URLs.
func FuzzContentToMatrix(f *testing.F) {
	f.Add("标题 😀", "描述\n第二行", "https://example.com/?a=1&b=2", 39.9, 116.4)
	f.Add(hostile, `"><script>alert(1)</script>`, `javascript:alert("x")`, 0.0, 0.0)
	f.Add("<scr<script>ipt>", "&lt;script&gt;", `https://x.y/"onmouseover="alert(1)`, -90.0, 180.0)
	f.Add("\xff\xfe", "a\r\nb\rc", "HTTPS://EXAMPLE.COM/<script>", math.NaN(), math.Inf(1))
	f.Fuzz(func(t *testing.T, a, b, link string, lat, lng float64) {
		contents := []*event.MessageEventContent{
			msgconv.ContentToMatrix(&wechat.Link{Title: a, Description: b, URL: link, AppName: b}),
			msgconv.ContentToMatrix(&wechat.Articles{Items: []wechat.Article{
				{Title: a, URL: link, Digest: b},
				{Title: b, URL: a, Digest: link},
			}}),
			msgconv.ContentToMatrix(&wechat.Location{Latitude: lat, Longitude: lng, POIName: a, Label: b, URL: link}),
			msgconv.QuoteBlock(&wechat.Quote{Name: a, Quoted: b, Reply: link}),
		}
		validInput := utf8.ValidString(a) && utf8.ValidString(b) && utf8.ValidString(link)
		for i, c := range contents {
			if c == nil {
				if i == 3 && isBlankString(a) && isBlankString(b) && isBlankString(link) {
					continue
				}
				t.Fatalf("content %d is nil", i)
			}
			if c.Body == "" || c.Mentions == nil {
				t.Fatalf("content %d: empty body or nil mentions: %+v", i, c)
			}
			if validInput && (!utf8.ValidString(c.Body) || !utf8.ValidString(c.FormattedBody)) {
				t.Fatalf("content %d: invalid UTF-8 from valid input: %q / %q", i, c.Body, c.FormattedBody)
			}
			if strings.Contains(strings.ToLower(c.FormattedBody), "<script") {
				t.Fatalf("content %d: unescaped script: %q", i, c.FormattedBody)
			}
			checkOwnHTML(t, c.FormattedBody)
		}
	})
}

func isBlankString(s string) bool {
	return strings.TrimSpace(s) == ""
}

// checkOwnHTML fails unless the HTML holds only the tags ContentToMatrix
// and QuoteBlock write: <a href> to http(s) URLs, <b>, <br> and
// <blockquote>, none with other attributes.
func checkOwnHTML(t *testing.T, formatted string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(formatted))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.DataAtom {
			case atom.B, atom.Br, atom.Blockquote:
				if len(tok.Attr) != 0 {
					t.Fatalf("attributes on <%s>: %q", tok.Data, formatted)
				}
			case atom.A:
				if tok.Type == html.EndTagToken {
					continue
				}
				if len(tok.Attr) != 1 || tok.Attr[0].Key != "href" {
					t.Fatalf("unexpected attributes on <a>: %q", formatted)
				}
				href := strings.ToLower(tok.Attr[0].Val)
				if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") {
					t.Fatalf("link to %q: %q", tok.Attr[0].Val, formatted)
				}
			default:
				t.Fatalf("unexpected tag <%s>: %q", tok.Data, formatted)
			}
		}
	}
}
