package scenarios

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// baselineCreator is the baseline of the creation scenario: a plain
// appservice client that creates the portals of the same chats, with the
// same members, straight through the appservice API, one room and one
// request at a time, the requests bridgev2 v0.33 makes for a new portal
// (Portal.createMatrixRoomInLoop and syncParticipants) and nothing else:
//
//   - the room's avatar uploaded (groups);
//   - POST /createRoom by the bridge bot: private_chat, is_direct for a DM,
//     the bot at 9001 and the user at 50 in the power levels, and the
//     initial state bridgev2 sends (functional members, m.bridge and its
//     half-shot twin, room features, topic, name and avatar);
//   - the user invited by the bot;
//   - each member: a ghost seen for the first time is registered and gets
//     its displayname and avatar (uploaded), as Ghost.UpdateInfo does; then
//     the bot invites it and it joins, two membership events.
//
// No WeChat, no database, no bridgev2. Its ghosts have localparts of their
// own in the bridge's namespace (prefix+seed id), so that registering them
// costs what it costs the bridge; the bridge ignores their events.
type baselineCreator struct {
	as         *ASClient
	bot, user  id.UserID
	prefix     string
	server     string
	registered map[string]bool
	avatars    map[string]id.ContentURIString
}

func (b *baselineCreator) ghost(seedID string) id.UserID {
	return id.NewUserID(b.prefix+strings.ToLower(seedID), b.server)
}

// ensureGhost registers a ghost and sets its profile, once.
func (b *baselineCreator) ensureGhost(ctx context.Context, seedID, name string) error {
	if b.registered[seedID] {
		return nil
	}
	mxid := b.ghost(seedID)
	bot, err := b.as.client(b.bot)
	if err != nil {
		return err
	}
	_, err = bot.MakeRequest(ctx, http.MethodPost, bot.BuildClientURL("v3", "register"), &mautrix.ReqRegister[any]{
		Username: mxid.Localpart(), Type: mautrix.AuthTypeAppservice, InhibitLogin: true,
	}, nil)
	if err != nil && !errors.Is(err, mautrix.MUserInUse) {
		return fmt.Errorf("register %s: %w", mxid, err)
	}
	g, err := b.as.client(mxid)
	if err != nil {
		return err
	}
	if err = g.SetDisplayName(ctx, name); err != nil {
		return fmt.Errorf("displayname of %s: %w", mxid, err)
	}
	up, err := g.UploadBytes(ctx, avatarJPEG(seedID), "image/jpeg")
	if err != nil {
		return fmt.Errorf("avatar of %s: %w", mxid, err)
	}
	if err = g.SetAvatarURL(ctx, up.ContentURI); err != nil {
		return fmt.Errorf("avatar of %s: %w", mxid, err)
	}
	b.registered[seedID] = true
	b.avatars[seedID] = up.ContentURI.CUString()
	return nil
}

