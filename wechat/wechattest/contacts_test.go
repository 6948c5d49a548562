package wechattest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestInit(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	assert.Equal(t, s.SelfUin(), init.User.Uin)
	assert.Equal(t, "Tester", init.User.NickName)
	assert.Equal(t, s.UserName(SelfID), init.User.UserName)
	assert.Equal(t, c.skey, init.SKey)
	assert.Equal(t, 40, init.InviteStartCount)
	assert.Equal(t, 4, init.SyncKey.Count)
	assert.Equal(t, init.Count, len(init.ContactList))

	chatSet := strings.Split(init.ChatSet, ",")
	assert.Contains(t, chatSet, "filehelper")
	assert.Contains(t, chatSet, s.UserName("project"), "the unsaved group is in ChatSet")
	assert.Contains(t, chatSet, s.UserName("alice"))
	assert.Equal(t, "", chatSet[len(chatSet)-1], "trailing comma")

	var names []string
	for _, ct := range init.ContactList {
		names = append(names, ct.UserName)
		if ct.UserName == s.UserName("family") {
			assert.Len(t, ct.MemberList, 4)
		}
	}
	assert.Contains(t, names, s.UserName("alice"))
	assert.Contains(t, names, s.UserName("family"))
	assert.NotContains(t, names, s.UserName("project"))
	assert.True(t, strings.HasPrefix(init.User.HeadImgUrl, "/cgi-bin/mmwebwx-bin/webwxgeticon?seq="))
}

func TestGetContactPages(t *testing.T) {
	s, c, _ := loggedIn(t, Config{ContactPageSize: 3})
	var all []wechat.Contact
	seq := "0"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		var out wechat.ContactListResponse
		resp, body := c.do(http.MethodGet, api("webwxgetcontact"), url.Values{"r": {"1"}, "seq": {seq}, "skey": {c.skey}}, nil, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, jsonUnmarshal(body, &out))
		require.Equal(t, 0, out.BaseResponse.Ret)
		assert.LessOrEqual(t, len(out.MemberList), 3)
		assert.Equal(t, len(out.MemberList), out.MemberCount)
		all = append(all, out.MemberList...)
		if out.Seq == 0 {
			break
		}
		seq = strconv.FormatInt(out.Seq, 10)
	}
	byName := map[string]wechat.Contact{}
	for _, ct := range all {
		byName[ct.UserName] = ct
	}
	for _, id := range []string{"alice", "bob", "carol", "dave", "dave2", "news", "filehelper", "family"} {
		assert.Contains(t, byName, s.UserName(id), id)
	}
	for _, id := range []string{"project", "erin", "frank", SelfID} {
		assert.NotContains(t, byName, s.UserName(id), id)
	}
	family := byName[s.UserName("family")]
	assert.Equal(t, 0, family.MemberCount)
	assert.Empty(t, family.MemberList)
	alice := byName[s.UserName("alice")]
	assert.Equal(t, "Alice Work", alice.RemarkName)
	assert.Equal(t, 1, alice.ContactFlag&wechat.ContactFlagContact)
	assert.Equal(t, 24, byName[s.UserName("news")].VerifyFlag)
	assert.Equal(t, `Bob<span class="emoji emoji1f604"></span>`, byName[s.UserName("bob")].NickName)
	assert.Equal(t, "carol_wx", byName[s.UserName("carol")].Alias)
	assert.Equal(t, byName[s.UserName("dave")].NickName, byName[s.UserName("dave2")].NickName)
	assert.NotEqual(t, byName[s.UserName("dave")].City, byName[s.UserName("dave2")].City)

	var bad wechat.ContactListResponse
	_, body := c.do(http.MethodGet, api("webwxgetcontact"), url.Values{"seq": {"12345"}, "skey": {c.skey}}, nil, nil)
	require.NoError(t, jsonUnmarshal(body, &bad))
	assert.Equal(t, 1, bad.BaseResponse.Ret)
}

func batchGet(c *tclient, items ...wechat.BatchContactRequestItem) wechat.BatchContactResponse {
	c.t.Helper()
	var out wechat.BatchContactResponse
	c.postJSON("webwxbatchgetcontact", url.Values{"type": {"ex"}, "r": {"1"}, "pass_ticket": {c.passTicket}},
		wechat.BatchContactRequest{BaseRequest: c.baseReq(), Count: len(items), List: items}, &out)
	return out
}

