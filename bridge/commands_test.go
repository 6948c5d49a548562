package bridge

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"
	_ "go.mau.fi/util/dbutil/litestream"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/bridgeconfig"
	"maunium.net/go/mautrix/bridgev2/commands"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/status"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
)

const (
	puidA = "aaaaaaaaaaaaaaaa"
	puidB = "bbbbbbbbbbbbbbbb"
	puidC = "cccccccccccccccc"
	puidD = "dddddddddddddddd"
)

// testMatrix is the Matrix side of a test bridge: only what the commands and
// ReIDPortal use; anything else panics on the nil interface.
type testMatrix struct {
	bridgev2.MatrixConnector
	bot *testBot
}

func (m *testMatrix) Init(*bridgev2.Bridge)         {}
func (m *testMatrix) BotIntent() bridgev2.MatrixAPI { return m.bot }
func (m *testMatrix) SendMessageStatus(context.Context, *bridgev2.MessageStatus, *bridgev2.MessageStatusEventInfo) {
}
func (m *testMatrix) SendBridgeStatus(context.Context, *status.BridgeState) error { return nil }

// GetMemberInfo says the user is in every room: the test bridge's rooms
// exist only in its database.
func (m *testMatrix) GetMemberInfo(context.Context, id.RoomID, id.UserID) (*event.MemberEventContent, error) {
	return &event.MemberEventContent{Membership: event.MembershipJoin}, nil
}

// NewUserIntent refuses: the test bridge has no double puppeting.
func (m *testMatrix) NewUserIntent(context.Context, id.UserID, string) (bridgev2.MatrixAPI, string, error) {
	return nil, "", errors.New("no double puppeting")
}

// testBot records the bot's replies (their bodies and whole contents),
// tombstones and room deletions.
type testBot struct {
	bridgev2.MatrixAPI
	mu         sync.Mutex
	replies    []string
	contents   []*event.MessageEventContent
	tombstones map[id.RoomID]id.RoomID
	deleted    map[id.RoomID]bool // room → puppetsOnly
}

func (b *testBot) GetMXID() id.UserID { return "@wxbot:example.com" }

func (b *testBot) EnsureInvited(context.Context, id.RoomID, id.UserID) error { return nil }

func (b *testBot) SendMessage(_ context.Context, _ id.RoomID, _ event.Type, content *event.Content, _ *bridgev2.MatrixSendExtra) (*mautrix.RespSendEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if msg, ok := content.Parsed.(*event.MessageEventContent); ok {
		b.replies = append(b.replies, msg.Body)
		b.contents = append(b.contents, msg)
	}
	return &mautrix.RespSendEvent{EventID: id.EventID(fmt.Sprintf("$reply%d", len(b.replies)))}, nil
}

func (b *testBot) SendState(_ context.Context, roomID id.RoomID, eventType event.Type, _ string, content *event.Content, _ time.Time) (*mautrix.RespSendEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ts, ok := content.Parsed.(*event.TombstoneEventContent); ok && eventType == event.StateTombstone {
		b.tombstones[roomID] = ts.ReplacementRoom
	}
	return &mautrix.RespSendEvent{EventID: "$state"}, nil
}

func (b *testBot) DeleteRoom(_ context.Context, roomID id.RoomID, puppetsOnly bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deleted[roomID] = puppetsOnly
	return nil
}

func (b *testBot) lastReply(t *testing.T) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.NotEmpty(t, b.replies)
	return b.replies[len(b.replies)-1]
}

const (
	testLoginID = "2876543210"
	testAdmin   = id.UserID("@admin:example.com")
	testUser    = id.UserID("@user:example.com")
)

type testBridge struct {
	br   *bridgev2.Bridge
	wc   *WeChatConnector
	bot  *testBot
	proc *commands.Processor
}

