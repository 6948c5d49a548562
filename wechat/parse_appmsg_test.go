package wechat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// appMsg wraps an <appmsg> body in the <msg> envelope the server uses.
func appMsg(appmsg, appname string) string {
	return `<?xml version="1.0"?>
<msg>
	<appmsg appid="" sdkver="0">` + appmsg + `</appmsg>
	<fromusername>wxid_sender01</fromusername>
	<scene>0</scene>
	<appinfo>
		<version>1</version>
		<appname>` + appname + `</appname>
	</appinfo>
	<commenturl></commenturl>
</msg>
`
}

const linkAppMsg = `
		<title>深度好文 | Go &amp; you</title>
		<des>A long description</des>
		<action />
		<type>5</type>
		<showtype>0</showtype>
		<content />
		<url>http://mp.weixin.qq.com/s?__biz=MzA3&amp;mid=2650&amp;idx=1&amp;sn=abc#rd</url>
		<dataurl />
		<lowurl />
		<appattach>
			<totallen>0</totallen>
			<attachid />
			<emoticonmd5 />
			<fileext />
			<cdnthumburl>3057020100044b30490201000204</cdnthumburl>
			<cdnthumbmd5>0cc175b9c0f1b6a831c399e269772661</cdnthumbmd5>
			<cdnthumblength>4321</cdnthumblength>
			<aeskey>6d7a</aeskey>
		</appattach>
		<extinfo />
		<sourceusername>gh_0123456789ab</sourceusername>
		<sourcedisplayname>Gopher Weekly</sourcedisplayname>
		<thumburl>http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg&amp;from=appmsg</thumburl>
		<md5 />`

const fileAppMsg = `
		<title>report Q3.pdf</title>
		<des />
		<action />
		<type>6</type>
		<content />
		<url />
		<appattach>
			<totallen>1048576</totallen>
			<attachid>@cdn_3057020100_0123456789abcdef_1</attachid>
			<emoticonmd5 />
			<fileext>pdf</fileext>
			<cdnattachurl>3057020100044b30490201000204</cdnattachurl>
			<aeskey>6d7a</aeskey>
			<encryver>1</encryver>
		</appattach>
		<md5>92eb5ffee6ae2fec3ad71c777531578f</md5>`

const redPacketXML = `<msg><appmsg appid="" sdkver=""><des><![CDATA[我给你发了一个红包，赶紧去拆!]]></des>` +
	`<url><![CDATA[https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?showwxpaytitle=1&msgtype=1&channelid=1]]></url>` +
	`<type><![CDATA[2001]]></type><title><![CDATA[微信红包]]></title><thumburl><![CDATA[https://wx.gtimg.com/hongbao/1800/hb.png]]></thumburl>` +
	`<wcpayinfo><templateid><![CDATA[7a2a165d31da7fce6dd77e05c300028a]]></templateid><receivertitle><![CDATA[恭喜发财，大吉大利]]></receivertitle>` +
	`<sendertitle><![CDATA[恭喜发财，大吉大利]]></sendertitle><scenetext><![CDATA[微信红包]]></scenetext></wcpayinfo></appmsg></msg>`

const transferXML = `<msg><appmsg appid="" sdkver=""><title><![CDATA[微信转账]]></title>` +
	`<des><![CDATA[收到转账0.01元。如需收钱，请在手机上查看。]]></des>` +
	`<action></action><type>2000</type><content><![CDATA[]]></content>` +
	`<url><![CDATA[https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade&text=text001&btn_text=btn_text_0]]></url>` +
	`<thumburl><![CDATA[https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade&text=text001&btn_text=btn_text_0]]></thumburl>` +
	`<wcpayinfo><paysubtype>1</paysubtype><feedesc><![CDATA[￥0.01]]></feedesc><transcationid><![CDATA[100005010123]]></transcationid>` +
	`<transferid><![CDATA[1000050001202311]]></transferid><invalidtime><![CDATA[1700086400]]></invalidtime><effectivedate><![CDATA[1]]></effectivedate>` +
	`<pay_memo><![CDATA[]]></pay_memo></wcpayinfo></appmsg></msg>`

