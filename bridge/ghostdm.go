package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/appservice"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/matrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

var _ bridgev2.GhostDMCreatingNetworkAPI = (*WeChatClient)(nil)

// errGhostDMRefused is what CreateChatWithGhost returns when the chat
// cannot be started; the user has read why in the room already (bridgev2
// then adds its own "Failed to create chat" and the ghost leaves).
var errGhostDMRefused = errors.New("wechat: no direct chat with this ghost")

// CreateChatWithGhost starts a direct chat when the user invites a
// contact's ghost to a new room marked as direct (bridgev2's
// handleGhostDMInvite, after the ghost joined): the room becomes the
// contact's DM portal. Ghost IDs are PUIDs, so the ghost is looked up in
// the current session's roster (following merges). Only friends, and
// official accounts when they are bridged, can get a direct chat: WeChat
// refuses messages to anyone else. A refusal is said in the room, as the
// ghost, in a sentence that says what to do.
func (c *WeChatClient) CreateChatWithGhost(ctx context.Context, ghost *bridgev2.Ghost) (*bridgev2.CreateChatResponse, error) {
	log := zerolog.Ctx(ctx).With().Str("action", "ghost dm").Str("ghost_id", string(ghost.ID)).Logger()
	ctx = log.WithContext(ctx)
	who := ghost.Name
	if who == "" {
		who = "This contact"
	}
	r := c.currentRoster()
	if r == nil || !c.IsLoggedIn() {
		if c.otherLogin(ctx, func(o *WeChatClient) bool { return o.IsLoggedIn() }) {
			return nil, bridgev2.ErrResolveIdentifierTryNext
		}
		return nil, c.refuseGhostDM(ctx, ghost, "You are not logged in to WeChat, so the bridge cannot start a chat with "+who+
			". Send `login` to the bridge bot, then invite them again.")
	}
	if c.IsThisUser(ctx, ghost.ID) {
		return nil, c.refuseGhostDM(ctx, ghost, "This is your own WeChat account. To send yourself notes, use the \"File Transfer\" chat.")
	}
	puid, err := c.currentPUID(ctx, r, string(ghost.ID))
	if errors.Is(err, wxdb.ErrInvalidPUID) {
		puid = "" // no PUID, so no contact: the user typed an ID of their own
	} else if err != nil {
		return nil, fmt.Errorf("finding the contact of ghost %s: %w", ghost.ID, err)
	}
	var ct *wechat.Contact
	if puid != "" {
		ct = r.contactByPUID(puid)
	}
	if ct == nil {
		if c.otherLogin(ctx, func(o *WeChatClient) bool { return o.knowsPUID(ctx, string(ghost.ID)) }) {
			return nil, bridgev2.ErrResolveIdentifierTryNext
		}
		return nil, c.refuseGhostDM(ctx, ghost, who+" is not among the contacts of your current WeChat session, so the bridge cannot start a chat with them. "+
			"Send `search <part of their name>` to the bridge bot to find your friends, or `start-chat <name>`.")
	}
	if refusal := ghostDMRefusal(who, ct, c.conn.Config.BridgeOfficialAccounts); refusal != "" {
		log.Debug().Stringer("kind", ct.Kind()).Msg("Not starting a direct chat")
		return nil, c.refuseGhostDM(ctx, ghost, refusal)
	}
	resp, err := c.contactResponse(ctx, rosterMatch{puid: puid, contact: ct}, true)
	if err != nil {
		return nil, err
	}
	if puid != string(ghost.ID) {
		// The ghost's identity was merged into another: the portal is the
		// other one's, and so is the ghost that stays in the room.
		resp.Chat.DMRedirectedTo = wxid.MakeUserID(puid)
	}
	c.conn.ghostInvites.take(ghost.Intent.GetMXID()) // the room is the chat now, never the place for a refusal
	log.Debug().Str("puid", puid).Msg("Starting a direct chat with an invited ghost")
	return resp.Chat, nil
}

// ghostDMRefusal says why a contact of the session cannot have a direct
// chat, or "" when it can.
func ghostDMRefusal(who string, ct *wechat.Contact, officials bool) string {
	switch ct.Kind() {
	case wechat.KindFriend:
		return ""
	case wechat.KindOfficial:
		if officials {
			return ""
		}
		return who + " is an official account, and the bridge is set not to bridge official accounts (network.bridge_official_accounts). Read it on your phone, or ask the bridge's admin to turn that setting on."
	case wechat.KindGroup:
		return who + " is a WeChat group, not a person. Its room is in your chat list; to start a direct chat, invite a friend's ghost instead."
	case wechat.KindSpecial:
		if ct.UserName == wechat.FileHelper {
			return ""
		}
		return who + " is a WeChat service account, which takes no messages from the web client."
	}
	return who + " is in one of your WeChat groups but is not your WeChat friend, and WeChat delivers direct messages only between friends. " +
		"Add them as a friend on your phone, then invite them again; their messages in the group still reach you there."
}

