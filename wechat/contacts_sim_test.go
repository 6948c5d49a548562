package wechat_test

import (
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestInitAndRoster(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) { c.ContactPageSize = 2 })
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, init := startClient(t, login(t, sim, cfg), cfg, rec)

	assert.Equal(t, sim.UserName("self"), init.Self.UserName)
	assert.Equal(t, sim.SelfUin(), c.Uin())
	assert.Contains(t, init.ChatSet, sim.UserName("project"), "unsaved groups are only known from the ChatSet")

	notifies := sim.StatusNotifies()
	require.NotEmpty(t, notifies)
	assert.Equal(t, wechat.StatusNotifyInited, notifies[0].Code)
	assert.Equal(t, sim.UserName("self"), notifies[0].ToUserName)

	roster, err := c.LoadRoster(testCtx(t), init)
	require.NoError(t, err)
	assert.Greater(t, len(sim.Requests("webwxgetcontact")), 1, "the address book is paged")

	kinds := map[string]wechat.ContactKind{
		"alice": wechat.KindFriend, "bob": wechat.KindFriend, "carol": wechat.KindFriend, "dave": wechat.KindFriend,
		"news": wechat.KindOfficial, "family": wechat.KindGroup, "project": wechat.KindGroup,
	}
	for id, kind := range kinds {
		ct := roster.Find(sim.UserName(id))
		if assert.NotNil(t, ct, id) {
			assert.Equal(t, kind, ct.Kind(), id)
			assert.NotEmpty(t, ct.NickName, "%s has a name", id)
		}
	}
	fh := roster.Find(wechat.FileHelper)
	if assert.NotNil(t, fh) {
		assert.Equal(t, wechat.KindSpecial, fh.Kind())
	}
	family := roster.Find(sim.UserName("family"))
	require.NotNil(t, family)
	var members []string
	for _, m := range family.MemberList {
		members = append(members, m.UserName)
	}
	assert.ElementsMatch(t, []string{sim.UserName("self"), sim.UserName("alice"), sim.UserName("bob"), sim.UserName("erin")}, members)
	for _, m := range family.MemberList {
		if ct := roster.Find(m.UserName); ct != nil && m.UserName == sim.UserName("alice") {
			assert.Same(t, unsafe.StringData(ct.UserName), unsafe.StringData(m.UserName),
				"a member who is a contact shares the contact's UserName instead of holding a copy")
			assert.Equal(t, ct.NickName, m.NickName)
		}
	}
	project := roster.Find(sim.UserName("project"))
	require.NotNil(t, project)
	assert.NotEmpty(t, project.MemberList, "groups from the ChatSet come with members")
	assert.Len(t, roster.ByKind(wechat.KindGroup), 2)
	assert.Nil(t, roster.Find("@nobody"))

	for _, r := range sim.Requests("webwxbatchgetcontact") {
		assert.NotContains(t, string(r.Body), `"Count":51`)
	}
	assert.Empty(t, sim.Violations())
}

// TestRosterLeavesStrangersForLater: like the official client, the
// start-up fetches groups with their member lists but not the details of
// members who are not friends; FetchMembers brings them when needed.
func TestRosterLeavesStrangersForLater(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, init := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	roster, err := c.LoadRoster(testCtx(t), init)
	require.NoError(t, err)

	strangers := []string{sim.UserName("erin"), sim.UserName("frank")}
	for _, name := range strangers {
		assert.Nil(t, roster.Find(name), "a member who is not a friend is not fetched at start-up")
	}
	for _, r := range sim.Requests("webwxbatchgetcontact") {
		assert.NotContains(t, string(r.Body), `"EncryChatRoomId":"@@`, "no member fetched through a group at start-up")
	}
	calls := len(sim.Requests("webwxbatchgetcontact"))
	assert.Equal(t, 1, calls, "both groups in one call")

	family := sim.UserName("family")
	got, err := c.FetchMembers(testCtx(t), family, []string{sim.UserName("erin")})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, sim.UserName("erin"), got[0].UserName)
	assert.Equal(t, wechat.KindStranger, got[0].Kind())
	assert.NotEmpty(t, got[0].NickName)
	reqs := sim.Requests("webwxbatchgetcontact")
	require.Len(t, reqs, calls+1)
	assert.Contains(t, string(reqs[calls].Body), `"EncryChatRoomId":"`+family+`"`)
	assert.Empty(t, sim.Violations())
}

// TestRosterGroupFailureFailsOnlyItsGroups: a failed group call leaves its
// groups for later and the rest of the roster stands; no call is repeated.
func TestRosterGroupFailureFailsOnlyItsGroups(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, init := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	sim.FailNext("webwxbatchgetcontact", 1, wechattest.FaultHTTP500)
	roster, err := c.LoadRoster(testCtx(t), init)
	require.NoError(t, err, "a failed group call does not fail the roster")
	assert.ElementsMatch(t, []string{sim.UserName("family"), sim.UserName("project")}, roster.Unfetched)
	assert.NotNil(t, roster.Find(sim.UserName("alice")), "the address book stands")
	assert.Len(t, sim.Requests("webwxbatchgetcontact"), 1, "no retry storm")
	assert.Len(t, sim.Requests("webwxinit"), 1)
}

// TestContactCallsPaced: webwxbatchgetcontact calls go out at most one per
// ContactInterval, however many callers want them.
func TestContactCallsPaced(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.ContactInterval = 200 * time.Millisecond
	obs := &callTimes{}
	cfg.Observer = obs
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	var items []wechat.BatchContactRequestItem
	for range 3 * wechat.MaxBatchContacts {
		items = append(items, wechat.BatchContactRequestItem{UserName: sim.UserName("alice")})
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.BatchGetContacts(testCtx(t), items)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	ends := obs.ends("webwxbatchgetcontact")
	require.Len(t, ends, 6)
	for i := 1; i < len(ends); i++ {
		// A call starts interval after the previous one ended; its own
		// round trip only adds to the gap between their ends.
		assert.GreaterOrEqual(t, ends[i].Sub(ends[i-1]), cfg.ContactInterval, "call %d", i)
	}
}

// callTimes is an Observer that keeps when each call ended.
type callTimes struct {
	mu   sync.Mutex
	done map[string][]time.Time
}

func (o *callTimes) CallDone(endpoint string, _ time.Duration, _ error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done == nil {
		o.done = map[string][]time.Time{}
	}
	o.done[endpoint] = append(o.done[endpoint], time.Now())
}

func (o *callTimes) ends(endpoint string) []time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.done[endpoint])
}

func TestBatchGetContactsSplitsIntoFifties(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	var items []wechat.BatchContactRequestItem
	for range 120 {
		items = append(items, wechat.BatchContactRequestItem{UserName: sim.UserName("alice")})
	}
	got, err := c.BatchGetContacts(testCtx(t), items)
	require.NoError(t, err)
	assert.Len(t, got, 120)
	assert.Len(t, sim.Requests("webwxbatchgetcontact"), 3)
	assert.Empty(t, sim.Violations())
}
