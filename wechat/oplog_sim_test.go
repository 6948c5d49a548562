package wechat_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// lastModContact waits for a ModContactList entry of userName and returns
// the newest one.
func lastModContact(t *testing.T, rec *recorder, userName string, cond func(wechat.Contact) bool) wechat.Contact {
	t.Helper()
	var got wechat.Contact
	rec.waitFor(t, "a ModContactList entry of "+userName, func() bool {
		for _, b := range rec.batches() {
			for _, ct := range b.ModContacts {
				if ct.UserName == userName && cond(ct) {
					got = ct
					return true
				}
			}
		}
		return false
	})
	return got
}

func TestOpLog(t *testing.T) {
	tests := []struct {
		name       string
		call       func(c *wechat.Client, alice string) error
		wantBody   map[string]any
		wantRemark string
		wantPinned bool
	}{
		{
			name:       "set remark",
			call:       func(c *wechat.Client, alice string) error { return c.SetRemarkName(testCtx(t), alice, "Ally") },
			wantBody:   map[string]any{"CmdId": 2.0, "RemarkName": "Ally"},
			wantRemark: "Ally",
		},
		{
			name:       "clear remark",
			call:       func(c *wechat.Client, alice string) error { return c.SetRemarkName(testCtx(t), alice, "") },
			wantBody:   map[string]any{"CmdId": 2.0, "RemarkName": ""},
			wantRemark: "",
		},
		{
			name:       "pin keeps the remark",
			call:       func(c *wechat.Client, alice string) error { return c.SetPinned(testCtx(t), alice, true, "Alice Work") },
			wantBody:   map[string]any{"CmdId": 3.0, "OP": 1.0, "RemarkName": "Alice Work"},
			wantRemark: "Alice Work",
			wantPinned: true,
		},
		{
			name:       "unpin sends OP 0",
			call:       func(c *wechat.Client, alice string) error { return c.SetPinned(testCtx(t), alice, false, "Alice Work") },
			wantBody:   map[string]any{"CmdId": 3.0, "OP": 0.0, "RemarkName": "Alice Work"},
			wantRemark: "Alice Work",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			cfg := testConfig(sim, wechat.ModeDesktop)
			rec := newRecorder()
			c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
			alice := sim.UserName("alice")

			require.NoError(t, tt.call(c, alice))

			logs := sim.OpLogs()
			require.Len(t, logs, 1)
			var body map[string]any
			require.NoError(t, json.Unmarshal(logs[0], &body))
			assert.Equal(t, alice, body["UserName"])
			for k, v := range tt.wantBody {
				assert.Equal(t, v, body[k], k)
			}
			if _, isPin := tt.wantBody["OP"]; !isPin {
				assert.NotContains(t, body, "OP", "a remark carries no OP")
			}
			ct := lastModContact(t, rec, alice, func(ct wechat.Contact) bool {
				return ct.RemarkName == tt.wantRemark
			})
			assert.Equal(t, tt.wantPinned, ct.ContactFlag&wechat.ContactFlagTop != 0, "pinned")
			assert.Empty(t, sim.Violations())
		})
	}
}

func TestOpLogUnknownUserName(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	err := c.SetRemarkName(testCtx(t), "@0000nobody", "x")
	var retErr *wechat.RetError
	require.ErrorAs(t, err, &retErr)
	assert.Equal(t, "webwxoplog", retErr.Endpoint)
	assert.Error(t, c.SetRemarkName(testCtx(t), "", "x"), "an empty UserName is refused before any request")
	assert.Len(t, sim.OpLogs(), 1)
}
