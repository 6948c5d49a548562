package wechat_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestCreateChatroom: webwxcreatechatroom as WeChat answers it. Allowed,
// the group's ChatRoomName comes back and the group arrives in the sync
// (its record and the phone's "你邀请…加入了群聊"); WeChat's refusals
// (the 2018 closing, "too frequent", not a friend) are a
// *CreateChatroomError that matches ErrGroupCreateRefused, and network
// trouble does not.
func TestCreateChatroom(t *testing.T) {
	tests := []struct {
		name         string
		mode         wechattest.GroupCreation
		fault        wechattest.Fault
		members      []string
		wantCreated  bool // the server made the group (it arrives in the sync)
		wantRefused  bool // errors.Is ErrGroupCreateRefused
		wantFrequent bool // errors.Is ErrTooFrequent
		wantMaybe    bool // MaybeCreated
		wantRet      int
	}{
		{name: "allowed", mode: wechattest.GroupCreationAllowed, members: []string{"alice", "bob"}, wantCreated: true},
		{name: "refused since 2018", mode: wechattest.GroupCreationRefused, members: []string{"alice", "bob"},
			wantRefused: true, wantMaybe: true},
		{name: "refused but created", mode: wechattest.GroupCreationCreatedAnyway, members: []string{"alice", "bob"},
			wantCreated: true, wantRefused: true, wantMaybe: true},
		{name: "too frequent", mode: wechattest.GroupCreationTooFrequent, members: []string{"alice", "bob"},
			wantRefused: true, wantFrequent: true, wantRet: 1},
		{name: "not a friend", mode: wechattest.GroupCreationAllowed, members: []string{"alice", "erin"},
			wantRefused: true, wantRet: -2},
		{name: "server error", mode: wechattest.GroupCreationAllowed, fault: wechattest.FaultHTTP500, members: []string{"alice", "bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, func(c *wechattest.Config) { c.GroupCreation = tt.mode })
			cfg := testConfig(sim, wechat.ModeDesktop)
			rec := newRecorder()
			c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
			if tt.fault != 0 {
				sim.FailNext("webwxcreatechatroom", 1, tt.fault)
			}
			var users []string
			for _, m := range tt.members {
				users = append(users, sim.UserName(m))
			}
			group, err := c.CreateChatroom(testCtx(t), "Hike", users)
			var ce *wechat.CreateChatroomError
			switch {
			case tt.fault != 0:
				require.Error(t, err)
				assert.False(t, errors.As(err, &ce), "network trouble is not a refusal: %v", err)
			case tt.wantRefused:
				require.ErrorIs(t, err, wechat.ErrGroupCreateRefused)
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.wantRet, ce.Ret)
				assert.Equal(t, tt.wantMaybe, ce.MaybeCreated)
				assert.Equal(t, tt.wantFrequent, errors.Is(err, wechat.ErrTooFrequent))
				assert.Empty(t, group)
			default:
				require.NoError(t, err)
				assert.Regexp(t, `^@@`, group)
			}
			created := sim.CreatedChatRooms()
			if tt.wantCreated {
				require.Len(t, created, 1)
				assert.Equal(t, tt.members, created[0].Members)
				assert.Equal(t, "Hike", created[0].Topic)
				newGroup := sim.UserName(created[0].GroupID)
				if group != "" {
					assert.Equal(t, newGroup, group, "the answer's ChatRoomName is the group's")
				}
				rec.waitFor(t, "the new group and the phone's notice", func() bool {
					var record, notice bool
					for _, b := range rec.batches() {
						for _, ct := range b.ModContacts {
							record = record || (ct.UserName == newGroup && ct.NickName == "Hike" && len(ct.MemberList) == 3)
						}
					}
					for _, m := range rec.messages() {
						if s, ok := m.Content.(*wechat.System); ok && m.Chat == newGroup {
							notice = notice || s.Kind == wechat.SystemJoin
						}
					}
					return record && notice
				})
			} else {
				for _, cr := range created {
					assert.Empty(t, cr.GroupID, "no group was made")
				}
			}
			assert.Empty(t, sim.Violations())
		})
	}
}

// TestCreateChatroomNeedsTwo: fewer than two other members is refused
// before any call.
func TestCreateChatroomNeedsTwo(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.GroupCreation = wechattest.GroupCreationAllowed })
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	_, err := c.CreateChatroom(testCtx(t), "Pair", []string{sim.UserName("alice")})
	require.Error(t, err)
	assert.NotErrorIs(t, err, wechat.ErrGroupCreateRefused)
	assert.Empty(t, sim.Requests("webwxcreatechatroom"))
}

// TestCreateChatroomPaced: a second creation soon after the first, or
// after WeChat said "too frequent", is refused by the client with the time
// left and never reaches WeChat; with pacing off both go out.
func TestCreateChatroomPaced(t *testing.T) {
	tests := []struct {
		name         string
		mode         wechattest.GroupCreation
		interval     time.Duration
		wantRequests int
		wantPaced    bool
		wantWaitMin  time.Duration
	}{
		{name: "again at once", mode: wechattest.GroupCreationAllowed, wantRequests: 1, wantPaced: true, wantWaitMin: 19 * time.Minute},
		{name: "after too frequent", mode: wechattest.GroupCreationTooFrequent, wantRequests: 1, wantPaced: true, wantWaitMin: 59 * time.Minute},
		{name: "pacing off", mode: wechattest.GroupCreationAllowed, interval: -1, wantRequests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, func(c *wechattest.Config) { c.GroupCreation = tt.mode })
			cfg := testConfig(sim, wechat.ModeDesktop)
			cfg.GroupCreateInterval = tt.interval
			c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
			users := []string{sim.UserName("alice"), sim.UserName("bob")}
			_, _ = c.CreateChatroom(testCtx(t), "First", users)
			_, err := c.CreateChatroom(testCtx(t), "Second", users)
			var pe *wechat.CreatePacedError
			if tt.wantPaced {
				require.ErrorAs(t, err, &pe)
				assert.ErrorIs(t, err, wechat.ErrTooFrequent, "the same advice as WeChat's own answer")
				assert.NotErrorIs(t, err, wechat.ErrGroupCreateRefused, "WeChat was not asked")
				assert.Greater(t, pe.Wait, tt.wantWaitMin)
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, sim.Requests("webwxcreatechatroom"), tt.wantRequests)
		})
	}
}
