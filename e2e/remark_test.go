package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestRemark: `remark <name>` in a friend's DM sets the friend's remark
// name on WeChat (webwxoplog CmdId 2), and the ghost's name follows once
// WeChat echoes the contact (displayname_template prefers the remark);
// `remark` alone clears it and the ghost falls back to the nickname. A
// refusal from WeChat and a group portal get a sentence and change nothing.
func TestRemark(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{})
	require.Equal(t, "Alice Work", seedName("alice"), "the seed's remark for alice")
	// The family group, which alice is in, is built at login too: its
	// member list carries alice's name as it was then. Wait for it, so that
	// what follows sees only what the remark changes.
	e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))

	t.Run("WeChat refuses", func(t *testing.T) {
		e := e.sub(t)
		e.s.Sim.FailNext("webwxoplog", 1, wechattest.FaultTooFrequent)
		cmd := e.command(e.u, alice.ID, "!wx remark Ally")
		e.botReply(e.u, alice.ID, cmd, "WeChat did not take the remark name for Alice (too many requests in a short time). Nothing changed")
		assert.Empty(t, e.s.Sim.OpLogs())
		name, err := e.u.ProfileName(e.ctx, aliceGhost)
		require.NoError(t, err)
		assert.Equal(t, "Alice Work", name)
	})

	cmd := e.command(e.u, alice.ID, "!wx remark Ally")
	e.botReply(e.u, alice.ID, cmd, `WeChat accepted the remark name "Ally" for Alice.`)
	op := lastOpLog(t, e.s.Sim)
	assert.Equal(t, 2, op.CmdId)
	assert.Equal(t, "Ally", op.RemarkName)
	assert.Equal(t, e.s.Sim.UserName("alice"), op.UserName)
	e.waitGhostName(aliceGhost, "Ally")

	// The name changes once: a later message from alice does not bring
	// the old remark back.
	e.s.Sim.InjectText("alice", "", "after the remark")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the remark")
	assert.Equal(t, []string{"Ally"}, e.ghostNameChanges(alice.ID, aliceGhost, cmd))

	cmd = e.command(e.u, alice.ID, "!wx remark")
	e.botReply(e.u, alice.ID, cmd, "WeChat accepted clearing the remark name of Alice.")
	op = lastOpLog(t, e.s.Sim)
	assert.Equal(t, 2, op.CmdId)
	assert.Empty(t, op.RemarkName)
	e.waitGhostName(aliceGhost, "Alice")

	t.Run("not a friend's chat", func(t *testing.T) {
		e := e.sub(t)
		family := e.waitPortal(e.u, seedName("family"))
		before := len(e.s.Sim.OpLogs())
		cmd := e.command(e.u, family.ID, "!wx remark Folks")
		e.botReply(e.u, family.ID, cmd, "Remark names are for WeChat friends, and this chat is not with a friend.")
		assert.Len(t, e.s.Sim.OpLogs(), before)
	})
	t.Run("management room", func(t *testing.T) {
		e := e.sub(t)
		room := e.managementRoom(e.u)
		cmd := e.command(e.u, room, "remark Ally")
		e.botReply(e.u, room, cmd, "in the room of a WeChat friend's chat")
		cmd = e.command(e.u, room, "remark nobody = Ally")
		e.botReply(e.u, room, cmd, `No WeChat friend is called "nobody".`)
		before := len(e.s.Sim.OpLogs())
		cmd = e.command(e.u, room, "remark carol_wx = Caz")
		e.botReply(e.u, room, cmd, `WeChat accepted the remark name "Caz" for Carol.`)
		require.Len(t, e.s.Sim.OpLogs(), before+1)
		op := lastOpLog(t, e.s.Sim)
		assert.Equal(t, e.s.Sim.UserName("carol"), op.UserName)
		assert.Equal(t, "Caz", op.RemarkName)
	})
	assert.Empty(t, e.s.Sim.Violations())
}

