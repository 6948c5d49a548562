package bridge

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// A group created with `create-group` gets the room the command ran in as
// its portal, as mautrix-whatsapp and mautrix-signal do: the user keeps the
// room they made, now bridged, with the group's name and members.

// adoptRoom makes roomID the portal's room and brings it up to date with
// info (name, members) in the background. groupCreations keeps bridgev2
// from making a room for the portal first; should one exist all the same,
// it is tombstoned and its ghosts and the bot leave it. A room that is
// already a portal is not taken (bridgev2's command refuses those first).
func (c *WeChatClient) adoptRoom(ctx context.Context, portal *bridgev2.Portal, roomID id.RoomID, info *bridgev2.ChatInfo) error {
	err := portal.UpdateMatrixRoomID(ctx, roomID, bridgev2.UpdateMatrixRoomIDParams{
		TombstoneOldRoom: true,
		DeleteOldRoom:    true,
		ChatInfo:         info,
		ChatInfoSource:   c.login,
	})
	if err != nil {
		return fmt.Errorf("making %s the group's room: %w", roomID, err)
	}
	return nil
}

// botPowerNeeded is what the bot must be able to do in a room it runs as a
// group's portal: name it, invite and remove members' ghosts, and set the
// bridge's state and members' power levels.
var botPowerNeeded = []event.Type{event.StateRoomName, event.StateRoomAvatar, event.StatePowerLevels, event.StateBridge, event.StateHalfShotBridge}

// checkBotPower says, before WeChat is asked for a group, whether the bot
// can run roomID as its portal. If it has the power already, grant is nil.
// If not, but the user's double puppet can give it (as bridgev2 has a
// ghost give it in a room made for a ghost's DM), grant gives it: called
// once WeChat has created the group, so a refusal leaves the room as it
// was. Otherwise the error says exactly what the user must grant.
func (c *WeChatClient) checkBotPower(ctx context.Context, roomID id.RoomID) (grant func(context.Context) error, err error) {
	pl, err := c.conn.Bridge.Matrix.GetPowerLevels(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("reading the room's power levels: %w", err)
	}
	need := botPowerNeed(pl)
	bot := c.conn.Bridge.Bot.GetMXID()
	have := pl.GetUserLevel(bot)
	if have >= need {
		return nil, nil
	}
	user := c.login.User
	if puppet := user.DoublePuppet(ctx); puppet != nil && pl.GetUserLevel(user.MXID) >= need {
		return func(ctx context.Context) error {
			pl, err := c.conn.Bridge.Matrix.GetPowerLevels(ctx, roomID)
			if err != nil {
				return fmt.Errorf("reading the room's power levels: %w", err)
			}
			pl.SetUserLevel(bot, max(pl.GetUserLevel(bot), botPowerNeed(pl)))
			if _, err = puppet.SendState(ctx, roomID, event.StatePowerLevels, "", &event.Content{Parsed: pl}, time.Time{}); err != nil {
				return fmt.Errorf("giving the bot power with your double puppet: %w", err)
			}
			zerolog.Ctx(ctx).Info().Int("bot_level", pl.GetUserLevel(bot)).Msg("Gave the bot power in the room with the user's double puppet")
			return nil
		}, nil
	}
	zerolog.Ctx(ctx).Info().Int("bot_level", have).Int("needed", need).Msg("The bot lacks power to run the room as the group's portal")
	return nil, bridgev2.RespError(mautrix.MForbidden.WithMessage(
		"the bridge bot (%s) has power level %d in this room and needs %d to run it as the WeChat group's room (to name it and invite and remove members), so no group was created. "+
			"Give it power level %d (room settings, Roles & Permissions), then run create-group again.", bot, have, need, need).
		WithStatus(http.StatusForbidden))
}

// botPowerNeed is the power level the bot needs in a room with these
// levels (see botPowerNeeded).
func botPowerNeed(pl *event.PowerLevelsEventContent) int {
	need := max(pl.Invite(), pl.Kick())
	for _, t := range botPowerNeeded {
		need = max(need, pl.GetEventLevel(t))
	}
	return need
}

// creationHold holds group messages back while a group is being created, so
// that the new group's first message (the phone's notice that arrives with
// the group) does not make bridgev2 create a room for it before CreateGroup
// has given it the user's room. The zero value holds nothing.
type creationHold struct {
	mu   sync.Mutex
	n    int
	done chan struct{}
}

// begin starts holding; the returned func ends it (once per begin).
func (h *creationHold) begin() (end func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		h.done = make(chan struct{})
	}
	h.n++
	return sync.OnceFunc(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n--
		if h.n == 0 {
			close(h.done)
		}
	})
}

// wait returns once no creation is under way, or when ctx ends.
func (h *creationHold) wait(ctx context.Context) error {
	h.mu.Lock()
	done := h.done
	held := h.n > 0
	h.mu.Unlock()
	if !held {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
