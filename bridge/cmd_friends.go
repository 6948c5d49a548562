package bridge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/commands"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// friendRequest is a stored request with the login it came to.
type friendRequest struct {
	login *bridgev2.UserLogin
	req   *wxdb.FriendRequest
}

// fnFriendRequests is the `friend-requests` command: the pending requests
// of every login of the sender, with their numbers.
func (wc *WeChatConnector) fnFriendRequests(ce *commands.Event) {
	logins, msg := wc.commandLogins(ce, "")
	if msg != "" {
		reply(ce, markdownText, msg)
		return
	}
	h := hintsFor(ce)
	var b strings.Builder
	shown := 0
	var phoneOnly []string
	for _, login := range logins {
		pending, err := wc.DB.FriendRequest.List(ce.Ctx, string(login.ID), wxdb.FriendRequestPending)
		if err != nil {
			ce.Log.Err(err).Str("login_id", string(login.ID)).Msg("Failed to list friend requests")
			reply(ce, plainText, "Could not read your friend requests: the bridge's database failed (see its log). Try again in a moment.")
			return
		}
		pending = wc.settleFriendRequests(ce.Ctx, login, pending, &phoneOnly)
		if len(pending) == 0 {
			continue
		}
		if len(logins) > 1 {
			fmt.Fprintf(&b, "\nWeChat account %s (login %s):", oneLine(login.RemoteName), login.ID)
		}
		for _, fr := range pending {
			fmt.Fprintf(&b, "\n%d. %s, %s", fr.Num, describeRequester(fr), ago(time.Since(fr.ReceivedAt)))
			if g := oneLine(fr.Greeting); g != "" {
				fmt.Fprintf(&b, ": \"%s\"", g)
			}
		}
		shown++
	}
	var out strings.Builder
	if shown == 0 {
		out.WriteString("You have no WeChat friend requests waiting. New ones are announced in your management room as they arrive.")
	} else {
		out.WriteString("WeChat friend requests waiting for an answer:")
		out.WriteString(b.String())
		example := "accept-friend <number>"
		if len(logins) > 1 {
			example = "accept-friend <login ID> <number>"
		}
		fmt.Fprintf(&out, "\n\nSend %s to accept one. To decline one, ignore it here or decline it on your phone.", h.cmd(example))
	}
	if len(phoneOnly) > 0 {
		fmt.Fprintf(&out, "\n\nThese arrived during an earlier WeChat web session, which alone could accept them from here: %s. "+
			"Accept them on your phone (Contacts → New Friends) if you want to; they are no longer listed here.",
			strings.Join(phoneOnly, "; "))
	}
	reply(ce, plainText, out.String())
}

// settleFriendRequests drops from pending the requests that were answered
// elsewhere (the requester is a friend in the running session: accepted on
// the phone) and those of an earlier session (named in phoneOnly), and
// records that. Without a running session it changes nothing.
func (wc *WeChatConnector) settleFriendRequests(ctx context.Context, login *bridgev2.UserLogin, pending []*wxdb.FriendRequest, phoneOnly *[]string) []*wxdb.FriendRequest {
	c, ok := login.Client.(*WeChatClient)
	if !ok {
		return pending
	}
	r := c.currentRoster()
	if r == nil {
		return pending
	}
	self := r.selfUserName()
	return slices.DeleteFunc(pending, func(fr *wxdb.FriendRequest) bool {
		var state wxdb.FriendRequestState
		switch {
		case fr.SelfUserName != "" && fr.SelfUserName != self:
			state = wxdb.FriendRequestExpired
			*phoneOnly = append(*phoneOnly, describeRequester(fr))
		case isFriend(r, fr.UserName):
			state = wxdb.FriendRequestAccepted
		default:
			return false
		}
		wc.setFriendRequestState(ctx, login, fr, state)
		return true
	})
}

// isFriend reports whether a UserName of the session is a friend.
func isFriend(r *puidRoster, userName string) bool {
	ct := r.contact(userName)
	return ct != nil && ct.ContactFlag&wechat.ContactFlagContact != 0
}

// setFriendRequestState records a state, logging a failure: the answer to
// the user does not depend on it.
func (wc *WeChatConnector) setFriendRequestState(ctx context.Context, login *bridgev2.UserLogin, fr *wxdb.FriendRequest, state wxdb.FriendRequestState) {
	if err := wc.DB.FriendRequest.SetState(ctx, string(login.ID), fr.Num, state); err != nil {
		login.Log.Err(err).Int("num", fr.Num).Str("state", string(state)).Msg("Failed to record the state of a friend request")
	}
}

