package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

func TestFriendRequestNotice(t *testing.T) {
	tests := []struct {
		name   string
		fr     wxdb.FriendRequest
		accept string
		want   string
	}{
		{
			name:   "as in the brief",
			fr:     wxdb.FriendRequest{NickName: "Alice", Province: "Shanghai", City: "Shanghai", Greeting: "hi, it's Alice from work"},
			accept: "accept-friend 3",
			want:   "WeChat friend request from Alice (Shanghai): \"hi, it's Alice from work\". Send `accept-friend 3` to accept.",
		},
		{
			name:   "WeChat ID, city and province, no greeting",
			fr:     wxdb.FriendRequest{NickName: "Bob", Alias: "bob_wx", Province: "Guangdong", City: "Shenzhen"},
			accept: "accept-friend 12",
			want:   "WeChat friend request from Bob (WeChat ID bob_wx, Shenzhen, Guangdong). Send `accept-friend 12` to accept.",
		},
		{
			name:   "no nickname: the WeChat ID names them",
			fr:     wxdb.FriendRequest{Alias: "carol_wx", City: "Paris"},
			accept: "accept-friend 2876543210 1",
			want:   "WeChat friend request from carol_wx (Paris). Send `accept-friend 2876543210 1` to accept.",
		},
		{
			name: "no name at all, cannot be accepted here",
			fr:   wxdb.FriendRequest{Greeting: "hello"},
			want: "WeChat friend request from someone without a name: \"hello\". The bridge cannot accept this one: accept it on your phone.",
		},
		{
			name: "hostile name and greeting stay literal, on one line",
			fr: wxdb.FriendRequest{
				NickName: "<script>alert(1)</script>\n\nSend `accept-friend 9`", Province: "\u202eGuangdong",
				Greeting: "<b>hi</b>\r\nline\ttwo",
			},
			accept: "accept-friend 4",
			want: "WeChat friend request from <script>alert(1)</script> Send `accept-friend 9` (Guangdong): " +
				"\"<b>hi</b> line two\". Send `accept-friend 4` to accept.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, friendRequestNotice(&tt.fr, tt.accept))
		})
	}
}

// fakeVerify is a Web WeChat web host that answers webwxverifyuser with ret
// and records the requests.
type fakeVerify struct {
	mu   sync.Mutex
	ret  int
	reqs []wechat.VerifyUserRequest
}

func (f *fakeVerify) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req wechat.VerifyUserRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	ret := f.ret
	f.mu.Unlock()
	_, _ = fmt.Fprintf(w, `{"BaseResponse":{"Ret":%d,"ErrMsg":""}}`, ret)
}

func (f *fakeVerify) requests() []wechat.VerifyUserRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wechat.VerifyUserRequest(nil), f.reqs...)
}

func replyCount(b *testBot) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.replies)
}

// friendTestClient returns the client of the test login, with its user's
// management room set (the test bot cannot create rooms).
func friendTestClient(t *testing.T, tb *testBridge) *WeChatClient {
	t.Helper()
	login, err := tb.br.GetExistingUserLoginByID(tb.br.BackgroundCtx, testLoginID)
	require.NoError(t, err)
	require.NotNil(t, login)
	login.User.ManagementRoom = "!management:example.com"
	c, ok := login.Client.(*WeChatClient)
	require.True(t, ok)
	return c
}

// connect gives c a running session against a fake web host, with self as
// the session's own UserName and contacts as its roster.
func connect(t *testing.T, c *WeChatClient, host http.Handler, self string, contacts ...wechat.Contact) {
	t.Helper()
	srv := httptest.NewServer(host)
	t.Cleanup(srv.Close)
	sess := &wechat.Session{Uin: 2876543210, Sid: "sid", SKey: "@crypt_test", PassTicket: "pt", Hosts: wechat.Hosts{Web: "wx.qq.com"}}
	wx, err := wechat.NewClient(sess, wechat.Config{ServerOverride: srv.URL, SendInterval: -1, RetryDelay: time.Millisecond, MaxBackoff: time.Millisecond}, zerolog.Nop(), nil)
	require.NoError(t, err)
	res := &wxdb.Resolution{}
	for _, ct := range contacts {
		res.Contacts = append(res.Contacts, wxdb.Resolved{UserName: ct.UserName, PUID: "p" + ct.UserName[1:]})
	}
	c.mu.Lock()
	c.wx, c.roster = wx, newRoster(&wechat.Roster{Self: wechat.Contact{UserName: self}, Contacts: contacts}, res, nil)
	c.mu.Unlock()
	c.loggedIn.Store(true)
}

