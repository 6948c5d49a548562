package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

func TestFindByMsgID(t *testing.T) {
	const ghost = id.UserID("@wechat_alice:example.org")
	msg := func(evtID, sender string, content map[string]any) map[string]any {
		return map[string]any{"event_id": evtID, "sender": sender, "type": "m.room.message", "room_id": "!r:example.org", "content": content}
	}
	text := func(body, msgID string) map[string]any {
		c := map[string]any{"msgtype": "m.text", "body": body}
		if msgID != "" {
			c[msgconv.MsgIDKey] = msgID
		}
		return c
	}
	// encrypted is what the homeserver returns for an event the bridge's
	// device encrypted; plaintexts is what that device can decrypt.
	encrypted := func(evtID string) map[string]any {
		return map[string]any{"event_id": evtID, "sender": string(ghost), "type": "m.room.encrypted", "content": map[string]any{
			"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn...", "session_id": "sess", "sender_key": "key", "device_id": "BRIDGE",
		}}
	}
	plaintexts := map[id.EventID]map[string]any{"$e2": text("it", "11"), "$e1": text("earlier", "10")}
	decrypt := func(_ context.Context, evt *event.Event) (*event.Event, error) {
		assert.Equal(t, id.RoomID("!r:example.org"), evt.RoomID, "decrypted as an event of its room")
		require.IsType(t, &event.EncryptedEventContent{}, evt.Content.Parsed, "content parsed before decrypting")
		plain, ok := plaintexts[evt.ID]
		if !ok {
			return nil, errors.New("no session")
		}
		return &event.Event{ID: evt.ID, Type: event.EventMessage, Content: event.Content{Raw: plain}}, nil
	}
	tests := []struct {
		name      string
		status    int
		chunk     []map[string]any
		noDecrypt bool
		want      id.EventID
		wantErr   bool
	}{
		{"found among others", 200, []map[string]any{
			msg("$3", string(ghost), text("later", "12")),
			msg("$2", string(ghost), text("it", "11")),
			msg("$1", string(ghost), text("earlier", "10")),
		}, false, "$2", false},
		{"not there", 200, []map[string]any{msg("$1", string(ghost), text("other", "10"))}, false, "", false},
		{"same ID from someone else", 200, []map[string]any{msg("$1", "@mallory:example.org", text("fake", "11"))}, false, "", false},
		{"no ID in the content", 200, []map[string]any{msg("$1", string(ghost), text("untagged", ""))}, false, "", false},
		{"empty room", 200, nil, false, "", false},
		{"sender not in the room", 403, nil, false, "", false},
		{"homeserver error", 500, nil, false, "", true},
		{"encrypted, found", 200, []map[string]any{encrypted("$e3"), encrypted("$e2"), encrypted("$e1")}, false, "$e2", false},
		{"encrypted, cannot be decrypted", 200, []map[string]any{encrypted("$e3")}, false, "", false},
		{"encrypted, bridge without encryption", 200, []map[string]any{encrypted("$e2")}, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "b", r.URL.Query().Get("dir"))
				assert.Equal(t, string(ghost), r.URL.Query().Get("user_id"), "asks as the sender")
				var filter mautrix.FilterPart
				require.NoError(t, json.Unmarshal([]byte(r.URL.Query().Get("filter")), &filter))
				assert.Equal(t, []id.UserID{ghost}, filter.Senders)
				assert.Equal(t, !tt.noDecrypt, slices.Contains(filter.Types, event.EventEncrypted), "encrypted events asked for only when they can be read")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				switch tt.status {
				case 200:
					_ = json.NewEncoder(w).Encode(map[string]any{"chunk": tt.chunk, "start": "s1"})
				case 403:
					_, _ = w.Write([]byte(`{"errcode":"M_FORBIDDEN","error":"not in room"}`))
				default:
					_, _ = w.Write([]byte(`{"errcode":"M_UNKNOWN","error":"boom"}`))
				}
			}))
			defer srv.Close()
			cli, err := mautrix.NewClient(srv.URL, ghost, "as-token")
			require.NoError(t, err)
			cli.SetAppServiceUserID = true
			dec := decryptFunc(decrypt)
			if tt.noDecrypt {
				dec = nil
			}
			evt, err := findByMsgID(context.Background(), cli, "!r:example.org", "11", dec)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			if tt.want == "" {
				assert.Nil(t, evt)
			} else {
				require.NotNil(t, evt)
				assert.Equal(t, tt.want, evt.ID)
			}
		})
	}
}

func TestLookUntilSettled(t *testing.T) {
	errLook := errors.New("homeserver down")
	tests := []struct {
		name string
		// settledIn is how far from now the homeserver has surely caught up.
		settledIn time.Duration
		// results are what each look returns, in turn.
		results   []bool
		lookErr   error
		want      bool
		wantLooks int
		wantErr   error
	}{
		{"found at once", time.Minute, []bool{true}, nil, true, 1, nil},
		{"not there, long since settled", -time.Second, []bool{false}, nil, false, 1, nil},
		{"not there yet, found later", 20 * time.Millisecond, []bool{false, true}, nil, true, 2, nil},
		{"not there, not later either", 20 * time.Millisecond, []bool{false, false}, nil, false, 2, nil},
		{"error is not waited out", time.Minute, []bool{false}, errLook, false, 1, errLook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			looks := 0
			found, err := lookUntilSettled(context.Background(), time.Now().Add(tt.settledIn), func(context.Context) (bool, error) {
				looks++
				require.LessOrEqual(t, looks, len(tt.results), "looked too often")
				return tt.results[looks-1], tt.lookErr
			})
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, found)
			assert.Equal(t, tt.wantLooks, looks)
		})
	}
}

func TestLookUntilSettledStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	looks := 0
	done := make(chan error)
	go func() {
		_, err := lookUntilSettled(ctx, time.Now().Add(time.Hour), func(context.Context) (bool, error) {
			looks++
			return false, nil
		})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, looks, "no second look after the cancel")
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end with its context")
	}
}