func TestBatchGetContact(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	erin, frank := s.UserName("erin"), s.UserName("frank")
	tests := []struct {
		name      string
		item      wechat.BatchContactRequestItem
		wantCount int
		wantNick  string // "" means a bare entry
	}{
		{"friend", wechat.BatchContactRequestItem{UserName: s.UserName("alice")}, 1, "Alice"},
		{"unknown is skipped", wechat.BatchContactRequestItem{UserName: "@nobody"}, 0, ""},
		{"non-friend member alone is bare", wechat.BatchContactRequestItem{UserName: erin}, 1, ""},
		{"with the group's UserName", wechat.BatchContactRequestItem{UserName: erin, EncryChatRoomId: s.UserName("family")}, 1, "Erin"},
		{"with the group's EncryChatRoomId", wechat.BatchContactRequestItem{UserName: erin, EncryChatRoomId: s.EncryChatRoomId("family")}, 1, "Erin"},
		{"with another group", wechat.BatchContactRequestItem{UserName: frank, EncryChatRoomId: s.UserName("family")}, 1, ""},
		{"unsaved group's member", wechat.BatchContactRequestItem{UserName: frank, EncryChatRoomId: s.UserName("project")}, 1, "Frank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := batchGet(c, tt.item)
			require.Equal(t, 0, out.BaseResponse.Ret)
			require.Len(t, out.ContactList, tt.wantCount)
			assert.Equal(t, tt.wantCount, out.Count)
			if tt.wantCount == 0 {
				return
			}
			got := out.ContactList[0]
			assert.Equal(t, tt.item.UserName, got.UserName)
			assert.Equal(t, tt.wantNick, got.NickName)
			if tt.wantNick != "" && tt.item.EncryChatRoomId != "" {
				assert.Contains(t, got.HeadImgUrl, "chatroomid=")
			}
		})
	}
}

func TestBatchGetGroup(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	out := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("project")})
	require.Len(t, out.ContactList, 1)
	g := out.ContactList[0]
	assert.Equal(t, "Project X", g.NickName)
	assert.Equal(t, 3, g.MemberCount)
	assert.Equal(t, s.EncryChatRoomId("project"), g.EncryChatRoomId)
	assert.Equal(t, s.UserName(SelfID), g.ChatRoomOwner)
	require.Len(t, g.MemberList, 3)
	for _, m := range g.MemberList {
		assert.NotEmpty(t, m.UserName)
		assert.NotEmpty(t, m.NickName)
	}
	fam := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("family")}).ContactList[0]
	var bobby string
	for _, m := range fam.MemberList {
		if m.UserName == s.UserName("bob") {
			bobby = m.DisplayName
		}
	}
	assert.Equal(t, "Bobby", bobby)

	// Member entries have no HeadImgUrl (protocol reference §3.5): a
	// client builds a non-friend's from the group's EncryChatRoomId.
	body, err := json.Marshal(wechat.BatchContactRequest{BaseRequest: c.baseReq(), Count: 1,
		List: []wechat.BatchContactRequestItem{{UserName: s.UserName("family")}}})
	require.NoError(t, err)
	_, raw := c.do(http.MethodPost, api("webwxbatchgetcontact"), url.Values{"type": {"ex"}, "r": {"1"}, "pass_ticket": {c.passTicket}},
		body, http.Header{"Content-Type": {"application/json; charset=UTF-8"}})
	var generic struct {
		ContactList []struct{ MemberList []map[string]any }
	}
	require.NoError(t, json.Unmarshal(raw, &generic))
	require.Len(t, generic.ContactList, 1)
	require.NotEmpty(t, generic.ContactList[0].MemberList)
	for _, m := range generic.ContactList[0].MemberList {
		assert.NotContains(t, m, "HeadImgUrl")
	}
}

func TestBatchGetMoreThan50(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	items := make([]wechat.BatchContactRequestItem, 51)
	for i := range items {
		items[i].UserName = s.UserName("alice")
	}
	out := batchGet(c, items...)
	assert.Equal(t, 1200, out.BaseResponse.Ret)
	assert.True(t, hasViolation(s, "batch of 51"))

	out = batchGet(c, items[:50]...)
	assert.Equal(t, 0, out.BaseResponse.Ret)
}

