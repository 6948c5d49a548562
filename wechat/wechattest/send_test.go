package wechattest

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestSendTextEchoes(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	out := c.sendText(s.UserName("family"), "hi <all> & you\nsecond line", "17000000000001234")
	require.Equal(t, 0, out.BaseResponse.Ret, out.BaseResponse.ErrMsg)
	assert.Equal(t, "17000000000001234", out.LocalID)
	msgID, err := strconv.ParseInt(out.MsgID, 10, 64)
	require.NoError(t, err)

	sent := s.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "family", sent[0].ToID)
	assert.Equal(t, msgID, sent[0].MsgID)
	assert.Equal(t, "webwxsendmsg", sent[0].Endpoint)

	r := c.sync(init.SyncKey)
	require.Equal(t, 1, r.AddMsgCount)
	echo := r.AddMsgList[0]
	assert.Equal(t, msgID, int64(echo.NewMsgId))
	assert.Equal(t, s.UserName(SelfID), echo.FromUserName)
	assert.Equal(t, s.UserName("family"), echo.ToUserName)
	assert.Equal(t, "hi &lt;all&gt; &amp; you<br/>second line", echo.Content)
}

func TestSendRefusals(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(s *Server, m *wechat.OutMessage)
		wantRet int
	}{
		{"wrong type", func(_ *Server, m *wechat.OutMessage) { m.Type = 3 }, 1},
		{"From not self", func(s *Server, m *wechat.OutMessage) { m.FromUserName = s.UserName("alice") }, 1},
		{"unknown To", func(_ *Server, m *wechat.OutMessage) { m.ToUserName = "@nobody" }, 1204},
		{"To a non-friend", func(s *Server, m *wechat.OutMessage) { m.ToUserName = s.UserName("erin") }, 1204},
		{"LocalID differs from ClientMsgId", func(_ *Server, m *wechat.OutMessage) { m.LocalID = "1" }, 1},
		{"no LocalID", func(_ *Server, m *wechat.OutMessage) { m.LocalID, m.ClientMsgId = "", "" }, 1},
		{"empty text", func(_ *Server, m *wechat.OutMessage) { m.Content = "" }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := loggedIn(t, Config{})
			m := wechat.OutMessage{
				Type: 1, Content: "x", FromUserName: s.UserName(SelfID), ToUserName: s.UserName("alice"),
				LocalID: "123", ClientMsgId: "123",
			}
			tt.mutate(s, &m)
			var out wechat.SendResponse
			c.postJSON("webwxsendmsg", url.Values{"pass_ticket": {c.passTicket}}, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: m}, &out)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)
			assert.NotEmpty(t, out.BaseResponse.ErrMsg)
			assert.Empty(t, s.Sent())
			assert.NotEmpty(t, s.Violations())
		})
	}
}

func TestSendDuplicateClientMsgId(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	require.Equal(t, 0, c.sendText("filehelper", "one", "555").BaseResponse.Ret)
	assert.Equal(t, 1, c.sendText("filehelper", "two", "555").BaseResponse.Ret)
	assert.True(t, hasViolation(s, "used twice"))
	assert.Len(t, s.Sent(), 1)
}

func TestSendRecordsMsgSource(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	src := "<msgsource><atusername>" + s.UserName("alice") + "</atusername><atchatroomname>" + s.UserName("family") + "</atchatroomname></msgsource>"
	var out wechat.SendResponse
	c.postJSON("webwxsendmsg", url.Values{"pass_ticket": {c.passTicket}}, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: wechat.OutMessage{
		Type: 1, Content: "@Alice\u2005hi", FromUserName: s.UserName(SelfID), ToUserName: s.UserName("family"),
		LocalID: "9", ClientMsgId: "9", MsgSource: src,
	}}, &out)
	require.Equal(t, 0, out.BaseResponse.Ret)
	assert.Equal(t, src, s.Sent()[0].Msg.MsgSource)
}

func revoke(c *tclient, svrMsgID, to, clientMsgID string) wechat.RevokeResponse {
	c.t.Helper()
	var out wechat.RevokeResponse
	c.postJSON("webwxrevokemsg", nil, wechat.RevokeRequest{BaseRequest: c.baseReq(), SvrMsgId: svrMsgID, ToUserName: to, ClientMsgId: clientMsgID}, &out)
	return out
}

func TestRevoke(t *testing.T) {
	// The clock starts at the real time: the test client's cookie jar
	// judges the cookies' Expires by the real time.
	clock := NewClock(time.Now())
	s, c, init := loggedIn(t, Config{Now: clock.Now})
	alice := s.UserName("alice")
	first := c.sendText(alice, "oops", "1001")
	second := c.sendText(alice, "late", "1002")

	tests := []struct {
		name                 string
		advance              time.Duration
		svr, to, clientMsgID string
		wantRet              int
	}{
		{"unknown SvrMsgId", 0, "123", alice, "1001", -1},
		{"wrong ClientMsgId", 0, first.MsgID, alice, "9999", -1},
		{"wrong ToUserName", 0, first.MsgID, s.UserName("bob"), "1001", -1},
		{"within the window", 90 * time.Second, first.MsgID, alice, "1001", 0},
		{"twice", 0, first.MsgID, alice, "1001", -1},
		{"after two minutes", 31 * time.Second, second.MsgID, alice, "1002", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(tt.advance)
			out := revoke(c, tt.svr, tt.to, tt.clientMsgID)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)
			if tt.wantRet != 0 {
				assert.NotEmpty(t, out.BaseResponse.ErrMsg)
			}
		})
	}
	require.Len(t, s.Revokes(), 1)
	assert.Equal(t, first.MsgID, s.Revokes()[0].SvrMsgId)

	r := c.sync(init.SyncKey)
	require.Equal(t, 3, r.AddMsgCount, "two echoes and the revoke notice")
	notice := r.AddMsgList[2]
	assert.Equal(t, wechat.MsgTypeRecalled, notice.MsgType)
	assert.Equal(t, s.UserName(SelfID), notice.FromUserName)
	assert.Contains(t, notice.Content, "&lt;msgid&gt;"+first.MsgID+"&lt;/msgid&gt;")
}