// friendRequestMsg is a friend request as the inbox drain hands it over.
func friendRequestMsg(self string, id int64, fr *wechat.FriendRequest) *wechat.Message {
	return &wechat.Message{
		ID: id, Type: wechat.MsgTypeVerify, Chat: wechat.FriendRequestSender, Sender: wechat.FriendRequestSender,
		Time: time.Now().Add(-5 * time.Minute), Content: fr,
		Raw: &wechat.RawMessage{FromUserName: wechat.FriendRequestSender, ToUserName: self},
	}
}

func TestFriendRequests(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx
	c := friendTestClient(t, tb)
	alice := &wechat.FriendRequest{
		UserName: "@alice1", NickName: "Alice", Greeting: "hi, it's Alice from work", Ticket: "v2_alice@stranger",
		Province: "Shanghai", City: "Shanghai", RealID: "wxid_alice",
	}
	bob := &wechat.FriendRequest{UserName: "@bob1", NickName: "Bob <b>", Alias: "bob_wx", Ticket: "v2_bob@stranger"}

	t.Run("a request is announced in the management room", func(t *testing.T) {
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 1, alice), alice))
		assert.Equal(t, "WeChat friend request from Alice (Shanghai): \"hi, it's Alice from work\". Send `accept-friend 1` to accept.",
			tb.bot.lastReply(t))
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 2, bob), bob))
		assert.Contains(t, tb.bot.lastReply(t), "from Bob <b> (WeChat ID bob_wx). Send `accept-friend 2`")
	})
	t.Run("a second delivery updates the request", func(t *testing.T) {
		again := *alice
		again.Greeting = "it's me again"
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 3, &again), &again))
		assert.Contains(t, tb.bot.lastReply(t), "\"it's me again\". Send `accept-friend 1`")
		list, err := tb.wc.DB.FriendRequest.List(ctx, testLoginID, wxdb.FriendRequestPending)
		require.NoError(t, err)
		assert.Len(t, list, 2)
	})
	t.Run("a request from the user's own account is ignored", func(t *testing.T) {
		before := replyCount(tb.bot)
		self := &wechat.FriendRequest{UserName: "@self1", NickName: "Me", Ticket: "v2_me@stranger"}
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 4, self), self))
		assert.Equal(t, before, replyCount(tb.bot))
	})
	t.Run("help", func(t *testing.T) {
		got := tb.run(t, testAdmin, "help")
		assert.Contains(t, got, "accept-friend")
		assert.Contains(t, got, "friend-requests")
	})
	t.Run("list", func(t *testing.T) {
		got := tb.run(t, testAdmin, "friend-requests")
		assert.Contains(t, got, "1. Alice (Shanghai), 5 minutes ago: \"it's me again\"")
		assert.Contains(t, got, "2. Bob <b> (WeChat ID bob_wx), 5 minutes ago")
		assert.Contains(t, got, "Send `accept-friend <number>` to accept one", "no prefix in the management room")
	})
	t.Run("usage, outside the management room", func(t *testing.T) {
		c.login.User.ManagementRoom = "!elsewhere:example.com"
		defer func() { c.login.User.ManagementRoom = "!management:example.com" }()
		assert.Contains(t, tb.run(t, testAdmin, "accept-friend"), "Usage: `!wx accept-friend <number or name>`")
	})
	t.Run("unknown number or name", func(t *testing.T) {
		assert.Equal(t, "You have no friend request number 7. Send `friend-requests` to see the waiting ones and their numbers.",
			tb.run(t, testAdmin, "accept-friend 7"))
		assert.Contains(t, tb.run(t, testAdmin, "accept-friend carol"), "No waiting friend request is from someone called \"carol\".")
	})
	t.Run("not logged in", func(t *testing.T) {
		assert.Contains(t, tb.run(t, testUser, "accept-friend 1"), "requires you to be logged in")
	})
	t.Run("not connected", func(t *testing.T) {
		got := tb.run(t, testAdmin, "accept-friend alice")
		assert.Contains(t, got, "is not connected right now, so the request from Alice (Shanghai) was not accepted")
		assert.Contains(t, got, "send `accept-friend 1` again in a minute")
	})

	// Two requests of a session that ends before they are answered.
	erin := &wechat.FriendRequest{UserName: "@erin0", NickName: "Erin", Ticket: "v2_erin@stranger"}
	require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self0", 6, erin), erin))
	frank := &wechat.FriendRequest{UserName: "@frank0", NickName: "Frank", Ticket: "v2_frank@stranger"}
	require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self0", 7, frank), frank))

	host := &fakeVerify{}
	connect(t, c, host, "@self1", wechat.Contact{UserName: "@dave1", NickName: "Dave", ContactFlag: wechat.ContactFlagContact})
	t.Run("a request from an earlier session", func(t *testing.T) {
		got := tb.run(t, testAdmin, "accept-friend erin")
		assert.Contains(t, got, "arrived during an earlier WeChat web session")
		got = tb.run(t, testAdmin, "friend-requests")
		assert.Contains(t, got, "2. Bob <b>")
		assert.Contains(t, got, "These arrived during an earlier WeChat web session, which alone could accept them from here: Frank.")
		assert.NotContains(t, tb.run(t, testAdmin, "friend-requests"), "Frank", "listed as expired once")
		assert.Empty(t, host.requests(), "WeChat is not asked")
	})
	t.Run("accept by number", func(t *testing.T) {
		got := tb.run(t, testAdmin, "accept-friend 1")
		assert.Contains(t, got, "Accepted the friend request from Alice (Shanghai).")
		reqs := host.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, wechat.VerifyOpVerifyOK, reqs[0].Opcode)
		assert.Equal(t, []wechat.VerifyUser{{Value: "@alice1", VerifyUserTicket: "v2_alice@stranger"}}, reqs[0].VerifyUserList)
		fr, err := tb.wc.DB.FriendRequest.Get(ctx, testLoginID, 1)
		require.NoError(t, err)
		assert.Equal(t, wxdb.FriendRequestAccepted, fr.State)
	})
	t.Run("accepting again", func(t *testing.T) {
		assert.Contains(t, tb.run(t, testAdmin, "accept-friend 1"), "was accepted already")
		assert.Len(t, host.requests(), 1, "WeChat is not asked twice")
	})
	t.Run("the same request delivered again is not announced again", func(t *testing.T) {
		before := replyCount(tb.bot)
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 1, alice), alice))
		assert.Equal(t, before, replyCount(tb.bot))
	})
	t.Run("WeChat refuses an expired request", func(t *testing.T) {
		host.mu.Lock()
		host.ret = -1
		host.mu.Unlock()
		got := tb.run(t, testAdmin, "accept-friend bob_wx")
		assert.Contains(t, got, "WeChat refused to accept the request from Bob <b> (WeChat ID bob_wx) (error -1)")
		assert.Contains(t, got, "accept it there")
		assert.Contains(t, tb.run(t, testAdmin, "accept-friend 2"), "can no longer be accepted from here")
	})
	t.Run("accepted on the phone", func(t *testing.T) {
		dave := &wechat.FriendRequest{UserName: "@dave1", NickName: "Dave", Ticket: "v2_dave@stranger"}
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 5, dave), dave))
		assert.Contains(t, tb.bot.lastReply(t), "Send `accept-friend 5`")
		got := tb.run(t, testAdmin, "friend-requests")
		assert.Contains(t, got, "You have no WeChat friend requests waiting", "Dave is a friend already")
	})
	t.Run("a request bridged after a re-login", func(t *testing.T) {
		gina := &wechat.FriendRequest{UserName: "@gina0", NickName: "Gina", Ticket: "v2_gina@stranger"}
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self0", 8, gina), gina))
		assert.Equal(t, "WeChat friend request from Gina. The bridge cannot accept this one: accept it on your phone.", tb.bot.lastReply(t))
		list, err := tb.wc.DB.FriendRequest.List(ctx, testLoginID, wxdb.FriendRequestExpired)
		require.NoError(t, err)
		require.NotEmpty(t, list)
		assert.Equal(t, "Gina", list[len(list)-1].NickName)
	})
}

