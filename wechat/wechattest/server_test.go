package wechattest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	require.Eventually(t, func() bool { return s.URL() != "" }, 5*time.Second, time.Millisecond)
	hc := &http.Client{Transport: toServer(t, s, http.DefaultTransport)}
	resp, err := hc.Get(hostURL(loginHost, "/jslogin", url.Values{"appid": {wechat.AppID}, "fun": {"new"}, "redirect_uri": {"x"}}))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	cancel()
	select {
	case err := <-errc:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop")
	}
}

func TestServeListenerError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	assert.Error(t, New(Config{}).Serve(context.Background(), ln))
}

func TestListenAndServe(t *testing.T) {
	assert.Error(t, ListenAndServe(context.Background(), "256.1.1.1:bad", Config{}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.NoError(t, ListenAndServe(ctx, "127.0.0.1:0", Config{}))
}

func TestSeedIsCopied(t *testing.T) {
	seed := DefaultSeed()
	s := New(Config{Seed: seed})
	s.UpdateContact("family", func(c *SeedContact) { c.Members[0] = "bob"; c.MemberDisplayNames["x"] = "y" })
	s.ChangeProfile("Other")
	assert.Equal(t, SelfID, seed.Contacts[9].Members[0])
	assert.Len(t, seed.Contacts[9].MemberDisplayNames, 1)
	assert.Equal(t, "Tester", seed.Self.NickName)
}

func TestCustomSeed(t *testing.T) {
	seed := &Seed{
		Self: SeedContact{ID: "me", NickName: "Me"},
		Contacts: []SeedContact{
			{ID: "pal", NickName: "Pal", Friend: true, ContactFlag: 2051},
			{ID: "club", NickName: "Club", Group: true, SavedToContacts: true, Members: []string{"pal", SelfID}, Owner: "pal"},
		},
	}
	s, c, init := loggedIn(t, Config{Seed: seed})
	assert.NotZero(t, s.SelfUin(), "a uin is made up when the seed has none")
	assert.Equal(t, "Me", init.User.NickName)
	out := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("club")}, wechat.BatchContactRequestItem{UserName: s.UserName("pal")})
	require.Len(t, out.ContactList, 2)
	assert.Equal(t, s.UserName("pal"), out.ContactList[0].ChatRoomOwner)
	assert.Equal(t, 0, out.ContactList[0].IsOwner)
	assert.Equal(t, 2051, out.ContactList[1].ContactFlag)
}

func TestJSLoginByPOSTForm(t *testing.T) {
	_, c := newTest(t, Config{})
	form := url.Values{"appid": {wechat.AppID}, "fun": {"new"}, "redirect_uri": {"https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"}}
	resp, body := c.do(http.MethodPost, "/jslogin", nil, []byte(form.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Regexp(t, uuidRe, string(body))
}

// syncBuffer is a concurrency-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var out syncBuffer
	log := zerolog.New(&out).Level(zerolog.TraceLevel)
	s, c, init := loggedIn(t, Config{Log: &log})
	s.InjectText("alice", "", "hello")
	c.sync(init.SyncKey)
	c.withoutCookies().sync(init.SyncKey)
	logs := out.String()
	require.Contains(t, logs, "Session started")
	require.Contains(t, logs, "Protocol violation")
	for _, secret := range []string{c.sid, c.skey, c.passTicket, c.cookie("webwx_data_ticket"), c.cookie("webwx_auth_ticket")} {
		assert.False(t, strings.Contains(logs, secret), "a secret leaked into the log")
	}
}
