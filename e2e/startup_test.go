package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestStartupLikeOfficialClient: after a login the bridge starts the
// session as the official client does: one webwxinit and one "inited"
// status notify, groups fetched with their member lists, and the members
// who are not friends fetched through their group only when their portal is
// built, one webwxbatchgetcontact call a second at most. After a restart
// during which the address book fails twice, webwxinit runs once more,
// not once per failed attempt.
func TestStartupLikeOfficialClient(t *testing.T) {
	e, _, _ := setupWithAlice(t, stack.Options{})
	// erin is in Family but not a friend: her ghost needs her record.
	family := e.waitPortal(e.u, "Family", seedName("bob"), seedName("erin"))
	require.Contains(t, family.ghosts, seedName("erin"))

	sim := e.s.Sim
	// A member who is not a friend shows no avatar until they write; a
	// friend's is there from the start.
	erin, bob := family.ghosts[seedName("erin")], family.ghosts[seedName("bob")]
	profile, err := e.u.Profile(e.ctx, bob)
	require.NoError(t, err)
	assert.NotEmpty(t, profile.AvatarURL, "a friend's ghost has an avatar at once")
	profile, err = e.u.Profile(e.ctx, erin)
	require.NoError(t, err)
	assert.Empty(t, profile.AvatarURL, "no avatar fetched for a member who is not a friend before they write")
	sim.InjectText("family", "erin", "hello from erin")
	e.waitMessage(e.u, family.ID, erin, "hello from erin")
	e.waitUntil("erin's ghost has an avatar", func(ctx context.Context) (bool, error) {
		p, err := e.u.Profile(ctx, erin)
		return err == nil && !p.AvatarURL.IsEmpty(), err
	})

	assert.Equal(t, 1, len(sim.Requests("webwxinit")), "one webwxinit after a login")
	assert.Equal(t, 1, countBodies(sim.Requests("webwxstatusnotify"), `"Code":3`), "one inited notify after a login")
	assertPaced(t, sim.Requests("webwxbatchgetcontact"), time.Second)
	var throughGroup int
	for _, r := range sim.Requests("webwxbatchgetcontact") {
		if strings.Contains(string(r.Body), `"EncryChatRoomId":"@@`) {
			throughGroup++
		}
	}
	assert.Positive(t, throughGroup, "members who are not friends are fetched through their group")

	inits := len(sim.Requests("webwxinit"))
	require.NoError(t, e.s.Bridge.Stop())
	sim.FailNext("webwxgetcontact", 2, wechattest.FaultHTTP500)
	require.NoError(t, e.s.Bridge.Start(e.ctx))
	sim.InjectText("family", "erin", "after the restart")
	e.waitMessage(e.u, family.ID, family.ghosts[seedName("erin")], "after the restart")
	assert.Equal(t, inits+1, len(sim.Requests("webwxinit")), "a failed contact fetch does not run webwxinit again")
	assertPaced(t, sim.Requests("webwxbatchgetcontact"), time.Second)
}

// countBodies counts the requests whose body contains substr.
func countBodies(reqs []wechattest.Request, substr string) int {
	n := 0
	for _, r := range reqs {
		if strings.Contains(string(r.Body), substr) {
			n++
		}
	}
	return n
}

// assertPaced checks that requests arrived at least about interval apart
// (the server clock's resolution and scheduling allow a little less).
func assertPaced(t *testing.T, reqs []wechattest.Request, interval time.Duration) {
	t.Helper()
	for i := 1; i < len(reqs); i++ {
		gap := reqs[i].Time.Sub(reqs[i-1].Time)
		assert.GreaterOrEqual(t, gap, interval*9/10, "request %d came %v after the one before", i, gap)
	}
}

// TestStartupGroupFetchFails: when the start-up's group call fails, the
// rest of the account comes up at once and the groups follow, fetched again
// in the background, instead of the whole start-up running again.
func TestStartupGroupFetchFails(t *testing.T) {
	e := setup(t, stack.Options{})
	e.s.Sim.FailNext("webwxbatchgetcontact", 1, wechattest.FaultHTTP500)
	e.login(e.u, e.s.Sim, defaultSelf)
	e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	e.waitPortal(e.u, "Family", seedName("bob"), seedName("erin"))
	assert.Equal(t, 1, len(e.s.Sim.Requests("webwxinit")), "the failed group call did not restart the start-up")
}