// mmreaderXML is an official-account push with n articles.
func mmreaderXML(n int) string {
	var items strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&items, `<item><itemshowtype>0</itemshowtype><title><![CDATA[Headline %d]]></title>`+
			`<url><![CDATA[http://mp.weixin.qq.com/s?__biz=MzA&mid=265&idx=%d&sn=a1#rd]]></url><shorturl><![CDATA[]]></shorturl><longurl><![CDATA[]]></longurl>`+
			`<pub_time>170000000%d</pub_time><cover><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/c%d/0?wx_fmt=jpeg]]></cover><tweetid></tweetid>`+
			`<digest><![CDATA[Digest %d]]></digest><fileid>10000000%d</fileid><sources><source><name><![CDATA[Gopher Daily]]></name></source></sources>`+
			`<styles></styles><native_url></native_url><del_flag>0</del_flag><contentattr>0</contentattr><play_length>0</play_length></item>`, i, i, i, i, i, i)
	}
	return `<msg><appmsg appid="" sdkver="0"><title><![CDATA[Headline 1]]></title><des><![CDATA[]]></des><action></action><type>5</type>` +
		`<showtype>1</showtype><content><![CDATA[]]></content><contentattr>0</contentattr>` +
		`<url><![CDATA[http://mp.weixin.qq.com/s?__biz=MzA&mid=265&idx=1&sn=a1#rd]]></url><lowurl><![CDATA[]]></lowurl>` +
		`<appattach><totallen>0</totallen><attachid></attachid><fileext></fileext></appattach><extinfo></extinfo>` +
		fmt.Sprintf(`<mmreader><category type="20" count="%d"><name><![CDATA[Gopher Daily]]></name>`, n) +
		`<topnew><cover><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/c1/0?wx_fmt=jpeg]]></cover><width>0</width><height>0</height><digest><![CDATA[]]></digest></topnew>` +
		items.String() +
		`</category><publisher><username><![CDATA[gh_0123456789ab]]></username><nickname><![CDATA[Gopher Daily]]></nickname></publisher>` +
		`<template_header></template_header><template_detail></template_detail><forbid_forward>0</forbid_forward></mmreader>` +
		`<thumburl><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/c1/0?wx_fmt=jpeg]]></thumburl></appmsg>` +
		`<fromusername><![CDATA[gh_0123456789ab]]></fromusername><appinfo><version></version><appname><![CDATA[Gopher Daily]]></appname></appinfo></msg>`
}

func article(i int) Article {
	return Article{
		Title:   fmt.Sprintf("Headline %d", i),
		URL:     fmt.Sprintf("http://mp.weixin.qq.com/s?__biz=MzA&mid=265&idx=%d&sn=a1#rd", i),
		Digest:  fmt.Sprintf("Digest %d", i),
		Cover:   fmt.Sprintf("http://mmbiz.qpic.cn/mmbiz_jpg/c%d/0?wx_fmt=jpeg", i),
		PubTime: unixTime(int64(1700000000 + i)),
	}
}