// opLog is the part of a webwxoplog body the tests check.
type opLog struct {
	CmdId      int
	OP         *int
	RemarkName string
	UserName   string
}

// lastOpLog decodes the newest webwxoplog call the simulator took.
func lastOpLog(t *testing.T, sim *wechattest.Server) opLog {
	t.Helper()
	logs := sim.OpLogs()
	require.NotEmpty(t, logs, "a webwxoplog call")
	var op opLog
	require.NoError(t, json.Unmarshal(logs[len(logs)-1], &op))
	return op
}

// waitGhostName waits until a ghost's global display name is name.
func (e *env) waitGhostName(ghost id.UserID, name string) {
	e.t.Helper()
	e.waitUntil(fmt.Sprintf("%s to be named %q", ghost, name), func(ctx context.Context) (bool, error) {
		got, err := e.u.ProfileName(ctx, ghost)
		if err != nil {
			return false, err
		}
		return got == name, fmt.Errorf("it is named %q", got)
	})
}

// ghostNameChanges lists the display names a ghost's member events in a
// room set after the event after, in order, leaving out repeats.
func (e *env) ghostNameChanges(room id.RoomID, ghost id.UserID, after id.EventID) []string {
	e.t.Helper()
	// Give a stray rename back time to arrive.
	time.Sleep(time.Second)
	events, err := e.u.Events(e.ctx, room)
	require.NoError(e.t, err)
	var names []string
	for _, evt := range stack.After(events, after) {
		if evt.Type != event.StateMember || evt.GetStateKey() != ghost.String() {
			continue
		}
		name := evt.Content.AsMember().Displayname
		if len(names) == 0 || names[len(names)-1] != name {
			names = append(names, name)
		}
	}
	return names
}

