package msgconv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

func TestQuoteBlock(t *testing.T) {
	tests := []struct {
		name  string
		quote *wechat.Quote
		want  wantContent
	}{
		{
			name:  "name, quote and reply",
			quote: &wechat.Quote{Name: "小明", Quoted: "今晚吃什么？🍜", Reply: "火锅！"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> 小明: 今晚吃什么？🍜\n\n火锅！",
				html:    "<blockquote><b>小明</b>: 今晚吃什么？🍜</blockquote>火锅！",
			},
		},
		{
			name:  "multi-line quote and reply",
			quote: &wechat.Quote{Name: "Alice", Quoted: "line one\nline two\r\nline three", Reply: "ok\nthanks"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> Alice: line one\n> line two\n> line three\n\nok\nthanks",
				html:    "<blockquote><b>Alice</b>: line one<br>line two<br>line three</blockquote>ok<br>thanks",
			},
		},
		{
			name:  "without a name",
			quote: &wechat.Quote{Quoted: "quoted", Reply: "reply"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> quoted\n\nreply",
				html:    "<blockquote>quoted</blockquote>reply",
			},
		},
		{
			name:  "hostile everything",
			quote: &wechat.Quote{Name: "<b>Eve</b>", Quoted: hostile, Reply: "**x** & <img src=x>"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> <b>Eve</b>: " + hostile + "\n\n**x** & <img src=x>",
				html:    "<blockquote><b>&lt;b&gt;Eve&lt;/b&gt;</b>: " + hostileHTML + "</blockquote>**x** &amp; &lt;img src=x&gt;",
			},
		},
		{
			name:  "empty reply",
			quote: &wechat.Quote{Name: "Bob", Quoted: "hi"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> Bob: hi",
				html:    "<blockquote><b>Bob</b>: hi</blockquote>",
			},
		},
		{
			name:  "name without quoted text",
			quote: &wechat.Quote{Name: "Bob", Reply: "[图片]"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "> Bob:\n\n[图片]",
				html:    "<blockquote><b>Bob</b>: </blockquote>[图片]",
			},
		},
		{
			name:  "reply only",
			quote: &wechat.Quote{Reply: "just this"},
			want: wantContent{
				msgType: event.MsgText,
				body:    "just this",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertContent(t, tt.want, msgconv.QuoteBlock(tt.quote))
		})
	}

	t.Run("nil and empty", func(t *testing.T) {
		assert.Nil(t, msgconv.QuoteBlock(nil))
		assert.Nil(t, msgconv.QuoteBlock(&wechat.Quote{Name: " ", Quoted: "\n"}))
	})
}
