package bridge

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/commands"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/format"

	"github.com/wxbridge/wxbridge/bridge/wxid"
)

// helpSectionIdentities groups our identity commands in `help`, after
// bridgev2's "Administration" (order 50).
var helpSectionIdentities = commands.HelpSection{Name: "WeChat identities", Order: 60}

// identitiesListLimit bounds how many identities one `identities` reply lists.
const identitiesListLimit = 50

// registerCommands adds wxbridge's commands to bridgev2's processor. It runs
// in Init: bridgev2.NewBridge creates the processor before it calls Init.
func (wc *WeChatConnector) registerCommands() {
	proc, ok := wc.Bridge.Commands.(*commands.Processor)
	if !ok {
		wc.Bridge.Log.Warn().Type("processor", wc.Bridge.Commands).
			Msg("Unknown command processor: the WeChat identity commands are not available")
		return
	}
	proc.AddHandlers(
		&commands.FullHandler{
			Func: wc.fnIdentities,
			Name: "identities",
			Help: commands.HelpMeta{
				Section: helpSectionIdentities,
				Description: "List the WeChat contacts and groups of a login with their PUIDs, to find duplicates. " +
					"A login ID is all digits: to search for digits, name the login first.",
				Args: "[_login ID_] [_search text_]",
			},
			RequiresAdmin: true,
		},
		&commands.FullHandler{
			Func: wc.fnMergeIdentities,
			Name: "merge-identities",
			Help: commands.HelpMeta{
				Section: helpSectionIdentities,
				Description: "Declare two PUIDs the same WeChat contact or group: the dropped one's room and " +
					"messages move to the kept one. Cannot be undone.",
				Args: "[_login ID_] <_kept PUID_> <_dropped PUID_>",
			},
			RequiresAdmin: true,
		},
	)
	proc.AddHandlers(wc.friendRequestCommands()...)
}

// reply sends text as it is: no $cmdprefix expansion or format verbs in
// what came from WeChat.
func reply(ce *commands.Event, text string) {
	ce.Reply("%s", text)
}

// code quotes a value as inline markdown code.
func code[T ~string](s T) string {
	return format.SafeMarkdownCode(s)
}

// mdText makes a WeChat name safe in markdown: one line, no formatting.
func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = format.EscapeMarkdown(s)
	return strings.NewReplacer("~", `\~`, "|", `\|`, "#", `\#`).Replace(s)
}

// cleanPUIDArg accepts a PUID as pasted from a reply, backticks and all.
func cleanPUIDArg(s string) string {
	return strings.ToLower(strings.Trim(s, "`'\""))
}

// looksLikeLoginID reports whether a word is a login ID (a uin: digits).
func looksLikeLoginID(s string) bool {
	_, err := wxid.ParseUserLoginID(networkid.UserLoginID(s))
	return err == nil
}

// parseIdentitiesArgs splits `identities [login ID] [search text]`: a first
// word of digits is the login ID.
func parseIdentitiesArgs(args []string) (loginID, search string) {
	if len(args) > 0 && looksLikeLoginID(args[0]) {
		loginID, args = args[0], args[1:]
	}
	return loginID, strings.Join(args, " ")
}

// errMergeUsage is returned by parseMergeArgs for a wrong number of words.
var errMergeUsage = errors.New("usage: merge-identities [login ID] <kept PUID> <dropped PUID>")

// parseMergeArgs splits `merge-identities [login ID] <keep> <drop>`.
func parseMergeArgs(args []string) (loginID, keep, drop string, err error) {
	switch len(args) {
	case 2:
		return "", cleanPUIDArg(args[0]), cleanPUIDArg(args[1]), nil
	case 3:
		return args[0], cleanPUIDArg(args[1]), cleanPUIDArg(args[2]), nil
	}
	return "", "", "", errMergeUsage
}

// commandLogin picks the login a command is about: the one named, or else
// the sender's only login. When there is none, msg says why and what to do.
func (wc *WeChatConnector) commandLogin(ce *commands.Event, named string) (login *bridgev2.UserLogin, msg string) {
	if named == "" {
		logins := ce.User.GetUserLogins()
		switch len(logins) {
		case 1:
			return logins[0], ""
		case 0:
			return nil, "You have no WeChat login on this bridge: name the login ID." + wc.knownLogins()
		default:
			return nil, "You have several WeChat logins: name the login ID." + wc.knownLogins()
		}
	}
	if !looksLikeLoginID(named) {
		return nil, fmt.Sprintf("%s is not a login ID: login IDs are the WeChat account's uin, all digits.", code(named)) +
			wc.knownLogins()
	}
	login, err := wc.Bridge.GetExistingUserLoginByID(ce.Ctx, networkid.UserLoginID(named))
	if err != nil {
		ce.Log.Err(err).Str("login_id", named).Msg("Failed to look up a login for a command")
		return nil, "Could not look up that login: the database failed (see the bridge log). Try again."
	} else if login == nil {
		return nil, fmt.Sprintf("There is no login %s on this bridge.", code(named)) + wc.knownLogins()
	}
	return login, ""
}

// knownLogins lists the bridge's logins for a hint, or says there are none.
func (wc *WeChatConnector) knownLogins() string {
	logins := wc.Bridge.GetAllCachedUserLogins()
	if len(logins) == 0 {
		return " The bridge has no WeChat logins at all."
	}
	slices.SortFunc(logins, func(a, b *bridgev2.UserLogin) int { return strings.Compare(string(a.ID), string(b.ID)) })
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
