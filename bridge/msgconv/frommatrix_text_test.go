package msgconv_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// members resolves Matrix users from a map, like the bridge resolves the
// ghosts of group members.
func members(known map[id.UserID]msgconv.MentionedMember) func(id.UserID) (msgconv.MentionedMember, bool) {
	return func(userID id.UserID) (msgconv.MentionedMember, bool) {
		m, ok := known[userID]
		return m, ok
	}
}

func formatted(body string) *event.MessageEventContent {
	return &event.MessageEventContent{MsgType: event.MsgText, Format: event.FormatHTML, FormattedBody: body, Body: "fallback"}
}

func TestTextFromMatrix(t *testing.T) {
	known := map[id.UserID]msgconv.MentionedMember{
		"@wechat_bob:localhost":    {Name: "Bob", UserName: "@bob1"},
		"@wechat_carol:localhost":  {Name: "卡罗尔", UserName: "@carol1"},
		"@wechat_evil:localhost":   {Name: "*#\uE000m<b>&amp;", UserName: "@evil1"},
		"@wechat_noname:localhost": {UserName: "@noname1"},
	}
	tests := []struct {
		name         string
		content      *event.MessageEventContent
		wantText     string
		wantMentions []string
	}{
		{
			name:     "plain body",
			content:  &event.MessageEventContent{MsgType: event.MsgText, Body: "Hello *world* # 1\n"},
			wantText: "Hello *world* # 1",
		},
		{
			name:     "only trailing white space is trimmed",
			content:  &event.MessageEventContent{MsgType: event.MsgText, Body: "  indented\n\t\n "},
			wantText: "  indented",
		},
		{
			name: "mentions without HTML body mention nobody",
			content: &event.MessageEventContent{
				MsgType:  event.MsgText,
				Body:     "Bob: hi",
				Mentions: &event.Mentions{UserIDs: []id.UserID{"@wechat_bob:localhost"}},
			},
			wantText: "Bob: hi",
		},
		{
			name:     "notice",
			content:  &event.MessageEventContent{MsgType: event.MsgNotice, Body: "automated"},
			wantText: "automated",
		},
		{
			name:     "emote",
			content:  &event.MessageEventContent{MsgType: event.MsgEmote, Body: "waves"},
			wantText: "/me waves",
		},
		{
			name: "formatted emote",
			content: &event.MessageEventContent{
				MsgType: event.MsgEmote, Body: "waves at Bob", Format: event.FormatHTML,
				FormattedBody: `waves at <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>`,
			},
			wantText:     "/me waves at @Bob\u2005",
			wantMentions: []string{"@bob1"},
		},
		{
			name: "HTML without the HTML format is ignored",
			content: &event.MessageEventContent{
				MsgType: event.MsgText, Body: "plain", FormattedBody: "<b>rich</b>",
			},
			wantText: "plain",
		},
		{
			name: "plain reply fallback is dropped",
			content: &event.MessageEventContent{
				MsgType:   event.MsgText,
				Body:      "> <@alice:example.org> what time?\n> second line\n\nnoon",
				RelatesTo: (&event.RelatesTo{}).SetReplyTo("$orig"),
			},
			wantText: "noon",
		},
		{
			name: "quote in a message that is no reply is kept",
			content: &event.MessageEventContent{
				MsgType: event.MsgText,
				Body:    "> <@alice:example.org> what time?\n\nnoon",
			},
			wantText: "> <@alice:example.org> what time?\n\nnoon",
		},
		{
			name: "HTML reply fallback is dropped",
			content: &event.MessageEventContent{
				MsgType: event.MsgText,
				Body:    "> <@alice:example.org> what time?\n\nnoon",
				Format:  event.FormatHTML,
				FormattedBody: `<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$orig?via=example.org">In reply to</a> ` +
					`<a href="https://matrix.to/#/@alice:example.org">@alice:example.org</a><br>what time?</blockquote></mx-reply>noon`,
				RelatesTo: (&event.RelatesTo{}).SetReplyTo("$orig"),
			},
			wantText: "noon",
		},
		{
			name: "HTML that is only a reply fallback falls back to the body",
			content: &event.MessageEventContent{
				MsgType:       event.MsgText,
				Body:          "> <@alice:example.org> hi\n\nsee attachment \n",
				Format:        event.FormatHTML,
				FormattedBody: "<mx-reply><blockquote>hi</blockquote></mx-reply> <p> </p>",
				RelatesTo:     (&event.RelatesTo{}).SetReplyTo("$orig"),
			},
			wantText: "see attachment",
		},
		{
			name:     "paragraph with bold",
			content:  formatted("<p>Hello <strong>world</strong></p>"),
			wantText: "Hello world",
		},
		{
			name:     "italic, strikethrough, underline, inline code",
			content:  formatted("<em>it</em> <del>gone</del> <s>old</s> <u>under</u> <code>a*b # c</code>"),
			wantText: "it gone old under a*b # c",
		},
		{
			name:     "paragraphs and line breaks",
			content:  formatted("<p>one<br>two<br/>three</p><p>four</p>"),
			wantText: "one\ntwo\nthree\n\nfour",
		},
		{
			name:     "nested unordered list, even with a stray closing tag",
			content:  formatted("<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ol>"),
			wantText: "• one\n• two\n  • nested",
		},
		{
			name:     "ordered list with a start and a nested bullet list",
			content:  formatted("<ol start=\"9\"><li>ninth</li><li>tenth<ul><li>* not a bullet</li></ul></li></ol><p>after</p>"),
			wantText: "9.  ninth\n10. tenth\n    • * not a bullet\n\nafter",
		},
		{
			name:     "task list",
			content:  formatted(`<ul><li><input type="checkbox" checked>done</li><li><input type="checkbox">todo</li></ul>`),
			wantText: "• [x]done\n• [ ]todo",
		},
		{
			name:     "code block keeps indentation and markup-like lines",
			content:  formatted("<pre><code class=\"language-go\">  x := 1\n# not a heading\n* not a bullet\n\tif x {}\n</code></pre>"),
			wantText: "  x := 1\n# not a heading\n* not a bullet\n\tif x {}",
		},
		{
			name:     "code block between paragraphs is on its own lines",
			content:  formatted("<p>before</p><pre><code>code &lt;here&gt;\n</code></pre><p>after</p>"),
			wantText: "before\n\ncode <here>\n\nafter",
		},
		{
			name:     "block quote and reply",
			content:  formatted("<blockquote><p>quoted</p></blockquote><p>reply</p>"),
			wantText: "> quoted\n\nreply",
		},
		{
			name:     "multi-line block quote",
			content:  formatted("<blockquote>one<br>two</blockquote>three"),
			wantText: "> one\n> two\nthree",
		},
		{
			name:     "headings are plain lines",
			content:  formatted("<h1>Title #1</h1><h3>Sub</h3><p>text</p>"),
			wantText: "Title #1\n\nSub\n\ntext",
		},
		{
			name:     "horizontal rule",
			content:  formatted("<p>a</p><hr><p>b</p>"),
			wantText: "a\n\n---\n\nb",
		},
		{
			name: "links",
			content: formatted(`<a href="https://example.com">https://example.com</a>, ` +
				`<a href="https://example.com/a">example.com/a</a>, <a href="https://example.com/">the site</a>, ` +
				`<a href="mailto:a@example.com">a@example.com</a>, <a href="https://x.org/#*">*</a>, <a>no href</a>`),
			wantText: "https://example.com, example.com/a, the site (https://example.com/), a@example.com, * (https://x.org/#*), no href",
		},
		{
			name:     "entities and emoji",
			content:  formatted("a &amp; b &lt;c&gt; &quot;d&quot; &#x1F600; 😀 &nbsp;e"),
			wantText: "a & b <c> \"d\" 😀 😀 \u00a0e",
		},
		{
			name:     "spoiler shows its text",
			content:  formatted(`<span data-mx-spoiler="plot">Snape kills Dumbledore</span>`),
			wantText: "Snape kills Dumbledore",
		},
		{
			name:     "images become their alt text, else their title",
			content:  formatted(`<img data-mx-emoticon src="mxc://x/cat" alt=":cat:"> <img src="mxc://x/y" title="photo"> <img src="mxc://x/z">!`),
			wantText: ":cat: photo !",
		},
		{
			name:         "pill of a known member starting the message loses Element's colon",
			content:      formatted(`<a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>: hi`),
			wantText:     "@Bob\u2005hi",
			wantMentions: []string{"@bob1"},
		},
		{
			name:         "a colon after a pill later in the message stays",
			content:      formatted(`ask <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>: he knows`),
			wantText:     "ask @Bob\u2005: he knows",
			wantMentions: []string{"@bob1"},
		},
		{
			name:         "mention at the end of a paragraph keeps U+2005",
			content:      formatted(`<p>thanks <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a></p><blockquote>ask <a href="https://matrix.to/#/@wechat_carol:localhost">C</a></blockquote>`),
			wantText:     "thanks @Bob\u2005\n\n> ask @卡罗尔\u2005",
			wantMentions: []string{"@bob1", "@carol1"},
		},
		{
			name: "mentions deduplicated in order, matrix: URIs too",
			content: formatted(`<a href="https://matrix.to/#/@wechat_carol:localhost">Carol</a> ` +
				`<a href="matrix:u/wechat_bob:localhost?action=chat">Bob</a> ` +
				`<a href="https://matrix.to/#/%40wechat_carol%3Alocalhost">Carol</a>`),
			wantText:     "@卡罗尔\u2005 @Bob\u2005 @卡罗尔\u2005",
			wantMentions: []string{"@carol1", "@bob1"},
		},
		{
			name:     "pill of an unknown user is its text",
			content:  formatted(`hi <a href="https://matrix.to/#/@alice:example.org">Alice &amp; co</a> and <a href="https://matrix.to/#/@bob:example.org"></a>`),
			wantText: "hi Alice & co and @bob:example.org",
		},
		{
			name:     "member without a name is not mentioned",
			content:  formatted(`<a href="https://matrix.to/#/@wechat_noname:localhost">Nobody</a>`),
			wantText: "Nobody",
		},
		{
			name:         "hostile member name is written literally",
			content:      formatted(`<a href="https://matrix.to/#/@wechat_evil:localhost">Evil</a>`),
			wantText:     "@*#\uE000m<b>&amp;\u2005",
			wantMentions: []string{"@evil1"},
		},
		{
			name:     "private-use characters in the text survive",
			content:  formatted("\uE000m \uE000\uE000 \uE000c \uE000* <b>**</b> ##"),
			wantText: "\uE000m \uE000\uE000 \uE000c \uE000* ** ##",
		},
		{
			name: "room, event and alias links",
			content: formatted(`<a href="https://matrix.to/#/!room:example.org/$ev?via=example.org">this message</a>, ` +
				`<a href="https://matrix.to/#/#wechat:example.org">#wechat:example.org</a>, ` +
				`<a href="https://matrix.to/#/#wechat:example.org">our room</a>`),
			wantText: "this message (https://matrix.to/#/!room:example.org/$ev), #wechat:example.org, our room (#wechat:example.org)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, mentions := msgconv.TextFromMatrix(tt.content, members(known))
			assert.Equal(t, tt.wantText, text)
			assert.Equal(t, tt.wantMentions, mentions)
		})
	}
}

