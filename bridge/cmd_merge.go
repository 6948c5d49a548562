package bridge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rs/zerolog"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/commands"
	"maunium.net/go/mautrix/bridgev2/database"
)

// fnMergeIdentities is the `merge-identities [login ID] <kept> <dropped>`
// admin command: two identities the matcher kept apart become one, and the
// dropped one's room moves to the kept one.
func (wc *WeChatConnector) fnMergeIdentities(ce *commands.Event) {
	h := hintsFor(ce)
	named, keep, drop, err := parseMergeArgs(ce.Args)
	if err != nil {
		reply(ce, markdownText, fmt.Sprintf("Usage: %s. Find the PUIDs with %s.",
			h.cmd("merge-identities", "[login ID]", "<kept PUID>", "<dropped PUID>"), h.cmd("identities", "[login ID]", "[name]")))
		return
	}
	login, msg := wc.commandLogin(ce, named)
	if login == nil {
		reply(ce, markdownText, msg)
		return
	}
	// Not the command's context: the room move goes on in the background.
	ctx := ce.Log.With().Str("action", "merge identities").Str("login_id", string(login.ID)).
		Str("keep_puid", keep).Str("drop_puid", drop).Logger().WithContext(wc.Bridge.BackgroundCtx)
	reply(ce, markdownText, wc.mergeIdentities(ctx, login, keep, drop, h))
}

// cleanPUIDArg accepts a PUID as pasted from a reply, backticks and all.
func cleanPUIDArg(s string) string {
	return strings.ToLower(strings.Trim(s, "`'\""))
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

// mergeIdentities merges dropPUID into keepPUID in the identity layer, then
// moves the Matrix side, and says what happened.
func (wc *WeChatConnector) mergeIdentities(ctx context.Context, login *bridgev2.UserLogin, keepPUID, dropPUID string, h hints) string {
	log := zerolog.Ctx(ctx)
	loginID := string(login.ID)
	for _, p := range []string{keepPUID, dropPUID} {
		if !wxdb.ValidPUID(p) {
			return fmt.Sprintf("%s is not a PUID: PUIDs are %d characters of a–z and 2–7. Copy them from %s.",
				code(p), wxdb.PUIDLen, h.cmd("identities", loginID))
		}
	}
	if keepPUID == dropPUID {
		return "That is the same PUID twice: give the PUID to keep, then a different one to drop."
	}
	keep, err := wc.DB.Identity.GetByPUID(ctx, loginID, keepPUID)
	var drop *wxdb.Identity
	if err == nil {
		drop, err = wc.DB.Identity.GetByPUID(ctx, loginID, dropPUID)
	}
	if err != nil {
		log.Err(err).Msg("Failed to look up identities to merge")
		return "Could not read the identities: the database failed (see the bridge log). Nothing was changed."
	}
	for _, u := range []struct {
		puid string
		s    *wxdb.Identity
	}{{keepPUID, keep}, {dropPUID, drop}} {
		if u.s == nil {
			return fmt.Sprintf("Login %s has no identity %s. List them with %s.", code(loginID), code(u.puid), h.cmd("identities", loginID))
		}
	}
	if err = wc.DB.Identity.Merge(ctx, loginID, keepPUID, dropPUID); err != nil {
		lvl := zerolog.ErrorLevel
		if isMergeRefusal(err) {
			lvl = zerolog.InfoLevel
		}
		log.WithLevel(lvl).Err(err).Msg("Merging identities failed")
		return mergeErrorText(err, loginID, keepPUID, dropPUID, keep, drop, h)
	}

	var b strings.Builder
	if drop.PUID == keep.PUID {
		fmt.Fprintf(&b, "%s was already merged into %s. ", code(dropPUID), code(keep.PUID))
	} else {
		fmt.Fprintf(&b, "Merged %s %s into %s: WeChat messages of this %s now go to %s. ",
			kindName(drop.Kind), describeIdentity(drop), describeIdentity(keep), kindName(keep.Kind), code(keep.PUID))
	}
	if keep.PUID != keepPUID {
		fmt.Fprintf(&b, "(%s had been merged into %s earlier, so that is the one kept.) ", code(keepPUID), code(keep.PUID))
	}
	final, err := wc.DB.Identity.GetByPUID(ctx, loginID, keep.PUID)
	if err != nil || final == nil {
		log.Err(err).Msg("Failed to read the kept identity after merging")
		final = keep
	}
	client, _ := login.Client.(*WeChatClient)
	if client != nil {
		client.noteMerged(final)
	}

	res, portal, err := wc.Bridge.ReIDPortal(ctx, wxid.MakePortalKey(dropPUID, login.ID), wxid.MakePortalKey(final.PUID, login.ID))
	if err != nil {
		log.Err(err).Msg("Failed to move the portal of the dropped identity")
	} else {
		log.Info().Stringer("result", res).Msg("Moved the portal of the dropped identity")
		pointDMAt(ctx, portal, dropPUID, final.PUID)
	}
	b.WriteString("\n\n")
	b.WriteString(describeReID(res, dropPUID, final.PUID, loginID, h))

	resynced := -1
	if client != nil {
		resynced = client.resyncAfterMerge(ctx, final)
	}
	b.WriteString("\n\n")
	b.WriteString(describeAftermath(final.Kind, dropPUID, final.PUID, resynced))
	return b.String()
}

// pointDMAt makes a DM room that moved from the dropped identity name the
// kept one as its other user, as the next chat sync would.
func pointDMAt(ctx context.Context, portal *bridgev2.Portal, dropPUID, keepPUID string) {
	if portal == nil || portal.RoomType != database.RoomTypeDM || portal.OtherUserID != wxid.MakeUserID(dropPUID) {
		return
	}
	portal.OtherUserID = wxid.MakeUserID(keepPUID)
	if err := portal.Save(ctx); err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to save the other user of a moved DM portal")
	}
}

