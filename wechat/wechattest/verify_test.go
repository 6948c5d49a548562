package wechattest

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func verifyUser(c *tclient, opcode int, users ...wechat.VerifyUser) wechat.GenericResponse {
	c.t.Helper()
	var out wechat.GenericResponse
	c.postJSON("webwxverifyuser", url.Values{"r": {"1"}, "lang": {"zh_CN"}, "pass_ticket": {c.passTicket}}, wechat.VerifyUserRequest{
		BaseRequest: c.baseReq(), Opcode: opcode, VerifyUserListSize: len(users), VerifyUserList: users,
		SceneListCount: 1, SceneList: []int{33}, Skey: c.skey,
	}, &out)
	return out
}

func TestVerifyUser(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	id, _ := s.InjectFriendRequest("Hank", "hello")
	r := c.sync(init.SyncKey)
	require.Equal(t, 1, r.AddMsgCount)
	ri := r.AddMsgList[0].RecommendInfo

	tests := []struct {
		name    string
		opcode  int
		users   []wechat.VerifyUser
		wantRet int
	}{
		{"wrong ticket", wechat.VerifyOpVerifyOK, []wechat.VerifyUser{{Value: ri.UserName, VerifyUserTicket: "v2_wrong@stranger"}}, -1},
		{"unknown user", wechat.VerifyOpVerifyOK, []wechat.VerifyUser{{Value: "@nobody", VerifyUserTicket: ri.Ticket}}, 1},
		{"empty list", wechat.VerifyOpVerifyOK, nil, 1},
		{"unsupported opcode", 9, []wechat.VerifyUser{{Value: ri.UserName}}, 1},
		{"accept", wechat.VerifyOpVerifyOK, []wechat.VerifyUser{{Value: ri.UserName, VerifyUserTicket: ri.Ticket}}, 0},
		{"accept twice", wechat.VerifyOpVerifyOK, []wechat.VerifyUser{{Value: ri.UserName, VerifyUserTicket: ri.Ticket}}, -1},
		{"send a request", wechat.VerifyOpSendRequest, []wechat.VerifyUser{{Value: s.UserName("erin")}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantRet, verifyUser(c, tt.opcode, tt.users...).BaseResponse.Ret)
		})
	}
	assert.Len(t, s.Verifies(), 2)

	after := c.sync(r.SyncKey)
	require.Equal(t, 1, after.ModContactCount)
	assert.Equal(t, ri.UserName, after.ModContactList[0].UserName)
	assert.Equal(t, 1, after.ModContactList[0].ContactFlag&wechat.ContactFlagContact)
	require.Equal(t, 1, after.AddMsgCount)
	sys := after.AddMsgList[0]
	assert.Equal(t, wechat.MsgTypeSys, sys.MsgType)
	assert.Equal(t, ri.UserName, sys.FromUserName)
	assert.Equal(t, "你已添加了Hank，现在可以开始聊天了。", sys.Content)
	assert.Equal(t, ri.UserName, s.UserName(id))

	// The new friend can be messaged.
	assert.Equal(t, 0, c.sendText(ri.UserName, "welcome", "42").BaseResponse.Ret)
}

func TestVerifyUserBodySkey(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	var out wechat.GenericResponse
	c.postJSON("webwxverifyuser", nil, wechat.VerifyUserRequest{
		BaseRequest: c.baseReq(), Opcode: 2, VerifyUserListSize: 1, VerifyUserList: []wechat.VerifyUser{{Value: s.UserName("erin")}}, Skey: "@crypt_other",
	}, &out)
	assert.Equal(t, 1101, out.BaseResponse.Ret)
}

// A SceneListCount that is not the list's length is taken, and recorded.
func TestVerifyUserSceneListCount(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	var out wechat.GenericResponse
	c.postJSON("webwxverifyuser", nil, wechat.VerifyUserRequest{
		BaseRequest: c.baseReq(), Opcode: wechat.VerifyOpSendRequest, VerifyUserListSize: 1,
		VerifyUserList: []wechat.VerifyUser{{Value: s.UserName("erin")}}, SceneListCount: 2, SceneList: []int{33}, Skey: c.skey,
	}, &out)
	assert.Equal(t, 0, out.BaseResponse.Ret)
	assert.Equal(t, []string{"webwxverifyuser: SceneListCount does not match len(SceneList)"}, s.Violations())
}
