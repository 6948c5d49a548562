package bridge

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/status"
)

// WeChat restricts accounts it takes for bots, and every login attempt
// while it does can make that last longer (reference §0.1). This file
// recognises the signs, words what the user sees, and decides when `login`
// asks before it contacts WeChat. The bridge itself never logs in: only a
// `login` (or `relogin`) does, with at most one push login each.

// Bridge state error codes of a restricted account. Each is sent with
// BAD_CREDENTIALS and has its text registered below.
const (
	// WXRestricted: WeChat ended a session soon after its login.
	WXRestricted status.BridgeStateErrorCode = "wx-restricted"
	// WXRepeatedLogouts: WeChat ended sessions several times within a day.
	WXRepeatedLogouts status.BridgeStateErrorCode = "wx-repeated-logouts"
	// WXWebLoginBarred: webwxnewloginpage refused the login with 1203.
	WXWebLoginBarred status.BridgeStateErrorCode = "wx-web-login-barred"
	// WXPushLoginRefused: WeChat refused a push login, or the phone did not
	// confirm it.
	WXPushLoginRefused status.BridgeStateErrorCode = "wx-push-login-refused"
)

const (
	// DefaultEarlyLogout is the default of network.restrictions.early_logout.
	// Since January 2025 WeChat ends web and desktop sessions it suspects
	// with 1102 seconds after a successful login, and then often bars the
	// account from QR logins for about two weeks (openwechat#564, #565,
	// #573). A session ended within minutes of its login is that pattern;
	// the other causes of a logout (the phone logging out, a login
	// elsewhere, the session's age) rarely strike that soon.
	DefaultEarlyLogout = 5 * time.Minute
	// DefaultRepeatedLogouts is the default of
	// network.restrictions.repeated_logouts: healthy web sessions last hours
	// to days (reference §10.5), so a third logout within a day is not bad
	// luck.
	DefaultRepeatedLogouts = 3
	// logoutMemory is the span repeated logouts are counted over.
	logoutMemory = 24 * time.Hour
	// banCoolDown is how long after an early logout `login` asks first:
	// the bans that follow it were reported to last about two weeks.
	banCoolDown = 14 * 24 * time.Hour
	// refusalCoolDown is how long after a 1203 or repeated logouts `login`
	// asks first.
	refusalCoolDown = 24 * time.Hour
)

func init() {
	status.BridgeStateHumanErrors.Update(status.BridgeStateErrorMap{
		WXRestricted: "WeChat ended the session within minutes of the login. Since 2025 WeChat does this to web and desktop logins it takes for automation, " +
			"and it often bars the account from QR-code logins on other devices for about two weeks afterwards. " +
			"Keep using WeChat on your phone as usual and wait; do not log in again and again, since each attempt can extend the ban. " +
			"When you choose to try again, send `login` (the bridge asks you to confirm first). Your rooms stay as they are.",
		WXRepeatedLogouts: "WeChat ended the session several times within a day. WeChat may be restricting web and desktop logins of this account, " +
			"and logging in again and again can get it barred for weeks. " +
			"Use WeChat on your phone as usual for a day, then send `login` (the bridge asks you to confirm first). Your rooms stay as they are.",
		WXWebLoginBarred: "WeChat refused the login with error 1203: it does not let this account use web or desktop WeChat for now, " +
			"and each new attempt can make that last longer. Use WeChat on your phone as usual for a while " +
			"(new accounts and accounts without real-name verification are often refused until they are verified), then send `login` to try again.",
		WXPushLoginRefused: "WeChat did not let the bridge ask your phone to confirm the login, or the phone did not confirm it in time. " +
			"Send `login` to log in with a QR code instead.",
	})
}

// classifyLogout picks the bridge state code of a logout at now: ret is
// the code WeChat ended the session with, loggedInAt when its login
// completed (zero if unknown), logouts the account's recent logouts
// including this one.
func classifyLogout(ret int, loggedInAt time.Time, logouts []time.Time, now time.Time, rc *RestrictionsConfig) status.BridgeStateErrorCode {
	if early := rc.earlyLogout; early > 0 && !loggedInAt.IsZero() && now.Sub(loggedInAt) < early {
		return WXRestricted
	}
	if n := rc.repeatedLogouts(); n > 0 && len(recentLogouts(logouts, now)) >= n {
		return WXRepeatedLogouts
	}
	return loggedOutCode(ret)
}

// recentLogouts keeps the logouts within logoutMemory before now.
func recentLogouts(logouts []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range logouts {
		if now.Sub(t) < logoutMemory {
			out = append(out, t)
		}
	}
	return out
}

// noteLogout records that WeChat ended the session with ret at now and
// returns the bridge state code to report it with.
func (m *UserLoginMetadata) noteLogout(ret int, now time.Time, rc *RestrictionsConfig) status.BridgeStateErrorCode {
	m.Logouts = append(recentLogouts(m.Logouts, now), now)
	code := classifyLogout(ret, m.LoggedInAt, m.Logouts, now, rc)
	m.LoggedOutRet, m.LoggedOutCode = ret, code
	if coolDown(code) > 0 {
		m.Restriction = &Restriction{Code: code, At: now}
	}
	return code
}

