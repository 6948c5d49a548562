package wechat_test

import (
	"testing"
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
		"erin": wechat.KindStranger, "frank": wechat.KindStranger,
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
