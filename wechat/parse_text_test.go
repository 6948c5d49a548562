package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const locationXML = `<?xml version="1.0"?>
<msg>
	<location x="39.983424" y="116.322987" scale="16" label="北京市海淀区中关村大街1号" maptype="roadmap" poiname="中关村 &amp; 海淀" poiid="nearby_1234" />
</msg>
`

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "plain with emoji and escapes",
			raw:  RawMessage{MsgType: MsgTypeText, Content: `Hi <span class="emoji emoji1f604"></span><br/>x &lt; y &amp;&amp; z`},
			want: &Text{Text: "Hi 😄\nx < y && z"},
		},
		{
			name: "user typed markup",
			raw:  RawMessage{MsgType: MsgTypeText, Content: `&lt;span class="emoji emoji1f604"&gt;&lt;/span&gt; and &lt;br/&gt;`},
			want: &Text{Text: `<span class="emoji emoji1f604"></span> and <br/>`},
		},
		{
			name: "mentions",
			raw:  RawMessage{MsgType: MsgTypeText, Content: "@Alice\u2005@<span class=\"emoji emoji1f338\"></span>Lily\u2005look"},
			want: &Text{Text: "@Alice\u2005@🌸Lily\u2005look", Mentions: []string{"Alice", "🌸Lily"}},
		},
		{
			name: "quote",
			raw:  RawMessage{MsgType: MsgTypeText, Content: "「Alice：<span class=\"emoji emoji1f604\"></span> ok?」<br/>- - - - - - - - - - - - - - -<br/>sure &amp; thanks"},
			want: &Quote{Name: "Alice", Quoted: "😄 ok?", Reply: "sure & thanks"},
		},
		{
			name: "empty",
			raw:  RawMessage{MsgType: MsgTypeText},
			want: &Text{},
		},
		{
			name: "red packet as text",
			raw:  RawMessage{MsgType: MsgTypeText, AppMsgType: AppMsgTypeRedPacket, Content: "[收到一个微信红包，请在手机上查看]"},
			want: &RedPacket{Title: "[收到一个微信红包，请在手机上查看]"},
		},
		{
			name: "red packet as text with XML",
			raw:  RawMessage{MsgType: MsgTypeText, AppMsgType: AppMsgTypeRedPacket, Content: serverEscape(redPacketXML)},
			want: &RedPacket{Title: "微信红包"},
		},
		{
			name: "newsapp articles",
			raw: RawMessage{FromUserName: newsAppUserName, MsgType: MsgTypeText, Content: serverEscape(`<msg><head><version>1</version></head><mmreader><category type="0" count="1"><name><![CDATA[腾讯新闻]]></name>` +
				`<item><title><![CDATA[Headline]]></title><url><![CDATA[http://view.inews.qq.com/a/1?uid=&devid=2]]></url><digest><![CDATA[Digest]]></digest><cover><![CDATA[http://inews.gtimg.com/c.jpg]]></cover><pub_time>1700000000</pub_time></item>` +
				`</category></mmreader></msg>`)},
			want: &Articles{Items: []Article{{Title: "Headline", URL: "http://view.inews.qq.com/a/1?uid=&devid=2", Digest: "Digest", Cover: "http://inews.gtimg.com/c.jpg", PubTime: unixTime(1700000000)}}},
		},
		{
			name: "newsapp without items is text",
			raw:  RawMessage{FromUserName: newsAppUserName, MsgType: MsgTypeText, Content: "about mmreader"},
			want: &Text{Text: "about mmreader"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParseLocation(t *testing.T) {
	const snapshot = "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;msgid=7123456789012345678&amp;pictype=location"
	const mapURL = "http://apis.map.qq.com/uri/v1/geocoder?coord=39.983424,116.322987"
	full := &Location{
		Latitude:  39.983424,
		Longitude: 116.322987,
		Scale:     16,
		Label:     "北京市海淀区中关村大街1号",
		POIName:   "中关村 & 海淀",
		URL:       mapURL,
	}
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "text location with raw OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "中关村:<br/>" + snapshot, OriContent: locationXML, Url: mapURL},
			want: full,
		},
		{
			name: "text location with escaped OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "中关村:<br/>" + snapshot, OriContent: serverEscape(locationXML), Url: mapURL},
			want: full,
		},
		{
			name: "text location without OriContent uses content and url",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "Starbucks &amp; Co:<br/>" + snapshot, Url: mapURL + "&amp;referer=wexinmp_profile"},
			want: &Location{Latitude: 39.983424, Longitude: 116.322987, POIName: "Starbucks & Co", URL: mapURL + "&referer=wexinmp_profile"},
		},
		{
			name: "text location detected by url",
			raw:  RawMessage{MsgType: MsgTypeText, Content: "Cafe:<br/>" + snapshot, Url: mapURL},
			want: &Location{Latitude: 39.983424, Longitude: 116.322987, POIName: "Cafe", URL: mapURL},
		},
		{
			name: "text location with broken OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "Cafe", OriContent: "&lt;msg&gt;&lt;location"},
			want: &Location{POIName: "Cafe"},
		},
		{
			name: "out of range coordinates dropped",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "X", OriContent: `<msg><location x="123.4" y="NaN" poiname="X"/></msg>`, Url: "http://apis.map.qq.com/uri/v1/geocoder?coord=bad"},
			want: &Location{POIName: "X", URL: "http://apis.map.qq.com/uri/v1/geocoder?coord=bad"},
		},
		{
			name: "unparsable map url",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "X", Url: "http://apis.map.qq.com/%zz?coord=1,2"},
			want: &Location{POIName: "X", URL: "http://apis.map.qq.com/%zz?coord=1,2"},
		},
		{
			name: "MsgType 48",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(locationXML), Url: mapURL},
			want: full,
		},
		{
			name: "MsgType 48 bare location element",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: `<location x="-33.8568" y="151.2153" scale="15" label="Sydney Opera House" poiname="Opera House"/>`},
			want: &Location{Latitude: -33.8568, Longitude: 151.2153, Scale: 15, Label: "Sydney Opera House", POIName: "Opera House"},
		},
		{
			name: "angle brackets and a line break in a place name are text",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(`<msg><location x="1.5" y="2.5" label="Gate &lt;B&gt;&#10;north" poiname="&lt;script&gt;"/></msg>`)},
			want: &Location{Latitude: 1.5, Longitude: 2.5, Label: "Gate <B> north", POIName: "<script>"},
		},
		{
			name: "MsgType 48 without location element",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(`<msg><other/></msg>`)},
			want: &Unsupported{MsgType: MsgTypeLocation, Reason: "location XML: no <location> element"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParseLocationInGroup(t *testing.T) {
	raw := RawMessage{
		FromUserName: testGroup,
		MsgType:      MsgTypeText,
		SubMsgType:   SubMsgTypeLocation,
		Content:      groupBody(testMember, "Starbucks:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;pictype=location"),
	}
	m := ParseMessage(&raw, testSelf)
	assert.Equal(t, testMember, m.Sender)
	assert.Equal(t, &Location{POIName: "Starbucks"}, m.Content)
}