// newTestBridge builds a bridgev2 bridge with our connector on a fresh
// SQLite database, both schemas upgraded, and one login of testAdmin.
func newTestBridge(t *testing.T) *testBridge {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ctx, cancel := context.WithCancel(log.WithContext(context.Background()))
	t.Cleanup(cancel)

	db, err := dbutil.NewWithDialect("file:"+filepath.Join(t.TempDir(), "wxbridge.db")+"?_txlock=immediate", "sqlite3-fk-wal")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	bot := &testBot{tombstones: make(map[id.RoomID]id.RoomID), deleted: make(map[id.RoomID]bool)}
	cfg := &bridgeconfig.BridgeConfig{
		CommandPrefix: "!wx",
		Permissions: bridgeconfig.PermissionConfig{
			"*":                {Commands: true, Login: true},
			testAdmin.String(): {Commands: true, Login: true, Admin: true},
		},
	}
	wc := &WeChatConnector{}
	br := bridgev2.NewBridge("", db, log, cfg, &testMatrix{bot: bot}, wc, commands.NewProcessor)
	br.BackgroundCtx = ctx
	require.NoError(t, br.DB.Upgrade(ctx))
	require.NoError(t, wc.DB.Upgrade(ctx))

	require.NoError(t, br.DB.User.Insert(ctx, &database.User{BridgeID: br.ID, MXID: testAdmin}))
	require.NoError(t, br.DB.UserLogin.Insert(ctx, &database.UserLogin{
		BridgeID: br.ID, UserMXID: testAdmin, ID: testLoginID, RemoteName: "Me", Metadata: &UserLoginMetadata{},
	}))
	proc, ok := br.Commands.(*commands.Processor)
	require.True(t, ok)
	return &testBridge{br: br, wc: wc, bot: bot, proc: proc}
}

// run sends a command as sender and returns the bot's reply.
func (tb *testBridge) run(t *testing.T, sender id.UserID, command string) string {
	t.Helper()
	// A logger per command, as bridgev2 gives every Matrix event.
	log := zerolog.Ctx(tb.br.BackgroundCtx).With().Logger()
	ctx := log.WithContext(tb.br.BackgroundCtx)
	user, err := tb.br.GetUserByMXID(ctx, sender)
	require.NoError(t, err)
	tb.proc.Handle(ctx, "!management:example.com", "$cmd", user, command, "")
	reply := tb.bot.lastReply(t)
	if testing.Verbose() {
		t.Logf("%s\n→ %s", command, reply)
	}
	return reply
}

// addPortal stores the portal of a chat: a DM with the contact's ghost, or
// a group.
func (tb *testBridge) addPortal(t *testing.T, puid string, mxid id.RoomID, roomType database.RoomType) {
	t.Helper()
	p := &database.Portal{
		BridgeID:  tb.br.ID,
		PortalKey: wxid.MakePortalKey(puid, testLoginID),
		MXID:      mxid,
		RoomType:  roomType,
	}
	if roomType == database.RoomTypeDM {
		p.OtherUserID = wxid.MakeUserID(puid)
	}
	require.NoError(t, tb.br.DB.Portal.Insert(tb.br.BackgroundCtx, p))
}

// portal returns the stored portal of a chat, or nil.
func (tb *testBridge) portal(t *testing.T, puid string) *database.Portal {
	t.Helper()
	p, err := tb.br.DB.Portal.GetByKey(tb.br.BackgroundCtx, wxid.MakePortalKey(puid, testLoginID))
	require.NoError(t, err)
	return p
}

func (tb *testBridge) portalRoom(t *testing.T, puid string) id.RoomID {
	t.Helper()
	if p := tb.portal(t, puid); p != nil {
		return p.MXID
	}
	return ""
}

func puidFor(t *testing.T, res *wxdb.Resolution, userName string) string {
	t.Helper()
	puid, ok := res.PUID(userName)
	require.True(t, ok, "no PUID for %s", userName)
	return puid
}

// TestCommandList checks the one list of our commands: each with its help
// section and text and who may run it, and all of them registered.
func TestCommandList(t *testing.T) {
	want := []struct {
		name    string
		section commands.HelpSection
		admin   bool
		login   bool
	}{
		{"identities", helpSectionIdentities, true, false},
		{"merge-identities", helpSectionIdentities, true, false},
		{"friend-requests", commands.HelpSectionChats, false, true},
		{"accept-friend", commands.HelpSectionChats, false, true},
		{"remark", commands.HelpSectionChats, false, true},
	}
	list := (&WeChatConnector{}).commandList()
	require.Len(t, list, len(want))
	for i, tt := range want {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := list[i].(*commands.FullHandler)
			require.True(t, ok, "%T", list[i])
			assert.Equal(t, tt.name, h.Name)
			assert.NotNil(t, h.Func)
			assert.Equal(t, tt.section, h.Help.Section)
			assert.NotEmpty(t, h.Help.Description)
			assert.Equal(t, tt.admin, h.RequiresAdmin)
			assert.Equal(t, tt.login, h.RequiresLogin)
		})
	}
	t.Run("registered", func(t *testing.T) {
		tb := newTestBridge(t)
		help := tb.run(t, testAdmin, "help")
		for _, tt := range want {
			assert.Contains(t, help, "#### "+tt.section.Name)
			assert.Contains(t, help, "**"+tt.name+"**")
		}
	})
}

