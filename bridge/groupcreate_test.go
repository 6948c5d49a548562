package bridge

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// TestCreateGroup: a group of friends is created with webwxcreatechatroom
// and its portal comes back with the group's record; WeChat's refusals
// (the 2018 closing, too frequent) and network trouble come back as
// sentences bridgev2 shows after "Failed to create group: ", and someone
// who is not a friend stops the creation before WeChat is asked.
func TestCreateGroup(t *testing.T) {
	created := `{"BaseResponse":{"Ret":0,"ErrMsg":""},"ChatRoomName":"@@hike","MemberCount":3,"MemberList":[],"Topic":"Hike"}`
	tests := []struct {
		name         string
		participants []networkid.UserID
		answer       string // webwxcreatechatroom's answer; "" is HTTP 500
		wantCalls    int
		wantStatus   int // RespError's status; 0 for success
		wantText     []string
	}{
		{name: "created", participants: []networkid.UserID{"palice1", "pbob1"}, answer: created, wantCalls: 1},
		{name: "refused since 2018", participants: []networkid.UserID{"palice1", "pbob1"},
			answer:    `{"BaseResponse":{"Ret":0,"ErrMsg":"<e><ShowType>1</ShowType><Content><![CDATA[创建群聊失败]]></Content></e>"},"ChatRoomName":"","MemberCount":0,"MemberList":[]}`,
			wantCalls: 1, wantStatus: http.StatusForbidden,
			wantText: []string{`WeChat refused to create the group ("创建群聊失败").`, "not been allowed to create groups for most accounts since 2018",
				"Create the group on your phone instead; the bridge opens a room for it when its first message arrives."}},
		{name: "too frequent", participants: []networkid.UserID{"palice1", "pbob1"},
			answer:    `{"BaseResponse":{"Ret":1,"ErrMsg":"操作太频繁，请稍后再试。"},"ChatRoomName":"","MemberCount":0,"MemberList":[]}`,
			wantCalls: 1, wantStatus: http.StatusTooManyRequests,
			wantText: []string{"WeChat says you are creating groups too often", "Try again in an hour, or create the group on your phone"}},
		{name: "network trouble", participants: []networkid.UserID{"palice1", "pbob1"}, wantCalls: -1, wantStatus: http.StatusBadGateway,
			wantText: []string{"the bridge could not reach WeChat, so no group was created", "Try again in a moment."}},
		{name: "not a friend", participants: []networkid.UserID{"palice1", "perin1"}, wantStatus: http.StatusBadRequest,
			wantText: []string{"Erin is not your WeChat friend", "Add them as a friend first, or leave them out."}},
		{name: "not in the session", participants: []networkid.UserID{"palice1", networkid.UserID(strings.Repeat("q", wxdb.PUIDLen))}, wantStatus: http.StatusNotFound,
			wantText: []string{"is not in your current WeChat session, so no group was created"}},
		{name: "not an ID", participants: []networkid.UserID{"palice1", "@bob:example.com"}, wantStatus: http.StatusBadRequest,
			wantText: []string{`"@bob:example.com" is not the ID of a WeChat contact, so no group was created.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			c := friendTestClient(t, tb)
			var mu sync.Mutex
			var bodies []wechat.CreateChatroomRequest
			connect(t, c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data, _ := io.ReadAll(r.Body)
				switch {
				case strings.HasSuffix(r.URL.Path, "/webwxbatchgetcontact"):
					_, _ = w.Write([]byte(`{"BaseResponse":{"Ret":0,"ErrMsg":""},"Count":1,"ContactList":[{"UserName":"@@hike","NickName":"Hike","MemberCount":3,` +
						`"MemberList":[{"UserName":"@self1","NickName":"Me"},{"UserName":"@alice1","NickName":"Alice"},{"UserName":"@bob1","NickName":"Bob"}]}]}`))
				case strings.HasSuffix(r.URL.Path, "/webwxcreatechatroom"):
					var body wechat.CreateChatroomRequest
					assert.NoError(t, json.Unmarshal(data, &body))
					mu.Lock()
					bodies = append(bodies, body)
					mu.Unlock()
					if tt.answer == "" {
						http.Error(w, "server error", http.StatusInternalServerError)
						return
					}
					_, _ = w.Write([]byte(tt.answer))
				default:
					t.Errorf("unexpected request to %s", r.URL.Path)
				}
			}), "@self1",
				wechat.Contact{UserName: "@alice1", NickName: "Alice", ContactFlag: 1},
				wechat.Contact{UserName: "@bob1", NickName: "Bob", ContactFlag: 1},
				wechat.Contact{UserName: "@erin1", NickName: "Erin"})
			resp, err := c.CreateGroup(tb.br.BackgroundCtx, &bridgev2.GroupCreateParams{
				Type: groupTypeWeChat, Participants: tt.participants, Name: &event.RoomNameEventContent{Name: " Hike "},
			})
			mu.Lock()
			defer mu.Unlock()
			if tt.wantCalls >= 0 {
				assert.Len(t, bodies, tt.wantCalls, "webwxcreatechatroom calls")
			} else {
				assert.NotEmpty(t, bodies)
			}
			if tt.wantStatus != 0 {
				require.Error(t, err)
				assert.Nil(t, resp)
				var re mautrix.RespError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.wantStatus, re.StatusCode)
				for _, want := range tt.wantText {
					assert.Contains(t, err.Error(), want)
				}
				assert.NotContains(t, err.Error(), "M_", "the sentence carries no error code")
				return
			}
			require.NoError(t, err)
			require.Len(t, bodies, 1)
			assert.Equal(t, "Hike", bodies[0].Topic)
			assert.Equal(t, 2, bodies[0].MemberCount)
			assert.Equal(t, []wechat.CreateChatroomMember{{UserName: "@alice1"}, {UserName: "@bob1"}}, bodies[0].MemberList)
			require.NotNil(t, resp.PortalInfo)
			assert.Equal(t, "Hike", *resp.PortalInfo.Name)
			assert.Len(t, resp.PortalInfo.Members.Members, 3, "the user, Alice and Bob")
			_, r := c.currentSession()
			assert.Equal(t, wxid.MakePortalKey(mustPUID(t, r, "@@hike"), testLoginID), resp.PortalKey)
		})
	}
}

func mustPUID(t *testing.T, r *puidRoster, userName string) string {
	t.Helper()
	puid, ok := r.puid(userName)
	require.True(t, ok, "%s has a PUID", userName)
	return puid
}

// TestGroupCreationCapabilities: provisioning clients and `create-group`
// learn of the one group type and its two-friend minimum.
func TestGroupCreationCapabilities(t *testing.T) {
	caps := (&WeChatConnector{}).GetCapabilities().Provisioning.GroupCreation
	require.Contains(t, caps, groupTypeWeChat)
	assert.Equal(t, 2, caps[groupTypeWeChat].Participants.MinLength)
	assert.True(t, caps[groupTypeWeChat].Name.Allowed)
	assert.False(t, caps[groupTypeWeChat].Avatar.Allowed, "the web API sets no group avatar")
}

// TestCreateGroupPaced: after WeChat said "too frequent", a second
// create-group within the hour is refused by the bridge with the time
// left, and WeChat is not asked again.
func TestCreateGroupPaced(t *testing.T) {
	tb := newTestBridge(t)
	c := friendTestClient(t, tb)
	var calls atomic.Int32
	connect(t, c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/webwxcreatechatroom") {
			t.Errorf("unexpected request to %s", r.URL.Path)
			return
		}
		calls.Add(1)
		_, _ = w.Write([]byte(`{"BaseResponse":{"Ret":1,"ErrMsg":"操作太频繁，请稍后再试。"},"ChatRoomName":"","MemberCount":0,"MemberList":[]}`))
	}), "@self1",
		wechat.Contact{UserName: "@alice1", NickName: "Alice", ContactFlag: 1},
		wechat.Contact{UserName: "@bob1", NickName: "Bob", ContactFlag: 1})
	params := &bridgev2.GroupCreateParams{Type: groupTypeWeChat, Participants: []networkid.UserID{"palice1", "pbob1"}}
	_, err := c.CreateGroup(tb.br.BackgroundCtx, params)
	require.ErrorContains(t, err, "WeChat says you are creating groups too often")

	_, err = c.CreateGroup(tb.br.BackgroundCtx, params)
	var re mautrix.RespError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusTooManyRequests, re.StatusCode)
	assert.Contains(t, err.Error(), "the bridge did not ask WeChat for a new group yet")
	assert.Contains(t, err.Error(), "Try again in 60 minutes, or create the group on your phone")
	assert.EqualValues(t, 1, calls.Load(), "WeChat was asked once")
}