func TestStatusNotify(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	self := s.UserName(SelfID)
	tests := []struct {
		name    string
		body    map[string]any
		wantRet int
	}{
		{"inited with a numeric ClientMsgId", map[string]any{"Code": 3, "FromUserName": self, "ToUserName": self, "ClientMsgId": 1700000000000}, 0},
		{"read", map[string]any{"Code": 1, "FromUserName": self, "ToUserName": s.UserName("alice"), "ClientMsgId": "17000000000001234"}, 0},
		{"no ClientMsgId", map[string]any{"Code": 1, "FromUserName": self, "ToUserName": s.UserName("alice")}, 1},
		{"From not self", map[string]any{"Code": 1, "FromUserName": s.UserName("bob"), "ToUserName": s.UserName("alice"), "ClientMsgId": "1"}, 1},
		{"unknown To", map[string]any{"Code": 1, "FromUserName": self, "ToUserName": "@x", "ClientMsgId": "1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["BaseRequest"] = c.baseReq()
			var out struct {
				BaseResponse wechat.BaseResponse
				MsgID        string
			}
			c.postJSON("webwxstatusnotify", url.Values{"lang": {"zh_CN"}, "pass_ticket": {c.passTicket}}, tt.body, &out)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)
			if tt.wantRet == 0 {
				assert.NotEmpty(t, out.MsgID)
			}
		})
	}
	notifies := s.StatusNotifies()
	require.Len(t, notifies, 2)
	assert.Equal(t, int64(1700000000000), notifies[0].ClientMsgId)
	assert.Equal(t, wechat.StatusNotifyRead, notifies[1].Code)
	assert.Equal(t, int64(17000000000001234), notifies[1].ClientMsgId, "a string is read too")
	assert.True(t, hasViolation(s, `body: key ClientMsgId is a string, the web client sends a number`), s.Violations())
}

func TestOpLogRecorded(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	var out wechat.GenericResponse
	c.postJSON("webwxoplog", nil, map[string]any{"BaseRequest": c.baseReq(), "CmdId": 3, "OP": 1, "UserName": s.UserName("alice")}, &out)
	assert.Equal(t, 0, out.BaseResponse.Ret)
	require.Len(t, s.OpLogs(), 1)
	assert.Contains(t, string(s.OpLogs()[0]), `"CmdId":3`)
}

func TestUpdateContactQuietly(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	r := c.sync(init.SyncKey)
	s.UpdateContactQuietly("family", func(sc *SeedContact) {
		sc.NickName = "Family 2026"
		sc.Members = append(sc.Members, "frank")
	})
	s.UpdateContactQuietly("nobody", func(sc *SeedContact) { sc.NickName = "ignored" })
	_, sel := c.syncCheck(r.SyncCheckKey)
	assert.Equal(t, 0, sel, "no contact update is announced")

	got := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("family")})
	require.Len(t, got.ContactList, 1)
	assert.Equal(t, "Family 2026", got.ContactList[0].NickName)
	var members []string
	for _, m := range got.ContactList[0].MemberList {
		members = append(members, m.UserName)
	}
	assert.Contains(t, members, s.UserName("frank"))
}

// TestDormantGroup: a group neither saved to contacts nor recently active is
// in no list webwxinit or webwxgetcontact gives; webwxbatchgetcontact,
// asked for it by the UserName a message showed, answers it in full.
func TestDormantGroup(t *testing.T) {
	seed := DefaultSeed()
	for i := range seed.Contacts {
		if seed.Contacts[i].ID == "project" {
			seed.Contacts[i].Dormant = true
		}
	}
	s, c, init := loggedIn(t, Config{Seed: seed})
	project := s.UserName("project")
	assert.NotContains(t, strings.Split(init.ChatSet, ","), project)
	for _, ct := range init.ContactList {
		assert.NotEqual(t, project, ct.UserName)
	}
	out := batchGet(c, wechat.BatchContactRequestItem{UserName: project})
	require.Len(t, out.ContactList, 1)
	got := out.ContactList[0]
	assert.Equal(t, "Project X", got.NickName)
	var members []string
	for _, m := range got.MemberList {
		members = append(members, m.UserName)
	}
	assert.ElementsMatch(t, []string{s.UserName(SelfID), s.UserName("carol"), s.UserName("frank")}, members)
}
