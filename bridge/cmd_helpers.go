package bridge

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/commands"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/format"

	"github.com/wxbridge/wxbridge/bridge/wxid"
)

// replyFormat is how a command's reply is shown.
type replyFormat bool

const (
	// plainText shows the reply exactly as written: nothing in it is
	// rendered, so names from WeChat (through oneLine) show as they are.
	plainText replyFormat = false
	// markdownText renders the reply as markdown: put names from WeChat
	// through mdText and values through code.
	markdownText replyFormat = true
)

// reply answers a command with text as it is: no $cmdprefix expansion or
// format verbs in what came from WeChat.
func reply(ce *commands.Event, f replyFormat, text string) {
	ce.ReplyAdvanced(text, bool(f), false)
}

// code quotes a value as inline markdown code.
func code[T ~string](s T) string {
	return format.SafeMarkdownCode(s)
}

// oneLine is the one sanitiser of text from WeChat (names, greetings) shown
// inside one line of a reply or a notice: line breaks and other control
// characters become spaces, runs of space collapse, and invisible
// formatting characters (bidi overrides, zero-width spaces) are dropped, so
// that a name cannot fake a line or reorder the text around it.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r):
			return ' '
		case unicode.Is(unicode.Cf, r) && r != '\u200d':
			// U+200D joins emoji sequences; keep it.
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// mdText is oneLine for a markdown reply: what would format the text is
// escaped too, so that a name shows as it is.
func mdText(s string) string {
	s = format.EscapeMarkdown(oneLine(s))
	return strings.NewReplacer("~", `\~`, "|", `\|`, "#", `\#`).Replace(s)
}

// hints writes a command for the user to type, as inline code, the way it
// works where the user reads it: bare in the management room, after the
// command prefix anywhere else. The zero hints write commands bare, for
// notices in the management room.
type hints struct {
	prefix string
}

// hintsFor writes commands for the room a command was sent in.
func hintsFor(ce *commands.Event) hints {
	if ce.User.ManagementRoom == "" || ce.RoomID != ce.User.ManagementRoom {
		return hints{prefix: ce.Bridge.Config.CommandPrefix}
	}
	return hints{}
}

// cmd is the command made of words: `!wx accept-friend 3`.
func (h hints) cmd(words ...string) string {
	if h.prefix != "" {
		words = append([]string{h.prefix}, words...)
	}
	return "`" + strings.Join(words, " ") + "`"
}

// looksLikeLoginID reports whether a word is a login ID (a uin: digits).
func looksLikeLoginID(s string) bool {
	_, err := wxid.ParseUserLoginID(networkid.UserLoginID(s))
	return err == nil
}

// sortLogins sorts logins by ID, in place, and returns them.
func sortLogins(logins []*bridgev2.UserLogin) []*bridgev2.UserLogin {
	slices.SortFunc(logins, func(a, b *bridgev2.UserLogin) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return logins
}

// commandLogins picks the logins a command acts on. named is the login ID
// the command's arguments name, or "": then it acts on every login of the
// sender, sorted by ID. Admins may name any login of the bridge, others
// only their own. When there is none to act on, msg (markdown) says why and
// what to do.
func (wc *WeChatConnector) commandLogins(ce *commands.Event, named string) (logins []*bridgev2.UserLogin, msg string) {
	own := sortLogins(ce.User.GetUserLogins())
	if named == "" {
		return own, ""
	}
	if i := slices.IndexFunc(own, func(l *bridgev2.UserLogin) bool { return string(l.ID) == named }); i >= 0 {
		return own[i : i+1], ""
	}
	if !ce.User.Permissions.Admin {
		return nil, fmt.Sprintf("You have no WeChat login %s.", code(named))
	}
	if !looksLikeLoginID(named) {
		return nil, fmt.Sprintf("%s is not a login ID: login IDs are the WeChat account's uin, all digits.", code(named)) +
			wc.knownLogins(ce)
	}
	login, err := wc.Bridge.GetExistingUserLoginByID(ce.Ctx, networkid.UserLoginID(named))
	if err != nil {
		ce.Log.Err(err).Str("login_id", named).Msg("Failed to look up a login for a command")
		return nil, "Could not look up that login: the database failed (see the bridge log). Try again."
	} else if login == nil {
		return nil, fmt.Sprintf("There is no login %s on this bridge.", code(named)) + wc.knownLogins(ce)
	}
	return []*bridgev2.UserLogin{login}, ""
}

// commandLogin is commandLogins for a command about one login: the one
// named, or else the sender's only login. Its messages list the bridge's
// logins to admins.
func (wc *WeChatConnector) commandLogin(ce *commands.Event, named string) (login *bridgev2.UserLogin, msg string) {
	logins, msg := wc.commandLogins(ce, named)
	switch {
	case msg != "":
		return nil, msg
	case len(logins) == 1:
		return logins[0], ""
	case len(logins) == 0:
		return nil, "You have no WeChat login on this bridge: name the login ID." + wc.knownLogins(ce)
	}
	return nil, "You have several WeChat logins: name the login ID." + wc.knownLogins(ce)
}

// knownLogins lists the bridge's logins for a hint, or says there are none.
// Only admins see them: to anyone else it says nothing.
func (wc *WeChatConnector) knownLogins(ce *commands.Event) string {
	if !ce.User.Permissions.Admin {
		return ""
	}
	logins := sortLogins(wc.Bridge.GetAllCachedUserLogins())
	if len(logins) == 0 {
		return " The bridge has no WeChat logins at all."
	}
	var b strings.Builder
	b.WriteString(" The bridge's logins:\n")
	for i, l := range logins {
		if i == 20 {
			fmt.Fprintf(&b, "\n* … and %d more", len(logins)-i)
			break
		}
		fmt.Fprintf(&b, "\n* %s %s (%s)", code(l.ID), mdText(l.RemoteName), mdText(l.UserMXID.String()))
	}
	return b.String()
}