// describeIdentity is a PUID with its name, for replies.
func describeIdentity(s *wxdb.Identity) string {
	if name := bestName(s); name != "" {
		return fmt.Sprintf("%s (%s)", code(s.PUID), mdText(name))
	}
	return code(s.PUID)
}

// mergeErrorText turns an error of IdentityQuery.Merge into what happened
// and what to do. keep and drop are the identities as looked up (following
// merges) just before the merge.
func mergeErrorText(err error, loginID, keepPUID, dropPUID string, keep, drop *wxdb.Identity, h hints) string {
	list := h.cmd("identities", loginID)
	const unchanged = " Nothing was changed."
	switch {
	case errors.Is(err, wxdb.ErrInvalidPUID), errors.Is(err, wxdb.ErrInvalidLoginID):
		return fmt.Sprintf("The login ID or a PUID is malformed; copy them from %s.", list) + unchanged
	case errors.Is(err, wxdb.ErrUnknownPUID):
		return fmt.Sprintf("%s or %s is no longer an identity of login %s (did a merge just run?). Check with %s.",
			code(keepPUID), code(dropPUID), code(loginID), list) + unchanged
	case errors.Is(err, wxdb.ErrAlreadyMerged):
		final := "another identity"
		if drop != nil && drop.PUID != dropPUID {
			final = code(drop.PUID)
		}
		return fmt.Sprintf("%s was merged into %s earlier, and merges cannot be undone. If %s is the same %s too, "+
			"merge that one instead: %s.",
			code(dropPUID), final, code(keepPUID), kindName(kindOf(drop)), h.cmd("merge-identities", loginID, keepPUID, puidOr(drop, "<PUID>"))) + unchanged
	case errors.Is(err, wxdb.ErrCannotMerge):
		switch {
		case keep != nil && drop != nil && keep.PUID == drop.PUID:
			return fmt.Sprintf("%s and %s are already one identity (%s): there is nothing to merge.",
				code(keepPUID), code(dropPUID), code(keep.PUID))
		case keep != nil && drop != nil && keep.Kind != drop.Kind:
			return fmt.Sprintf("%s is a %s and %s a %s: only two contacts or two groups can be merged.",
				code(keepPUID), kindName(keep.Kind), code(dropPUID), kindName(drop.Kind)) + unchanged
		case keep != nil && drop != nil && keep.UserName != "" && drop.UserName != "":
			return fmt.Sprintf("%s and %s are both in the current WeChat session, under different names there: "+
				"WeChat itself says they are two different %ss, so they cannot be merged. If one is a stale duplicate, "+
				"merge it once it no longer shows “in this session” in %s (after a re-login without it).",
				describeIdentity(keep), describeIdentity(drop), kindName(keep.Kind), list) + unchanged
		}
		return fmt.Sprintf("The identity layer refused to merge %s and %s; they may have changed meanwhile. Check them with %s and retry.",
			code(keepPUID), code(dropPUID), list) + unchanged
	case errors.Is(err, wxdb.ErrMergeChainLoop):
		return "The merge history of these identities loops, which should never happen. Please report it with the bridge log." + unchanged
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "The merge was interrupted (the bridge is shutting down or the database timed out)." + unchanged + " Try again."
	}
	return "The database failed while merging (see the bridge log)." + unchanged + " Try again."
}

