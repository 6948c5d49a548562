package bridge

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// TestSendFailureStatus: when WeChat refuses a message or cannot be
// reached, HandleMatrixMessage returns an error that bridgev2 turns into a
// failed message status (as its portal does: bridgev2.WrapErrorInStatus)
// with a notice in the room saying why.
func TestSendFailureStatus(t *testing.T) {
	tests := []struct {
		name string
		// host answers webwxsendmsg.
		host       http.HandlerFunc
		wantReason string
		wantCause  error
	}{
		{"WeChat refuses", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"BaseResponse":{"Ret":1,"ErrMsg":""}}`))
		}, "WeChat did not accept the message: wechat: webwxsendmsg returned ret=1", &wechat.RetError{Endpoint: "webwxsendmsg", Ret: 1}},
		{"network fails", func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			_ = conn.Close()
		}, "WeChat did not accept the message: wechat: webwxsendmsg: ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			c := friendTestClient(t, tb)
			connect(t, c, tt.host, "@self", wechat.Contact{UserName: "@alice"})
			evt := &event.Event{ID: "$hello", Type: event.EventMessage, RoomID: "!alice:example.com", Sender: testAdmin}
			msg := &bridgev2.MatrixMessage{MatrixEventBase: bridgev2.MatrixEventBase[*event.MessageEventContent]{
				Event:   evt,
				Content: &event.MessageEventContent{MsgType: event.MsgText, Body: "hello"},
				Portal:  &bridgev2.Portal{Portal: &database.Portal{PortalKey: wxid.MakePortalKey("palice", testLoginID)}},
			}}

			resp, err := c.HandleMatrixMessage(tb.br.BackgroundCtx, msg)
			require.Error(t, err)
			assert.Nil(t, resp, "nothing saved as sent")
			if tt.wantCause != nil {
				var retErr *wechat.RetError
				require.ErrorAs(t, err, &retErr)
				assert.Equal(t, tt.wantCause, retErr)
			}

			st := bridgev2.WrapErrorInStatus(err)
			assert.Equal(t, event.MessageStatusRetriable, st.Status, "the sender may resend")
			assert.True(t, st.SendNotice, "a notice goes to the room")
			assert.True(t, st.ErrorAsMessage, "the error is the text the sender sees")
			info := bridgev2.StatusEventInfoFromEvent(evt)
			assert.Contains(t, st.ToMSSEvent(info).Message, tt.wantReason)
			notice := st.ToNoticeEvent(info)
			assert.Equal(t, event.MsgNotice, notice.MsgType)
			assert.Contains(t, notice.Body, "⚠️ Your message may not have been bridged: "+tt.wantReason)
			assert.NotContains(t, notice.Body, "pass_ticket", "no request URL shown")
		})
	}
}