func TestTextFromMatrixEdgeCases(t *testing.T) {
	text, mentions := msgconv.TextFromMatrix(nil, nil)
	assert.Empty(t, text)
	assert.Nil(t, mentions)

	text, mentions = msgconv.TextFromMatrix(formatted(`<a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>`), nil)
	assert.Equal(t, "Bob", text, "without a resolver, pills are their text")
	assert.Nil(t, mentions)

	deep := strings.Repeat("<blockquote>", 600) + "x" + strings.Repeat("</blockquote>", 600)
	text, mentions = msgconv.TextFromMatrix(&event.MessageEventContent{
		MsgType: event.MsgText, Body: "x", Format: event.FormatHTML, FormattedBody: deep,
	}, nil)
	assert.Equal(t, "x", text, "HTML nested too deeply to parse falls back to the body")
	assert.Nil(t, mentions)

	calls := 0
	content := formatted(`<a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a> <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>`)
	text, mentions = msgconv.TextFromMatrix(content, func(id.UserID) (msgconv.MentionedMember, bool) {
		calls++
		return msgconv.MentionedMember{Name: "Bob", UserName: "@bob1"}, true
	})
	assert.Equal(t, "@Bob\u2005 @Bob\u2005", text)
	assert.Equal(t, []string{"@bob1"}, mentions)
	assert.Equal(t, 1, calls, "resolve is asked once per user")
	assert.Equal(t, `<a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a> <a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>`,
		content.FormattedBody, "the content is not modified")
}
