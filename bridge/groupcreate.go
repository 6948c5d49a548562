package bridge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

var _ bridgev2.GroupCreatingNetworkAPI = (*WeChatClient)(nil)

// groupTypeWeChat is the one kind of group WeChat has.
const groupTypeWeChat = "group"

// groupCreation is what `create-group` and the provisioning API may ask
// for: a name (optional: WeChat names an unnamed group after its members)
// and at least two friends besides the user. WeChat groups have no topic
// and the web API sets no avatar.
var groupCreation = map[string]bridgev2.GroupTypeCapabilities{
	groupTypeWeChat: {
		TypeDescription: "WeChat group",
		Name:            bridgev2.GroupFieldCapability{Allowed: true},
		Participants:    bridgev2.GroupFieldCapability{Allowed: true, Required: true, MinLength: wechat.MinCreateMembers},
	},
}

// afterRefusal is what the user can do when WeChat will not create a group.
const afterRefusal = "Create the group on your phone instead; the bridge opens a room for it when its first message arrives."

// CreateGroup creates a WeChat group (webwxcreatechatroom) with the
// participants, who must be friends in the current session, named as
// asked, and returns its portal with the group's record as WeChat holds
// it. The room `create-group` ran in (params.RoomID) becomes the portal,
// if the bot has the power to run it or the user's double puppet can give
// it (checked before WeChat is asked); without a room (the provisioning
// API) bridgev2 makes a new one.
// WeChat's refusal (for most accounts since 2018) comes back as a
// sentence that says so and what to do instead, and leaves the room as it
// was.
func (c *WeChatClient) CreateGroup(ctx context.Context, params *bridgev2.GroupCreateParams) (*bridgev2.CreateChatResponse, error) {
	log := zerolog.Ctx(ctx).With().Str("action", "create group").Int("participants", len(params.Participants)).Logger()
	ctx = log.WithContext(ctx)
	wx, r := c.currentSession()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return nil, bridgev2.ErrNotLoggedIn
	}
	users := make([]string, 0, len(params.Participants))
	for _, p := range params.Participants {
		name, err := c.creatableMember(ctx, r, p)
		if err != nil {
			return nil, err
		}
		users = append(users, name)
	}
	topic := ""
	if params.Name != nil {
		topic = strings.TrimSpace(params.Name.Name)
	}
	var grantPower func(context.Context) error
	if params.RoomID != "" {
		var err error
		if grantPower, err = c.checkBotPower(ctx, params.RoomID); err != nil {
			return nil, err
		}
	}
	// The group's first messages wait until its portal has the user's room.
	endHold := c.groupCreations.begin()
	defer endHold()
	group, err := wx.CreateChatroom(ctx, topic, users)
	if err != nil {
		log.Warn().Err(err).Msg("WeChat did not create the group")
		return nil, createGroupError(err)
	}
	log.Info().Msg("Created a WeChat group")
	ct, err := c.fetchChat(ctx, wx, group)
	if err == nil && ct == nil {
		err = errors.New("WeChat has no record of it yet")
	}
	var puid string
	if err == nil {
		puid, err = c.mapFetchedChat(ctx, r, ct)
	}
	if err != nil {
		log.Err(err).Msg("Created the group but could not fetch it")
		return nil, bridgev2.RespError(mautrix.MUnknown.WithMessage(
			"WeChat created the group, but the bridge could not fetch it yet (%v); it opens a room for it when its first message arrives.", err).
			WithStatus(http.StatusBadGateway))
	}
	resp := &bridgev2.CreateChatResponse{
		PortalKey:  wxid.MakePortalKey(puid, c.login.ID),
		PortalInfo: c.groupInfo(ctx, r, ct),
	}
	if params.RoomID == "" {
		return resp, nil
	}
	if grantPower != nil {
		err = grantPower(ctx)
	}
	if err == nil {
		resp.Portal, err = c.conn.Bridge.GetPortalByKey(ctx, resp.PortalKey)
	}
	if err == nil {
		err = c.adoptRoom(ctx, resp.Portal, params.RoomID, resp.PortalInfo)
	}
	if err != nil {
		log.Err(err).Msg("Created the group but could not make this room its portal")
		return nil, bridgev2.RespError(mautrix.MUnknown.WithMessage(
			"WeChat created the group, but the bridge could not bridge this room to it (%v); it opens a new room for the group when its first message arrives.", err))
	}
	log.Info().Stringer("room_id", params.RoomID).Msg("The room create-group ran in is the group's portal")
	return resp, nil
}

