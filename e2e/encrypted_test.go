package e2e_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestEncryptedRooms: with encryption on (allow, default, appservice off,
// as Dendrite needs) portals are created encrypted, and a real E2EE client
// (matrix-nio with libolm, e2e/nio/driver.py) as the user's device reads
// and writes them: text and images both ways, a reply, recalls both ways
// and read state, in a direct chat and in a group; after a restart the
// bridge keeps its device and its sessions, so new messages are still
// decrypted in both directions.
func TestEncryptedRooms(t *testing.T) {
	stack.RequireNio(t)
	e := setup(t, stack.Options{Encryption: &stack.Encryption{}, HomeserverFront: true})
	// The client's device exists before the login, so the portals' first
	// room keys are shared with it.
	nio := stack.StartNioTest(t, e.s, tester)
	e.login(e.u, e.s.Sim, defaultSelf)
	sim := e.s.Sim
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	family := e.waitPortal(e.u, "Family", seedName("alice"), seedName("bob"))
	rooms := []struct {
		name   string
		id     id.RoomID
		chat   string // the chat's ID in the simulator's seed
		from   string // who writes from WeChat ("" is the chat itself)
		sender id.UserID
	}{
		{"direct chat", alice.ID, "alice", "", alice.ghosts[seedName("alice")]},
		{"group", family.ID, "family", "bob", family.ghosts[seedName("bob")]},
	}

	for i, r := range rooms {
		t.Run(r.name, func(t *testing.T) {
			e := e.sub(t)
			tag := " (" + r.name + ")"

			t.Run("created encrypted", func(t *testing.T) {
				e := e.sub(t)
				var enc event.EncryptionEventContent
				require.NoError(t, e.u.Client.StateEvent(e.ctx, r.id, event.StateEncryption, "", &enc), "the portal has m.room.encryption")
				assert.Equal(t, id.AlgorithmMegolmV1, enc.Algorithm)
				room, err := nio.WaitRoom(e.ctx, r.id)
				require.NoError(t, err)
				assert.True(t, room.Encrypted, "the client sees the room as encrypted")
			})

			var fromWeChat stack.NioEvent
			t.Run("text from WeChat", func(t *testing.T) {
				e := e.sub(t)
				sim.InjectText(r.chat, r.from, "secret hello"+tag)
				var err error
				fromWeChat, err = nio.WaitEvent(e.ctx, r.id, "the decrypted text", stack.DecryptedText(r.sender, "secret hello"+tag))
				require.NoError(t, err)
				assert.Equal(t, event.MsgText, fromWeChat.Message().MsgType)
			})

			t.Run("image from WeChat", func(t *testing.T) {
				e := e.sub(t)
				picture := sendMediaPNG(t, 24, 16, uint8(i))
				sim.InjectImage(r.chat, r.from, picture)
				evt, err := nio.WaitEvent(e.ctx, r.id, "the decrypted image", func(ev stack.NioEvent) bool {
					msg := ev.Message()
					return ev.Encrypted && ev.Sender == r.sender && msg != nil && msg.MsgType == event.MsgImage
				})
				require.NoError(t, err)
				msg := evt.Message()
				require.NotNil(t, msg.File, "the image is an encrypted attachment")
				assert.Empty(t, msg.URL, "no unencrypted URL")
				got, err := nio.Download(e.ctx, msg.File)
				require.NoError(t, err)
				assert.Equal(t, sha256.Sum256(picture), sha256.Sum256(got), "the decrypted attachment is the picture sent in WeChat")
			})

			var sentText wechattest.SentMessage
			var sentTextID id.EventID
			t.Run("text to WeChat", func(t *testing.T) {
				e := e.sub(t)
				var err error
				sentTextID, err = nio.SendText(e.ctx, r.id, "encrypted hi"+tag)
				require.NoError(t, err)
				sentText = e.waitSent(sim, "the decrypted text", func(m wechattest.SentMessage) bool { return m.Msg.Content == "encrypted hi"+tag })
				assert.Equal(t, sim.UserName(r.chat), sentText.Msg.ToUserName)
				assertEncryptedOnServer(t, e, r.id, sentTextID)
			})

			t.Run("reply to WeChat", func(t *testing.T) {
				e := e.sub(t)
				require.NotEmpty(t, fromWeChat.ID, "needs the text from WeChat")
				_, err := nio.SendReply(e.ctx, r.id, fromWeChat.ID, "encrypted answer"+tag)
				require.NoError(t, err)
				m := e.waitSent(sim, "the reply", func(m wechattest.SentMessage) bool {
					return m.ToID == r.chat && len(m.Msg.Content) > len("encrypted answer"+tag) &&
						m.Msg.Content[len(m.Msg.Content)-len("encrypted answer"+tag):] == "encrypted answer"+tag
				})
				assert.Contains(t, m.Msg.Content, "「", "the reply quotes the message, as the phone shows: %q", m.Msg.Content)
				assert.Contains(t, m.Msg.Content, "secret hello"+tag, "the quote is of the replied-to message: %q", m.Msg.Content)
			})

			t.Run("image to WeChat", func(t *testing.T) {
				e := e.sub(t)
				picture := sendMediaPNG(t, 20, 30, uint8(i))
				_, _, err := nio.SendImage(e.ctx, r.id, picture, "image/png", "secret.png", 20, 30)
				require.NoError(t, err)
				want := sha256.Sum256(picture)
				sent := e.waitSent(sim, "the image", func(m wechattest.SentMessage) bool {
					up, ok := uploadOf(sim, m)
					return ok && sha256.Sum256(up.Data) == want
				})
				assert.Equal(t, "webwxsendmsgimg", sent.Endpoint)
				assert.Equal(t, sim.UserName(r.chat), sent.Msg.ToUserName)
			})

			t.Run("recalled in WeChat", func(t *testing.T) {
				e := e.sub(t)
				msgID := sim.InjectText(r.chat, r.from, "recall me"+tag)
				evt, err := nio.WaitEvent(e.ctx, r.id, "the message to recall", stack.DecryptedText(r.sender, "recall me"+tag))
				require.NoError(t, err)
				recaller := r.from
				if recaller == "" {
					recaller = r.chat
				}
				sim.InjectRecall(r.chat, recaller, msgID)
				_, err = nio.WaitEvent(e.ctx, r.id, "the redaction of the recalled message", func(ev stack.NioEvent) bool {
					return ev.Type == event.EventRedaction.Type && ev.Redacts == evt.ID
				})
				require.NoError(t, err)
			})

			t.Run("redacted in Matrix", func(t *testing.T) {
				e := e.sub(t)
				require.NotEmpty(t, sentTextID, "needs the text sent to WeChat")
				redaction, err := nio.Redact(e.ctx, r.id, sentTextID, "typo")
				require.NoError(t, err)
				// Dendrite does not push redactions to appservices: hand
				// the bridge the client's redaction as the homeserver would.
				e.pushEvents(t, &event.Event{
					Type: event.EventRedaction, RoomID: r.id, Sender: nio.UserID, ID: redaction,
					Redacts: sentTextID, Timestamp: time.Now().UnixMilli(),
					Content: event.Content{Raw: map[string]any{"redacts": sentTextID.String(), "reason": "typo"}},
				})
				e.waitUntil("WeChat to receive the recall", func(context.Context) (bool, error) {
					return slices.ContainsFunc(sim.Revokes(), func(rv wechattest.RevokeRequest) bool {
						return rv.SvrMsgId == strconv.FormatInt(sentText.MsgID, 10) && rv.ToUserName == sim.UserName(r.chat)
					}), nil
				})
			})

			t.Run("read receipt", func(t *testing.T) {
				e := e.sub(t)
				sim.InjectText(r.chat, r.from, "read me"+tag)
				evt, err := nio.WaitEvent(e.ctx, r.id, "the message to read", stack.DecryptedText(r.sender, "read me"+tag))
				require.NoError(t, err)
				before := len(sim.StatusNotifies())
				require.NoError(t, nio.MarkRead(e.ctx, r.id, evt.ID))
				// Dendrite does not push receipts to appservices: hand the
				// bridge the receipt the client sent, for the encrypted
				// event it read.
				e.pushEphemeral(t, &event.Event{
					Type: event.EphemeralEventReceipt, RoomID: r.id,
					Content: event.Content{Raw: map[string]any{evt.ID.String(): map[string]any{
						"m.read": map[string]any{e.u.ID.String(): map[string]any{"ts": evt.Timestamp}},
					}}},
				})
				e.waitUntil("WeChat to be told the chat was read", func(context.Context) (bool, error) {
					return slices.ContainsFunc(sim.StatusNotifies()[before:], func(n wechattest.StatusNotifyRequest) bool {
						return n.Code == wechat.StatusNotifyRead && n.ToUserName == sim.UserName(r.chat)
					}), nil
				})
			})
		})
	}

	// The no-doubles look-up of TestLostAnswerNotDoubled, where the WeChat
	// message ID is inside the ciphertext: the bridge decrypts its own
	// events to find the message, also after being killed mid-send.
	t.Run("lost answer", func(t *testing.T) {
		dm := rooms[0]
		for _, f := range lostAnswers() {
			t.Run(f.name, func(t *testing.T) {
				e := e.sub(t)
				body := "lost answer, encrypted: " + f.name
				stored := e.s.Front.LoseAnswer(func(r *http.Request, _ []byte) bool {
					// The body is ciphertext: the next encrypted message
					// the ghost sends to the chat is the one.
					return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/send/m.room.encrypted/") &&
						strings.Contains(r.URL.Path, dm.id.String()) && r.URL.Query().Get("user_id") == dm.sender.String()
				}, f.fault, lostAnswerReadLag)
				msgID := sim.InjectText(dm.chat, dm.from, body)
				select {
				case <-stored:
				case <-time.After(stack.DefaultWait):
					t.Fatalf("the bridge never sent %q to the homeserver", body)
				}
				if f.then != nil {
					f.then(t, e)
				}
				next := "next after: " + f.name
				sim.InjectText(dm.chat, dm.from, next)
				_, err := nio.WaitEvent(e.ctx, dm.id, "the chat's next message", stack.DecryptedText(dm.sender, next))
				require.NoError(t, err)
				n, err := nio.Count(e.ctx, dm.id, stack.DecryptedText(dm.sender, body))
				require.NoError(t, err)
				assert.Equal(t, 1, n, "the message shows once")

				evt, err := nio.WaitEvent(e.ctx, dm.id, "the lost-answer message", stack.DecryptedText(dm.sender, body))
				require.NoError(t, err)
				sim.InjectRecall(dm.chat, dm.chat, msgID)
				_, err = nio.WaitEvent(e.ctx, dm.id, "the redaction of the found message", func(ev stack.NioEvent) bool {
					return ev.Type == event.EventRedaction.Type && ev.Redacts == evt.ID
				})
				require.NoError(t, err, "the bridge knows which event the found message is")
			})
		}
	})

	t.Run("after a restart", func(t *testing.T) {
		e := e.sub(t)
		before := botDevices(t, e)
		require.Len(t, before, 1, "the bridge bot has one device")
		require.NoError(t, e.s.Bridge.Restart(e.ctx))
		assert.Equal(t, before, botDevices(t, e), "the bridge bot kept its device")
		for _, r := range rooms {
			sim.InjectText(r.chat, r.from, "after the restart ("+r.name+")")
			_, err := nio.WaitEvent(e.ctx, r.id, "a new message after the restart", stack.DecryptedText(r.sender, "after the restart ("+r.name+")"))
			require.NoError(t, err, "the client decrypts what the bridge sends after its restart")
			_, err = nio.SendText(e.ctx, r.id, "still there? ("+r.name+")")
			require.NoError(t, err)
			e.waitSent(sim, "a message sent after the restart", func(m wechattest.SentMessage) bool {
				return m.Msg.Content == "still there? ("+r.name+")" && m.ToID == r.chat
			})
		}
		devices, err := nio.Devices(e.ctx, e.s.Bridge.Bot)
		require.NoError(t, err)
		assert.Equal(t, before, devices, "the client knows the bridge by the same single device")
	})

	t.Run("require", func(t *testing.T) {
		e := e.sub(t)
		cfg, err := stack.LoadYAML(e.s.Bridge.ConfigPath)
		require.NoError(t, err)
		require.NoError(t, cfg.Set("encryption.require", true))
		require.NoError(t, cfg.Save())
		require.NoError(t, e.s.Bridge.Restart(e.ctx))
		bot := e.s.Bridge.Bot
		notEncrypted := func(to id.EventID) func(stack.NioEvent) bool {
			return func(ev stack.NioEvent) bool {
				msg := ev.Message()
				// bridgev2 sends these notices unencrypted, even now.
				return ev.Sender == bot && msg != nil && msg.MsgType == event.MsgNotice &&
					msg.RelatesTo.GetReplyTo() == to && strings.Contains(msg.Body, "not bridged: the message is not encrypted")
			}
		}

		// A client without encryption (the stack's User) writes in plain
		// text: the message is dropped and the user told why.
		plain, err := e.u.SendText(e.ctx, alice.ID, "sent in plain text")
		require.NoError(t, err)
		_, err = nio.WaitEvent(e.ctx, alice.ID, "the bot's notice that the message was not bridged", notEncrypted(plain))
		require.NoError(t, err)

		// The management room was created unencrypted: plain commands are
		// dropped there too, and the bot's answers are encrypted anyway.
		mgmt := e.managementRoom(e.u)
		cmd, err := e.u.SendText(e.ctx, mgmt, "help")
		require.NoError(t, err)
		_, err = nio.WaitEvent(e.ctx, mgmt, "the bot's notice that the command was not bridged", notEncrypted(cmd))
		require.NoError(t, err)
		// Turned encrypted, the management room takes commands again.
		_, err = e.u.Client.SendStateEvent(e.ctx, mgmt, event.StateEncryption, "", &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1})
		require.NoError(t, err)
		cmd, err = nio.SendText(e.ctx, mgmt, "help")
		require.NoError(t, err)
		_, err = nio.WaitEvent(e.ctx, mgmt, "the bot's encrypted help", func(ev stack.NioEvent) bool {
			msg := ev.Message()
			return ev.Encrypted && ev.Sender == bot && msg != nil && msg.MsgType == event.MsgNotice && strings.Contains(msg.Body, "login")
		})
		require.NoError(t, err)

		assert.False(t, slices.ContainsFunc(e.s.Sim.Sent(), func(m wechattest.SentMessage) bool { return m.Msg.Content == "sent in plain text" }),
			"the plain-text message did not reach WeChat")
	})
}

// botDevices is the bridge bot's devices with keys, as the homeserver
// tells any user.
func botDevices(t *testing.T, e *env) []id.DeviceID {
	t.Helper()
	resp, err := e.u.Client.QueryKeys(e.ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{e.s.Bridge.Bot: mautrix.DeviceIDList{}}})
	require.NoError(t, err)
	var out []id.DeviceID
	for dev := range resp.DeviceKeys[e.s.Bridge.Bot] {
		out = append(out, dev)
	}
	slices.Sort(out)
	return out
}

// assertEncryptedOnServer checks that the homeserver holds an event as
// m.room.encrypted: what the client sent was encrypted on the wire.
func assertEncryptedOnServer(t *testing.T, e *env, room id.RoomID, evtID id.EventID) {
	t.Helper()
	evt, err := e.u.Client.GetEvent(e.ctx, room, evtID)
	require.NoError(t, err)
	assert.Equal(t, event.EventEncrypted.Type, evt.Type.Type, "the homeserver has the event encrypted")
}
