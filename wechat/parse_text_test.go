package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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
