package e2e_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/status"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// Bridge state error codes as the bridge registers them (bridge/client.go).
const (
	codeTransient       status.BridgeStateErrorCode = "wx-transient-disconnect"
	codeLoggedOut       status.BridgeStateErrorCode = "wx-logged-out"
	codeSessionReplaced status.BridgeStateErrorCode = "wx-session-replaced"
)

// healWait bounds waits for the sync loop to heal by itself: a synccheck
// that hangs is cut by the client's 35 s poll timeout (wechat.Config,
// which the bridge config does not expose), then the retries back off
// 1+2+4+8 s.
const healWait = 90 * time.Second

// TestStalledSyncHeals: synccheck hangs and then webwxsync fails several
// times in a row. The login's bridge state goes TRANSIENT_DISCONNECT, then
// back to CONNECTED without anyone doing anything; the messages that
// arrived during the stall reach Matrix afterwards, each once and in order,
// and the user is not bothered with a notice for a blip that healed.
func TestStalledSyncHeals(t *testing.T) {
	rec := stack.NewStateRecorder(t)
	e := setup(t, stack.Options{
		// An idle synccheck answers after 2 s instead of 25 s, so that the
		// hanging one below comes soon after the faults are queued.
		Sims:   []wechattest.Config{{SyncCheckHold: 2 * time.Second}},
		Config: rec.Config(),
	})
	e.login(e.u, e.s.Sim, defaultSelf)
	sim, mgmt := e.s.Sim, e.u.ManagementRoom
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	aliceGhost := alice.ghosts[seedName("alice")]
	sim.InjectText("alice", "", "before the stall")
	e.waitMessage(e.u, alice.ID, aliceGhost, "before the stall")
	loginID := e.loginID()
	before, err := rec.Wait(e.ctx, stack.DefaultWait, "CONNECTED", lastStateIs(loginID, status.StateConnected))
	require.NoError(t, err)
	mgmtBefore, err := e.u.Events(e.ctx, mgmt)
	require.NoError(t, err)

	// The next synccheck hangs until the client gives up on it; then
	// webwxsync fails three times in a row, in three different ways.
	checks := len(sim.Requests("synccheck"))
	sim.FailNext("synccheck", 1, wechattest.FaultHang)
	sim.FailNext("webwxsync", 1, wechattest.FaultHTTP500)
	sim.FailNext("webwxsync", 1, wechattest.FaultReset)
	sim.FailNext("webwxsync", 1, wechattest.FaultMalformed)
	e.waitUntil("the bridge to start the hanging synccheck", func(context.Context) (bool, error) {
		return len(sim.Requests("synccheck")) > checks, nil
	})
	stallStart := time.Now()
	during := []string{"during the stall 1", "during the stall 2", "during the stall 3"}
	for _, text := range during {
		sim.InjectText("alice", "", text)
	}

	states, err := rec.Wait(e.ctx, healWait, "TRANSIENT_DISCONNECT then CONNECTED", func(all []status.BridgeState) bool {
		_, ok := transition(loginStates(all[len(before):], loginID),
			stateIs(status.StateTransientDisconnect, codeTransient), stateIs(status.StateConnected, ""))
		return ok
	})
	require.NoError(t, err, "the login reported the stall and recovered by itself")
	healed := time.Since(stallStart)
	after := loginStates(states[len(before):], loginID)
	t.Logf("bridge states after the faults: %s; CONNECTED again %v after the stall began", stack.DescribeStates(after), healed.Round(100*time.Millisecond))
	for _, s := range after {
		assert.NotContains(t, []status.BridgeStateEvent{status.StateBadCredentials, status.StateUnknownError, status.StateLoggedOut},
			s.StateEvent, "a stall is not reported as a lost session: %s", stack.DescribeStates(after))
	}
	logins, err := e.s.Bridge.Logins(e.ctx, e.u)
	require.NoError(t, err)
	require.Len(t, logins, 1)
	assert.Equal(t, status.StateConnected, logins[0].State.StateEvent, "the provisioning API shows the login connected again")

	// The stall really was a hang that the client cut (the scenario's
	// precondition, from the bridge log).
	logData, err := os.ReadFile(e.s.Bridge.LogPath)
	require.NoError(t, err)
	require.Contains(t, string(logData), "synccheck got no answer within", "the synccheck hang was cut by the poll timeout")

	for _, text := range during {
		e.waitMessage(e.u, alice.ID, aliceGhost, text)
	}
	// A message after the recovery marks the end: a duplicate of the stalled
	// batch would have been bridged before it.
	sim.InjectText("alice", "", "after the stall")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the stall")
	want := slices.Concat([]string{"before the stall"}, during, []string{"after the stall"})
	assert.Equal(t, want, e.bodies(e.u, alice.ID, aliceGhost), "alice's messages, each once and in order")

	mgmtAfter, err := e.u.Events(e.ctx, mgmt)
	require.NoError(t, err)
	for _, evt := range mgmtAfter[len(mgmtBefore):] {
		if evt.Sender == e.s.Bridge.Bot && stack.Message(evt) != nil {
			t.Errorf("a stall that healed in %v posted a notice in the management room: %q", healed.Round(time.Second), stack.Message(evt).Body)
		}
	}
}

