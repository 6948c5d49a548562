package e2e_test

import (
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

// Bridge state error codes of a restricted account (bridge/restrict.go).
const (
	codeRestricted       status.BridgeStateErrorCode = "wx-restricted"
	codeRepeatedLogouts  status.BridgeStateErrorCode = "wx-repeated-logouts"
	codeWebLoginBarred   status.BridgeStateErrorCode = "wx-web-login-barred"
	codePushLoginRefused status.BridgeStateErrorCode = "wx-push-login-refused"
)

// quietWait is how long the tests watch a restricted login for login
// attempts the bridge would make on its own (its reconnect backoff starts
// at 5 s).
const quietWait = 6 * time.Second

// envAbnormal is one of WeChat's 1203 texts (reference §2.5).
const envAbnormal = "当前登录环境异常。为了你的帐号安全，暂时不能登录web微信。"

// loginCalls counts the requests that start a session: what the bridge
// must not send on its own while WeChat restricts the account.
func loginCalls(sim *wechattest.Server) map[string]int {
	calls := map[string]int{}
	for _, ep := range []string{"jslogin", "webwxpushloginurl", "login", "webwxnewloginpage", "webwxinit"} {
		calls[ep] = len(sim.Requests(ep))
	}
	return calls
}

// lastEvent is the ID of the newest event in a room.
func (e *env) lastEvent(room id.RoomID) id.EventID {
	e.t.Helper()
	events, err := e.u.Events(e.ctx, room)
	require.NoError(e.t, err)
	return events[len(events)-1].ID
}

// stateNotices are the bodies of the bot's BAD_CREDENTIALS notices with
// code after the event mark.
func (e *env) stateNotices(room id.RoomID, mark id.EventID, code status.BridgeStateErrorCode) []string {
	e.t.Helper()
	events, err := e.u.Events(e.ctx, room)
	require.NoError(e.t, err)
	var out []string
	for _, evt := range stack.After(events, mark) {
		if isBadCredentialsNotice(e.s.Bridge.Bot)(evt) && (code == "" || strings.Contains(stack.Message(evt).Body, "`"+string(code)+"`")) {
			out = append(out, stack.Message(evt).Body)
		}
	}
	return out
}

// waitStateNotice waits for the bot's BAD_CREDENTIALS notice with code
// after mark.
func (e *env) waitStateNotice(room id.RoomID, mark id.EventID, code status.BridgeStateErrorCode) string {
	e.t.Helper()
	evt, err := e.u.WaitEventAfter(e.ctx, room, mark, "the notice of "+string(code), func(evt *event.Event) bool {
		return isBadCredentialsNotice(e.s.Bridge.Bot)(evt) && strings.Contains(stack.Message(evt).Body, "`"+string(code)+"`")
	})
	require.NoError(e.t, err)
	return stack.Message(evt).Body
}

// assertLeftAlone watches a logged-out login for quietWait, restarts the
// bridge and watches again: the login stays in its state, without a
// second notice, and the bridge sends WeChat nothing that starts a session.
func (e *env) assertLeftAlone(loginID string, code status.BridgeStateErrorCode, mark id.EventID) {
	e.t.Helper()
	sim, room := e.s.Sim, e.u.ManagementRoom
	before := loginCalls(sim)
	time.Sleep(quietWait)
	require.NoError(e.t, e.s.Bridge.Restart(e.ctx))
	e.waitLoginState(loginID, status.StateBadCredentials, code)
	time.Sleep(quietWait)
	assert.Equal(e.t, before, loginCalls(sim), "the bridge sent nothing that starts a session on its own, also after a restart")
	e.waitLoginState(loginID, status.StateBadCredentials, code)
	assert.LessOrEqual(e.t, len(e.stateNotices(room, mark, code)), 1, "no second notice after the restart")
}

// askedFirst sends `login` and checks that the bridge warns and asks
// before it contacts WeChat; answering no ends the login with nothing
// sent. It returns the warning.
func (e *env) askedFirst(sim *wechattest.Server) string {
	e.t.Helper()
	room := e.u.ManagementRoom
	before := loginCalls(sim)
	cmd := e.command(e.u, room, "login")
	warning := stack.Message(e.botReply(e.u, room, cmd, "Careful:")).Body
	e.botReply(e.u, room, cmd, "`yes` to log in now anyway")
	no := e.command(e.u, room, "no")
	e.botReply(e.u, room, no, "Not logging in")
	assert.Equal(e.t, before, loginCalls(sim), "nothing was sent to WeChat for a login the user did not confirm")
	return warning
}

// pushRelogin logs in again by push login (confirmed on the phone) after
// `login`, or after `login` and `yes` when confirm is set.
func (e *env) pushRelogin(sim *wechattest.Server, confirm bool) {
	e.t.Helper()
	room := e.u.ManagementRoom
	pushes := len(sim.Requests("webwxpushloginurl"))
	cmd := e.command(e.u, room, "login")
	if confirm {
		e.botReply(e.u, room, cmd, "`yes` to log in now anyway")
		cmd = e.command(e.u, room, "yes")
	}
	e.botReply(e.u, room, cmd, "asked your phone to confirm")
	uuid := e.pendingLogin(sim, "")
	assert.Equal(e.t, pushes+1, len(sim.Requests("webwxpushloginurl")), "one push login")
	require.NoError(e.t, sim.Confirm(uuid))
	e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)
}