// create creates one chat's room with its members and returns it.
func (b *baselineCreator) create(ctx context.Context, c *creationChat) (id.RoomID, error) {
	bot, err := b.as.client(b.bot)
	if err != nil {
		return "", err
	}
	var roomAvatar id.ContentURIString
	if c.group {
		up, err := bot.UploadBytes(ctx, avatarJPEG(c.id), "image/jpeg")
		if err != nil {
			return "", fmt.Errorf("room avatar: %w", err)
		}
		roomAvatar = up.ContentURI.CUString()
	}
	bridgeKey := "net.wxbridge://wechat/" + c.id
	bridgeInfo := map[string]any{
		"bridgebot": b.bot,
		"creator":   b.bot,
		"protocol":  map[string]any{"id": "wechat", "displayname": "WeChat", "external_url": "https://wx.qq.com"},
		"channel":   map[string]any{"id": c.id, "displayname": c.name},
		"bridge":    "wxbridge",
	}
	features := map[string]any{
		"formatting":      map[string]int{"strong": 1, "emphasis": 1, "strikethrough": 1, "inline_code": 1, "code_block": 1, "blockquote": 1, "ordered_list": 1, "unordered_list": 1, "user_link": 2},
		"file":            map[string]any{"m.image": map[string]any{"mime_types": map[string]int{"image/jpeg": 2, "image/png": 2, "image/gif": 2}, "max_size": 25 << 20}},
		"max_text_length": 16384,
		"reply":           2,
		"delete":          2,
		"delete_max_age":  120,
	}
	req := &mautrix.ReqCreateRoom{
		Visibility:      "private",
		Preset:          "private_chat",
		IsDirect:        !c.group,
		CreationContent: map[string]any{},
		PowerLevelOverride: &event.PowerLevelsEventContent{
			Events: map[string]int{event.StateTombstone.Type: 100, event.StateServerACL.Type: 100, event.StateEncryption.Type: 100},
			Users:  map[id.UserID]int{b.bot: 9001, b.user: 50},
		},
		InitialState: []*event.Event{
			{Type: event.StateElementFunctionalMembers, Content: event.Content{Raw: map[string]any{"service_members": []id.UserID{b.bot}}}},
			{Type: event.StateHalfShotBridge, StateKey: &bridgeKey, Content: event.Content{Raw: bridgeInfo}},
			{Type: event.StateBridge, StateKey: &bridgeKey, Content: event.Content{Raw: bridgeInfo}},
			{Type: event.StateBeeperRoomFeatures, StateKey: &bridgeKey, Content: event.Content{Raw: features}},
			{Type: event.StateTopic, StateKey: new(string), Content: event.Content{Raw: map[string]any{"topic": "", "com.beeper.exclude_from_timeline": true}}},
		},
	}
	if c.group {
		req.InitialState = append(req.InitialState,
			&event.Event{Type: event.StateRoomName, StateKey: new(string), Content: event.Content{Raw: map[string]any{"name": c.name, "com.beeper.exclude_from_timeline": true}}},
			&event.Event{Type: event.StateRoomAvatar, StateKey: new(string), Content: event.Content{Raw: map[string]any{"url": roomAvatar, "com.beeper.exclude_from_timeline": true}}},
		)
	}
	resp, err := bot.CreateRoom(ctx, req)
	if err != nil {
		return "", fmt.Errorf("createRoom: %w", err)
	}
	room := resp.RoomID
	if _, err = bot.SendStateEvent(ctx, room, event.StateMember, b.user.String(), &event.MemberEventContent{Membership: event.MembershipInvite}); err != nil {
		return room, fmt.Errorf("inviting the user: %w", err)
	}
	for _, m := range c.members {
		if err = b.ensureGhost(ctx, m.id, m.name); err != nil {
			return room, err
		}
		ghost := b.ghost(m.id)
		invite := event.Content{Raw: map[string]any{
			"membership": "invite", "displayname": m.name, "avatar_url": b.avatars[m.id], "fi.mau.will_auto_accept": true,
		}}
		if _, err = bot.SendStateEvent(ctx, room, event.StateMember, ghost.String(), &invite); err != nil {
			return room, fmt.Errorf("inviting %s: %w", ghost, err)
		}
		g, err := b.as.client(ghost)
		if err != nil {
			return room, err
		}
		join := event.Content{Raw: map[string]any{"membership": "join", "displayname": m.name, "avatar_url": b.avatars[m.id]}}
		if _, err = g.SendStateEvent(ctx, room, event.StateMember, ghost.String(), &join); err != nil {
			return room, fmt.Errorf("joining %s: %w", ghost, err)
		}
	}
	return room, nil
}

// avatarJPEG is a 96×96 JPEG of one colour derived from seed, the kind of
// picture the simulator serves as an avatar (so about the same size).
func avatarJPEG(seed string) []byte {
	sum := md5.Sum([]byte("avatar/" + seed))
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	c := color.RGBA{R: sum[0], G: sum[1], B: sum[2], A: 255}
	for y := range 96 {
		for x := range 96 {
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}) // writing to memory cannot fail
	return buf.Bytes()
}
