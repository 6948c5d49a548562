package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestTwoUsers: two Matrix users log in to two WeChat accounts on one
// bridge; each sees only their own portals and messages.
func TestTwoUsers(t *testing.T) {
	const second, secondNick = "second", "Second"
	e := setup(t, stack.Options{
		Users: []stack.Account{{Localpart: second}},
		Sims:  []wechattest.Config{{}, {Seed: stack.SeedWithUin(1234567890, secondNick)}},
	})
	simA, simB := e.s.Sims.Servers[0], e.s.Sims.Servers[1]
	require.NotEqual(t, simA.SelfUin(), simB.SelfUin())
	userB, err := e.s.Login(e.ctx, second)
	require.NoError(t, err)

	e.login(e.u, simA, defaultSelf)
	e.s.Sims.SetLoginTarget(simB)
	e.login(userB, simB, secondNick)

	familyA := e.waitPortal(e.u, "Family", seedName("bob"))
	familyB := e.waitPortal(userB, "Family", seedName("bob"))
	aliceA := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	aliceB := e.waitPortal(userB, seedName("alice"), seedName("alice"))
	assert.NotEqual(t, familyA.ID, familyB.ID, "each login has its own group portal")
	assert.NotEqual(t, aliceA.ID, aliceB.ID)

	simB.InjectText("alice", "", "for the second user")
	e.waitMessage(userB, aliceB.ID, aliceB.ghosts[seedName("alice")], "for the second user")
	simA.InjectText("alice", "", "for the first user")
	e.waitMessage(e.u, aliceA.ID, aliceA.ghosts[seedName("alice")], "for the first user")
	assert.Zero(t, countAnySender(e, aliceA.ID, "for the second user"), "the first user does not get the second's messages")

	for _, c := range []struct {
		owner, other *stack.User
	}{{e.u, userB}, {userB, e.u}} {
		rooms, err := c.owner.Rooms(e.ctx)
		require.NoError(t, err)
		for _, ri := range rooms {
			if ri.ID == c.owner.ManagementRoom {
				continue
			}
			assert.False(t, ri.Has(c.other.ID), "%s is not in %s's room %s", c.other.ID, c.owner.ID, ri)
		}
	}
}