// TestRestrictedEarlyLogout: WeChat ends the session with 1102 seconds
// after the login, the 2025 pattern before a ban. The user is told in
// plain words what happened and what to do, once; the login's state says
// wx-restricted; the bridge tries no login on its own, also after a
// restart; and `login` warns and asks before it contacts WeChat.
// sessionEndedRestricted checks what the user sees once WeChat ended a
// session in a way that looks like a restriction: one notice in the
// management room after mark that says each of words (case aside), the
// login's BAD_CREDENTIALS state with code in whoami and at the status
// endpoint (among the states recorded after the first statesBefore), and no
// login attempt of the bridge's own.
func (e *env) sessionEndedRestricted(rec *stack.StateRecorder, statesBefore int, loginID string, mgmt id.RoomID, mark id.EventID, code status.BridgeStateErrorCode, words ...string) {
	e.t.Helper()
	notice := e.waitStateNotice(mgmt, mark, code)
	e.t.Logf("notice: %q", notice)
	for _, w := range words {
		assert.Contains(e.t, strings.ToLower(notice), strings.ToLower(w))
	}
	e.waitLoginState(loginID, status.StateBadCredentials, code)
	_, err := rec.Wait(e.ctx, stack.DefaultWait, "BAD_CREDENTIALS "+string(code), func(all []status.BridgeState) bool {
		_, ok := transition(loginStates(all[statesBefore:], loginID), stateIs(status.StateBadCredentials, code))
		return ok
	})
	require.NoError(e.t, err, "the status endpoint got the state")
	e.assertLeftAlone(loginID, code, mark)
	assert.Len(e.t, e.stateNotices(mgmt, mark, ""), 1, "one notice in all")
}

func TestRestrictedEarlyLogout(t *testing.T) {
	rec := stack.NewStateRecorder(t)
	cfg := rec.Config()
	cfg["network.restrictions.early_logout"] = "10m"
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{Config: cfg})
	sim, mgmt := e.s.Sim, e.u.ManagementRoom
	loginID := e.loginID()
	mark := e.lastEvent(mgmt)
	statesBefore := len(rec.States())

	sim.EndSession(1102)
	e.sessionEndedRestricted(rec, statesBefore, loginID, mgmt, mark, codeRestricted,
		"within minutes of the login", "about two weeks", "do not log in again and again", "send `login`")

	warning := e.askedFirst(sim)
	t.Logf("warning: %q", warning)
	assert.Contains(t, warning, "within minutes of its login")
	assert.Contains(t, warning, "two weeks")

	// The user decides to go ahead: one push login, and bridging resumes.
	e.pushRelogin(sim, true)
	e.waitLoginState(loginID, status.StateConnected, "")
	sim.InjectText("alice", "", "after the restriction")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the restriction")
}

// TestRestrictedWebLoginBarred: WeChat refuses a login again with 1203.
// The reply to `login` quotes WeChat's own words and says what to do; the
// login's state says wx-web-login-barred; the bridge tries nothing on its
// own; and the next `login` warns and asks first.
func TestRestrictedWebLoginBarred(t *testing.T) {
	e, _, _ := setupWithAlice(t, stack.Options{})
	sim, mgmt := e.s.Sim, e.u.ManagementRoom
	loginID := e.loginID()
	mark := e.lastEvent(mgmt)
	sim.EndSession(1100)
	e.waitStateNotice(mgmt, mark, codeLoggedOut)
	sessions := sim.LoginCount()

	sim.RefuseNextLogin(1203, envAbnormal)
	cmd := e.command(e.u, mgmt, "login")
	e.botReply(e.u, mgmt, cmd, "asked your phone to confirm")
	require.NoError(t, sim.Confirm(e.pendingLogin(sim, "")))
	reply := stack.Message(e.botReply(e.u, mgmt, cmd, "1203")).Body
	t.Logf("reply: %q", reply)
	assert.Contains(t, reply, envAbnormal, "the reply quotes WeChat's own words")
	assert.Contains(t, reply, "Each new attempt can make that last longer")
	assert.Contains(t, reply, "send `login` to try again")
	assert.Equal(t, sessions, sim.LoginCount(), "no session was started")
	e.waitLoginState(loginID, status.StateBadCredentials, codeWebLoginBarred)
	assert.Empty(t, e.stateNotices(mgmt, cmd, ""), "the reply is the one message about it: no state notice besides")

	e.assertLeftAlone(loginID, codeWebLoginBarred, cmd)
	assert.Empty(t, e.stateNotices(mgmt, cmd, ""), "no state notice after the restart either")
	warning := e.askedFirst(sim)
	t.Logf("warning: %q", warning)
	assert.Contains(t, warning, "1203")
	assert.Contains(t, warning, envAbnormal)
}