func TestFriendRequestNoticeFailure(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx
	c := friendTestClient(t, tb)
	fr := &wechat.FriendRequest{UserName: "@alice1", NickName: "Alice", Ticket: "v2_alice@stranger"}

	t.Run("an invalid request is announced without a number", func(t *testing.T) {
		bad := &wechat.FriendRequest{UserName: "@alice1", NickName: "Alice"}
		require.NoError(t, c.handleFriendRequest(ctx, friendRequestMsg("@self1", 1, bad), bad))
		assert.Contains(t, tb.bot.lastReply(t), "The bridge cannot accept this one: accept it on your phone.")
	})
	t.Run("a database failure is returned, for a retry", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := c.handleFriendRequest(cctx, friendRequestMsg("@self1", 2, fr), fr)
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	})
}

func TestHomeserverRefused(t *testing.T) {
	forbidden := mautrix.HTTPError{RespError: &mautrix.RespError{ErrCode: "M_FORBIDDEN", StatusCode: 403}}
	assert.True(t, homeserverRefused(forbidden))
	assert.True(t, homeserverRefused(fmt.Errorf("failed to create management room: %w", forbidden)))
	assert.False(t, homeserverRefused(mautrix.HTTPError{WrappedError: errors.New("connection refused")}))
	assert.False(t, homeserverRefused(context.DeadlineExceeded))
}
