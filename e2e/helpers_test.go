package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// tester is the localpart of the Matrix user every test has.
const tester = "tester"

// env is one test's stack and its tester.
type env struct {
	t   *testing.T
	ctx context.Context
	s   *stack.Stack
	u   *stack.User
}

// setup starts a stack with the tester account (plus opts.Users) and logs
// the tester in to Matrix.
func setup(t *testing.T, opts stack.Options) *env {
	t.Helper()
	opts.Users = append([]stack.Account{{Localpart: tester}}, opts.Users...)
	s := stack.StartTest(t, opts)
	ctx := t.Context()
	u, err := s.Login(ctx, tester)
	require.NoError(t, err)
	return &env{t: t, ctx: ctx, s: s, u: u}
}

// sub is the env for a subtest: its waits fail t, not the parent test.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// managementRoom returns the user's management room, creating it first.
func (e *env) managementRoom(u *stack.User) id.RoomID {
	e.t.Helper()
	if u.ManagementRoom == "" {
		_, err := u.CreateManagementRoom(e.ctx)
		require.NoError(e.t, err)
	}
	return u.ManagementRoom
}

// command sends a command in a room and returns its event ID.
func (e *env) command(u *stack.User, room id.RoomID, cmd string) id.EventID {
	e.t.Helper()
	evtID, err := u.SendText(e.ctx, room, cmd)
	require.NoError(e.t, err)
	return evtID
}

// botReply waits for a message from the bot after the event after that
// contains substr (case-insensitively).
func (e *env) botReply(u *stack.User, room id.RoomID, after id.EventID, substr string) *event.Event {
	e.t.Helper()
	evt, err := u.WaitEventAfter(e.ctx, room, after, "a bot message containing "+quote(substr), stack.Text(e.s.Bridge.Bot, substr))
	require.NoError(e.t, err)
	return evt
}

// qrImage waits for the QR code image the bot posts after the event after.
func (e *env) qrImage(u *stack.User, room id.RoomID, after id.EventID) *event.Event {
	e.t.Helper()
	evt, err := u.WaitEventAfter(e.ctx, room, after, "the QR code (an m.image from the bot)", isQRImage(e.s.Bridge.Bot))
	require.NoError(e.t, err)
	return evt
}

func isQRImage(bot id.UserID) func(*event.Event) bool {
	return func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == bot && msg.MsgType == event.MsgImage &&
			(msg.RelatesTo == nil || msg.RelatesTo.Type != event.RelReplace)
	}
}

