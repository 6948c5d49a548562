package bridge

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// TestCreateChatWithGhost: inviting a friend's ghost to a direct chat
// makes the room the friend's DM portal; anyone WeChat would not deliver a
// direct message to gets a sentence, as the ghost, in the room the user
// invited it to, and no chat.
func TestCreateChatWithGhost(t *testing.T) {
	const room = "!new:example.com"
	// connect gives each contact the PUID "p" + its UserName without the
	// first character.
	tests := []struct {
		name       string
		ghost      networkid.UserID
		ghostName  string
		loggedOut  bool
		noRoom     bool // the invitation was not seen (no room to answer in)
		wantNotice string
	}{
		{name: "a friend", ghost: "pbob", ghostName: "Bob"},
		{name: "the file helper", ghost: "pilehelper", ghostName: "File Transfer"},
		{name: "a group member who is not a friend", ghost: "perin", ghostName: "Erin",
			wantNotice: "Erin is in one of your WeChat groups but is not your WeChat friend, and WeChat delivers direct messages only between friends. " +
				"Add them as a friend on your phone, then invite them again; their messages in the group still reach you there."},
		{name: "a group", ghost: "p@fam", ghostName: "Family", wantNotice: "Family is a WeChat group, not a person."},
		{name: "an official account", ghost: "pnews", ghostName: "Daily News", wantNotice: "Daily News is an official account, and the bridge is set not to bridge official accounts"},
		{name: "a service account", ghost: "peixin", wantNotice: "This contact is a WeChat service account"},
		{name: "an ID that is no PUID", ghost: "nobody; DROP TABLE", wantNotice: "This contact is not among the contacts"},
		{name: "an unknown ghost", ghost: "zzzzzzzzzzzzzzzz", wantNotice: "This contact is not among the contacts of your current WeChat session, so the bridge cannot start a chat with them. " +
			"Send `search <part of their name>` to the bridge bot to find your friends, or `start-chat <name>`."},
		{name: "the user's own account", ghost: wxid.MakeSelfUserID(testLoginID), wantNotice: "This is your own WeChat account."},
		{name: "logged out", ghost: "pbob", ghostName: "Bob", loggedOut: true,
			wantNotice: "You are not logged in to WeChat, so the bridge cannot start a chat with Bob. Send `login` to the bridge bot, then invite them again."},
		{name: "a refusal with no room to say it in", ghost: "perin", ghostName: "Erin", noRoom: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			c := friendTestClient(t, tb)
			connect(t, c, http.NotFoundHandler(), "@self",
				wechat.Contact{UserName: "@bob", NickName: "Bob", ContactFlag: wechat.ContactFlagContact},
				wechat.Contact{UserName: "@erin", NickName: "Erin"},
				wechat.Contact{UserName: "@@fam", NickName: "Family", MemberList: []wechat.Member{{UserName: "@bob"}, {UserName: "@erin"}}},
				wechat.Contact{UserName: "@news", NickName: "Daily News", VerifyFlag: wechat.VerifyFlagBizBrand, ContactFlag: wechat.ContactFlagContact},
				wechat.Contact{UserName: "filehelper", NickName: "File Transfer", ContactFlag: wechat.ContactFlagContact},
				wechat.Contact{UserName: "weixin", NickName: "WeChat Team", ContactFlag: wechat.ContactFlagContact},
			)
			c.loggedIn.Store(!tt.loggedOut)
			ghost := &bridgev2.Ghost{Ghost: &database.Ghost{ID: tt.ghost, Name: tt.ghostName}, Intent: tb.bot}
			if !tt.noRoom {
				tb.wc.ghostInvites.put(tb.bot.GetMXID(), room)
			}

			resp, err := c.CreateChatWithGhost(tb.br.BackgroundCtx, ghost)
			if tt.wantNotice == "" && !tt.noRoom {
				require.NoError(t, err)
				assert.Equal(t, wxid.MakePortalKey(string(tt.ghost), testLoginID), resp.PortalKey)
				require.NotNil(t, resp.PortalInfo)
				assert.Equal(t, database.RoomTypeDM, *resp.PortalInfo.Type)
				assert.Equal(t, tt.ghost, resp.PortalInfo.Members.OtherUserID)
				assert.Empty(t, resp.DMRedirectedTo)
				assert.Empty(t, tb.bot.replies)
				assert.Empty(t, tb.wc.ghostInvites.take(tb.bot.GetMXID()), "the room is forgotten once it is the chat")
				return
			}
			require.ErrorIs(t, err, errGhostDMRefused)
			assert.Nil(t, resp)
			if tt.noRoom {
				assert.Empty(t, tb.bot.replies)
				return
			}
			assert.Contains(t, tb.bot.lastReply(t), tt.wantNotice)
			assert.Equal(t, "m.notice", string(tb.bot.contents[0].MsgType))
			assert.Empty(t, tb.wc.ghostInvites.take(tb.bot.GetMXID()), "the room is forgotten once used")
		})
	}
}

// GhostIntent gives every ghost the test bot's intent, which records what
// it sends.
func (m *testMatrix) GhostIntent(networkid.UserID) bridgev2.MatrixAPI { return m.bot }