// ago says how long ago something happened, roughly.
func ago(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return strconv.Itoa(n) + " " + unit + "s ago"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

// fnAcceptFriend is the `accept-friend [login ID] <number|name>` command.
func (wc *WeChatConnector) fnAcceptFriend(ce *commands.Event) {
	named, args := splitLoginArg(ce.Args, ce.User.GetUserLogins())
	logins, msg := wc.commandLogins(ce, named)
	if msg != "" {
		reply(ce, markdownText, msg)
		return
	}
	query := strings.Join(args, " ")
	h := hintsFor(ce)
	if query == "" {
		reply(ce, plainText, "Usage: "+h.cmd("accept-friend <number or name>")+". "+
			"The number is in the notice of the request; "+h.cmd("friend-requests")+" lists them all.")
		return
	}
	matches, err := wc.findFriendRequests(ce.Ctx, logins, query)
	if err != nil {
		ce.Log.Err(err).Msg("Failed to look up friend requests")
		reply(ce, plainText, "Could not look up your friend requests: the bridge's database failed (see its log). Try again in a moment.")
		return
	}
	switch len(matches) {
	case 0:
		what := fmt.Sprintf("No waiting friend request is from someone called \"%s\".", oneLine(query))
		if _, err := strconv.Atoi(query); err == nil {
			what = fmt.Sprintf("You have no friend request number %s.", query)
		}
		reply(ce, plainText, what+" Send "+h.cmd("friend-requests")+" to see the waiting ones and their numbers.")
		return
	case 1:
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%d friend requests match \"%s\":", len(matches), oneLine(query))
		for _, m := range matches {
			fmt.Fprintf(&b, "\n%s: %s", h.cmd(acceptCmd(m, len(logins) > 1)), describeRequester(m.req))
		}
		b.WriteString("\nSend the command of the one to accept.")
		reply(ce, plainText, b.String())
		return
	}
	m := matches[0]
	who := describeRequester(m.req)
	switch m.req.State {
	case wxdb.FriendRequestAccepted:
		reply(ce, plainText, fmt.Sprintf("The friend request from %s was accepted already.", who))
		return
	case wxdb.FriendRequestExpired:
		reply(ce, plainText, fmt.Sprintf("The friend request from %s can no longer be accepted from here. If it is still on your phone, accept it there.", who))
		return
	}
	reply(ce, plainText, wc.acceptFriendRequest(ce.Ctx, m, h, acceptCmd(m, len(logins) > 1)))
}

// splitLoginArg takes a leading login ID off the arguments of
// accept-friend when it names one of the sender's logins (own) and more
// words follow: alone, a number is the request's.
func splitLoginArg(args []string, own []*bridgev2.UserLogin) (named string, rest []string) {
	if len(args) >= 2 && slices.ContainsFunc(own, func(l *bridgev2.UserLogin) bool { return string(l.ID) == args[0] }) {
		return args[0], args[1:]
	}
	return "", args
}

// acceptCmd is the accept-friend command that picks m: its number, after
// its login ID if the user has several logins (numbers are per login).
func acceptCmd(m friendRequest, withLogin bool) string {
	if withLogin {
		return "accept-friend " + string(m.login.ID) + " " + strconv.Itoa(m.req.Num)
	}
	return "accept-friend " + strconv.Itoa(m.req.Num)
}

