package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/status"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

func TestInboxItemsRoundTrip(t *testing.T) {
	raw := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: 9007199254740993, FromUserName: "@alice", ToUserName: "@self", Content: "hi", CreateTime: 1700000000}
	b := &wechat.Batch{Messages: []*wechat.Message{wechat.ParseMessage(raw, "@self")}}
	c := &WeChatClient{conn: &WeChatConnector{}}
	r := newRoster(&wechat.Roster{Self: wechat.Contact{UserName: "@self"}},
		&wxdb.Resolution{Contacts: []wxdb.Resolved{{UserName: "@alice", PUID: "alicepuid"}}}, nil)
	items, err := c.inboxItems(context.Background(), r, b)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, int64(9007199254740993), items[0].MsgID)

	var p inboxPayload
	require.NoError(t, json.Unmarshal(items[0].Payload, &p))
	assert.Equal(t, "@self", p.Self)
	assert.Equal(t, "alicepuid", p.ChatPUID, "the chat's PUID is kept for bridging after a re-login")
	m := wechat.ParseMessage(p.Message, p.Self)
	assert.Equal(t, int64(9007199254740993), m.ID)
	assert.Equal(t, "@alice", m.Chat)
	assert.Equal(t, &wechat.Text{Text: "hi"}, m.Content)
}

// TestStoreBatchFailure: a batch the inbox cannot store is refused, so the
// sync loop keeps its SyncKey and fetches the batch again (wechat.Batch;
// the loop's side is wechat's TestSyncRedeliversWhenHandlerFails). Nothing
// of it is stored until the messages and the session go in together.
func TestStoreBatchFailure(t *testing.T) {
	errDB := errors.New("database is locked")
	tests := []struct {
		name      string
		storeErrs []error
	}{
		{"stored at once", nil},
		{"stored on the second try", []error{errDB}},
		{"stored on the third try", []error{errDB, errDB}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			ctx := tb.br.BackgroundCtx
			c := friendTestClient(t, tb)
			f := newFakeInbox(t)
			f.storeErrs = slices.Clone(tt.storeErrs)
			c.inbox = f
			alice := wechat.Contact{UserName: "@alice"}
			c.roster = newRoster(&wechat.Roster{Self: wechat.Contact{UserName: "@self"}, Contacts: []wechat.Contact{alice}},
				&wxdb.Resolution{Contacts: []wxdb.Resolved{{UserName: "@alice", PUID: puidA}}}, nil)
			var msgs []*wechat.Message
			for _, id := range []int64{11, 12} {
				raw := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: wechat.Int64(id), FromUserName: "@alice", ToUserName: "@self", Content: "hi"}
				msgs = append(msgs, wechat.ParseMessage(raw, "@self"))
			}
			b := &wechat.Batch{Messages: msgs, State: &wechat.Session{Uin: 2876543210, SKey: "@crypt_next"}}
			wantState, err := encodeSession(b.State)
			require.NoError(t, err)

			for i, storeErr := range tt.storeErrs {
				err := c.handleEvent(ctx, b)
				require.ErrorIs(t, err, storeErr, "try %d: the handler refuses the batch", i+1)
				assert.Empty(t, f.items, "no message stored")
				assert.Nil(t, f.state, "no session stored")
				assert.Len(t, c.drainNow, 0, "the drain is not woken")
				st := c.login.BridgeState.GetPrevUnsent()
				assert.Equal(t, status.StateTransientDisconnect, st.StateEvent)
				assert.Equal(t, WXInboxFailed, st.Error)
			}
			require.NoError(t, c.handleEvent(ctx, b))
			assert.Equal(t, []int64{11, 12}, f.msgIDs(), "the batch stored whole, once")
			assert.Equal(t, wantState, f.state, "with the session that follows it")
			want := make([]string, len(tt.storeErrs)+1)
			for i := range want {
				want[i] = "StoreBatch"
			}
			assert.Equal(t, want, f.calls, "messages and session written together, by one call per try")
			assert.Len(t, c.drainNow, 1, "the drain is woken")
			stored, err := tb.wc.DB.Session.Get(ctx, testLoginID)
			require.NoError(t, err)
			assert.Nil(t, stored, "the session is not written outside the inbox's transaction")
		})
	}
}
