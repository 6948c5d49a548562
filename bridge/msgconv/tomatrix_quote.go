package msgconv

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// QuoteBlock renders a quoted reply whose quoted message could not be found
// in the portal: the quote as a quote block, then the reply.
//
// Body is "> Name: quoted" (every quoted line prefixed "> ", "Name: "
// left out when the name is unknown), a blank line and the reply;
// FormattedBody is <blockquote><b>Name</b>: quoted</blockquote>reply with
// everything escaped. Without a name or quoted text it is the reply alone,
// without HTML. The result is an m.text with empty Mentions. It is nil when
// q is nil or holds no text at all.
func QuoteBlock(q *wechat.Quote) *event.MessageEventContent {
	if q == nil {
		return nil
	}
	name := clip(q.Name, maxNameBytes)
	quoted := clip(q.Quoted, maxTextBytes)
	reply := clip(q.Reply, maxBodyBytes)
	if name == "" && quoted == "" && reply == "" {
		return nil
	}
	var body, formatted strings.Builder
	if name != "" || quoted != "" {
		head := quoted
		formatted.WriteString("<blockquote>")
		if name != "" {
			head = strings.TrimRight(name+": "+quoted, " ")
			formatted.WriteString("<b>")
			_, _ = htmlText.WriteString(&formatted, name)
			formatted.WriteString("</b>: ")
		}
		_, _ = htmlText.WriteString(&formatted, quoted)
		formatted.WriteString("</blockquote>")
		writeQuoted(&body, head)
		if reply != "" {
			body.WriteString("\n\n")
		}
	}
	body.WriteString(reply)
	c := &event.MessageEventContent{MsgType: event.MsgText, Body: body.String(), Mentions: &event.Mentions{}}
	if formatted.Len() > 0 {
		_, _ = htmlText.WriteString(&formatted, reply)
		c.Format = event.FormatHTML
		c.FormattedBody = formatted.String()
	}
	return finish(c)
}

// writeQuoted writes text with every line prefixed "> ".
func writeQuoted(out *strings.Builder, text string) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString("> ")
		out.WriteString(line)
	}
}

// findQuoted looks for the message a WeChat quote refers to among the
// portal's recent messages. WeChat gives web clients no ID, only the quoted
// author's name and text: the text must match; when several messages match,
// the newest one by an author of that name wins, else the newest.
func findQuoted(ctx context.Context, cl Client, portal networkid.PortalKey, q *wechat.Quote) *database.Message {
	quoted := quoteSnippet(q.Quoted)
	if label, ok := mediaLabels[quoted]; ok {
		quoted = label
	}
	if quoted == "" {
		return nil
	}
	msgs, err := cl.RecentMessages(ctx, portal, quoteSearchDepth)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to search the quoted message; showing the quote as text")
		return nil
	}
	var first *database.Message
	for _, msg := range msgs {
		meta, _ := msg.Metadata.(*MessageMetadata)
		if meta == nil || !quoteMatches(meta.Text, quoted) {
			continue
		}
		if q.Name == "" || slices.Contains(senderNames(cl, msg), q.Name) {
			return msg
		}
		if first == nil {
			first = msg
		}
	}
	return first
}

// quoteMatches reports whether a stored snippet is the quoted text. The
// phone shortens long quotes with an ellipsis.
func quoteMatches(snippet, quoted string) bool {
	if snippet == "" {
		return false
	} else if snippet == quoted {
		return true
	}
	for _, ellipsis := range []string{"…", "..."} {
		if prefix, ok := strings.CutSuffix(quoted, ellipsis); ok && prefix != "" && strings.HasPrefix(snippet, prefix) {
			return true
		}
	}
	return strings.HasPrefix(quoted, snippet) && utf8.RuneCountInString(snippet) == quoteSnippetRunes
}