// creatableMember is the current UserName of a participant who can be put
// in a new group: a friend in the current session.
func (c *WeChatClient) creatableMember(ctx context.Context, r *puidRoster, p networkid.UserID) (string, error) {
	name, err := c.chatUserName(ctx, r, string(p))
	if errors.Is(err, ErrChatNotInSession) {
		who := string(p)
		if ghost, gerr := c.conn.Bridge.GetExistingGhostByID(ctx, p); gerr == nil && ghost != nil && ghost.Name != "" {
			who = ghost.Name
		}
		return "", bridgev2.RespError(mautrix.MNotFound.WithMessage(
			"%s is not in your current WeChat session, so no group was created. Leave them out, or try again once they are.", who).
			WithStatus(http.StatusNotFound))
	} else if errors.Is(err, wxdb.ErrInvalidPUID) {
		return "", bridgev2.RespError(mautrix.MInvalidParam.WithMessage(
			"%q is not the ID of a WeChat contact, so no group was created. Invite the contacts' ghosts, or use the IDs that `search` shows.", string(p)))
	} else if err != nil {
		return "", err
	}
	if ct := r.contact(name); ct == nil || ct.Kind() != wechat.KindFriend {
		who := string(p)
		if ct != nil {
			who = c.displayName(ct)
		}
		return "", bridgev2.RespError(mautrix.MInvalidParam.WithMessage(
			"%s is not your WeChat friend, and WeChat puts only friends in a new group, so no group was created. Add them as a friend first, or leave them out.", who))
	}
	return name, nil
}

// createGroupError says why WeChat made no group, as a sentence that
// reads well after bridgev2's "Failed to create group: ".
func createGroupError(err error) error {
	var ce *wechat.CreateChatroomError
	var pe *wechat.CreatePacedError
	switch {
	case errors.Is(err, wechat.ErrLoggedOut):
		return bridgev2.ErrNotLoggedIn
	case errors.As(err, &pe):
		return bridgev2.RespError(mautrix.MLimitExceeded.WithMessage(
			"the bridge did not ask WeChat for a new group yet: it keeps group creations at least network.group_create_interval apart and waits an hour after WeChat says \"too frequent\" (WeChat allows about two or three an hour and flags accounts that create more). Try again in %s, or create the group on your phone; the bridge opens a room for it when its first message arrives.",
			waitText(pe.Wait)).WithStatus(http.StatusTooManyRequests))
	case errors.As(err, &ce) && ce.TooFrequent():
		return bridgev2.RespError(mautrix.MLimitExceeded.WithMessage(
			"WeChat says you are creating groups too often (it allows about two or three an hour), so it made none. Try again in an hour, or create the group on your phone; the bridge opens a room for it when its first message arrives.").
			WithStatus(http.StatusTooManyRequests))
	case errors.As(err, &ce) && ce.MaybeCreated:
		msg := "WeChat refused to create the group"
		if ce.Message != "" {
			msg += fmt.Sprintf(" (%q)", ce.Message)
		}
		return bridgev2.RespError(mautrix.MForbidden.WithMessage(
			"%s. Web WeChat has not been allowed to create groups for most accounts since 2018. %s "+
				"(WeChat sometimes creates the group despite this answer; its room then opens the same way.)", msg, afterRefusal).
			WithStatus(http.StatusForbidden))
	case errors.As(err, &ce):
		return bridgev2.RespError(mautrix.MForbidden.WithMessage(
			"WeChat refused to create the group (%s). Web WeChat has not been allowed to create groups for most accounts since 2018, and puts only friends in a group. %s",
			refusalDetail(ce), afterRefusal).WithStatus(http.StatusForbidden))
	}
	return bridgev2.RespError(mautrix.MUnknown.WithMessage(
		"the bridge could not reach WeChat, so no group was created (%v). Try again in a moment.", err).
		WithStatus(http.StatusBadGateway))
}

// waitText is a wait as a user reads it: whole minutes, or "a minute".
func waitText(d time.Duration) string {
	if m := int(math.Ceil(d.Minutes())); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}

// refusalDetail is WeChat's answer to a refused creation.
func refusalDetail(ce *wechat.CreateChatroomError) string {
	if ce.Message != "" {
		return fmt.Sprintf("error %d: %q", ce.Ret, ce.Message)
	}
	return fmt.Sprintf("error %d", ce.Ret)
}
