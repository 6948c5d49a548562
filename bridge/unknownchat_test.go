package bridge

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// batchGetHost answers webwxbatchgetcontact with answer (nil: HTTP 500)
// and counts the calls.
func batchGetHost(t *testing.T, calls *atomic.Int32, answer []map[string]any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/webwxbatchgetcontact") {
			t.Errorf("unexpected request to %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		if answer == nil {
			http.Error(w, "server error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		require.NoError(t, json.NewEncoder(w).Encode(map[string]any{
			"BaseResponse": map[string]any{"Ret": 0, "ErrMsg": ""}, "Count": len(answer), "ContactList": answer,
		}))
	})
}

// TestUnknownChatPUID: a chat the roster has no record of is fetched when
// its message is bridged, kept in the roster and matched on its full
// record; a failed fetch is an error that leaves nothing behind (the
// message is tried again), and a chat WeChat has no record of is mapped
// under its bare UserName as before.
func TestUnknownChatPUID(t *testing.T) {
	group := map[string]any{
		"UserName": "@@g1", "NickName": "Project X", "MemberCount": 2,
		"MemberList": []map[string]any{{"UserName": "@self1", "NickName": "Me"}, {"UserName": "@frank1", "NickName": "Frank"}},
	}
	tests := []struct {
		name        string
		chat        string
		answer      []map[string]any
		wantErr     bool
		wantBridged bool
		// wantNick is the identity's and the roster's name ("" for no record).
		wantNick string
	}{
		{"unsaved group", "@@g1", []map[string]any{group}, false, true, "Project X"},
		{"new friend", "@grace1", []map[string]any{{"UserName": "@grace1", "NickName": "Grace", "ContactFlag": 1}}, false, true, "Grace"},
		{"official account left out", "@news1", []map[string]any{{"UserName": "@news1", "NickName": "News", "VerifyFlag": 24, "ContactFlag": 1}}, false, false, "News"},
		{"no record", "@@g1", []map[string]any{{"UserName": "@@g1"}}, false, true, ""},
		{"failed fetch", "@@g1", nil, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			ctx := tb.br.BackgroundCtx
			c := friendTestClient(t, tb)
			var calls atomic.Int32
			connect(t, c, batchGetHost(t, &calls, tt.answer), "@self1", wechat.Contact{UserName: "@alice1", NickName: "Alice", ContactFlag: 1})
			wx, r := c.currentSession()
			require.True(t, isUnknownChat(wx, r, tt.chat, "@self1"))

			puid, bridged, err := c.unknownChatPUID(ctx, wx, r, tt.chat)
			assert.Equal(t, int32(1), calls.Load(), "one webwxbatchgetcontact")
			ident, dbErr := c.conn.DB.Identity.GetByUserName(ctx, c.loginID, tt.chat)
			require.NoError(t, dbErr)
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, r.contact(tt.chat), "nothing kept from a failed fetch")
				assert.Nil(t, ident, "no identity made from a bare UserName")
				assert.True(t, isUnknownChat(wx, r, tt.chat, "@self1"), "fetched again on the retry")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantBridged, bridged)
			require.NotNil(t, ident)
			assert.Equal(t, ident.PUID, puid)
			assert.Equal(t, tt.wantNick, ident.NickName)
			if tt.wantNick == "" {
				assert.Nil(t, r.contact(tt.chat))
				assert.False(t, isUnknownChat(wx, r, tt.chat, "@self1"), "not asked for again")
				return
			}
			ct := r.contactByPUID(puid)
			require.NotNil(t, ct, "GetChatInfo finds the chat")
			assert.Equal(t, tt.wantNick, ct.NickName)
			assert.False(t, isUnknownChat(wx, r, tt.chat, "@self1"), "fetched once")
		})
	}
}

// TestIsUnknownChat: only chats of the current session that the roster
// has no record of are fetched.
func TestIsUnknownChat(t *testing.T) {
	tb := newTestBridge(t)
	c := friendTestClient(t, tb)
	var calls atomic.Int32
	connect(t, c, batchGetHost(t, &calls, nil), "@self1", wechat.Contact{UserName: "@alice1", NickName: "Alice", ContactFlag: 1})
	wx, r := c.currentSession()
	tests := []struct {
		name, chat, self string
		want             bool
	}{
		{"unknown group", "@@g1", "@self1", true},
		{"unknown user", "@grace1", "@self1", true},
		{"contact", "@alice1", "@self1", false},
		{"special account", wechat.FileHelper, "@self1", false},
		{"message of an ended session", "@@g1", "@self0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isUnknownChat(wx, r, tt.chat, tt.self))
		})
	}
	assert.False(t, isUnknownChat(nil, r, "@@g1", "@self1"), "not connected")
}

// TestInboxItemsLeaveUnknownChats: on the sync loop, a message from a chat
// the roster has no record of gets no identity made from its bare UserName
// (it would match nothing of an earlier session and name the portal after
// nothing); a known chat keeps its PUID in the item.
func TestInboxItemsLeaveUnknownChats(t *testing.T) {
	tb := newTestBridge(t)
	ctx := tb.br.BackgroundCtx
	c := friendTestClient(t, tb)
	var calls atomic.Int32
	connect(t, c, batchGetHost(t, &calls, nil), "@self1", wechat.Contact{UserName: "@alice1", NickName: "Alice", ContactFlag: 1})
	_, r := c.currentSession()
	var msgs []*wechat.Message
	for i, from := range []string{"@@g1", "@alice1"} {
		raw := &wechat.RawMessage{MsgType: wechat.MsgTypeText, NewMsgId: wechat.Int64(int64(i + 1)), FromUserName: from, ToUserName: "@self1", Content: "hi"}
		if from == "@@g1" {
			raw.Content = "@frank1:<br/>hi"
		}
		msgs = append(msgs, wechat.ParseMessage(raw, "@self1"))
	}
	items, err := c.inboxItems(ctx, r, &wechat.Batch{Messages: msgs})
	require.NoError(t, err)
	require.Len(t, items, 2)
	var group, dm inboxPayload
	require.NoError(t, json.Unmarshal(items[0].Payload, &group))
	require.NoError(t, json.Unmarshal(items[1].Payload, &dm))
	assert.Empty(t, group.ChatPUID, "the unknown group is resolved when bridged")
	ident, err := c.conn.DB.Identity.GetByUserName(ctx, c.loginID, "@@g1")
	require.NoError(t, err)
	assert.Nil(t, ident, "no identity made on the sync loop")
	assert.Equal(t, "palice1", dm.ChatPUID)
	assert.Zero(t, calls.Load(), "no request on the sync loop")
}