// TestPushLoginRefused: when WeChat refuses the push login, or the phone
// does not confirm it, `login` shows a QR code instead and says why, the
// login's state says wx-push-login-refused, and the next `login` goes
// straight to a QR code, saying so, with no second push login.
func TestPushLoginRefused(t *testing.T) {
	e, _, _ := setupWithAlice(t, stack.Options{})
	sim, mgmt := e.s.Sim, e.u.ManagementRoom
	loginID := e.loginID()

	// qrAgain: the next `login` shows a QR code at once, says why, and
	// logs in when it is scanned.
	qrAgain := func(t *testing.T) {
		e := e.sub(t)
		pushes := len(sim.Requests("webwxpushloginurl"))
		cmd := e.command(e.u, mgmt, "login")
		e.botReply(e.u, mgmt, cmd, "refused the last push login")
		e.qrImage(e.u, mgmt, cmd)
		uuid := e.pendingLogin(sim, "")
		require.NoError(t, sim.Confirm(uuid))
		e.botReply(e.u, mgmt, cmd, "Logged in as "+defaultSelf)
		assert.Equal(t, pushes, len(sim.Requests("webwxpushloginurl")), "no push login after the refused one")
		e.waitLoginState(loginID, status.StateConnected, "")
	}
	// cancelQR cancels the login that shows a QR code.
	cancelQR := func(t *testing.T) {
		e := e.sub(t)
		cancel := e.command(e.u, mgmt, "cancel")
		e.botReply(e.u, mgmt, cancel, "cancel")
	}

	t.Run("WeChat refuses", func(t *testing.T) {
		e := e.sub(t)
		mark := e.lastEvent(mgmt)
		sim.EndSession(1100)
		e.waitStateNotice(mgmt, mark, codeLoggedOut)
		sim.RefuseNextPushLogin()
		cmd := e.command(e.u, mgmt, "login")
		reply := stack.Message(e.botReply(e.u, mgmt, cmd, "refused to ask your phone")).Body
		t.Logf("reply: %q", reply)
		assert.Contains(t, reply, "device authinfo invalid", "WeChat's own words")
		assert.Contains(t, reply, "The next `login` also starts with a QR code")
		e.qrImage(e.u, mgmt, cmd)
		e.waitLoginState(loginID, status.StateBadCredentials, codePushLoginRefused)
		cancelQR(t)
		qrAgain(t)
	})

	t.Run("the phone does not confirm", func(t *testing.T) {
		e := e.sub(t)
		mark := e.lastEvent(mgmt)
		sim.EndSession(1102)
		e.waitStateNotice(mgmt, mark, codeLoggedOut)
		cmd := e.command(e.u, mgmt, "login")
		e.botReply(e.u, mgmt, cmd, "asked your phone to confirm")
		push := e.pendingLogin(sim, "")
		require.NoError(t, sim.ExpireQR(push))
		e.botReply(e.u, mgmt, cmd, "The phone did not confirm the login")
		e.qrImage(e.u, mgmt, cmd)
		e.waitLoginState(loginID, status.StateBadCredentials, codePushLoginRefused)
		cancelQR(t)
		qrAgain(t)
	})
}

// TestRepeatedLogouts: the third time within a day that WeChat ends the
// session, the notice says WeChat may be restricting the account, the
// state says wx-repeated-logouts, the bridge tries nothing on its own, and
// the next `login` warns and asks first.
func TestRepeatedLogouts(t *testing.T) {
	rec := stack.NewStateRecorder(t)
	cfg := rec.Config()
	cfg["network.restrictions.repeated_logouts"] = 3
	e, _, _ := setupWithAlice(t, stack.Options{Config: cfg})
	sim, mgmt := e.s.Sim, e.u.ManagementRoom
	loginID := e.loginID()

	for _, step := range []struct {
		ret  int
		code status.BridgeStateErrorCode
	}{{1101, codeSessionReplaced}, {1100, codeLoggedOut}} {
		mark := e.lastEvent(mgmt)
		sim.EndSession(step.ret)
		e.waitStateNotice(mgmt, mark, step.code)
		e.waitLoginState(loginID, status.StateBadCredentials, step.code)
		e.pushRelogin(sim, false)
	}

	mark := e.lastEvent(mgmt)
	statesBefore := len(rec.States())
	sim.EndSession(1102)
	e.sessionEndedRestricted(rec, statesBefore, loginID, mgmt, mark, codeRepeatedLogouts,
		"several times within a day", "send `login`")
	warning := e.askedFirst(sim)
	t.Logf("warning: %q", warning)
	assert.Contains(t, warning, "several times within a day")
}
