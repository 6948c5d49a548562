package wechattest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestOpLogApplies: webwxoplog changes the contact the way the real server
// does and sends it back in a ModContactList; a pin without RemarkName
// clears the remark (W4U); a group's remark is ignored; an unknown UserName
// is refused; an unknown command is a violation.
func TestOpLogApplies(t *testing.T) {
	tests := []struct {
		name          string
		id            string
		body          map[string]any
		wantRet       int
		wantEcho      bool
		wantRemark    string
		wantPinned    bool
		wantViolation string
	}{
		{name: "remark", id: "alice", body: map[string]any{"CmdId": 2, "RemarkName": "Ally"}, wantEcho: true, wantRemark: "Ally"},
		{name: "pin with the remark", id: "alice", body: map[string]any{"CmdId": 3, "OP": 1, "RemarkName": "Alice Work"}, wantEcho: true, wantRemark: "Alice Work", wantPinned: true},
		{name: "pin without the remark clears it", id: "alice", body: map[string]any{"CmdId": 3, "OP": 1}, wantEcho: true, wantPinned: true},
		{name: "group remark ignored", id: "family", body: map[string]any{"CmdId": 2, "RemarkName": "Folks"}},
		{name: "unknown UserName", body: map[string]any{"CmdId": 2, "RemarkName": "x", "UserName": "@0000"}, wantRet: retParamError},
		{name: "unknown command", id: "alice", body: map[string]any{"CmdId": 7}, wantRet: retParamError, wantViolation: "CmdId is neither 2 (remark) nor 3 (pin)"},
		{name: "bad OP", id: "alice", body: map[string]any{"CmdId": 3, "OP": 2}, wantRet: retParamError, wantViolation: "OP of a pin is neither 0 nor 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, init := loggedIn(t, Config{})
			body := map[string]any{"BaseRequest": c.baseReq()}
			for k, v := range tt.body {
				body[k] = v
			}
			if tt.id != "" {
				body["UserName"] = s.UserName(tt.id)
			}
			var out wechat.GenericResponse
			c.postJSON("webwxoplog", nil, body, &out)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret)

			r := c.sync(init.SyncKey)
			var echo *wechat.Contact
			for i := range r.ModContactList {
				if r.ModContactList[i].UserName == body["UserName"] {
					echo = &r.ModContactList[i]
				}
			}
			if !tt.wantEcho {
				assert.Nil(t, echo, "no ModContactList entry")
			} else if assert.NotNil(t, echo, "a ModContactList entry") {
				assert.Equal(t, tt.wantRemark, echo.RemarkName)
				assert.Equal(t, tt.wantPinned, echo.ContactFlag&contactFlagTop != 0, "pinned")
				assert.NotZero(t, echo.ContactFlag&contactFlagContact, "still a friend")
			}
			if tt.wantViolation != "" {
				require.True(t, hasViolation(s, tt.wantViolation), s.Violations())
			} else {
				assert.Empty(t, s.Violations())
			}
		})
	}
}