func TestIdentityCommands(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx
	idb := tb.wc.DB.Identity
	profile := func(userName string) wxdb.SessionContact {
		return wxdb.SessionContact{UserName: userName, NickName: "Wang Fang", Sex: 2, Province: "Hubei", City: "Wuhan"}
	}
	// Two contacts with one profile: after the re-login the matcher cannot
	// tell them apart and mints new PUIDs. The group renamed in between and
	// listed without members gets a new PUID too.
	first, err := idb.MapSession(ctx, testLoginID, []wxdb.SessionContact{
		profile("@x1"), profile("@y1"),
		{UserName: "@@w1", Group: true, NickName: "Work"},
	})
	require.NoError(t, err)
	second, err := idb.MapSession(ctx, testLoginID, []wxdb.SessionContact{
		profile("@x2"), profile("@y2"),
		{UserName: "@@w2", Group: true, NickName: "Work (new)"},
	})
	require.NoError(t, err)
	oldX, oldY, oldW := puidFor(t, first, "@x1"), puidFor(t, first, "@y1"), puidFor(t, first, "@@w1")
	newX, newY, newW := puidFor(t, second, "@x2"), puidFor(t, second, "@y2"), puidFor(t, second, "@@w2")
	for _, pair := range [][2]string{{oldX, newX}, {oldY, newY}, {oldW, newW}} {
		require.NotEqual(t, pair[0], pair[1], "the test needs duplicates")
	}
	tb.addPortal(t, oldX, "!oldx:example.com", database.RoomTypeDM)
	tb.addPortal(t, newX, "!newx:example.com", database.RoomTypeDM)
	tb.addPortal(t, oldW, "!work:example.com", database.RoomTypeDefault)
	tb.addPortal(t, oldY, "!oldy:example.com", database.RoomTypeDM)

	t.Run("admin only", func(t *testing.T) {
		assert.Contains(t, tb.run(t, testUser, "identities"), "limited to bridge administrators")
		assert.Contains(t, tb.run(t, testUser, "merge-identities "+newX+" "+newY), "limited to bridge administrators")
	})
	t.Run("help", func(t *testing.T) {
		got := tb.run(t, testAdmin, "help")
		assert.Contains(t, got, "WeChat identities")
		assert.Contains(t, got, "merge-identities")
	})
	t.Run("list the sender's login", func(t *testing.T) {
		got := tb.run(t, testAdmin, "identities wang")
		assert.Contains(t, got, "4 of the 6 identities of login `2876543210` match")
		for _, p := range []string{oldX, oldY, newX, newY} {
			assert.Contains(t, got, p)
		}
		assert.NotContains(t, got, oldW)
	})
	t.Run("unknown login", func(t *testing.T) {
		got := tb.run(t, testAdmin, "identities 999 wang")
		assert.Contains(t, got, "There is no login `999`")
		assert.Contains(t, got, "`2876543210` Me (@admin:example.com)", "lists the logins there are")
	})
	t.Run("a user without a login must name one", func(t *testing.T) {
		user, err := tb.br.GetUserByMXID(ctx, "@other:example.com")
		require.NoError(t, err)
		user.Permissions.Admin = true
		got := tb.run(t, "@other:example.com", "identities")
		assert.Contains(t, got, "You have no WeChat login on this bridge")
		got = tb.run(t, "@other:example.com", "identities "+testLoginID+" work")
		assert.Contains(t, got, oldW, "admins can name another user's login")
	})
	t.Run("usage", func(t *testing.T) {
		assert.Contains(t, tb.run(t, testAdmin, "merge-identities "+newX), "Usage: `!wx merge-identities [login ID] <kept PUID> <dropped PUID>`. "+
			"Find the PUIDs with `!wx identities [login ID] [name]`.")
	})
	t.Run("usage, in the management room: no prefix", func(t *testing.T) {
		user, err := tb.br.GetUserByMXID(ctx, testAdmin)
		require.NoError(t, err)
		user.ManagementRoom = "!management:example.com"
		defer func() { user.ManagementRoom = "" }()
		assert.Contains(t, tb.run(t, testAdmin, "merge-identities "+newX), "Usage: `merge-identities [login ID] <kept PUID> <dropped PUID>`. "+
			"Find the PUIDs with `identities [login ID] [name]`.")
	})
	t.Run("malformed PUID", func(t *testing.T) {
		assert.Contains(t, tb.run(t, testAdmin, "merge-identities "+newX+" nope"), "`nope` is not a PUID")
	})
	t.Run("unknown PUID", func(t *testing.T) {
		unknown, err := wxdb.NewPUID()
		require.NoError(t, err)
		got := tb.run(t, testAdmin, "merge-identities "+newX+" "+unknown)
		assert.Contains(t, got, "Login `2876543210` has no identity `"+unknown+"`")
	})
	t.Run("both in the session", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+testLoginID+" "+newX+" "+newY)
		assert.Contains(t, got, "both in the current WeChat session")
		assert.Contains(t, got, "Nothing was changed.")
		s, err := idb.GetByPUID(ctx, testLoginID, newY)
		require.NoError(t, err)
		assert.Equal(t, newY, s.PUID)
	})
	t.Run("contact into group", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+oldW+" "+oldX)
		assert.Contains(t, got, "is a group and `"+oldX+"` a contact")
	})

	t.Run("both have rooms: the dropped one is tombstoned", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+testLoginID+" "+oldX+" "+newX)
		assert.Contains(t, got, "Merged contact `"+newX+"` (Wang Fang) into `"+oldX+"` (Wang Fang)")
		assert.Contains(t, got, "both had a room")
		assert.Contains(t, got, "Ghost: the Matrix user of `"+newX+"` stays")
		assert.Contains(t, got, "not connected")

		s, err := idb.GetByPUID(ctx, testLoginID, newX)
		require.NoError(t, err)
		assert.Equal(t, oldX, s.PUID)
		assert.Equal(t, "@x2", s.UserName, "the session UserName moved to the kept identity")
		assert.Equal(t, id.RoomID("!oldx:example.com"), tb.portalRoom(t, oldX))
		assert.Empty(t, tb.portalRoom(t, newX))
		assert.Eventually(t, func() bool {
			tb.bot.mu.Lock()
			defer tb.bot.mu.Unlock()
			return tb.bot.tombstones["!newx:example.com"] == "!oldx:example.com" && tb.bot.deleted["!newx:example.com"]
		}, 5*time.Second, 10*time.Millisecond, "the old room points to the kept one and the bridge leaves it")
	})
	t.Run("again: already merged, nothing to move", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+oldX+" "+newX)
		assert.Contains(t, got, "`"+newX+"` was already merged into `"+oldX+"`")
		assert.Contains(t, got, "had no portal")
	})
	t.Run("merged PUID as the one to drop again", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+newY+" "+newX)
		assert.Contains(t, got, "`"+newX+"` was merged into `"+oldX+"` earlier")
	})
	t.Run("only the dropped one has a room: it moves", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+newW+" "+oldW)
		assert.Contains(t, got, "Merged group `"+oldW+"` (Work) into `"+newW+"` (Work (new))")
		assert.Contains(t, got, "is now the room of `"+newW+"`")
		assert.NotContains(t, got, "Ghost")
		assert.Equal(t, id.RoomID("!work:example.com"), tb.portalRoom(t, newW))
		assert.Empty(t, tb.portalRoom(t, oldW))
	})
	t.Run("a DM room moves and names the kept ghost", func(t *testing.T) {
		got := tb.run(t, testAdmin, "merge-identities "+newY+" "+oldY)
		assert.Contains(t, got, "Merged contact `"+oldY+"`")
		assert.Contains(t, got, "the room of `"+oldY+"` is now the room of `"+newY+"`")
		p := tb.portal(t, newY)
		require.NotNil(t, p)
		assert.Equal(t, id.RoomID("!oldy:example.com"), p.MXID)
		assert.Equal(t, wxid.MakeUserID(newY), p.OtherUserID)
		assert.Nil(t, tb.portal(t, oldY))
	})
	t.Run("the listing shows the merges", func(t *testing.T) {
		got := tb.run(t, testAdmin, "identities "+testLoginID)
		assert.Contains(t, got, newX+"` contact **Wang Fang**: merged into `"+oldX)
		assert.Contains(t, got, oldW+"` group **Work**: merged into `"+newW)
	})
}