// TestSessionLossOneNotice: when WeChat ends the session (1101, 1100,
// 1102) the login's state is BAD_CREDENTIALS and the user gets exactly one
// notice in the management room that says to send `login`, also when the
// bridge restarts while logged out. `login` then asks the phone to confirm
// (push login, no QR code), and bridging goes on in the same rooms with the
// same ghosts.
//
// Messages that arrive while no session exists are not delivered by a new
// session: webwxinit hands the new session a SyncKey at the end of the
// account's message log (so does the simulator, modelled on it). The test
// checks they never arrive twice and logs whether they arrived.
func TestSessionLossOneNotice(t *testing.T) {
	rec := stack.NewStateRecorder(t)
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{DoublePuppet: true, Config: rec.Config()})
	sim, bot, mgmt := e.s.Sim, e.s.Bridge.Bot, e.u.ManagementRoom
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	bobGhost := family.ghosts[seedName("bob")]
	sim.InjectText("alice", "", "first session")
	e.waitMessage(e.u, alice.ID, aliceGhost, "first session")
	loginID := e.loginID()

	tests := []struct {
		ret  int
		code status.BridgeStateErrorCode
		// restart restarts the bridge while the session is gone.
		restart bool
	}{
		{1101, codeSessionReplaced, true},
		{1100, codeLoggedOut, false},
		{1102, codeLoggedOut, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("ret %d", tt.ret)
		if tt.restart {
			name += " and a restart"
		}
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			events, err := e.u.Events(e.ctx, mgmt)
			require.NoError(t, err)
			mark := events[len(events)-1].ID
			statesBefore := len(rec.States())
			oldAlice := sim.UserName("alice")

			sim.EndSession(tt.ret)
			notice, err := e.u.WaitEventAfter(e.ctx, mgmt, mark, "the notice that the WeChat session ended", isBadCredentialsNotice(bot))
			require.NoError(t, err)
			body := stack.Message(notice).Body
			t.Logf("notice: %q", body)
			assert.Contains(t, body, string(tt.code), "the notice names the reason")
			assert.Contains(t, strings.ToLower(body), "send `login`", "the notice says what to do")
			e.waitLoginState(loginID, status.StateBadCredentials, tt.code)

			gap := fmt.Sprintf("while logged out (%d)", tt.ret)
			sim.InjectText("alice", "", gap)

			if tt.restart {
				require.NoError(t, e.s.Bridge.Restart(e.ctx))
				e.waitLoginState(loginID, status.StateBadCredentials, tt.code)
			}

			cmd := e.command(e.u, mgmt, "login")
			e.botReply(e.u, mgmt, cmd, "asked your phone to confirm")
			uuid := e.pendingLogin(sim, "")
			assert.ErrorIs(t, sim.Scan(uuid), wechattest.ErrLoginState, "the login is a push login (nothing to scan)")
			require.NoError(t, sim.Confirm(uuid))
			e.botReply(e.u, mgmt, cmd, "Logged in as "+defaultSelf)
			require.NotEqual(t, oldAlice, sim.UserName("alice"), "the new session gave alice a new UserName")

			// Bridge states go out in order, each after its notice: once
			// CONNECTED is out, any further BAD_CREDENTIALS notice would be
			// in the room.
			_, err = rec.Wait(e.ctx, stack.DefaultWait, "BAD_CREDENTIALS then CONNECTED", func(all []status.BridgeState) bool {
				_, ok := transition(loginStates(all[statesBefore:], loginID),
					stateIs(status.StateBadCredentials, tt.code), stateIs(status.StateConnected, ""))
				return ok
			})
			require.NoError(t, err)
			e.waitLoginState(loginID, status.StateConnected, "")

			after := fmt.Sprintf("after the new login (%d)", tt.ret)
			sim.InjectText("alice", "", after)
			sim.InjectText("family", "bob", "bob "+after)
			e.waitMessage(e.u, alice.ID, aliceGhost, after)
			e.waitMessage(e.u, family.ID, bobGhost, "bob "+after)
			assert.Equal(t, 1, count(e.bodies(e.u, alice.ID, aliceGhost), after))
			gapCount := count(e.bodies(e.u, alice.ID, aliceGhost), gap)
			assert.LessOrEqual(t, gapCount, 1, "the message from the gap arrived at most once")
			t.Logf("the message sent while logged out arrived %d time(s)", gapCount)

			_, err = e.u.SendText(e.ctx, alice.ID, "reply "+after)
			require.NoError(t, err)
			m := e.waitSent(sim, quote("reply "+after), func(m wechattest.SentMessage) bool { return m.Msg.Content == "reply "+after })
			assert.Equal(t, sim.UserName("alice"), m.Msg.ToUserName, "the reply went to alice's new UserName")

			events, err = e.u.Events(e.ctx, mgmt)
			require.NoError(t, err)
			var notices []string
			for _, evt := range stack.After(events, mark) {
				if isBadCredentialsNotice(bot)(evt) {
					notices = append(notices, stack.Message(evt).Body)
				}
			}
			assert.Len(t, notices, 1, "exactly one notice about the lost session: %q", notices)
		})
	}

	// However often the session was lost, each chat kept its one room.
	rooms, err := e.u.Rooms(e.ctx)
	require.NoError(t, err)
	for _, p := range []portal{alice, family} {
		n := 0
		for _, ri := range rooms {
			if !ri.IsSpace && ri.Name == p.Name {
				n++
				assert.Equal(t, p.ID, ri.ID, "%q is still in its first room", p.Name)
			}
		}
		assert.Equal(t, 1, n, "one room named %q", p.Name)
	}
}

