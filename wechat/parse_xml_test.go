package wechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantTitle string
		wantAttr  string
		wantErr   string
	}{
		{
			name:      "escaped with br and tabs",
			body:      serverEscape("<?xml version=\"1.0\"?>\n<msg>\n\t<appmsg appid=\"wx1\" sdkver=\"0\">\n\t\t<title>A &amp; B</title>\n\t</appmsg>\n</msg>\n"),
			wantTitle: "A & B",
			wantAttr:  "wx1",
		},
		{
			name:      "escaped quotes",
			body:      serverEscapeQuotes(`<msg><appmsg appid="wx2"><title>It's "x"</title></appmsg></msg>`),
			wantTitle: `It's "x"`,
			wantAttr:  "wx2",
		},
		{
			name:      "raw xml keeps its own entities",
			body:      `<msg><appmsg appid="wx3"><title>a &amp;lt; b</title></appmsg></msg>`,
			wantTitle: "a &lt; b",
			wantAttr:  "wx3",
		},
		{
			name:      "spaces around equals",
			body:      serverEscape(`<msg><appmsg appid = "wx4" sdkver= "0" ><title>t</title></appmsg></msg>`),
			wantTitle: "t",
			wantAttr:  "wx4",
		},
		{
			name:      "cdata",
			body:      serverEscape(`<msg><appmsg appid=""><title><![CDATA[<b>bold</b> & more]]></title></appmsg></msg>`),
			wantTitle: "<b>bold</b> & more",
		},
		{
			name:      "html entity",
			body:      `<msg><appmsg><title>a&nbsp;b&copy;</title></appmsg></msg>`,
			wantTitle: "a\u00a0b©",
		},
		{
			name:      "unknown entity stays literal",
			body:      `<msg><appmsg><title>&foo; x</title></appmsg></msg>`,
			wantTitle: "&foo; x",
		},
		{
			name:      "declared charset ignored",
			body:      `<?xml version="1.0" encoding="gbk"?><msg><appmsg><title>中文</title></appmsg></msg>`,
			wantTitle: "中文",
		},
		{
			name:      "group prefix junk before payload is skipped",
			body:      "wxid_abc:\n" + serverEscape(`<msg><appmsg><title>x</title></appmsg></msg>`),
			wantTitle: "x",
		},
		{
			name:      "trailing junk ignored",
			body:      `<msg><appmsg><title>x</title></appmsg></msg><other>`,
			wantTitle: "x",
		},
		{
			name:      "mismatched end tags tolerated",
			body:      `<msg><appmsg><title>x</appmsg></msg>`,
			wantTitle: "x",
		},
		{
			name:      "bare ampersand in escaped payload",
			body:      `&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;a & b&lt;/title&gt;&lt;/appmsg&gt;&lt;/msg&gt;`,
			wantTitle: "a & b",
		},
		{
			name:      "stray end tag inside",
			body:      `<msg><appmsg></zzz><title>x</title></appmsg></msg>`,
			wantTitle: "x",
		},
		{name: "empty", body: "", wantErr: "no XML element"},
		{name: "text only", body: "hello", wantErr: "no XML element"},
		{name: "truncated", body: serverEscape(`<msg><appmsg><title>x</title>`), wantErr: "unexpected EOF inside an element"},
		{name: "stray end tag", body: `</msg>`, wantErr: "no XML element"},
		{name: "unterminated tag", body: `<msg><appmsg`, wantErr: "unexpected EOF"},
		{name: "too large", body: "<msg>" + strings.Repeat("a", maxXMLSize) + "</msg>", wantErr: "over 1 MiB"},
		{name: "too many elements", body: "<msg>" + strings.Repeat("<a/>", maxXMLElements+1) + "</msg>", wantErr: "more than"},
		{name: "control character", body: "<msg>\x01</msg>", wantErr: "illegal character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := decodePayload(tt.body)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Nil(t, root)
				return
			}
			require.NoError(t, err)
			app := root.self("appmsg")
			assert.Equal(t, tt.wantTitle, app.textOf("title"))
			assert.Equal(t, tt.wantAttr, app.attr("appid"))
		})
	}
}

