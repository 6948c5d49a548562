package bridge

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/bridgeconfig"
	"maunium.net/go/mautrix/bridgev2/commands"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func TestReply(t *testing.T) {
	const text = "`x` **y** $cmdprefix %s <b>"
	tests := []struct {
		name          string
		format        replyFormat
		wantBody      string
		wantFormatted string
	}{
		{"plain: shown as written", plainText, text, ""},
		{"markdown: rendered, no HTML", markdownText, text, "<code>x</code> <strong>y</strong> $cmdprefix %s &lt;b&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bot := &testBot{}
			log := zerolog.Nop()
			reply(&commands.Event{Bot: bot, Ctx: context.Background(), OrigRoomID: "!room:example.com", Log: &log}, tt.format, text)
			require.Len(t, bot.contents, 1)
			got := bot.contents[0]
			assert.Equal(t, event.MsgNotice, got.MsgType)
			assert.Equal(t, tt.wantBody, got.Body)
			assert.Equal(t, tt.wantFormatted, got.FormattedBody)
		})
	}
}

func TestCommandLogins(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx
	const (
		adminSecond = "1111111111" // sorts before testLoginID
		userLogin   = "3333333333"
		nobody      = id.UserID("@nobody:example.com")
		multi       = id.UserID("@multi:example.com") // no admin, two logins
	)
	for _, u := range []id.UserID{testUser, multi} {
		require.NoError(t, tb.br.DB.User.Insert(ctx, &database.User{BridgeID: tb.br.ID, MXID: u}))
	}
	for _, l := range []struct {
		user id.UserID
		id   networkid.UserLoginID
	}{{testAdmin, adminSecond}, {testUser, userLogin}, {multi, "4444444444"}, {multi, "5555555555"}} {
		require.NoError(t, tb.br.DB.UserLogin.Insert(ctx, &database.UserLogin{
			BridgeID: tb.br.ID, UserMXID: l.user, ID: l.id, RemoteName: "Other", Metadata: &UserLoginMetadata{},
		}))
	}
	event := func(sender id.UserID) *commands.Event {
		user, err := tb.br.GetUserByMXID(ctx, sender)
		require.NoError(t, err)
		log := zerolog.Nop()
		return &commands.Event{Ctx: ctx, Bridge: tb.br, User: user, Log: &log}
	}
	// Load every login, as the bridge does at start-up.
	for _, u := range []id.UserID{testAdmin, testUser, nobody, multi} {
		event(u)
	}
	ids := func(logins []*bridgev2.UserLogin) []string {
		var out []string
		for _, l := range logins {
			out = append(out, string(l.ID))
		}
		return out
	}

	tests := []struct {
		name    string
		sender  id.UserID
		named   string
		want    []string // commandLogins
		wantOne string   // commandLogin: the login, or "" for a message
		says    []string // the message of commandLogin (and of commandLogins, when want is nil)
		notSays string
	}{
		{"all of the sender's, by ID", testAdmin, "", []string{adminSecond, testLoginID}, "",
			[]string{"You have several WeChat logins: name the login ID.", "`" + userLogin + "` Other (@user:example.com)"}, ""},
		{"the only one", testUser, "", []string{userLogin}, userLogin, nil, ""},
		{"none", nobody, "", nil, "", []string{"You have no WeChat login on this bridge: name the login ID."}, ""},
		{"several, not an admin: no other user's logins", multi, "", []string{"4444444444", "5555555555"}, "",
			[]string{"You have several WeChat logins: name the login ID."}, "Me"},
		{"one of the sender's, named", testAdmin, testLoginID, []string{testLoginID}, testLoginID, nil, ""},
		{"an admin names another user's", testAdmin, userLogin, []string{userLogin}, userLogin, nil, ""},
		{"an admin names an unknown one", testAdmin, "999", nil, "", []string{"There is no login `999` on this bridge.", "`" + testLoginID + "` Me"}, ""},
		{"an admin names no login ID", testAdmin, "Wang", nil, "", []string{"`Wang` is not a login ID"}, ""},
		{"others name only their own", testUser, testLoginID, nil, "", []string{"You have no WeChat login `" + testLoginID + "`."}, "Me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := event(tt.sender)
			logins, msg := tb.wc.commandLogins(ce, tt.named)
			assert.Equal(t, tt.want, ids(logins))
			if tt.want != nil {
				assert.Empty(t, msg)
			}
			one, msg := tb.wc.commandLogin(ce, tt.named)
			if tt.wantOne != "" {
				require.NotNil(t, one)
				assert.Equal(t, tt.wantOne, string(one.ID))
				assert.Empty(t, msg)
				return
			}
			assert.Nil(t, one)
			for _, s := range tt.says {
				assert.Contains(t, msg, s)
			}
			if tt.notSays != "" {
				assert.NotContains(t, msg, tt.notSays, "no other user's logins for a non-admin")
			}
		})
	}
}

func TestHints(t *testing.T) {
	const management = id.RoomID("!management:example.com")
	tests := []struct {
		name           string
		managementRoom id.RoomID
		room           id.RoomID
		words          []string
		want           string
	}{
		{"in the management room: bare", management, management, []string{"accept-friend", "3"}, "`accept-friend 3`"},
		{"elsewhere: with the prefix", management, "!portal:example.com", []string{"accept-friend", "3"}, "`!wx accept-friend 3`"},
		{"no management room yet: with the prefix", "", management, []string{"friend-requests"}, "`!wx friend-requests`"},
		{"one word of several", management, "!portal:example.com", []string{"identities [login ID] [name]"}, "`!wx identities [login ID] [name]`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := &commands.Event{
				Bridge: &bridgev2.Bridge{Config: &bridgeconfig.BridgeConfig{CommandPrefix: "!wx"}},
				User:   &bridgev2.User{User: &database.User{ManagementRoom: tt.managementRoom}},
				RoomID: tt.room,
			}
			assert.Equal(t, tt.want, hintsFor(ce).cmd(tt.words...))
		})
	}
	assert.Equal(t, "`login`", hints{}.cmd("login"), "the zero hints are for the management room")
}

func TestMdText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"formatting escaped, one line", "a _b_ [c](d) <e>\n~~f~~ ||g|| # h", `a \_b\_ \[c\]\(d\) &lt;e&gt; \~\~f\~\~ \|\|g\|\| \# h`},
		{"cleaned like oneLine", "\u202eevil\u202c *name*\u200b\x00", `evil \*name\*`},
		{"emoji joiner kept", "family 👨\u200d👩", "family 👨\u200d👩"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mdText(tt.in))
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Alice  ", "Alice"},
		{"a\nb\r\nc\td", "a b c d"},
		{"\u202eevil\u202c name\u200b", "evil name"},
		{"family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"},
		{"\x00\x1b[31mred", "[31mred"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, oneLine(tt.in), "%q", tt.in)
	}
}
