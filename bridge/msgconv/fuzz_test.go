package msgconv_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// FuzzTextToMatrix checks that the HTML body holds nothing but our pills and
// line breaks, and that its text is exactly the body.
func FuzzTextToMatrix(f *testing.F) {
	for _, seed := range []string{
		"",
		"hello",
		"@Bob\u2005 hi\n@Bob\u2005",
		"@<script>alert(1)</script>\u2005 & \"quotes\" 'too'",
		"@a\"><img src=x>\u2005@b c@d @e\r\nf\x00@&lt;\u2005",
		"<a href=\"javascript:x\">@x\u2005</a>",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// Names of even length resolve, to a user ID built from the name.
		content := msgconv.TextToMatrix(text, func(name string) (msgconv.MentionTarget, bool) {
			return msgconv.MentionTarget{UserID: id.UserID("@" + name + ":example.org")}, len(name)%2 == 0
		})
		if content.Body != text {
			t.Fatalf("body changed: %q", content.Body)
		}
		if content.Mentions == nil {
			t.Fatal("Mentions is nil")
		}
		if content.FormattedBody == "" {
			if len(content.Mentions.UserIDs) != 0 || content.Format != "" {
				t.Fatalf("mentions or format without HTML: %+v", content)
			}
			return
		}
		if content.Format != event.FormatHTML {
			t.Fatalf("format %q", content.Format)
		}
		context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		nodes, err := html.ParseFragment(strings.NewReader(content.FormattedBody), context)
		if err != nil {
			t.Fatalf("HTML does not parse: %v", err)
		}
		var got strings.Builder
		hrefs := map[string]bool{}
		var walk func(n *html.Node, inLink bool)
		walk = func(n *html.Node, inLink bool) {
			switch {
			case n.Type == html.TextNode:
				got.WriteString(n.Data)
			case n.Type == html.ElementNode && n.DataAtom == atom.Br && len(n.Attr) == 0 && n.FirstChild == nil:
				got.WriteByte('\n')
			case n.Type == html.ElementNode && n.DataAtom == atom.A && !inLink &&
				len(n.Attr) == 1 && n.Attr[0].Key == "href" && n.Attr[0].Namespace == "" &&
				strings.HasPrefix(n.Attr[0].Val, "https://matrix.to/#/@"):
				hrefs[n.Attr[0].Val] = true
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, true)
				}
			default:
				t.Fatalf("unexpected node type %d %q %v in %q", n.Type, n.Data, n.Attr, content.FormattedBody)
			}
		}
		for _, n := range nodes {
			walk(n, false)
		}
		// The HTML tokenizer normalises line ends and drops NULs in text.
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "").Replace(text)
		if got.String() != want {
			t.Fatalf("HTML text %q differs from body %q", got.String(), want)
		}
		seen := map[id.UserID]bool{}
		for _, userID := range content.Mentions.UserIDs {
			if seen[userID] {
				t.Fatalf("%s mentioned twice", userID)
			}
			seen[userID] = true
			if !hrefs[userID.URI().MatrixToURL()] {
				t.Fatalf("%s mentioned without a pill", userID)
			}
		}
		if len(seen) != len(hrefs) {
			t.Fatalf("%d pills for %d mentions", len(hrefs), len(seen))
		}
	})
}

// FuzzTextFromMatrix checks that any HTML flattens without panics, that
// the internal marks never leak, and that mentions match the text.
func FuzzTextFromMatrix(f *testing.F) {
	for _, seed := range []string{
		"<p>Hello <strong>world</strong></p>",
		"<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ol>",
		`<a href="https://matrix.to/#/@wechat_bob:localhost">Bob</a>: hi`,
		"<pre><code class=\"language-go\">x := 1\n</code></pre>",
		"<blockquote><p>quoted</p></blockquote><p>reply</p>",
		"<mx-reply><blockquote>x</blockquote></mx-reply>y",
		"<h2>a*b</h2><ol><li>#</li></ol>",
		`<img alt="*"><a href="#x">#</a>`,
	} {
		f.Add(seed)
	}
	resolve := func(userID id.UserID) (msgconv.MentionedMember, bool) {
		return msgconv.MentionedMember{Name: "Bob", UserName: "@bob1"}, userID == "@wechat_bob:localhost"
	}
	f.Fuzz(func(t *testing.T, body string) {
		content := &event.MessageEventContent{MsgType: event.MsgText, Format: event.FormatHTML, FormattedBody: body}
		text, mentions := msgconv.TextFromMatrix(content, resolve)
		if mentions != nil && (len(mentions) != 1 || mentions[0] != "@bob1" || !strings.Contains(text, "@Bob\u2005")) {
			t.Fatalf("mentions %q for text %q", mentions, text)
		}
		if strings.ContainsRune(body, '&') {
			return // entities can produce any character
		}
		if !strings.ContainsRune(body, '\uE000') && strings.ContainsRune(text, '\uE000') {
			t.Fatalf("a mark leaked: %q", text)
		}
		for _, c := range []string{"*", "#"} {
			if !strings.Contains(body, c) && strings.Contains(text, c) {
				t.Fatalf("%q appeared from nowhere: %q", c, text)
			}
		}
		if !strings.Contains(body, "•") && !strings.Contains(strings.ToLower(body), "ul") && strings.Contains(text, "•") {
			t.Fatalf("a bullet appeared without a list: %q", text)
		}
	})
}
