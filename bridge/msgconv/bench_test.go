package msgconv_test

import (
	"strings"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// BenchmarkTextToMatrix converts a long group message with several mentions.
func BenchmarkTextToMatrix(b *testing.B) {
	text := strings.Repeat("@Bob\u2005 @小红\u2005 明天 <10:00> 开会 & 午饭 😀 see https://example.com/a?b=c\n", 20)
	resolve := func(name string) (msgconv.MentionTarget, bool) {
		return msgconv.MentionTarget{UserID: "@wechat_x:localhost", DisplayName: name}, name == "Bob"
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		msgconv.TextToMatrix(text, resolve)
	}
}

// BenchmarkTextFromMatrix flattens a long Element message.
func BenchmarkTextFromMatrix(b *testing.B) {
	content := &event.MessageEventContent{
		MsgType: event.MsgText,
		Format:  event.FormatHTML,
		FormattedBody: strings.Repeat(`<p>Hello <strong>world</strong>, <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a> `+
			`see <a href="https://example.com/x">this</a> &amp; <code>x*y</code></p>`+
			`<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>`+
			`<blockquote><p>quoted 😀</p></blockquote><pre><code class="language-go">x := 1
</code></pre>`, 10),
	}
	resolve := func(userID id.UserID) (msgconv.MentionedMember, bool) {
		return msgconv.MentionedMember{Name: "Bob", UserName: "@bob1"}, userID == "@wechat_bob:localhost"
	}
	b.SetBytes(int64(len(content.FormattedBody)))
	b.ReportAllocs()
	for b.Loop() {
		msgconv.TextFromMatrix(content, resolve)
	}
}
