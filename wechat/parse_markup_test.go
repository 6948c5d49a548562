package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestFormatText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "hello", "hello"},
		{"line breaks", "a<br/>b<br>c<br />d", "a\nb\nc\nd"},
		{"entities", "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &nbsp;f", "a & b <c> \"d\" 'e' \u00a0f"},
		{"double escaped stays escaped once", "&amp;lt;b&amp;gt;", "&lt;b&gt;"},
		{"emoji", `hi <span class="emoji emoji1f604"></span>!`, "hi 😄!"},
		{"uppercase hex", `<span class="emoji emoji1F604"></span>`, "😄"},
		{
			"typed span markup stays text",
			`&lt;span class=&quot;emoji emoji1f604&quot;&gt;&lt;/span&gt;`,
			`<span class="emoji emoji1f604"></span>`,
		},
		{"typed br stays text", "a&lt;br/&gt;b", "a<br/>b"},
		{"entity not assembled across span", `&amp<span class="emoji emoji1f604"></span>;`, "&😄;"},
		{"keycap after ampersand", `&#<span class="emoji emoji3320e3"></span>;`, "&#3\u20e3;"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"invalid numeric entity", "&#xD800;", "\uFFFD"},
		{"other tags kept", `<a href="x">y</a>`, `<a href="x">y</a>`},
		{"lone lt", "a < b", "a < b"},
		{"not a break", "<bra>", "<bra>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "Alice", "Alice"},
		{"emoji and entity", `<span class="emoji emoji1f338"></span>Bob &amp; Co`, "🌸Bob & Co"},
		{"escaped markup stays", "&lt;b&gt;Eve&lt;/b&gt;", "<b>Eve</b>"},
		{"real markup removed", "<b>Eve</b>", "Eve"},
		{"line breaks become spaces", "  A<br/>B\tC  ", "A B C"},
		{"invalid utf8", "X\xc3", "X\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CleanName(tt.in))
		})
	}
}

func TestFormatSystemText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			"link kept as text",
			`Bob开启了朋友验证，你还不是他（她）朋友。请先发送朋友验证请求，对方验证通过后，才能聊天。<a href="weixin://findfriend/verifycontact">发送朋友验证</a>`,
			"Bob开启了朋友验证，你还不是他（她）朋友。请先发送朋友验证请求，对方验证通过后，才能聊天。发送朋友验证",
		},
		{"unclosed tag is text", "a <b c", "a <b c"},
		{"many unclosed", strings.Repeat("<a", 5), strings.Repeat("<a", 5)},
		{"comment removed", "a<!-- x -->b", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatSystemText(tt.in))
		})
	}
}

// TestFormatLinear checks that hostile inputs take linear time: each runs
// on a few MiB and would take minutes if any path were quadratic.
func TestFormatLinear(t *testing.T) {
	const n = 1 << 20
	inputs := map[string]string{
		"lt":         strings.Repeat("<", 4*n),
		"lt a":       strings.Repeat("<a", 2*n),
		"span start": strings.Repeat(`<span class="emoji emoji`, n/8),
		"amp":        strings.Repeat("&", 4*n),
		"at":         strings.Repeat("@", 4*n),
		"at space":   strings.Repeat("@a ", n),
		"quote":      "「" + strings.Repeat("」\n- -x", n/2),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			assert.True(t, utf8.ValidString(FormatText(in)))
			assert.True(t, utf8.ValidString(CleanName(in)))
			assert.True(t, utf8.ValidString(formatSystemText(in)))
			_ = FindMentions(in)
			_, _ = parseQuote(in)
			_, _, _ = SplitGroupPrefix(in)
		})
	}
}