// pendingLogin waits for a login the simulator issued that is not old.
func (e *env) pendingLogin(sim *wechattest.Server, old string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, stack.DefaultWait)
	defer cancel()
	for {
		uuid, err := sim.WaitForLogin(ctx)
		require.NoError(e.t, err, "the simulator saw no new login (jslogin or push login) from the bridge")
		if uuid != old {
			return uuid
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("the simulator saw no login other than %s", old)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// defaultSelf is the nickname of the default seed account.
var defaultSelf = wechattest.DefaultSeed().Self.NickName

// login runs a complete QR login of u to sim from the management room and
// waits for "Logged in as <self>".
func (e *env) login(u *stack.User, sim *wechattest.Server, self string) {
	e.t.Helper()
	room := e.managementRoom(u)
	cmd := e.command(u, room, "login")
	img := e.qrImage(u, room, cmd)
	uuid := e.pendingLogin(sim, "")
	require.Contains(e.t, stack.Message(img).Body, uuid, "the QR code's payload names the login uuid")
	require.NoError(e.t, sim.Confirm(uuid))
	e.botReply(u, room, cmd, "Logged in as "+self)
}

// seedName is the display name a seed contact's ghost gets with the
// default displayname_template: the remark name, else the nickname.
func seedName(id string) string {
	for _, c := range wechattest.DefaultSeed().Contacts {
		if c.ID == id {
			if c.RemarkName != "" {
				return wechat.CleanName(c.RemarkName)
			}
			return wechat.CleanName(c.NickName)
		}
	}
	panic("no seed contact " + id)
}

// seedNick is a seed contact's nickname as the bridge shows it.
func seedNick(id string) string {
	for _, c := range wechattest.DefaultSeed().Contacts {
		if c.ID == id {
			return wechat.CleanName(c.NickName)
		}
	}
	panic("no seed contact " + id)
}

func quote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\"" }

// portal is a portal room as the tester found it, with the ghosts it
// looked for by name.
type portal struct {
	*stack.RoomInfo
	ghosts map[string]id.UserID
}

// waitPortal waits until u has joined a room (not a space) named name in
// which ghosts with each of ghostNames (global display names) are joined.
func (e *env) waitPortal(u *stack.User, name string, ghostNames ...string) portal {
	e.t.Helper()
	var found map[string]id.UserID
	start := time.Now()
	ri, err := u.WaitRoom(e.ctx, fmt.Sprintf("a portal named %q with the ghosts %q", name, ghostNames), func(ri *stack.RoomInfo) bool {
		if ri.IsSpace || ri.Name != name {
			return false
		}
		found = e.ghostsByName(u, ri)
		for _, g := range ghostNames {
			if _, ok := found[g]; !ok {
				return false
			}
		}
		return true
	})
	require.NoError(e.t, err)
	e.t.Logf("%s sees the portal %q (waited %v)", u.ID, name, time.Since(start).Round(time.Millisecond))
	return portal{RoomInfo: ri, ghosts: found}
}

// ghostsByName maps the global display names of a room's joined ghosts to
// their MXIDs.
func (e *env) ghostsByName(u *stack.User, ri *stack.RoomInfo) map[string]id.UserID {
	out := make(map[string]id.UserID)
	for mxid := range ri.Members {
		if !e.s.Bridge.IsGhost(mxid) {
			continue
		}
		if name, err := u.ProfileName(e.ctx, mxid); err == nil {
			out[name] = mxid
		}
	}
	return out
}

// waitMessage waits for a message in room from sender ("" for anyone)
// whose body is exactly body.
func (e *env) waitMessage(u *stack.User, room id.RoomID, sender id.UserID, body string) *event.Event {
	e.t.Helper()
	evt, err := u.WaitEvent(e.ctx, room, fmt.Sprintf("the message %q from %s", body, senderName(sender)), func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && msg.Body == body && (sender == "" || evt.Sender == sender)
	})
	require.NoError(e.t, err)
	return evt
}

func senderName(sender id.UserID) string {
	if sender == "" {
		return "anyone"
	}
	return sender.String()
}

// waitSent waits until the simulator accepted a sent message that matches.
func (e *env) waitSent(sim *wechattest.Server, what string, match func(wechattest.SentMessage) bool) wechattest.SentMessage {
	e.t.Helper()
	var found wechattest.SentMessage
	e.waitUntil("WeChat to receive "+what, func(context.Context) (bool, error) {
		sent := sim.Sent()
		for _, m := range sent {
			if match(m) {
				found = m
				return true, nil
			}
		}
		var got []string
		for _, m := range sent {
			got = append(got, fmt.Sprintf("to %s (%s): %q", m.ToID, m.Msg.ToUserName, m.Msg.Content))
		}
		return false, fmt.Errorf("it received: %q", got)
	})
	return found
}

// waitUntil polls check until it reports done, failing the test after the
// stack's default wait with what was awaited and check's last error.
func (e *env) waitUntil(what string, check func(ctx context.Context) (bool, error)) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, stack.DefaultWait)
	defer cancel()
	var lastErr error
	for {
		done, err := check(ctx)
		if done {
			return
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("waited %v for %s; %v", stack.DefaultWait, what, lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// bodies lists the bodies of the messages in a room sent by sender.
func (e *env) bodies(u *stack.User, room id.RoomID, sender id.UserID) []string {
	e.t.Helper()
	msgs, err := u.Messages(e.ctx, room)
	require.NoError(e.t, err)
	var out []string
	for _, evt := range msgs {
		if evt.Sender == sender {
			out = append(out, stack.Message(evt).Body)
		}
	}
	return out
}

// count is how often v occurs in list.
func count(list []string, v string) int {
	n := 0
	for _, s := range list {
		if s == v {
			n++
		}
	}
	return n
}

// setupWithAlice is the prelude of most tests: setup, the tester's QR login
// to the default simulated account, and the direct chat with alice (a
// recent chat of the default seed, so it is bridged at login). It returns
// alice's portal and her ghost.
func setupWithAlice(t *testing.T, opts stack.Options) (e *env, alice portal, aliceGhost id.UserID) {
	t.Helper()
	e = setup(t, opts)
	e.login(e.u, e.s.Sim, defaultSelf)
	alice = e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	return e, alice, alice.ghosts[seedName("alice")]
}
