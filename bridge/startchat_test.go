package bridge

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

func startChatClient(t *testing.T) *WeChatClient {
	t.Helper()
	c := &WeChatClient{conn: &WeChatConnector{}}
	require.NoError(t, c.conn.Config.UnmarshalYAML(yamlNode(t, "login_mode: desktop")))
	contacts := []wechat.Contact{
		{UserName: "@carol", NickName: "Carol", Alias: "carol_wx", ContactFlag: wechat.ContactFlagContact},
		{UserName: "@dave", NickName: "Dave", City: "Guangzhou", ContactFlag: wechat.ContactFlagContact},
		{UserName: "@dave2", NickName: "Dave", City: "Foshan", ContactFlag: wechat.ContactFlagContact},
		{UserName: "@news", NickName: "Daily News", VerifyFlag: wechat.VerifyFlagBizBrand},
		{UserName: "@@grp", NickName: "Dave's group"},
		{UserName: "@stranger", NickName: "Davey"},
	}
	res := &wxdb.Resolution{}
	for _, ct := range contacts {
		res.Contacts = append(res.Contacts, wxdb.Resolved{UserName: ct.UserName, PUID: "p" + ct.UserName[1:]})
	}
	c.roster = newRoster(&wechat.Roster{Contacts: contacts}, res, nil)
	return c
}

func TestContactsMatching(t *testing.T) {
	r := startChatClient(t).roster
	all := func(string, *wechat.Contact) bool { return true }
	names := func(ms []rosterMatch) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.contact.UserName)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"@carol", "@dave", "@dave2"}, names(r.contactsMatching(false, all)),
		"friends only: no groups, strangers or official accounts")
	assert.ElementsMatch(t, []string{"@carol", "@dave", "@dave2", "@news"}, names(r.contactsMatching(true, all)),
		"official accounts when they are bridged")
}

func TestResolveIdentifierRefusals(t *testing.T) {
	c := startChatClient(t)
	tests := []struct {
		identifier string
		status     int
		says       []string
	}{
		{"nobody", http.StatusNotFound, []string{`No WeChat contact is called "nobody"`, "search"}},
		{"DAVE", http.StatusConflict, []string{`2 contacts are called "DAVE"`, "Dave, Guangzhou (`pdave`)", "Dave, Foshan (`pdave2`)"}},
		{"Daily News", http.StatusNotFound, nil}, // official accounts are off
		{"Davey", http.StatusNotFound, nil},      // not a friend
	}
	for _, tt := range tests {
		t.Run(tt.identifier, func(t *testing.T) {
			_, err := c.ResolveIdentifier(context.Background(), tt.identifier, true)
			var re bridgev2.RespError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.status, re.StatusCode)
			for _, s := range tt.says {
				assert.Contains(t, re.Err, s)
			}
		})
	}
}