// findFriendRequests finds the requests a query names: those with that
// number (in any state), else the pending ones whose nickname or WeChat ID
// is the query, else those whose nickname or WeChat ID contains it (all
// case-insensitive).
func (wc *WeChatConnector) findFriendRequests(ctx context.Context, logins []*bridgev2.UserLogin, query string) ([]friendRequest, error) {
	q := wc.DB.FriendRequest
	var out []friendRequest
	if num, err := strconv.Atoi(query); err == nil && num > 0 {
		for _, login := range logins {
			fr, err := q.Get(ctx, string(login.ID), num)
			if err != nil {
				return nil, err
			} else if fr != nil {
				out = append(out, friendRequest{login, fr})
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	var pending []friendRequest
	for _, login := range logins {
		list, err := q.List(ctx, string(login.ID), wxdb.FriendRequestPending)
		if err != nil {
			return nil, err
		}
		for _, fr := range list {
			pending = append(pending, friendRequest{login, fr})
		}
	}
	return matchFriendRequests(pending, query), nil
}

// matchFriendRequests picks the requests whose nickname or WeChat ID is
// query, or if there are none, contains it (case-insensitive).
func matchFriendRequests(list []friendRequest, query string) []friendRequest {
	needle := strings.ToLower(oneLine(query))
	if needle == "" {
		return nil
	}
	var exact, partial []friendRequest
	for _, m := range list {
		names := []string{strings.ToLower(oneLine(m.req.NickName)), strings.ToLower(oneLine(m.req.Alias))}
		switch {
		case slices.Contains(names, needle):
			exact = append(exact, m)
		case strings.Contains(names[0], needle) || strings.Contains(names[1], needle):
			partial = append(partial, m)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// acceptFriendRequest accepts a pending request with the login's running
// session and returns the reply: what happened and what to do next, with
// the command to try again (retry) written by h.
func (wc *WeChatConnector) acceptFriendRequest(ctx context.Context, m friendRequest, h hints, retry string) string {
	who := describeRequester(m.req)
	log := m.login.Log.With().Str("action", "accept friend request").Int("num", m.req.Num).Logger()
	c, _ := m.login.Client.(*WeChatClient)
	var wx *wechat.Client
	var r *puidRoster
	if c != nil && c.IsLoggedIn() {
		wx, r = c.currentSession()
	}
	if wx == nil || r == nil {
		return fmt.Sprintf("Your WeChat account %s is not connected right now, so the request from %s was not accepted. "+
			"If the bridge is reconnecting, send %s again in a minute. If WeChat logged you out, accept the request on your phone: "+
			"a new login cannot accept requests that arrived before it.", oneLine(m.login.RemoteName), who, h.cmd(retry))
	}
	if m.req.SelfUserName != "" && m.req.SelfUserName != r.selfUserName() {
		wc.setFriendRequestState(ctx, m.login, m.req, wxdb.FriendRequestExpired)
		return fmt.Sprintf("The friend request from %s arrived during an earlier WeChat web session, and only that session could accept it from here. "+
			"Accept it on your phone (Contacts → New Friends); your chat with them then appears here.", who)
	}
	if isFriend(r, m.req.UserName) {
		wc.setFriendRequestState(ctx, m.login, m.req, wxdb.FriendRequestAccepted)
		return fmt.Sprintf("%s is your WeChat friend already (accepted on the phone?): nothing to do.", who)
	}
	err := wx.AcceptFriendRequest(ctx, m.req.UserName, m.req.Ticket)
	text, state := acceptOutcome(err, who, h, retry)
	if err != nil {
		log.Warn().Err(err).Msg("WeChat did not accept the friend request")
	} else {
		log.Info().Msg("Accepted friend request")
	}
	if state != wxdb.FriendRequestPending {
		wc.setFriendRequestState(ctx, m.login, m.req, state)
	}
	return text
}

// acceptOutcome turns the result of webwxverifyuser into the reply and the
// request's new state.
func acceptOutcome(err error, who string, h hints, retry string) (string, wxdb.FriendRequestState) {
	var retErr *wechat.RetError
	switch {
	case err == nil:
		return fmt.Sprintf("Accepted the friend request from %s. WeChat adds them to your contacts now; "+
			"a room for your chat with them appears in a moment.", who), wxdb.FriendRequestAccepted
	case errors.Is(err, wechat.ErrLoggedOut):
		return fmt.Sprintf("WeChat ended the bridge's web session, so the request from %s was not accepted. "+
			"Accept it on your phone (a new login cannot accept it), and send %s to connect the bridge again.", who, h.cmd("login")), wxdb.FriendRequestExpired
	case errors.Is(err, wechat.ErrTooFrequent):
		return fmt.Sprintf("WeChat refused to accept the request from %s right now: too many requests in a short time. "+
			"Wait a minute, then send %s again.", who, h.cmd(retry)), wxdb.FriendRequestPending
	case errors.As(err, &retErr):
		return fmt.Sprintf("WeChat refused to accept the request from %s (error %d): it has probably expired or been withdrawn. "+
			"If it is still on your phone, accept it there.", who, retErr.Ret), wxdb.FriendRequestExpired
	}
	return fmt.Sprintf("Could not reach WeChat to accept the request from %s; nothing changed. Send %s again in a minute.", who, h.cmd(retry)),
		wxdb.FriendRequestPending
}
