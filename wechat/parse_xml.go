package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of payload XML decoding. Real payloads are a few KiB with fewer
// than ten levels and a few hundred elements; the limits only exist so that
// a hostile message cannot cost more than a bounded amount of work.
const (
	maxXMLSize     = 1 << 20
	maxXMLDepth    = 64
	maxXMLElements = 10000
)

var (
	errXMLTooLarge   = errors.New("payload over 1 MiB")
	errXMLTooDeep    = fmt.Errorf("elements nested deeper than %d", maxXMLDepth)
	errXMLTooMany    = fmt.Errorf("more than %d elements", maxXMLElements)
	errXMLNoElement  = errors.New("no XML element")
	errXMLUnfinished = errors.New("unexpected EOF inside an element")
)

// xmlNode is one element of a decoded payload. Children are kept as a
// linked list, which costs no allocation per child. Lookups are nil-safe so
// that a missing element reads as empty text.
type xmlNode struct {
	name       string
	attrs      []xml.Attr
	text       string
	firstChild *xmlNode
	lastChild  *xmlNode
	next       *xmlNode
	buf        []byte // character data while the element is open
}

// decodePayload decodes the XML payload of a message body: it turns the
// <br/> line breaks back into newlines, undoes the server's HTML escaping
// when the payload is escaped, and parses the first element with
// decodeXMLTree.
func decodePayload(body string) (*xmlNode, error) {
	if len(body) > maxXMLSize {
		return nil, errXMLTooLarge
	}
	return decodeXMLTree(unescapePayload(body))
}

// unescapePayload prepares an XML payload for decoding, in one pass: every
// "<br/>" becomes a newline and, when the payload is escaped, the escapes
// the server produces (&lt; &gt; &quot; &#39; &apos; &amp;) are undone.
// Escapes are undone once, left to right, so "&amp;lt;" becomes "&lt;",
// which the XML decoder then reads as a literal "<".
//
// A payload is taken as escaped when "&lt;" comes before any "<" other
// than "<br/>". Raw XML (cards often arrive that way) keeps its entities,
// which the XML decoder handles.
func unescapePayload(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	escaped := isEscapedPayload(s)
	stops := "<"
	if escaped {
		stops = "<&"
	}
	i := strings.IndexAny(s, stops)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		n, repl := payloadEscape(s, escaped)
		if n == 0 {
			n, repl = 1, s[:1]
		}
		b.WriteString(repl)
		s = s[n:]
		i = strings.IndexAny(s, stops)
	}
	b.WriteString(s)
	return b.String()
}

// payloadEscape matches a line break or, if escaped, an entity at the start
// of s and returns its length and replacement; n is 0 if there is none.
func payloadEscape(s string, escaped bool) (n int, repl string) {
	if strings.HasPrefix(s, "<br/>") {
		return len("<br/>"), "\n"
	}
	if !escaped {
		return 0, ""
	}
	for _, e := range [...]struct{ from, to string }{
		{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&apos;", "'"}, {"&amp;", "&"},
	} {
		if strings.HasPrefix(s, e.from) {
			return len(e.from), e.to
		}
	}
	return 0, ""
}

// isEscapedPayload reports whether "&lt;" comes before any "<" other than
// "<br/>".
func isEscapedPayload(s string) bool {
	esc := strings.Index(s, "&lt;")
	if esc < 0 {
		return false
	}
	head := s[:esc]
	for {
		lt := strings.IndexByte(head, '<')
		if lt < 0 {
			return true
		}
		if !strings.HasPrefix(head[lt:], "<br/>") {
			return false
		}
		head = head[lt+len("<br/>"):]
	}
}

// decodeXMLTree parses the first element of s and everything inside it.
//
// The decoder is lenient, because real payloads are sloppy: Strict is off
// (unquoted attributes, bare "&"), HTML entities such as &nbsp; are known,
// any declared charset is read as the UTF-8 it is, and an end tag closes
// the innermost open element of its name (one that matches nothing is
// ignored). AutoClose is not used: xml.HTMLAutoClose lists img, which
// image payloads use as a real element. Go's decoder never expands entities
// declared in a DOCTYPE, so "billion laughs" payloads stay short literal
// text. Depth and element count are capped, and the tree is built without
// recursion.
func decodeXMLTree(s string) (*xmlNode, error) {
	if len(s) > maxXMLSize {
		return nil, errXMLTooLarge
	}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }

	var (
		root     *xmlNode
		stack    [maxXMLDepth]*xmlNode
		depth    int
		elements int
		arena    []xmlNode
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if root == nil {
				return nil, errXMLNoElement
			}
			return nil, errXMLUnfinished
		} else if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == maxXMLDepth {
				return nil, errXMLTooDeep
			}
			if elements++; elements > maxXMLElements {
				return nil, errXMLTooMany
			}
			if len(arena) == cap(arena) {
				arena = make([]xmlNode, 0, min(max(2*cap(arena), 16), 256))
			}
			arena = append(arena, xmlNode{name: t.Name.Local, attrs: t.Attr})
			n := &arena[len(arena)-1]
			if depth == 0 {
				root = n
			} else {
				stack[depth-1].appendChild(n)
			}
			stack[depth] = n
			depth++
		case xml.EndElement:
			open := depth - 1
			for open >= 0 && stack[open].name != t.Name.Local {
				open--
			}
			if open < 0 {
				continue
			}
			for depth > open {
				depth--
				stack[depth].finish()
			}
			if depth == 0 {
				return root, nil
			}
		case xml.CharData:
			if depth > 0 {
				n := stack[depth-1]
				n.buf = append(n.buf, t...)
			}
		}
	}
}

func (n *xmlNode) appendChild(c *xmlNode) {
	if n.lastChild == nil {
		n.firstChild = c
	} else {
		n.lastChild.next = c
	}
	n.lastChild = c
}

// finish stores the element's trimmed text once it is closed.
func (n *xmlNode) finish() {
	if text := bytes.TrimSpace(n.buf); len(text) > 0 {
		n.text = string(text)
	}
	n.buf = nil
}

// child returns the first child element called name (case-insensitive).
func (n *xmlNode) child(name string) *xmlNode {
	if n == nil {
		return nil
	}
	for c := n.firstChild; c != nil; c = c.next {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

// self returns n if it is called name, else its child called name. Some
// payloads wrap an element in <msg>, some send it bare.
func (n *xmlNode) self(name string) *xmlNode {
	if n != nil && strings.EqualFold(n.name, name) {
		return n
	}
	return n.child(name)
}

// find returns the first element called name in n's subtree, in document
// order. The recursion is bounded by maxXMLDepth.
func (n *xmlNode) find(name string) *xmlNode {
	if n == nil {
		return nil
	}
	if strings.EqualFold(n.name, name) {
		return n
	}
	for c := n.firstChild; c != nil; c = c.next {
		if found := c.find(name); found != nil {
			return found
		}
	}
	return nil
}

// all returns the child elements called name.
func (n *xmlNode) all(name string) []*xmlNode {
	var out []*xmlNode
	if n == nil {
		return out
	}
	for c := n.firstChild; c != nil; c = c.next {
		if strings.EqualFold(c.name, name) {
			out = append(out, c)
		}
	}
	return out
}

// textOf returns the trimmed character data of the child called name.
func (n *xmlNode) textOf(name string) string {
	if c := n.child(name); c != nil {
		return c.text
	}
	return ""
}

// attr returns the trimmed value of the attribute called name.
func (n *xmlNode) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}
