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

func TestFormatTextEmoji(t *testing.T) {
	span := func(code string) string { return `<span class="emoji emoji` + code + `"></span>` }
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"4 digits", span("2600"), "\u2600"},
		{"5 digits", span("1f604"), "\U0001F604"},
		{"6 digits keycap", span("2320e3"), "#\u20e3"},
		{"6 digits with variation selector", span("a9fe0f"), "\u00a9\ufe0f"},
		{"8 digits", span("2764fe0f"), "\u2764\ufe0f"},
		{"10 digits flag", span("1f1e81f1f3"), "\U0001F1E8\U0001F1F3"},
		{"remap 1f63c", span("1f63c"), "\U0001F601"},
		{"remap 1f639", span("1f639"), "\U0001F602"},
		{"remap 1f63a", span("1f63a"), "\U0001F603"},
		{"remap 1f4ab", span("1f4ab"), "\U0001F616"},
		{"remap 1f64d", span("1f64d"), "\U0001F614"},
		{"remap 1f63b", span("1f63b"), "\U0001F60D"},
		{"remap 1f63d", span("1f63d"), "\U0001F618"},
		{"remap 1f64e", span("1f64e"), "\U0001F621"},
		{"remap 1f63f", span("1f63f"), "\U0001F622"},
		{"truncated span", `a<span class="emoji emoji1f450"></spanb`, "a\U0001F450b"},
		{"truncated span at end", `a<span class="emoji emoji1f450"></span`, "a\U0001F450"},
		{"invalid hex", span("zz12"), "\uFFFD"},
		{"surrogate", span("d83d"), "\uFFFD"},
		{"6 digits with control", span("110000"), "\uFFFD"},
		{"above max 5 digits", span("fffff"), "\U000FFFFF"},
		{"control", span("0007"), "\uFFFD"},
		{"bad length", span("123"), "\uFFFD"},
		{"invalid second half", span("2320g3"), "\uFFFD"},
		{"empty code", span(""), "\uFFFD"},
		{"unterminated", `<span class="emoji emoji1f604">x`, `<span class="emoji emoji1f604">x`},
		{"too long code", span(strings.Repeat("1", 40)), span(strings.Repeat("1", 40))},
		{"two in a row", span("1f604") + span("1f604"), "😄😄"},
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
