package wechat

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// Test identities, shaped like the session UserNames the server hands out.
const (
	testSelf   = "@0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	testPeer   = "@9a8b7c6d5e4f30211203f4e5d6c7b8a9"
	testMember = "@c4ca4238a0b923820dcc509a6f75849b"
	testGroup  = "@@6512bd43d9caa6e02c990b0a82652dcab1f0e7a3c2d4b5e6f708192a3b4c5d6e"
)

// serverEscape escapes an XML payload the way webwxsync delivers it in
// Content: &, < and > as entities, line breaks as <br/>, quotes left as
// they are (which is what most captured payloads show).
func serverEscape(xml string) string {
	return serverEscaper.Replace(xml)
}

// serverEscapeQuotes escapes quotes as well, which some payloads show.
func serverEscapeQuotes(xml string) string {
	return strings.ReplaceAll(strings.ReplaceAll(serverEscape(xml), `"`, "&quot;"), "'", "&#39;")
}

var serverEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", "<br/>")

// groupBody prefixes a body the way group messages from others arrive.
func groupBody(sender, body string) string {
	return sender + ":<br/>" + body
}

// parseOne parses a raw message received from testPeer in a 1:1 chat and
// returns its Content.
func parseOne(t *testing.T, raw RawMessage) Content {
	t.Helper()
	if raw.FromUserName == "" {
		raw.FromUserName = testPeer
	}
	if raw.ToUserName == "" {
		raw.ToUserName = testSelf
	}
	m := ParseMessage(&raw, testSelf)
	require.NotNil(t, m)
	require.NotNil(t, m.Content)
	return m.Content
}

// assertValidUTF8 checks every string reachable from v.
func assertValidUTF8(t testing.TB, v any) {
	t.Helper()
	for _, s := range stringsIn(reflect.ValueOf(v)) {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %T: %q", v, s)
		}
	}
}

func stringsIn(v reflect.Value) []string {
	switch v.Kind() {
	case reflect.String:
		return []string{v.String()}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return stringsIn(v.Elem())
	case reflect.Slice, reflect.Array:
		var out []string
		for i := 0; i < v.Len(); i++ {
			out = append(out, stringsIn(v.Index(i))...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			out = append(out, stringsIn(v.Field(i))...)
		}
		return out
	}
	return nil
}

// unixTime is the time of a Unix timestamp in seconds.
func unixTime(sec int64) time.Time {
	return time.Unix(sec, 0)
}