// coolDown is how long after a restriction of that code `login` asks
// first; 0 for codes that do not call for it.
func coolDown(code status.BridgeStateErrorCode) time.Duration {
	switch code {
	case WXRestricted:
		return banCoolDown
	case WXRepeatedLogouts, WXWebLoginBarred:
		return refusalCoolDown
	}
	return 0
}

// activeRestriction is the restriction whose cool-down has not passed at
// now, or nil.
func activeRestriction(m *UserLoginMetadata, now time.Time) *Restriction {
	if m == nil || m.Restriction == nil {
		return nil
	}
	if r := m.Restriction; now.Sub(r.At) < coolDown(r.Code) {
		return r
	}
	return nil
}

// loginMeta is the metadata of a login, or nil.
func loginMeta(ul *bridgev2.UserLogin) *UserLoginMetadata {
	if ul == nil {
		return nil
	}
	meta, _ := ul.Metadata.(*UserLoginMetadata)
	return meta
}

// The step that asks before logging in a restricted account.
const (
	LoginStepConfirm = "io.github.wxbridge.confirm_restricted"
	confirmFieldID   = "confirm"
)

// ErrLoginNotConfirmed is the answer to anything but "yes" at the
// confirmation step.
var ErrLoginNotConfirmed = bridgev2.RespError{
	ErrCode:    "IO.GITHUB.WXBRIDGE.LOGIN_NOT_CONFIRMED",
	Err:        "Not logging in; nothing was sent to WeChat. Send `login` again when you choose to.",
	StatusCode: http.StatusBadRequest,
}

// confirmStep asks the user to confirm a login while r's cool-down runs.
func confirmStep(r *Restriction, now time.Time) *bridgev2.LoginStep {
	return &bridgev2.LoginStep{
		Type:         bridgev2.LoginStepTypeUserInput,
		StepID:       LoginStepConfirm,
		Instructions: restrictionWarning(r, now),
		UserInputParams: &bridgev2.LoginUserInputParams{
			Fields: []bridgev2.LoginInputDataField{{
				Type:        bridgev2.LoginInputFieldTypeSelect,
				ID:          confirmFieldID,
				Name:        "answer",
				Description: "Answer `yes` to log in now anyway, or `no` to stop (nothing is sent to WeChat then).",
				Options:     []string{"yes", "no"},
			}},
		},
	}
}

// confirmed reports whether the answer at the confirmation step is yes.
func confirmed(input map[string]string) bool {
	return strings.EqualFold(strings.TrimSpace(input[confirmFieldID]), "yes")
}

// restrictionWarning says what WeChat did and why logging in now is a risk.
func restrictionWarning(r *Restriction, now time.Time) string {
	ago := roughDuration(now.Sub(r.At))
	var what string
	switch r.Code {
	case WXRestricted:
		what = fmt.Sprintf("WeChat ended this account's last session within minutes of its login, %s ago. "+
			"Since 2025 WeChat does this to web and desktop logins it takes for automation, and then often bars the account "+
			"from QR-code logins for about two weeks; each new login attempt can extend that.", ago)
	case WXRepeatedLogouts:
		what = fmt.Sprintf("WeChat ended this account's sessions several times within a day, the last %s ago. "+
			"WeChat may be restricting web and desktop logins of this account, and logging in again and again can get it barred for weeks.", ago)
	case WXWebLoginBarred:
		said := ""
		if r.ServerMessage != "" {
			said = fmt.Sprintf(" (WeChat said: %q)", r.ServerMessage)
		}
		what = fmt.Sprintf("WeChat refused this account's last login %s ago with error 1203%s: it does not let the account use "+
			"web or desktop WeChat for now, and each new attempt can make that last longer.", ago, said)
	default:
		what = fmt.Sprintf("WeChat restricted this account %s ago (`%s`).", ago, r.Code)
	}
	return "Careful: " + what + " It is safer to wait and keep using WeChat on your phone as usual."
}

// roughDuration words a duration the way a person would say it.
func roughDuration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(int(d/(24*time.Hour)), "day")
	}
}

// recordLoginRefusal records on a login that WeChat refused to log it in
// again (code WXWebLoginBarred with the server's text, or
// WXPushLoginRefused) and sets its bridge state to say so. The login
// command's reply already tells the user, so the state goes out without a
// second notice (markStateSent); a login that is not logged out keeps its
// state.
func recordLoginRefusal(ctx context.Context, ul *bridgev2.UserLogin, code status.BridgeStateErrorCode, serverMessage string, now time.Time) {
	meta := loginMeta(ul)
	if meta == nil {
		return
	}
	switch code {
	case WXPushLoginRefused:
		meta.PushLoginRefused = true
	default:
		meta.Restriction = &Restriction{Code: code, At: now, ServerMessage: serverMessage}
	}
	loggedOut := meta.LoggedOutRet != 0
	if loggedOut {
		meta.LoggedOutCode = code
	}
	if err := ul.Save(ctx); err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to save login metadata")
	}
	if loggedOut {
		markStateSent(ul, status.BridgeState{StateEvent: status.StateBadCredentials, Error: code})
	}
}
