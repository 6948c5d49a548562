package bridge

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// TestHandleMatrixRoomName: a rename asks WeChat (modtopic) and the portal
// takes the new name at once, so WeChat's echo of the change finds nothing
// to rename; a refusal leaves the portal's name, puts it back on the room
// and tells the user why.
func TestHandleMatrixRoomName(t *testing.T) {
	tests := []struct {
		name        string
		answer      string
		wantChanged bool
		wantName    string
		wantNotice  string
	}{
		{"WeChat renames", `{"BaseResponse":{"Ret":0,"ErrMsg":""}}`, true, "Family 2027", ""},
		{"WeChat refuses", `{"BaseResponse":{"Ret":1,"ErrMsg":"操作太频繁，请稍后再试。"}}`, false, "Family",
			"WeChat did not rename the group, so it keeps the name \"Family\": WeChat answered \"操作太频繁，请稍后再试。\" (error 1). Try again later, or rename it on your phone."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			c := friendTestClient(t, tb)
			var mu sync.Mutex
			var funs []string
			var bodies []wechat.UpdateChatRoomRequest
			connect(t, c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data, _ := io.ReadAll(r.Body)
				var body wechat.UpdateChatRoomRequest
				_ = json.Unmarshal(data, &body)
				mu.Lock()
				funs, bodies = append(funs, r.URL.Query().Get("fun")), append(bodies, body)
				mu.Unlock()
				_, _ = w.Write([]byte(tt.answer))
			}), "@self", wechat.Contact{UserName: "@@fam", NickName: "Family"})
			portal := &bridgev2.Portal{Portal: &database.Portal{PortalKey: wxid.MakePortalKey("p@fam", testLoginID), MXID: "!fam:example.com", Name: "Family", NameSet: true}}
			msg := &bridgev2.MatrixRoomName{MatrixEventBase: bridgev2.MatrixEventBase[*event.RoomNameEventContent]{
				Event:   &event.Event{ID: "$rename", Type: event.StateRoomName, RoomID: "!fam:example.com", Sender: testAdmin},
				Content: &event.RoomNameEventContent{Name: "Family 2027"},
				Portal:  portal,
			}}

			changed, err := c.HandleMatrixRoomName(tb.br.BackgroundCtx, msg)
			assert.Equal(t, tt.wantChanged, changed)
			assert.Equal(t, tt.wantName, portal.Name)
			mu.Lock()
			assert.Equal(t, []string{"modtopic"}, funs)
			require.Len(t, bodies, 1)
			assert.Equal(t, "@@fam", bodies[0].ChatRoomName)
			assert.Equal(t, "Family 2027", bodies[0].NewTopic)
			mu.Unlock()
			if tt.wantNotice == "" {
				require.NoError(t, err)
				assert.Empty(t, tb.bot.replies)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.wantNotice, tb.bot.lastReply(t))
		})
	}
}