// laughs is the billion laughs: entities that would expand to 10⁹ "lol"s.
const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<msg><appmsg><title>&lol9;</title><des a="&lol9;">&lol9;&lol9;</des></appmsg></msg>`

// deepBodies nest elements far beyond maxXMLDepth, closed or not, as XML
// and as the server escapes it.
func deepBodies() []string {
	const depth = 100000
	return []string{
		strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth),
		strings.Repeat("<a>", depth),
		serverEscape(strings.Repeat("<a>", depth)),
		"<msg><appmsg>" + strings.Repeat("<a>", maxXMLDepth) + "</appmsg></msg>",
	}
}

// TestDecodePayloadHostile: what the payloads decode to; how fast is
// BenchmarkDecodePayloadHostile's to say.
func TestDecodePayloadHostile(t *testing.T) {
	t.Run("billion laughs is not expanded", func(t *testing.T) {
		for _, body := range []string{laughs, serverEscape(laughs)} {
			root, err := decodePayload(body)
			require.NoError(t, err)
			app := root.self("appmsg")
			assert.Equal(t, "&lol9;", app.textOf("title"))
			assert.Equal(t, "&lol9;&lol9;", app.textOf("des"))
		}
	})
	t.Run("billion laughs as a message", func(t *testing.T) {
		c := parseOne(t, RawMessage{MsgType: MsgTypeApp, Content: serverEscape(laughs)})
		assert.Equal(t, &AppMessage{Title: "&lol9;", Description: "&lol9;&lol9;"}, c)
	})
	t.Run("deep nesting", func(t *testing.T) {
		for _, body := range deepBodies() {
			_, err := decodePayload(body)
			require.ErrorIs(t, err, errXMLTooDeep)
		}
	})
	t.Run("deepest allowed", func(t *testing.T) {
		body := strings.Repeat("<a>", maxXMLDepth) + strings.Repeat("</a>", maxXMLDepth)
		root, err := decodePayload(body)
		require.NoError(t, err)
		assert.Equal(t, "a", root.name)
	})
	t.Run("deep nesting as messages", func(t *testing.T) {
		body := serverEscape(strings.Repeat("<msg>", 50000))
		for _, typ := range []int{MsgTypeApp, MsgTypeRecalled, MsgTypeLocation} {
			c := parseOne(t, RawMessage{MsgType: typ, Content: body})
			require.IsType(t, &Unsupported{}, c)
			assert.Contains(t, c.(*Unsupported).Reason, "nested deeper")
		}
	})
}

// BenchmarkDecodePayloadHostile: hostile payloads are refused or read
// without expanding them, in time linear in their size (each took well
// under a second when the time was asserted in TestDecodePayloadHostile).
func BenchmarkDecodePayloadHostile(b *testing.B) {
	cases := []struct {
		name   string
		bodies []string
	}{
		{"billion laughs", []string{laughs, serverEscape(laughs)}},
		{"deep nesting", deepBodies()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, body := range c.bodies {
					_, _ = decodePayload(body)
				}
			}
		})
	}
}

func TestXMLNodeNilSafe(t *testing.T) {
	var n *xmlNode
	assert.Nil(t, n.child("a"))
	assert.Nil(t, n.self("a"))
	assert.Nil(t, n.find("a"))
	assert.Nil(t, n.all("a"))
	assert.Equal(t, "", n.textOf("a"))
	assert.Equal(t, "", n.attr("a"))
}

func TestXMLNodeFind(t *testing.T) {
	root, err := decodeXMLTree(`<r><a><x>1</x></a><b><c><x>2</x></c></b><x>3</x></r>`)
	require.NoError(t, err)
	assert.Equal(t, "1", root.find("x").text, "document order")
	assert.Equal(t, root, root.find("r"))
	assert.Nil(t, root.find("zzz"))
	assert.Len(t, root.all("x"), 1)
}
