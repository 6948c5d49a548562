package bridge

import (
	"fmt"
	"slices"
	"strings"

	"maunium.net/go/mautrix/bridgev2/commands"

	wxdb "github.com/wxbridge/wxbridge/database"
)

// identitiesListLimit bounds how many identities one `identities` reply lists.
const identitiesListLimit = 50

// fnIdentities is the `identities [login ID] [search]` admin command: the
// identities of a login, to find the PUIDs to merge.
func (wc *WeChatConnector) fnIdentities(ce *commands.Event) {
	named, search := parseIdentitiesArgs(ce.Args)
	login, msg := wc.commandLogin(ce, named)
	if login == nil {
		reply(ce, markdownText, msg)
		return
	}
	list, err := wc.DB.Identity.List(ce.Ctx, string(login.ID))
	if err != nil {
		ce.Log.Err(err).Str("login_id", string(login.ID)).Msg("Failed to list identities")
		reply(ce, markdownText, fmt.Sprintf("Could not read the identities of login %s: the database failed (see the bridge log).", code(login.ID)))
		return
	}
	reply(ce, markdownText, formatIdentities(string(login.ID), list, search, identitiesListLimit, hintsFor(ce)))
}

// parseIdentitiesArgs splits `identities [login ID] [search text]`: a first
// word of digits is the login ID.
func parseIdentitiesArgs(args []string) (loginID, search string) {
	if len(args) > 0 && looksLikeLoginID(args[0]) {
		loginID, args = args[0], args[1:]
	}
	return loginID, strings.Join(args, " ")
}

// formatIdentities renders the identities of a login that match search
// (case-insensitive, in the PUID and the names) as a markdown list, sorted
// by name so that duplicates sit together, at most limit of them.
func formatIdentities(loginID string, list []*wxdb.Identity, search string, limit int, h hints) string {
	if len(list) == 0 {
		return fmt.Sprintf("Login %s has no identities yet: they are created when it loads its WeChat contacts.", code(loginID))
	}
	needle := strings.ToLower(strings.TrimSpace(search))
	var matches []*wxdb.Identity
	for _, s := range list {
		if needle == "" || identityMatches(s, needle) {
			matches = append(matches, s)
		}
	}
	if len(matches) == 0 {
		return fmt.Sprintf("None of the %d identities of login %s matches “%s”.", len(list), code(loginID), mdText(search))
	}
	slices.SortStableFunc(matches, compareIdentities)

	var b strings.Builder
	if needle == "" {
		fmt.Fprintf(&b, "Login %s has %d identities:\n", code(loginID), len(list))
	} else {
		fmt.Fprintf(&b, "%d of the %d identities of login %s match “%s”:\n", len(matches), len(list), code(loginID), mdText(search))
	}
	for i, s := range matches {
		if i == limit {
			fmt.Fprintf(&b, "\n\n… and %d more: narrow the search with %s.", len(matches)-i, h.cmd("identities", loginID, "<text>"))
			break
		}
		b.WriteString("\n")
		b.WriteString(formatIdentity(s))
	}
	return b.String()
}

func identityMatches(s *wxdb.Identity, needle string) bool {
	for _, field := range []string{s.PUID, s.Alias, s.RemarkName, s.NickName} {
		if strings.Contains(strings.ToLower(field), needle) {
			return true
		}
	}
	return false
}

// bestName is what the user calls a contact: remark, nickname or WeChat ID.
func bestName(s *wxdb.Identity) string {
	return firstNonEmpty(s.RemarkName, s.NickName, s.Alias)
}

// compareIdentities orders by name (nameless last), then live before
// offline before merged.
func compareIdentities(a, b *wxdb.Identity) int {
	na, nb := strings.ToLower(bestName(a)), strings.ToLower(bestName(b))
	if (na == "") != (nb == "") {
		if na == "" {
			return 1
		}
		return -1
	}
	if c := strings.Compare(na, nb); c != 0 {
		return c
	}
	rank := func(s *wxdb.Identity) int {
		switch {
		case s.MergedInto != "":
			return 2
		case s.UserName == "":
			return 1
		}
		return 0
	}
	if c := rank(a) - rank(b); c != 0 {
		return c
	}
	return strings.Compare(a.PUID, b.PUID)
}

func kindName(k wxdb.Kind) string {
	if k == wxdb.KindGroup {
		return "group"
	}
	return "contact"
}

// formatIdentity is one list item: PUID, kind, name, other names, state.
func formatIdentity(s *wxdb.Identity) string {
	name := bestName(s)
	var b strings.Builder
	fmt.Fprintf(&b, "* %s %s ", code(s.PUID), kindName(s.Kind))
	if name == "" {
		b.WriteString("_(no name)_")
	} else {
		fmt.Fprintf(&b, "**%s**", mdText(name))
	}
	var extra []string
	if s.NickName != "" && s.NickName != name {
		extra = append(extra, "nickname "+mdText(s.NickName))
	}
	if s.Alias != "" && s.Alias != name {
		extra = append(extra, "WeChat ID "+mdText(s.Alias))
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
	}
	switch {
	case s.MergedInto != "":
		fmt.Fprintf(&b, ": merged into %s", code(s.MergedInto))
	case s.UserName != "":
		b.WriteString(": in this session")
	default:
		fmt.Fprintf(&b, ": not in this session, last seen %s", s.LastSeen.UTC().Format("2006-01-02"))
	}
	return b.String()
}
