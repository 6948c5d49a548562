package msgconv_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// targets resolves names from a map, like the bridge resolves group members.
func targets(known map[string]msgconv.MentionTarget) func(string) (msgconv.MentionTarget, bool) {
	return func(name string) (msgconv.MentionTarget, bool) {
		target, ok := known[name]
		return target, ok
	}
}

func TestTextToMatrix(t *testing.T) {
	bob := msgconv.MentionTarget{UserID: "@wechat_bob:localhost"}
	alice := msgconv.MentionTarget{UserID: "@alice:example.org", DisplayName: "Alice"}
	tests := []struct {
		name         string
		text         string
		known        map[string]msgconv.MentionTarget
		wantHTML     string
		wantMentions []id.UserID
	}{
		{
			name: "plain text",
			text: "Hello world 😀",
		},
		{
			name: "multi-line text without mentions stays plain",
			text: "line one\nline two & <three>",
		},
		{
			name:  "unresolved mention stays plain",
			text:  "@Carol\u2005 are you there?",
			known: map[string]msgconv.MentionTarget{"Bob": bob},
		},
		{
			name:         "one mention",
			text:         "@Bob\u2005 lunch?",
			known:        map[string]msgconv.MentionTarget{"Bob": bob},
			wantHTML:     `<a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a>` + "\u2005 lunch?",
			wantMentions: []id.UserID{"@wechat_bob:localhost"},
		},
		{
			name:         "display name is the pill text",
			text:         "hi @小红\u2005",
			known:        map[string]msgconv.MentionTarget{"小红": alice},
			wantHTML:     `hi <a href="https://matrix.to/#/@alice:example.org">@Alice</a>` + "\u2005",
			wantMentions: []id.UserID{"@alice:example.org"},
		},
		{
			name:         "mention without U+2005 ends at a space",
			text:         "ping @Bob now",
			known:        map[string]msgconv.MentionTarget{"Bob": bob},
			wantHTML:     `ping <a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a> now`,
			wantMentions: []id.UserID{"@wechat_bob:localhost"},
		},
		{
			name:  "e-mail address is no mention",
			text:  "mail bob@Bob please",
			known: map[string]msgconv.MentionTarget{"Bob": bob},
		},
		{
			name: "mentions in order, deduplicated, text escaped, lines broken",
			text: "@Alice\u2005 & @Bob\u2005 <b>see</b>\n@Bob\u2005 \"again\" it's @Carol\u2005",
			known: map[string]msgconv.MentionTarget{
				"Alice": {UserID: alice.UserID},
				"Bob":   bob,
			},
			wantHTML: `<a href="https://matrix.to/#/@alice:example.org">@Alice</a>` + "\u2005 &amp; " +
				`<a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a>` + "\u2005 &lt;b&gt;see&lt;/b&gt;<br>" +
				`<a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a>` + "\u2005 &quot;again&quot; it&#39;s @Carol\u2005",
			wantMentions: []id.UserID{"@alice:example.org", "@wechat_bob:localhost"},
		},
		{
			name: "two names of one user mention it once",
			text: "@Bob\u2005@Bobby\u2005",
			known: map[string]msgconv.MentionTarget{
				"Bob":   bob,
				"Bobby": bob,
			},
			wantHTML: `<a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a>` + "\u2005" +
				`<a href="https://matrix.to/#/@wechat_bob:localhost">@Bobby</a>` + "\u2005",
			wantMentions: []id.UserID{"@wechat_bob:localhost"},
		},
		{
			name:  "hostile name is escaped",
			text:  "@<img src=x onerror=\"alert('1')\">&amp;\u2005 hi",
			known: map[string]msgconv.MentionTarget{"<img src=x onerror=\"alert('1')\">&amp;": bob},
			wantHTML: `<a href="https://matrix.to/#/@wechat_bob:localhost">@&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;</a>` +
				"\u2005 hi",
			wantMentions: []id.UserID{"@wechat_bob:localhost"},
		},
		{
			name:         "hostile display name and user ID are escaped",
			text:         "@x\u2005",
			known:        map[string]msgconv.MentionTarget{"x": {UserID: `@a"><script>:b`, DisplayName: "</a><script>"}},
			wantHTML:     `<a href="https://matrix.to/#/@a%22%3E%3Cscript%3E:b">@&lt;/a&gt;&lt;script&gt;</a>` + "\u2005",
			wantMentions: []id.UserID{`@a"><script>:b`},
		},
		{
			name:  "a target without user ID is unresolved",
			text:  "@Bob\u2005",
			known: map[string]msgconv.MentionTarget{"Bob": {DisplayName: "Bob"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := msgconv.TextToMatrix(tt.text, targets(tt.known))
			require.NotNil(t, got)
			assert.Equal(t, event.MsgText, got.MsgType)
			assert.Equal(t, tt.text, got.Body)
			require.NotNil(t, got.Mentions, "Mentions must be set even when nobody is mentioned")
			assert.Equal(t, tt.wantMentions, got.Mentions.UserIDs)
			assert.False(t, got.Mentions.Room)
			assert.Equal(t, tt.wantHTML, got.FormattedBody)
			if tt.wantHTML == "" {
				assert.Empty(t, got.Format)
			} else {
				assert.Equal(t, event.FormatHTML, got.Format)
			}
		})
	}
}

func TestTextToMatrixNilResolve(t *testing.T) {
	got := msgconv.TextToMatrix("@Bob\u2005 hi", nil)
	assert.Equal(t, &event.MessageEventContent{
		MsgType:  event.MsgText,
		Body:     "@Bob\u2005 hi",
		Mentions: &event.Mentions{},
	}, got)
}

func TestTextToMatrixManyMentions(t *testing.T) {
	const n = 50000
	text := strings.Repeat("@Bob\u2005<&> @Carol\u2005\n", n)
	calls := map[string]int{}
	got := msgconv.TextToMatrix(text, func(name string) (msgconv.MentionTarget, bool) {
		calls[name]++
		return msgconv.MentionTarget{UserID: "@wechat_bob:localhost"}, name == "Bob"
	})
	assert.Equal(t, map[string]int{"Bob": 1, "Carol": 1}, calls, "resolve is asked once per distinct name")
	assert.Equal(t, []id.UserID{"@wechat_bob:localhost"}, got.Mentions.UserIDs)
	pill := `<a href="https://matrix.to/#/@wechat_bob:localhost">@Bob</a>` + "\u2005&lt;&amp;&gt; @Carol\u2005<br>"
	assert.Equal(t, strings.Repeat(pill, n), got.FormattedBody)
}