// TestSendPacing: with network.send_interval 200ms, a burst of 100 Matrix
// messages all reach WeChat, in order and once each, and WeChat sees the
// send calls at least the interval apart. One answer 1205 ("too
// frequent") makes the bridge back off and send that message again.
func TestSendPacing(t *testing.T) {
	const (
		interval = 200 * time.Millisecond
		total    = 100
	)
	// 5 messages a second are more than WeChat allows for long (a burst of
	// about 60, then one a second), so its rate limit is off here; the
	// 1205 of this test is injected.
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{
		Config: map[string]any{"network.send_interval": interval.String()},
		Sims:   []wechattest.Config{{RateLimit: wechattest.RateLimit{Off: true}}},
	})
	sim := e.s.Sim
	sim.InjectText("alice", "", "hello")
	e.waitMessage(e.u, alice.ID, aliceGhost, "hello")

	sendsBefore := len(sim.Requests("webwxsendmsg"))
	sentBefore := len(sim.Sent())
	want := make([]string, total)
	began := time.Now()
	for i := range want {
		want[i] = fmt.Sprintf("burst %03d", i+1)
		_, err := e.u.SendText(e.ctx, alice.ID, want[i])
		require.NoError(t, err)
		if i == total/3 {
			// One send in the middle of the burst is refused.
			sim.FailNext("webwxsendmsg", 1, wechattest.FaultTooFrequent)
		}
	}
	t.Logf("the burst of %d messages was in Matrix after %v", total, time.Since(began).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(e.ctx, time.Duration(total)*interval+time.Minute)
	defer cancel()
	var got []string
	for {
		got = got[:0]
		for _, m := range sim.Sent()[sentBefore:] {
			got = append(got, m.Msg.Content)
		}
		if len(got) >= total || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A message of the burst sent twice would reach WeChat before a message
	// sent after the burst: the sends of a chat go out one at a time, in
	// order. So one more message, once WeChat has it, closes the count.
	const closing = "after the burst"
	_, err := e.u.SendText(e.ctx, alice.ID, closing)
	require.NoError(t, err)
	e.waitSent(sim, quote(closing), func(m wechattest.SentMessage) bool { return m.Msg.Content == closing })
	want = append(want, closing)
	got = got[:0]
	for _, m := range sim.Sent()[sentBefore:] {
		got = append(got, m.Msg.Content)
	}
	require.Equal(t, want, got, "WeChat received every message of the burst, once each and in order, then the closing one")

	reqs := sim.Requests("webwxsendmsg")[sendsBefore:]
	assert.Len(t, reqs, total+2, "one send call per message and the closing one, plus the retry after 1205")
	gaps := make([]time.Duration, 0, len(reqs))
	for i := 1; i < len(reqs); i++ {
		gaps = append(gaps, reqs[i].Time.Sub(reqs[i-1].Time))
	}
	slices.Sort(gaps)
	floor := interval * 9 / 10
	t.Logf("%d messages in %d send calls over %v; spacing min %v, median %v, max %v (send_interval %v)",
		len(got), len(reqs), reqs[len(reqs)-1].Time.Sub(reqs[0].Time).Round(time.Millisecond),
		gaps[0].Round(time.Millisecond), gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond), interval)
	assert.GreaterOrEqual(t, gaps[0], floor, "send calls are at least send_interval apart (less scheduler jitter)")

	events, err := e.u.Events(e.ctx, alice.ID)
	require.NoError(t, err)
	for _, evt := range events {
		if msg := stack.Message(evt); msg != nil && evt.Sender == e.s.Bridge.Bot {
			t.Errorf("the bot reported a problem in the chat: %q", msg.Body)
		}
	}
}