func TestParseAppMessage(t *testing.T) {
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "link",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, FileName: "深度好文 | Go &amp; you", Content: serverEscape(appMsg(linkAppMsg, ""))},
			want: &Link{
				Title:       "深度好文 | Go & you",
				Description: "A long description",
				URL:         "http://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=abc#rd",
				ThumbURL:    "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg&from=appmsg",
				AppName:     "Gopher Weekly",
			},
		},
		{
			name: "link with escaped quotes",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, Content: serverEscapeQuotes(appMsg(linkAppMsg, "Weibo"))},
			want: &Link{
				Title:       "深度好文 | Go & you",
				Description: "A long description",
				URL:         "http://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=abc#rd",
				ThumbURL:    "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg&from=appmsg",
				AppName:     "Weibo",
			},
		},
		{
			name: "music",
			raw: RawMessage{AppMsgType: AppMsgTypeAudio, Content: serverEscape(appMsg(`<title>晴天</title><des>周杰伦</des><type>3</type>`+
				`<url>http://c.y.qq.com/v8/playsong.html?songid=97773&amp;source=yqq</url><dataurl>http://ws.stream.qqmusic.qq.com/C100.m4a?fromtag=46</dataurl>`, "QQ音乐"))},
			want: &Link{Title: "晴天", Description: "周杰伦", URL: "http://c.y.qq.com/v8/playsong.html?songid=97773&source=yqq", AppName: "QQ音乐"},
		},
		{
			name: "video link",
			raw:  RawMessage{AppMsgType: AppMsgTypeVideo, Content: serverEscape(appMsg(`<title>Cats</title><des>3:15</des><type>4</type><url>https://v.qq.com/x/page/a1.html</url>`, "腾讯视频"))},
			want: &Link{Title: "Cats", Description: "3:15", URL: "https://v.qq.com/x/page/a1.html", AppName: "腾讯视频"},
		},
		{
			name: "third-party app",
			raw:  RawMessage{AppMsgType: AppMsgTypeOpen, Content: serverEscape(appMsg(`<title>Open me</title><type>7</type>`, "SomeApp")), Url: "https://example.com/x?a=1&amp;b=2"},
			want: &Link{Title: "Open me", URL: "https://example.com/x?a=1&b=2", AppName: "SomeApp"},
		},
		{
			name: "type from xml when AppMsgType is missing",
			raw:  RawMessage{Content: serverEscape(appMsg(linkAppMsg, ""))},
			want: &Link{
				Title:       "深度好文 | Go & you",
				Description: "A long description",
				URL:         "http://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=abc#rd",
				ThumbURL:    "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg&from=appmsg",
				AppName:     "Gopher Weekly",
			},
		},
		{
			name: "file",
			raw: RawMessage{
				AppMsgType:    AppMsgTypeAttach,
				FileName:      "report Q3.pdf",
				FileSize:      "1048576",
				MediaId:       "@crypt_1a2b3c4d_0123456789abcdef",
				EncryFileName: "report%20Q3%2Epdf",
				Content:       serverEscape(appMsg(fileAppMsg, "")),
			},
			want: &File{
				Name:          "report Q3.pdf",
				Ext:           "pdf",
				Size:          1048576,
				MediaID:       "@crypt_1a2b3c4d_0123456789abcdef",
				EncryFileName: "report%20Q3%2Epdf",
				AttachID:      "@cdn_3057020100_0123456789abcdef_1",
			},
		},
		{
			name: "file without raw fields",
			raw:  RawMessage{AppMsgType: AppMsgTypeAttach, FileSize: "n/a", Content: serverEscape(appMsg(strings.Replace(fileAppMsg, "<fileext>pdf</fileext>", "<fileext />", 1), ""))},
			want: &File{Name: "report Q3.pdf", Ext: "pdf", Size: 1048576, AttachID: "@cdn_3057020100_0123456789abcdef_1"},
		},
		{
			name: "file with escaped name and no extension",
			raw:  RawMessage{AppMsgType: AppMsgTypeAttach, FileName: "a&amp;b <span class=\"emoji emoji1f4c4\"></span>", Content: serverEscape(appMsg(`<title>x</title><type>6</type>`, ""))},
			want: &File{Name: "a&b 📄"},
		},
		{
			name: "sticker via app",
			raw: RawMessage{AppMsgType: AppMsgTypeEmoji, Content: serverEscape(appMsg(`<title /><type>8</type><appattach><totallen>34567</totallen><attachid>0:0:c4ca</attachid>`+
				`<emoticonmd5>c4ca4238a0b923820dcc509a6f75849b</emoticonmd5><fileext>gif</fileext><cdnattachurl>3057020100</cdnattachurl></appattach>`, ""))},
			want: &Emoticon{MD5: "c4ca4238a0b923820dcc509a6f75849b", Length: 34567, CDNURL: "3057020100"},
		},
		{
			name: "mini program",
			raw: RawMessage{AppMsgType: AppMsgTypeMiniProgram, Content: serverEscape(appMsg(`<title>拼团优惠</title><des /><type>33</type>`+
				`<url>https://mp.weixin.qq.com/mp/waerrpage?appid=wx1234&amp;type=upgrade&amp;upgradetype=3#wechat_redirect</url>`+
				`<sourceusername>gh_abc@app</sourceusername><sourcedisplayname>拼多多</sourcedisplayname>`+
				`<weappinfo><username><![CDATA[gh_abc@app]]></username><appid><![CDATA[wx1234]]></appid><type>2</type><version>12</version>`+
				`<weappiconurl><![CDATA[http://mmbiz.qpic.cn/icon]]></weappiconurl><pagepath><![CDATA[pages/index.html?x=1]]></pagepath></weappinfo>`, ""))},
			want: &MiniProgram{Title: "拼团优惠", AppName: "拼多多", URL: "https://mp.weixin.qq.com/mp/waerrpage?appid=wx1234&type=upgrade&upgradetype=3#wechat_redirect"},
		},
		{
			name: "mini program 36",
			raw:  RawMessage{AppMsgType: AppMsgTypeMiniProgram2, Content: serverEscape(appMsg(`<title>Game</title><type>36</type><url>https://example.com/g</url>`, "WeGame"))},
			want: &MiniProgram{Title: "Game", AppName: "WeGame", URL: "https://example.com/g"},
		},
		{
			name: "transfer",
			raw:  RawMessage{AppMsgType: AppMsgTypeTransfer, FileName: transferFileName, Content: serverEscape(transferXML)},
			want: &Transfer{Title: "微信转账", Description: "收到转账0.01元。如需收钱，请在手机上查看。"},
		},
		{
			name: "transfer by file name",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, FileName: transferFileName, Content: serverEscape(transferXML)},
			want: &Transfer{Title: "微信转账", Description: "收到转账0.01元。如需收钱，请在手机上查看。"},
		},
		{
			name: "transfer with broken XML",
			raw:  RawMessage{AppMsgType: AppMsgTypeTransfer, FileName: transferFileName, Content: "&lt;msg&gt;&lt;appmsg"},
			want: &Transfer{Title: "微信转账"},
		},
		{
			name: "red packet",
			raw:  RawMessage{AppMsgType: AppMsgTypeRedPacket, Content: serverEscape(redPacketXML)},
			want: &RedPacket{Title: "微信红包"},
		},
		{
			name: "realtime location",
			raw:  RawMessage{AppMsgType: AppMsgTypeRealtimeLocation, Content: serverEscape(appMsg(`<title><![CDATA[我发起了位置共享]]></title><des /><type>17</type>`, ""))},
			want: &RealtimeLocation{Title: "我发起了位置共享"},
		},
		{
			name: "chat history",
			raw: RawMessage{AppMsgType: AppMsgTypeChatHistory, Content: serverEscape(appMsg("<title>群聊的聊天记录</title><des>Alice: hi\nBob: [图片]</des><type>19</type>"+
				`<url>https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/favorite_record__w_unsupport&amp;from=singlemessage</url>`+
				`<recorditem><![CDATA[<recordinfo><title>群聊的聊天记录</title><datalist count="2"></datalist></recordinfo>]]></recorditem>`, ""))},
			want: &ChatHistory{Title: "群聊的聊天记录", Description: "Alice: hi\nBob: [图片]"},
		},
		{
			name: "text app message",
			raw:  RawMessage{AppMsgType: AppMsgTypeText, Content: serverEscape(appMsg(`<title>shared from an app @Bob</title><des /><type>1</type>`, "Notes"))},
			want: &Text{Text: "shared from an app @Bob", Mentions: []string{"Bob"}},
		},
		{
			name: "quote app message",
			raw: RawMessage{AppMsgType: AppMsgTypeQuote, Content: serverEscape(appMsg(`<title>the reply</title><des /><type>57</type>`+
				`<refermsg><type>1</type><svrid>7123456789012345678</svrid><fromusr>wxid_a</fromusr><chatusr>wxid_b</chatusr><displayname>Alice</displayname><content>the original</content></refermsg>`, ""))},
			want: &Quote{Name: "Alice", Quoted: "the original", Reply: "the reply"},
		},
		{
			name: "quote type without refermsg",
			raw:  RawMessage{AppMsgType: AppMsgTypeQuote, Content: serverEscape(appMsg(`<title>the reply</title><type>57</type>`, ""))},
			want: &AppMessage{AppMsgType: AppMsgTypeQuote, Title: "the reply"},
		},
		{
			name: "other app type",
			raw:  RawMessage{AppMsgType: 51, FileName: "Channels", Content: serverEscape(appMsg(`<title /><des>a video</des><type>51</type><url>https://channels.weixin.qq.com/x</url>`, ""))},
			want: &AppMessage{AppMsgType: 51, Title: "Channels", Description: "a video", URL: "https://channels.weixin.qq.com/x"},
		},
		{
			name: "image via app",
			raw:  RawMessage{AppMsgType: AppMsgTypeImage, Content: serverEscape(appMsg(`<title>pic</title><type>2</type>`, ""))},
			want: &AppMessage{AppMsgType: AppMsgTypeImage, Title: "pic"},
		},
		{
			name: "articles, one item",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, Content: serverEscape(mmreaderXML(1))},
			want: &Articles{Items: []Article{article(1)}},
		},
		{
			name: "articles, three items",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, Content: serverEscape(mmreaderXML(3))},
			want: &Articles{Items: []Article{article(1), article(2), article(3)}},
		},
		{
			name: "empty mmreader is a link",
			raw:  RawMessage{AppMsgType: AppMsgTypeURL, Content: serverEscape(appMsg(`<title>t</title><type>5</type><url>https://e.com</url><mmreader><category count="0"></category></mmreader>`, ""))},
			want: &Link{Title: "t", URL: "https://e.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.MsgType = MsgTypeApp
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParseAppMessageInGroup(t *testing.T) {
	raw := RawMessage{
		FromUserName: testGroup,
		MsgType:      MsgTypeApp,
		AppMsgType:   AppMsgTypeURL,
		Content:      groupBody(testMember, serverEscape(appMsg(linkAppMsg, ""))),
	}
	m := ParseMessage(&raw, testSelf)
	assert.Equal(t, testMember, m.Sender)
	assert.IsType(t, &Link{}, m.Content)
}

func TestExtOf(t *testing.T) {
	tests := []struct{ name, want string }{
		{"a.pdf", "pdf"},
		{"archive.tar.gz", "gz"},
		{"noext", ""},
		{"dir.d/file", ""},
		{"a. b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, extOf(tt.name))
		})
	}
}