// isMergeRefusal reports whether Merge refused what it was asked, as opposed
// to failing.
func isMergeRefusal(err error) bool {
	for _, target := range []error{wxdb.ErrCannotMerge, wxdb.ErrAlreadyMerged, wxdb.ErrUnknownPUID,
		wxdb.ErrInvalidPUID, wxdb.ErrInvalidLoginID} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func kindOf(s *wxdb.Identity) wxdb.Kind {
	if s == nil {
		return wxdb.KindUser
	}
	return s.Kind
}

func puidOr(s *wxdb.Identity, fallback string) string {
	if s == nil {
		return fallback
	}
	return s.PUID
}

// describeReID says what ReIDPortal did with the dropped identity's portal.
func describeReID(res bridgev2.ReIDResult, drop, keep, loginID string, h hints) string {
	switch res {
	case bridgev2.ReIDResultNoOp:
		return fmt.Sprintf("Room: %s had no portal, so no room had to move.", code(drop))
	case bridgev2.ReIDResultSourceDeleted:
		return fmt.Sprintf("Room: %s had a portal without a Matrix room; it was removed.", code(drop))
	case bridgev2.ReIDResultSourceReIDd:
		return fmt.Sprintf("Room: the room of %s is now the room of %s, history included.", code(drop), code(keep))
	case bridgev2.ReIDResultTargetDeletedAndSourceReIDd:
		return fmt.Sprintf("Room: the room of %s is now the room of %s, history included "+
			"(%s only had a portal without a room, which was removed).", code(drop), code(keep), code(keep))
	case bridgev2.ReIDResultSourceTombstonedIntoTarget:
		return fmt.Sprintf("Room: both had a room. The room of %s is kept; the old room of %s now points to it "+
			"and the bridge is leaving it. Its history stays readable there, but replies to its old messages "+
			"no longer reach WeChat.", code(keep), code(drop))
	}
	return fmt.Sprintf("Room: moving the room of %s to %s failed (see the bridge log). The identities are merged; "+
		"run %s again to retry the room move.", code(drop), code(keep), h.cmd("merge-identities", loginID, keep, drop))
}

// describeAftermath says what became of the dropped ghost and which rooms
// were re-synced (resynced < 0: the login is not connected).
func describeAftermath(kind wxdb.Kind, drop, keep string, resynced int) string {
	var b strings.Builder
	if kind == wxdb.KindUser {
		fmt.Fprintf(&b, "Ghost: the Matrix user of %s stays, but receives no more messages: this contact now "+
			"writes as the user of %s. ", code(drop), code(keep))
	}
	switch {
	case resynced < 0:
		b.WriteString("The login is not connected: its rooms are updated at the next chat sync after it connects.")
	case resynced == 0:
		b.WriteString("No room needed a re-sync now (the chat is not in this session); rooms are updated at the next chat sync.")
	case kind == wxdb.KindUser:
		fmt.Fprintf(&b, "Re-synced %d room(s), which swaps the old user for the kept one in them.", resynced)
	default:
		fmt.Fprintf(&b, "Re-synced %d room(s).", resynced)
	}
	return b.String()
}

// noteMerged points the running session's roster at the kept identity when
// the merge moved a session UserName to it, so that new messages reach it.
func (c *WeChatClient) noteMerged(kept *wxdb.Identity) {
	r := c.currentRoster()
	if r == nil || kept.UserName == "" {
		return
	}
	r.addResolution(&wxdb.Resolution{Contacts: []wxdb.Resolved{
		{UserName: kept.UserName, PUID: kept.PUID, Kind: kept.Kind},
	}})
}

// resyncAfterMerge re-syncs the rooms a merge touched, while the session is
// connected: the kept identity's own room and, for a contact, the rooms of
// the groups it is a member of. It returns how many were re-synced, or -1
// when the login is not connected.
func (c *WeChatClient) resyncAfterMerge(ctx context.Context, kept *wxdb.Identity) int {
	if c.currentRoster() == nil {
		return -1
	}
	if kept.UserName == "" {
		return 0
	}
	log := zerolog.Ctx(ctx)
	chats := []string{kept.PUID}
	if kept.Kind == wxdb.KindUser {
		groups, err := c.groupsWithMember(ctx, kept.PUID)
		if err != nil {
			log.Err(err).Msg("Failed to list the groups of a merged contact")
		}
		chats = append(chats, groups...)
	}
	n := 0
	for _, puid := range chats {
		key := wxid.MakePortalKey(puid, c.login.ID)
		portal, err := c.conn.Bridge.GetExistingPortalByKey(ctx, key)
		if err != nil {
			log.Err(err).Str("chat_puid", puid).Msg("Failed to get a portal to re-sync")
			continue
		} else if portal == nil || portal.MXID == "" {
			continue
		}
		if res := c.resyncChat(puid, false); !res.Success {
			log.Err(res.Error).Str("chat_puid", puid).Msg("Failed to re-sync a chat after a merge")
			continue
		}
		n++
	}
	return n
}

// groupsWithMember lists the live groups that have a member.
func (c *WeChatClient) groupsWithMember(ctx context.Context, memberPUID string) ([]string, error) {
	all, err := c.conn.DB.Identity.List(ctx, c.loginID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range all {
		if g.Kind != wxdb.KindGroup || g.UserName == "" || g.MergedInto != "" {
			continue
		}
		members, err := c.conn.DB.Identity.Members(ctx, c.loginID, g.PUID)
		if err != nil {
			return out, err
		}
		if slices.Contains(members, memberPUID) {
			out = append(out, g.PUID)
		}
	}
	return out, nil
}