// TestPinnedChat: a chat pinned on the phone gets Matrix's favourite tag
// in the user's account (double puppeting) when its portal is created, and
// one that is not pinned does not. Tagging a portal as favourite in Matrix
// pins the chat on WeChat and untagging unpins it (webwxoplog CmdId 3),
// with the contact's current remark name, so the remark survives. Dendrite
// pushes no tags to appservices: the test pushes them as a homeserver that
// does would.
func TestPinnedChat(t *testing.T) {
	e := setup(t, stack.Options{DoublePuppet: true})
	e.s.Sim.UpdateContactQuietly("alice", func(c *wechattest.SeedContact) { c.Pinned = true })
	e.login(e.u, e.s.Sim, defaultSelf)
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	family := e.waitPortal(e.u, seedName("family"))

	e.waitUntil("alice's chat to be a favourite", func(ctx context.Context) (bool, error) {
		tags, err := e.u.Client.GetTags(ctx, alice.ID)
		if err != nil {
			return false, err
		}
		_, fav := tags.Tags[event.RoomTagFavourite]
		return fav, fmt.Errorf("its tags are %v", tags.Tags)
	})
	tags, err := e.u.Client.GetTags(e.ctx, family.ID)
	require.NoError(t, err)
	assert.NotContains(t, tags.Tags, event.RoomTagFavourite, "the family group is not pinned")
	assert.Empty(t, e.s.Sim.OpLogs(), "a pin from the phone is not sent back")

	pushTags := func(room id.RoomID, tags map[event.RoomTag]event.TagMetadata) {
		e.pushEphemeral(t, &event.Event{
			Type:    event.Type{Type: event.AccountDataRoomTags.Type},
			RoomID:  room,
			Sender:  e.u.ID,
			Content: event.Content{Parsed: &event.TagEventContent{Tags: tags}},
		})
	}
	waitOpLogs := func(n int) opLog {
		e.waitUntil(fmt.Sprintf("%d webwxoplog calls", n), func(context.Context) (bool, error) {
			return len(e.s.Sim.OpLogs()) >= n, fmt.Errorf("%d so far", len(e.s.Sim.OpLogs()))
		})
		return lastOpLog(t, e.s.Sim)
	}

	pushTags(family.ID, map[event.RoomTag]event.TagMetadata{event.RoomTagFavourite: {}})
	op := waitOpLogs(1)
	assert.Equal(t, 3, op.CmdId)
	if assert.NotNil(t, op.OP) {
		assert.Equal(t, 1, *op.OP, "pin")
	}
	assert.Equal(t, e.s.Sim.UserName("family"), op.UserName)

	pushTags(alice.ID, map[event.RoomTag]event.TagMetadata{"u.work": {}})
	op = waitOpLogs(2)
	assert.Equal(t, 3, op.CmdId)
	if assert.NotNil(t, op.OP) {
		assert.Equal(t, 0, *op.OP, "unpin")
	}
	assert.Equal(t, e.s.Sim.UserName("alice"), op.UserName)
	assert.Equal(t, "Alice Work", op.RemarkName, "the current remark goes with the pin, or WeChat clears it")

	// WeChat's echo of the unpin keeps alice's remark, so her name stays.
	e.s.Sim.InjectText("alice", "", "after the unpin")
	e.waitMessage(e.u, alice.ID, alice.ghosts[seedName("alice")], "after the unpin")
	name, err := e.u.ProfileName(e.ctx, alice.ghosts[seedName("alice")])
	require.NoError(t, err)
	assert.Equal(t, "Alice Work", name)

	// A tag change that leaves the favourite as it is sends nothing.
	pushTags(family.ID, map[event.RoomTag]event.TagMetadata{event.RoomTagFavourite: {}, "u.family": {}})
	e.s.Sim.InjectText("alice", "", "after the second tag")
	e.waitMessage(e.u, alice.ID, alice.ghosts[seedName("alice")], "after the second tag")
	assert.Len(t, e.s.Sim.OpLogs(), 2)

	// WeChat refuses: the user reads why in the room.
	e.s.Sim.FailNext("webwxoplog", 1, wechattest.FaultTooFrequent)
	pushTags(alice.ID, map[event.RoomTag]event.TagMetadata{event.RoomTagFavourite: {}})
	_, err = e.u.WaitEvent(e.ctx, alice.ID, "the notice of the refused pin",
		stack.Text(e.s.Bridge.Bot, "WeChat did not pin this chat (too many requests in a short time)."))
	require.NoError(t, err)
	assert.Len(t, e.s.Sim.OpLogs(), 2, "the refused pin changed nothing on WeChat")
	assert.Empty(t, e.s.Sim.Violations())
}

// TestPinFollows: with bridge.tag_only_on_create off, pinning a chat on
// the phone later makes its room a favourite, and unpinning it takes the
// favourite away.
func TestPinFollows(t *testing.T) {
	e, alice, _ := setupWithAlice(t, stack.Options{DoublePuppet: true, Config: map[string]any{"bridge.tag_only_on_create": false}})
	isFavourite := func(want bool) func(ctx context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			tags, err := e.u.Client.GetTags(ctx, alice.ID)
			if err != nil {
				return false, err
			}
			_, fav := tags.Tags[event.RoomTagFavourite]
			return fav == want, fmt.Errorf("its tags are %v", tags.Tags)
		}
	}
	notFav, err := isFavourite(false)(e.ctx)
	require.True(t, notFav, "not pinned yet: %v", err)
	e.s.Sim.UpdateContact("alice", func(c *wechattest.SeedContact) { c.Pinned = true })
	e.waitUntil("alice's chat to become a favourite", isFavourite(true))
	e.s.Sim.UpdateContact("alice", func(c *wechattest.SeedContact) { c.Pinned = false })
	e.waitUntil("alice's chat to stop being a favourite", isFavourite(false))
	assert.Empty(t, e.s.Sim.OpLogs(), "the phone's pins are not sent back")
	assert.Empty(t, e.s.Sim.Violations())
}
