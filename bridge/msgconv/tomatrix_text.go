package msgconv

import (
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat"
)

// MentionTarget is who an "@name" refers to.
type MentionTarget struct {
	// UserID is the mentioned Matrix user: a ghost, or the logged-in user.
	UserID id.UserID
	// DisplayName, if set, is the pill text (after "@"); otherwise the pill
	// shows the name as written in the message.
	DisplayName string
}

// htmlText escapes text for an HTML body and turns line breaks (\n, \r\n
// or \r) into <br>. A strings.Replacer is safe for concurrent use and never
// changes.
var htmlText = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&#39;",
	"\r\n", "<br>",
	"\r", "<br>",
	"\n", "<br>",
)

// TextToMatrix converts a WeChat text (see wechat.FormatText) to an m.text
// content. Body is the text unchanged. Each "@name" (see
// wechat.FindMentions) for which targetOf returns true becomes a pill in an
// HTML FormattedBody, in which everything else is the escaped text with
// <br> for line breaks; without any such mention there is no HTML body.
//
// Mentions is never nil: it lists the resolved users, each once, in order of
// first appearance, and is empty when nobody resolved, so that clients do not
// fall back to matching names in the body. mautrix-whatsapp and bridgev2 set
// it the same way. targetOf is asked once per distinct name and may be nil.
// The work is linear in len(text).
func TextToMatrix(text string, targetOf func(name string) (MentionTarget, bool)) *event.MessageEventContent {
	content := &event.MessageEventContent{
		MsgType:  event.MsgText,
		Body:     text,
		Mentions: &event.Mentions{},
	}
	if targetOf == nil {
		return content
	}
	found := wechat.FindMentions(text)
	if len(found) == 0 {
		return content
	}

	type resolution struct {
		target MentionTarget
		ok     bool
	}
	known := make(map[string]resolution, len(found))
	seen := make(map[id.UserID]struct{}, len(found))
	var out strings.Builder
	last, pills := 0, 0
	for _, m := range found {
		r, asked := known[m.Name]
		if !asked {
			r.target, r.ok = targetOf(m.Name)
			r.ok = r.ok && r.target.UserID != ""
			known[m.Name] = r
		}
		if !r.ok {
			continue
		}
		if out.Len() == 0 {
			out.Grow(len(text) + len(text)/4)
		}
		_, _ = htmlText.WriteString(&out, text[last:m.Start])
		writePill(&out, r.target, text[m.Start:m.End])
		last = m.End
		pills++
		if _, dup := seen[r.target.UserID]; !dup {
			seen[r.target.UserID] = struct{}{}
			content.Mentions.UserIDs = append(content.Mentions.UserIDs, r.target.UserID)
		}
	}
	if pills == 0 {
		return content
	}
	_, _ = htmlText.WriteString(&out, text[last:])
	content.Format = event.FormatHTML
	content.FormattedBody = out.String()
	return content
}

// writePill writes a user pill. written is the "@name" as it appears in the
// text.
func writePill(out *strings.Builder, target MentionTarget, written string) {
	label := written
	if target.DisplayName != "" {
		label = "@" + target.DisplayName
	}
	out.WriteString(`<a href="`)
	_, _ = htmlText.WriteString(out, target.UserID.URI().MatrixToURL())
	out.WriteString(`">`)
	_, _ = htmlText.WriteString(out, label)
	out.WriteString("</a>")
}
