package bridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func testSession() *wechat.Session {
	return &wechat.Session{
		Hosts: wechat.Hosts{Web: "wx.qq.com"}, Uin: 2876543210, Sid: "sid", SKey: "@crypt_test", PassTicket: "pt", DeviceID: "e123",
		SyncKey:      wechat.SyncKey{Count: 2, List: []wechat.SyncKeyItem{{Key: 1, Val: 1 << 40}, {Key: 1000, Val: 7}}},
		SyncCheckKey: wechat.SyncKey{Count: 1, List: []wechat.SyncKeyItem{{Key: 1, Val: 1 << 40}}},
		Self:         wechat.Contact{UserName: "@self", NickName: "Me"},
		Cookies:      []wechat.Cookie{{Name: "wxuin", Value: "2876543210", Domain: "wx.qq.com", Path: "/"}},
		LoginTime:    time.Date(2025, 3, 4, 22, 0, 0, 0, time.UTC),
		Desktop:      true,
	}
}

func TestSessionCodec(t *testing.T) {
	state, err := encodeSession(testSession())
	require.NoError(t, err)
	got, err := decodeSession(state)
	require.NoError(t, err)
	assert.Equal(t, testSession(), got, "a session survives the round trip whole")

	tests := []struct {
		name    string
		state   string
		wantErr error // nil: any error
	}{
		{"not JSON", `{"uin":`, nil},
		{"no session", `null`, wechat.ErrNotLoggedIn},
		{"not usable: no skey", `{"hosts":{"web":"wx.qq.com"},"uin":1,"sid":"s"}`, wechat.ErrNotLoggedIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := decodeSession([]byte(tt.state))
			require.Error(t, err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Nil(t, sess)
		})
	}
}

func TestSessionStore(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx

	_, err := tb.wc.loadSession(ctx, testLoginID)
	require.ErrorIs(t, err, wechat.ErrNotLoggedIn, "none stored yet")

	require.NoError(t, tb.wc.saveSession(ctx, testLoginID, testSession()))
	got, err := tb.wc.loadSession(ctx, testLoginID)
	require.NoError(t, err)
	assert.Equal(t, testSession(), got)

	// The inbox writes the session of a batch in the same encoding.
	next := testSession()
	next.SyncKey.List[1].Val = 8
	state, err := encodeSession(next)
	require.NoError(t, err)
	require.NoError(t, tb.wc.DB.Inbox.StoreBatch(ctx, testLoginID, state, nil))
	got, err = tb.wc.loadSession(ctx, testLoginID)
	require.NoError(t, err)
	assert.Equal(t, next, got)

	require.NoError(t, tb.wc.DB.Session.Delete(ctx, testLoginID))
	_, err = tb.wc.loadSession(ctx, testLoginID)
	require.ErrorIs(t, err, wechat.ErrNotLoggedIn, "forgotten")
}
