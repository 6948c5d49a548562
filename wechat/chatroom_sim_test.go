package wechat_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestRenameGroup: modtopic renames the group on the server, and the
// change comes back in the sync as the group's new record and the system
// message the phone shows.
func TestRenameGroup(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	group := sim.UserName("family")

	require.Error(t, c.RenameGroup(testCtx(t), group, ""), "an empty name is refused before any call")
	require.NoError(t, c.RenameGroup(testCtx(t), group, "Family 2027"))
	assert.Equal(t, []wechattest.ChatRoomUpdate{{Fun: "modtopic", GroupID: "family", Topic: "Family 2027"}}, sim.ChatRoomUpdates())
	rec.waitFor(t, "the renamed group and the rename notice", func() bool {
		var renamed, notice bool
		for _, b := range rec.batches() {
			for _, ct := range b.ModContacts {
				renamed = renamed || (ct.UserName == group && ct.NickName == "Family 2027")
			}
		}
		for _, m := range rec.messages() {
			if s, ok := m.Content.(*wechat.System); ok && m.Chat == group {
				notice = notice || (s.Kind == wechat.SystemRename && s.NewName == "Family 2027")
			}
		}
		return renamed && notice
	})
	assert.Empty(t, sim.Violations())
}

// TestGroupMembers: removing and adding members, WeChat's refusals (not
// the owner, not a friend) as errors with Ret -2, and the switch from
// addmember to invitemember at InviteStartCount.
func TestGroupMembers(t *testing.T) {
	sim := newSim(t)
	big := []string{wechattest.SelfID}
	for i := range 45 {
		big = append(big, fmt.Sprintf("member%d", i))
	}
	sim.AddContact(wechattest.SeedContact{ID: "club", NickName: "Club", Group: true, SavedToContacts: true, Members: big})
	sim.AddContact(wechattest.SeedContact{ID: "carols", NickName: "Carol's", Group: true, SavedToContacts: true,
		Owner: "carol", Members: []string{"carol", wechattest.SelfID, "frank"}})
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, init := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	require.Equal(t, 40, init.InviteStartCount)
	require.Equal(t, 40, c.InviteStartCount())
	name := sim.UserName

	tests := []struct {
		name    string
		call    func() (string, error)
		fun     string // fun used, for AddMembers
		refused bool
		want    wechattest.ChatRoomUpdate
	}{
		{"remove as owner", func() (string, error) {
			return "", c.RemoveMembers(testCtx(t), name("family"), []string{name("erin")})
		}, "", false, wechattest.ChatRoomUpdate{Fun: "delmember", GroupID: "family", Members: []string{"erin"}}},
		{"remove as a member", func() (string, error) {
			return "", c.RemoveMembers(testCtx(t), name("carols"), []string{name("frank")})
		}, "", true, wechattest.ChatRoomUpdate{}},
		{"add a friend to a small group", func() (string, error) {
			return c.AddMembers(testCtx(t), name("family"), []string{name("carol")}, 4)
		}, "addmember", false, wechattest.ChatRoomUpdate{Fun: "addmember", GroupID: "family", Members: []string{"carol"}}},
		{"add to a group of 40 or more", func() (string, error) {
			return c.AddMembers(testCtx(t), name("club"), []string{name("alice")}, len(big))
		}, "invitemember", false, wechattest.ChatRoomUpdate{Fun: "invitemember", GroupID: "club", Members: []string{"alice"}}},
		{"add someone who is not a friend", func() (string, error) {
			return c.AddMembers(testCtx(t), name("project"), []string{name("erin")}, 3)
		}, "addmember", true, wechattest.ChatRoomUpdate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(sim.ChatRoomUpdates())
			fun, err := tt.call()
			assert.Equal(t, tt.fun, fun)
			after := sim.ChatRoomUpdates()
			if tt.refused {
				var re *wechat.RetError
				require.True(t, errors.As(err, &re), "a RetError: %v", err)
				assert.Equal(t, -2, re.Ret)
				assert.Len(t, after, before, "nothing changed")
				return
			}
			require.NoError(t, err)
			require.Len(t, after, before+1)
			assert.Equal(t, tt.want, after[before])
		})
	}
	assert.Len(t, sim.ChatRoomRefusals(), 2)
	assert.Empty(t, sim.Violations())
}