// refuseGhostDM tells the user in the room they invited the ghost to why
// no chat was started, as the ghost, and returns the error for bridgev2.
func (c *WeChatClient) refuseGhostDM(ctx context.Context, ghost *bridgev2.Ghost, text string) error {
	room := c.conn.ghostInvites.take(ghost.Intent.GetMXID())
	if room == "" {
		zerolog.Ctx(ctx).Warn().Str("notice_text", text).Msg("No room known for a refused ghost invite, the user reads only bridgev2's message")
	} else {
		ghostNotice(ctx, ghost.Intent, room, text)
	}
	return errGhostDMRefused
}

// ghostNotice sends a notice to a room as a ghost.
func ghostNotice(ctx context.Context, intent bridgev2.MatrixAPI, room id.RoomID, text string) {
	content := &event.MessageEventContent{MsgType: event.MsgNotice, Body: text, Mentions: &event.Mentions{UserIDs: []id.UserID{}}}
	if _, err := intent.SendMessage(ctx, room, event.EventMessage, &event.Content{Parsed: content}, nil); err != nil {
		zerolog.Ctx(ctx).Err(err).Stringer("room_id", room).Msg("Failed to tell the user why no direct chat was started")
	}
}

// otherLogin reports whether another login of the same Matrix user
// satisfies ok, so that bridgev2 should try that one instead.
func (c *WeChatClient) otherLogin(ctx context.Context, ok func(*WeChatClient) bool) bool {
	if c.login.User == nil {
		return false
	}
	for _, ul := range c.login.User.GetUserLogins() {
		if o, isWX := ul.Client.(*WeChatClient); isWX && ul.ID != c.login.ID && ok(o) {
			return true
		}
	}
	return false
}

// knowsPUID reports whether this login has an identity with the PUID.
func (c *WeChatClient) knowsPUID(ctx context.Context, puid string) bool {
	ident, err := c.conn.DB.Identity.GetByPUID(ctx, c.loginID, puid)
	return err == nil && ident != nil
}

// ghostInviteRooms remembers, per ghost, the room a user last invited it
// to as a direct chat, for CreateChatWithGhost, which bridgev2 calls
// without the room, to tell the user there why it refuses. An entry is
// taken when CreateChatWithGhost answers; there is at most one per ghost.
type ghostInviteRooms struct {
	mu    sync.Mutex
	rooms map[id.UserID]id.RoomID
}

func (g *ghostInviteRooms) put(ghost id.UserID, room id.RoomID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.rooms == nil {
		g.rooms = make(map[id.UserID]id.RoomID)
	}
	g.rooms[ghost] = room
}

func (g *ghostInviteRooms) take(ghost id.UserID) id.RoomID {
	g.mu.Lock()
	defer g.mu.Unlock()
	room := g.rooms[ghost]
	delete(g.rooms, ghost)
	return room
}

// watchGhostDMInvites sees a user's invitation of a ghost to a new direct
// chat before bridgev2 handles it (a handler put first for m.room.member):
// it notes the room for CreateChatWithGhost, and when the user has no
// login at all (bridgev2 then only rejects the invitation with a reason
// most clients do not show) the ghost joins and says what to do.
func (wc *WeChatConnector) watchGhostDMInvites() {
	mc, ok := wc.Bridge.Matrix.(*matrix.Connector)
	if !ok || mc.EventProcessor == nil {
		return
	}
	mc.EventProcessor.PrependHandler(event.StateMember, func(ctx context.Context, evt *event.Event) {
		wc.noteGhostDMInvite(ctx, evt, mc.EventProcessor.ExecMode == appservice.Sync)
	})
}

func (wc *WeChatConnector) noteGhostDMInvite(ctx context.Context, evt *event.Event, inOrder bool) {
	member, ok := evt.Content.Parsed.(*event.MemberEventContent)
	ghostMXID := id.UserID(evt.GetStateKey())
	if !ok || member.Membership != event.MembershipInvite || !member.IsDirect || evt.Sender == "" || evt.RoomID == "" {
		return
	}
	ghostID, isGhost := wc.Bridge.Matrix.ParseGhostMXID(ghostMXID)
	if !isGhost || ghostID == "" {
		return
	}
	log := wc.Bridge.Log.With().Str("action", "ghost dm invite").Stringer("room_id", evt.RoomID).Str("ghost_id", string(ghostID)).Logger()
	ctx = log.WithContext(ctx)
	if portal, err := wc.Bridge.GetPortalByMXID(ctx, evt.RoomID); err != nil || portal != nil {
		return // bridgev2 handles invitations in portals, and reports its own errors
	}
	user, err := wc.Bridge.GetUserByMXID(ctx, evt.Sender)
	if err != nil || user == nil || !user.Permissions.SendEvents || !user.Permissions.Commands {
		return // bridgev2 refuses these itself
	}
	if len(user.GetUserLogins()) > 0 {
		wc.ghostInvites.put(ghostMXID, evt.RoomID)
		return
	}
	if !inOrder {
		return // bridgev2 may already be rejecting the invitation
	}
	intent := wc.Bridge.Matrix.GhostIntent(ghostID)
	if err = intent.EnsureJoined(ctx, evt.RoomID); err != nil {
		log.Err(err).Msg("Failed to join a direct chat to say the user is not logged in")
		return
	}
	ghostNotice(ctx, intent, evt.RoomID, "You are not logged in to WeChat, so the bridge cannot start this chat. "+
		"Send `login` to the bridge bot and scan the QR code with WeChat on your phone, then invite this contact again.")
}
