package wechattest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateChatRoomReading: webwxcreatechatroom's body is read strictly
// (what the official client never sends is a violation and Ret 1), each
// mode answers as the real server does, and only a created group
// reaches the sync.
func TestCreateChatRoomReading(t *testing.T) {
	tests := []struct {
		name          string
		mode          GroupCreation
		members       []string // seed ids; "?" is a UserName of no one
		count         int      // MemberCount; -1 means len(members)
		wantRet       int
		wantErrMsg    string
		wantName      bool // a ChatRoomName in the answer
		wantGroup     bool // a ModContactList entry in the sync
		wantViolation string
	}{
		{name: "allowed", mode: GroupCreationAllowed, members: []string{"alice", "bob"}, count: -1, wantName: true, wantGroup: true},
		{name: "refused (default)", members: []string{"alice", "bob"}, count: -1, wantErrMsg: createRefusedErrMsg},
		{name: "created anyway", mode: GroupCreationCreatedAnyway, members: []string{"alice", "bob"}, count: -1, wantErrMsg: createRefusedErrMsg, wantGroup: true},
		{name: "too frequent", mode: GroupCreationTooFrequent, members: []string{"alice", "bob"}, count: -1, wantRet: retParamError, wantErrMsg: createTooFrequentErrMsg},
		{name: "one member", mode: GroupCreationAllowed, members: []string{"alice"}, count: -1, wantRet: retParamError,
			wantViolation: "a group needs at least 2 members besides the account"},
		{name: "count mismatch", mode: GroupCreationAllowed, members: []string{"alice", "bob"}, count: 3, wantRet: retParamError,
			wantViolation: "MemberCount 3 but 2 in MemberList"},
		{name: "self listed", mode: GroupCreationAllowed, members: []string{"alice", SelfID}, count: -1, wantRet: retParamError,
			wantViolation: "the account itself in MemberList (it is the group's owner already)"},
		{name: "not a friend", mode: GroupCreationAllowed, members: []string{"alice", "erin"}, count: -1, wantRet: retLogicError,
			wantErrMsg: "only friends can be in a new group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, init := loggedIn(t, Config{GroupCreation: tt.mode})
			var list []map[string]string
			for _, m := range tt.members {
				list = append(list, map[string]string{"UserName": s.UserName(m)})
			}
			count := tt.count
			if count < 0 {
				count = len(list)
			}
			body := map[string]any{"BaseRequest": c.baseReq(), "MemberCount": count, "MemberList": list, "Topic": "Hike"}
			var out createChatRoomAnswer
			c.postJSON("webwxcreatechatroom", url.Values{"r": {"1700000000000"}, "pass_ticket": {c.passTicket}}, body, &out)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)
			if tt.wantErrMsg != "" {
				assert.Equal(t, tt.wantErrMsg, out.BaseResponse.ErrMsg)
			}
			assert.Equal(t, tt.wantName, out.ChatRoomName != "", "ChatRoomName %q", out.ChatRoomName)
			assert.NotNil(t, out.MemberList, "MemberList is [] or a list, never null")
			if tt.wantName {
				assert.Len(t, out.MemberList, 3)
			}
			var groups int
			for _, ct := range c.sync(init.SyncKey).ModContactList {
				if ct.NickName == "Hike" {
					groups++
				}
			}
			assert.Equal(t, tt.wantGroup, groups == 1)
			if tt.wantViolation != "" {
				assert.Contains(t, s.Violations(), "webwxcreatechatroom: "+tt.wantViolation)
			} else {
				assert.Empty(t, s.Violations())
			}
		})
	}
}

// TestControlGroupCreation: /_sim/group-creation switches the answer and
// refuses an unknown mode.
func TestControlGroupCreation(t *testing.T) {
	s, c := newTest(t, Config{ControlAPI: true})
	code, _ := c.control(http.MethodPost, "group-creation", url.Values{"mode": {"allowed"}}, nil)
	require.Equal(t, http.StatusOK, code)
	s.mu.Lock()
	assert.Equal(t, GroupCreationAllowed, s.cfg.GroupCreation)
	s.mu.Unlock()
	code, _ = c.control(http.MethodPost, "group-creation", url.Values{"mode": {"maybe"}}, nil)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = c.control(http.MethodPost, "group-creation", nil, nil)
	require.Equal(t, http.StatusOK, code)
	s.mu.Lock()
	assert.Equal(t, GroupCreationRefused, s.cfg.GroupCreation)
	s.mu.Unlock()
}
