package msgconv

import (
	"strings"

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
