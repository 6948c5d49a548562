package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// handleFriendRequest records a friend request and tells the user in the
// management room. It is called from the inbox drain (bridge/remoteevent.go,
// remoteEvent) for every *wechat.FriendRequest; a returned error makes the
// inbox retry the item later, so only return errors that are transient.
func (c *WeChatClient) handleFriendRequest(ctx context.Context, m *wechat.Message, fr *wechat.FriendRequest) error {
	log := zerolog.Ctx(ctx).With().Str("action", "handle friend request").Int64("new_msg_id", m.ID).Logger()
	ctx = log.WithContext(ctx)
	self := ""
	if m.Raw != nil {
		self = m.Raw.ToUserName
	}
	if fr.UserName == self && self != "" {
		log.Debug().Msg("Ignoring a friend request from the user's own account")
		return nil
	}
	req := &wxdb.FriendRequest{
		LoginID:      c.loginID,
		Requester:    fr.RealID,
		UserName:     fr.UserName,
		Ticket:       fr.Ticket,
		SelfUserName: self,
		NickName:     fr.NickName,
		Alias:        fr.Alias,
		Province:     fr.Province,
		City:         fr.City,
		Greeting:     fr.Greeting,
		ReceivedAt:   m.Time,
	}
	stored, err := c.conn.DB.FriendRequest.Put(ctx, req)
	switch {
	case errors.Is(err, wxdb.ErrInvalidFriendRequest):
		// Retrying cannot help: tell the user what there is to tell.
		log.Warn().Err(err).Msg("Friend request cannot be stored; it can only be accepted on the phone")
		return c.notifyManagementRoom(ctx, friendRequestNotice(req, ""))
	case err != nil:
		return fmt.Errorf("storing friend request: %w", err)
	}
	log.Debug().Int("num", stored.Num).Str("state", string(stored.State)).Msg("Stored friend request")
	if stored.State != wxdb.FriendRequestPending {
		log.Debug().Msg("Friend request was answered before, not announcing it again")
		return nil
	}
	if r := c.currentRoster(); r != nil && self != "" && r.selfUserName() != self {
		// Bridged after a re-login: its UserName and ticket are dead.
		c.conn.setFriendRequestState(ctx, c.login, stored, wxdb.FriendRequestExpired)
		return c.notifyManagementRoom(ctx, friendRequestNotice(stored, ""))
	}
	accept := acceptCmd(friendRequest{c.login, stored}, len(c.login.User.GetUserLogins()) > 1)
	return c.notifyManagementRoom(ctx, friendRequestNotice(stored, accept))
}

// notifyManagementRoom sends a plain-text notice from the bridge bot to the
// user's management room, creating the room if the user has none. Errors
// the homeserver answered (the room is gone, the bot may not post) are
// logged and dropped: retrying would only hold up the inbox. Other errors
// (the homeserver is unreachable) are returned.
func (c *WeChatClient) notifyManagementRoom(ctx context.Context, text string) error {
	room, err := c.login.User.GetManagementRoom(ctx)
	if err == nil {
		content := &event.MessageEventContent{MsgType: event.MsgNotice, Body: text, Mentions: &event.Mentions{}}
		_, err = c.conn.Bridge.Bot.SendMessage(ctx, room, event.EventMessage, &event.Content{Parsed: content}, nil)
	}
	if err == nil {
		return nil
	}
	if homeserverRefused(err) {
		zerolog.Ctx(ctx).Err(err).Str("room_id", room.String()).Msg("Could not tell the user in the management room")
		return nil
	}
	return fmt.Errorf("sending notice to the management room: %w", err)
}

// homeserverRefused reports whether err is an answer of the homeserver
// (an M_ error code), which a retry would only get again.
func homeserverRefused(err error) bool {
	var httpErr mautrix.HTTPError
	return errors.As(err, &httpErr) && httpErr.RespError != nil
}

// friendRequestNotice is the plain-text notice of a new request: who asks,
// what they wrote and how to accept it: with the command accept (see
// acceptCmd), or on the phone if accept is "".
func friendRequestNotice(fr *wxdb.FriendRequest, accept string) string {
	var b strings.Builder
	b.WriteString("WeChat friend request from ")
	b.WriteString(describeRequester(fr))
	if g := oneLine(fr.Greeting); g != "" {
		fmt.Fprintf(&b, ": \"%s\"", g)
	}
	b.WriteString(".")
	if accept != "" {
		fmt.Fprintf(&b, " Send %s to accept.", hints{}.cmd(accept))
	} else {
		b.WriteString(" The bridge cannot accept this one: accept it on your phone.")
	}
	return b.String()
}

// describeRequester names a requester with what WeChat tells about them:
// `Alice (WeChat ID alice_wx, Shenzhen, Guangdong)`.
func describeRequester(fr *wxdb.FriendRequest) string {
	name := oneLine(fr.NickName)
	alias := oneLine(fr.Alias)
	if name == "" {
		name, alias = firstNonEmpty(alias, "someone without a name"), ""
	}
	var details []string
	if alias != "" && alias != name {
		details = append(details, "WeChat ID "+alias)
	}
	if r := region(fr.Province, fr.City); r != "" {
		details = append(details, r)
	}
	if len(details) == 0 {
		return name
	}
	return name + " (" + strings.Join(details, ", ") + ")"
}

// region is "City, Province", or one of them when the other is empty or the
// same (Shanghai is both).
func region(province, city string) string {
	province, city = oneLine(province), oneLine(city)
	switch {
	case city == "" || strings.EqualFold(city, province):
		return province
	case province == "":
		return city
	}
	return city + ", " + province
}