// loginID is the ID of the tester's only login, from the provisioning API.
func (e *env) loginID() string {
	e.t.Helper()
	logins, err := e.s.Bridge.Logins(e.ctx, e.u)
	require.NoError(e.t, err)
	require.Len(e.t, logins, 1, "the tester has one login")
	return logins[0].ID
}

// waitLoginState waits until the provisioning API shows the login in a
// state (with the error code, when code is not empty).
func (e *env) waitLoginState(loginID string, evt status.BridgeStateEvent, code status.BridgeStateErrorCode) {
	e.t.Helper()
	var last []stack.LoginState
	e.waitUntil(fmt.Sprintf("the provisioning API to show login %s as %s %s", loginID, evt, code), func(ctx context.Context) (bool, error) {
		logins, err := e.s.Bridge.Logins(ctx, e.u)
		if err != nil {
			return false, err
		}
		last = logins
		for _, l := range logins {
			if l.ID == loginID && l.State.StateEvent == evt && (code == "" || l.State.Error == code) {
				return true, nil
			}
		}
		return false, fmt.Errorf("logins: %+v", last)
	})
}

// isBadCredentialsNotice matches the bridge's notice about a BAD_CREDENTIALS
// state ("State update for …: `BAD_CREDENTIALS` (`wx-…`): …").
func isBadCredentialsNotice(bot id.UserID) func(*event.Event) bool {
	return func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == bot && strings.Contains(msg.Body, string(status.StateBadCredentials))
	}
}

// loginStates keeps the states of one login.
func loginStates(states []status.BridgeState, loginID string) []status.BridgeState {
	return slices.DeleteFunc(slices.Clone(states), func(s status.BridgeState) bool { return string(s.RemoteID) != loginID })
}

// lastStateIs matches state lists whose latest state of the login is evt.
func lastStateIs(loginID string, evt status.BridgeStateEvent) func([]status.BridgeState) bool {
	return func(all []status.BridgeState) bool {
		mine := loginStates(all, loginID)
		return len(mine) > 0 && mine[len(mine)-1].StateEvent == evt
	}
}

// stateIs matches a state event with an error code (any code when empty).
func stateIs(evt status.BridgeStateEvent, code status.BridgeStateErrorCode) func(status.BridgeState) bool {
	return func(s status.BridgeState) bool { return s.StateEvent == evt && (code == "" || s.Error == code) }
}

// transition reports whether states hold a state matching each of steps,
// in that order (others may come between), and the index of the last one.
func transition(states []status.BridgeState, steps ...func(status.BridgeState) bool) (int, bool) {
	i := 0
	for _, step := range steps {
		for i < len(states) && !step(states[i]) {
			i++
		}
		if i == len(states) {
			return -1, false
		}
		i++
	}
	return i - 1, true
}
