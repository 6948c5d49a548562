package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/status"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// Login flow and step IDs.
const (
	LoginFlowQR = "qr"

	LoginStepQR       = "io.github.wxbridge.qr"
	LoginStepPush     = "io.github.wxbridge.push"
	LoginStepScanned  = "io.github.wxbridge.scanned"
	LoginStepComplete = "io.github.wxbridge.complete"

	// MaxQRRefreshes is how often an expired QR code is replaced before the
	// login gives up.
	MaxQRRefreshes = 5
	// pushLoginTimeout is how long the phone has to confirm a push login
	// before a QR code is shown instead.
	pushLoginTimeout = 90 * time.Second
)

// Login errors, as shown to the user by the login command and the
// provisioning API.
var (
	ErrLoginQRExpired = bridgev2.RespError{
		ErrCode:    "IO.GITHUB.WXBRIDGE.QR_EXPIRED",
		Err:        fmt.Sprintf("The QR code expired %d times without being scanned. Send `login` to start again.", MaxQRRefreshes+1),
		StatusCode: http.StatusRequestTimeout,
	}
	ErrLoginCancelledOnPhone = bridgev2.RespError{
		ErrCode:    "IO.GITHUB.WXBRIDGE.LOGIN_CANCELLED",
		Err:        "The login was cancelled on the phone.",
		StatusCode: http.StatusForbidden,
	}
	// ErrLoginBarred is 1203; barredError adds what WeChat said.
	ErrLoginBarred = bridgev2.RespError{
		ErrCode:    "IO.GITHUB.WXBRIDGE.WEB_LOGIN_BARRED",
		Err:        "WeChat refused the login with error 1203: it does not let this account use web or desktop WeChat for now",
		StatusCode: http.StatusForbidden,
	}
	ErrLoginFailed = bridgev2.RespError{
		ErrCode:    "IO.GITHUB.WXBRIDGE.LOGIN_FAILED",
		Err:        "Logging in to WeChat failed",
		StatusCode: http.StatusBadGateway,
	}
	ErrLoginNotStarted = bridgev2.RespError{
		ErrCode:    mautrix.MBadState.ErrCode,
		Err:        "The login has not been started",
		StatusCode: http.StatusBadRequest,
	}
)

// GetLoginFlows lists the login flows: only QR for now.
func (wc *WeChatConnector) GetLoginFlows() []bridgev2.LoginFlow {
	return []bridgev2.LoginFlow{{
		Name:        "QR code",
		Description: "Scan a QR code with the WeChat app on your phone",
		ID:          LoginFlowQR,
	}}
}

// CreateLogin prepares a login; the work starts in Start.
func (wc *WeChatConnector) CreateLogin(ctx context.Context, user *bridgev2.User, flowID string) (bridgev2.LoginProcess, error) {
	if flowID != LoginFlowQR {
		return nil, bridgev2.ErrInvalidLoginFlowID
	}
	return &QRLogin{
		conn: wc,
		user: user,
		log:  user.Log.With().Str("action", "login").Str("flow", flowID).Logger(),
	}, nil
}

// QRLogin is one QR login: jslogin, the login poll, webwxnewloginpage, then
// the new UserLogin.
type QRLogin struct {
	conn *WeChatConnector
	user *bridgev2.User
	log  zerolog.Logger

	// mu guards ctx and cancel: Cancel runs on another goroutine than the
	// steps (the cancel command, the provisioning API's cancel), at any
	// time. start sets login under mu together with ctx, and Wait checks
	// both there to tell whether the login was started.
	mu     sync.Mutex
	ctx    context.Context // ends with Cancel
	cancel context.CancelFunc
	login  *wechat.Login

	// The step state below is not guarded: it belongs to the goroutine
	// running the current step (start, or Wait, and the newQR and finish
	// they call). bridgev2 runs one step of a login at a time and starts
	// the next only after the last returned: the login command calls Wait
	// after Start on its own goroutine; the provisioning API starts a step
	// (on a goroutine per step) only when none is running, under its step
	// lock, which orders each step after the one before. Cancel and no
	// other goroutine touch it.
	qr        *wechat.QRCode
	tip       bool
	refreshes int
	scanned   bool
	// old is the login being logged in again (a logged-out login of the
	// user, or relogin's), or nil; confirming is set while the first step
	// asks whether to log in a restricted account at all.
	old        *bridgev2.UserLogin
	confirming bool
	// pushUntil is set while waiting for the phone to confirm a push login:
	// when it passes, a QR code is shown instead.
	pushUntil time.Time
}

var (
	_ bridgev2.LoginProcessDisplayAndWait = (*QRLogin)(nil)
	_ bridgev2.LoginProcessWithOverride   = (*QRLogin)(nil)
	_ bridgev2.LoginProcessUserInput      = (*QRLogin)(nil)
)

// Start begins a login. If the user has a login whose session WeChat ended,
// it is logged in again by push login first (see StartWithOverride);
// otherwise it starts with a QR code. If WeChat restricted that login's
// account recently, the first step asks whether to go ahead, before
// anything is sent to WeChat.
func (ql *QRLogin) Start(ctx context.Context) (*bridgev2.LoginStep, error) {
	return ql.start(ctx, ql.loggedOutLogin())
}

// StartWithOverride logs in an existing login again (the relogin command):
// by push login, where the phone only confirms, when the stored session
// allows it, else with a QR code.
func (ql *QRLogin) StartWithOverride(ctx context.Context, override *bridgev2.UserLogin) (*bridgev2.LoginStep, error) {
	return ql.start(ctx, override)
}

// loggedOutLogin returns a login of the user that is not connected to
// WeChat, or nil.
func (ql *QRLogin) loggedOutLogin() *bridgev2.UserLogin {
	for _, ul := range ql.user.GetUserLogins() {
		if ul.Client != nil && !ul.Client.IsLoggedIn() {
			return ul
		}
	}
	return nil
}

func (ql *QRLogin) start(ctx context.Context, old *bridgev2.UserLogin) (*bridgev2.LoginStep, error) {
	ql.old = old
	if r := activeRestriction(loginMeta(old), time.Now()); r != nil {
		ql.log.Info().Str("login_id", string(old.ID)).Str("restriction", string(r.Code)).Time("restricted_at", r.At).
			Msg("WeChat restricted the account recently, asking before logging in")
		ql.confirming = true
		return confirmStep(r, time.Now()), nil
	}
	return ql.begin(ctx)
}

// SubmitUserInput takes the answer of the confirmation step: yes starts
// the login, anything else ends it with nothing sent to WeChat.
func (ql *QRLogin) SubmitUserInput(ctx context.Context, input map[string]string) (*bridgev2.LoginStep, error) {
	if !ql.confirming {
		return nil, ErrLoginNotStarted
	}
	ql.confirming = false
	if !confirmed(input) {
		ql.log.Info().Msg("Login of a restricted account not confirmed")
		return nil, ErrLoginNotConfirmed
	}
	ql.log.Info().Msg("Login of a restricted account confirmed")
	return ql.begin(ctx)
}

// begin contacts WeChat: one push login when the old login's session
// allows it and WeChat did not refuse the last one, else a QR code.
func (ql *QRLogin) begin(ctx context.Context) (*bridgev2.LoginStep, error) {
	old := ql.old
	var sess *wechat.Session
	var note string
	if meta := loginMeta(old); meta != nil && meta.PushLoginRefused {
		note = "WeChat refused the last push login of this account (or the phone did not confirm it), so here is a QR code instead. "
		old = nil
	}
	if old != nil {
		var err error
		if sess, err = ql.conn.loadSession(ctx, string(old.ID)); err != nil {
			ql.log.Debug().Err(err).Str("login_id", string(old.ID)).Msg("No stored session for push login")
			sess = nil
		}
	}
	var cookies []wechat.Cookie
	if sess != nil {
		cookies = sess.Cookies
	}
	login, err := wechat.NewLogin(ql.conn.Config.WeChatConfig(), cookies, ql.log)
	if err != nil {
		return nil, ErrLoginFailed.AppendMessage(": %v", err)
	}
	ql.mu.Lock()
	ql.ctx, ql.cancel = context.WithCancel(ql.log.WithContext(ql.conn.Bridge.BackgroundCtx))
	ql.login = login
	ql.mu.Unlock()
	if sess != nil {
		uuid, err := login.PushLogin(ctx, sess)
		if err == nil {
			ql.log.Debug().Str("login_id", string(old.ID)).Msg("Push login sent to the phone")
			ql.qr, ql.tip, ql.scanned = &wechat.QRCode{UUID: uuid}, true, false
			ql.pushUntil = time.Now().Add(pushLoginTimeout)
			return pushStep(old.RemoteName), nil
		}
		ql.log.Warn().Err(err).Msg("Push login failed, showing a QR code instead")
		note = "The bridge could not ask your phone to confirm the login, so here is a QR code instead. "
		var retErr *wechat.RetError
		if errors.As(err, &retErr) {
			// WeChat answered, and said no: the next login goes straight to a QR code.
			recordLoginRefusal(ctx, ql.old, WXPushLoginRefused, "", time.Now())
			note = "WeChat refused to ask your phone to confirm the login" + serverSaid(retErr.Message) +
				", so here is a QR code instead. The next `login` also starts with a QR code. "
		}
	}
	return ql.newQR(ctx, note)
}

// serverSaid quotes WeChat's own words, if it gave any.
func serverSaid(msg string) string {
	if msg = strings.TrimSpace(msg); msg != "" {
		return fmt.Sprintf(" (WeChat said: %q)", msg)
	}
	return ""
}

func pushStep(name string) *bridgev2.LoginStep {
	who := "your account"
	if name != "" {
		who = name
	}
	return &bridgev2.LoginStep{
		Type:   bridgev2.LoginStepTypeDisplayAndWait,
		StepID: LoginStepPush,
		Instructions: fmt.Sprintf("WeChat asked your phone to confirm the login of %s: tap \"Log In\" on the phone. "+
			"If nothing shows up there, a QR code to scan follows in a minute and a half.", who),
		DisplayAndWaitParams: &bridgev2.LoginDisplayAndWaitParams{
			Type: bridgev2.LoginDisplayTypeNothing,
		},
	}
}

// Cancel stops a Wait in progress and any later one.
func (ql *QRLogin) Cancel() {
	ql.mu.Lock()
	defer ql.mu.Unlock()
	if ql.cancel != nil {
		ql.cancel()
	}
}

// newQR shows a new QR code; note, if any, goes before the instructions.
func (ql *QRLogin) newQR(ctx context.Context, note string) (*bridgev2.LoginStep, error) {
	qr, err := ql.login.NewQR(ctx)
	if err != nil {
		ql.log.Err(err).Msg("Failed to get a login QR code")
		return nil, ErrLoginFailed.AppendMessage(": could not get a QR code from WeChat: %v", err)
	}
	ql.qr, ql.tip, ql.scanned, ql.pushUntil = qr, true, false, time.Time{}
	return qrStep(qr, ql.refreshes, note), nil
}

func qrStep(qr *wechat.QRCode, refreshes int, note string) *bridgev2.LoginStep {
	instructions := "Scan the QR code with WeChat on your phone (Me → the + button → Scan, or the scanner in Discover)."
	if refreshes > 0 {
		instructions = fmt.Sprintf("The QR code expired; here is a new one (%d of %d). ", refreshes, MaxQRRefreshes) + instructions
	}
	instructions = note + instructions
	return &bridgev2.LoginStep{
		Type:         bridgev2.LoginStepTypeDisplayAndWait,
		StepID:       LoginStepQR,
		Instructions: instructions,
		DisplayAndWaitParams: &bridgev2.LoginDisplayAndWaitParams{
			Type: bridgev2.LoginDisplayTypeQR,
			Data: qr.Payload,
		},
	}
}

func scannedStep() *bridgev2.LoginStep {
	return &bridgev2.LoginStep{
		Type:         bridgev2.LoginStepTypeDisplayAndWait,
		StepID:       LoginStepScanned,
		Instructions: "The QR code was scanned. Confirm the login on your phone (tap \"Log In\").",
		DisplayAndWaitParams: &bridgev2.LoginDisplayAndWaitParams{
			Type: bridgev2.LoginDisplayTypeNothing,
		},
	}
}

// pollOutcome is what the login state machine does after one poll answer.
type pollOutcome int

const (
	outcomeKeepPolling pollOutcome = iota
	outcomeScanned                 // first 201: tell the user
	outcomeConfirmed               // 200: complete the login
	outcomeRefreshQR               // expired, refreshes left
	outcomeExpired                 // expired too often
	outcomeCancelled               // 202
)

// nextOutcome is the pure part of Wait: what a poll code means given the
// state so far.
func nextOutcome(code int, scanned bool, refreshes int) pollOutcome {
	switch code {
	case wechat.PollScanned:
		if scanned {
			return outcomeKeepPolling
		}
		return outcomeScanned
	case wechat.PollConfirmed:
		return outcomeConfirmed
	case wechat.PollCancelled:
		return outcomeCancelled
	case wechat.PollExpired, 500:
		if refreshes >= MaxQRRefreshes {
			return outcomeExpired
		}
		return outcomeRefreshQR
	default:
		return outcomeKeepPolling
	}
}

// maxPollFailures is how many failed polls in a row end the login.
const maxPollFailures = 5

// Wait polls the login until something the user should see happens: the
// phone scanned (a step saying so), the QR code expired (a fresh QR under the
// same step ID, which the login command edits in place), or the login was
// confirmed (the complete step).
func (ql *QRLogin) Wait(ctx context.Context) (*bridgev2.LoginStep, error) {
	ql.mu.Lock()
	if ql.login == nil || ql.ctx == nil {
		ql.mu.Unlock()
		return nil, ErrLoginNotStarted
	}
	procCtx := ql.ctx
	ql.mu.Unlock()
	// Stop polling when either the caller (the cancel command) or Cancel ends it.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(procCtx, func() { cancel(context.Canceled) })
	defer stop()

	failures := 0
	for {
		if ql.isPush() && time.Now().After(ql.pushUntil) {
			ql.log.Info().Msg("Push login not confirmed in time, showing a QR code")
			return ql.pushNotConfirmed(ctx)
		}
		res, err := ql.login.Poll(ctx, ql.qr.UUID, ql.tip)
		// Poll answers a timed-out poll as 408, also when ctx ended.
		if ctx.Err() != nil {
			return nil, waitCancelled(ctx)
		}
		if err != nil {
			failures++
			ql.log.Warn().Err(err).Int("failures", failures).Msg("Login poll failed")
			if failures >= maxPollFailures {
				return nil, ErrLoginFailed.AppendMessage(": WeChat's login server did not answer: %v", err)
			}
			select {
			case <-time.After(time.Duration(failures) * time.Second):
			case <-ctx.Done():
				return nil, waitCancelled(ctx)
			}
			continue
		}
		failures = 0
		ql.tip = false
		switch nextOutcome(res.Code, ql.scanned, ql.refreshes) {
		case outcomeKeepPolling:
			if res.Code != wechat.PollWaiting && res.Code != wechat.PollScanned {
				ql.log.Warn().Int("code", res.Code).Msg("Unknown login poll code, polling again")
			}
		case outcomeScanned:
			ql.scanned = true
			ql.pushUntil = time.Time{} // the phone shows the confirmation now
			ql.log.Debug().Msg("QR code scanned, waiting for confirmation")
			return scannedStep(), nil
		case outcomeRefreshQR:
			if ql.isPush() {
				ql.log.Info().Msg("Push login expired, showing a QR code")
				return ql.pushNotConfirmed(ctx)
			}
			ql.refreshes++
			ql.log.Debug().Int("refreshes", ql.refreshes).Msg("QR code expired, refreshing")
			return ql.newQR(ctx, "")
		case outcomeExpired:
			return nil, ErrLoginQRExpired
		case outcomeCancelled:
			return nil, ErrLoginCancelledOnPhone
		case outcomeConfirmed:
			return ql.finish(ctx, res.RedirectURI)
		}
	}
}

func (ql *QRLogin) isPush() bool { return !ql.pushUntil.IsZero() }

// pushNotConfirmed shows a QR code after a push login the phone did not
// confirm, and has the next login start with a QR code.
func (ql *QRLogin) pushNotConfirmed(ctx context.Context) (*bridgev2.LoginStep, error) {
	recordLoginRefusal(ctx, ql.old, WXPushLoginRefused, "", time.Now())
	return ql.newQR(ctx, "The phone did not confirm the login, so here is a QR code instead. The next `login` also starts with a QR code. ")
}

func waitCancelled(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, bridgev2.ErrLoginStepCancelled) {
		return bridgev2.ErrLoginStepCancelled
	}
	return ctx.Err()
}

// loginError turns a failure to complete the login into what the user sees.
func loginError(err error) error {
	switch {
	case errors.Is(err, wechat.ErrLoginBarred):
		return barredError(barredMessage(err))
	default:
		return ErrLoginFailed.AppendMessage(": %v", err)
	}
}

// barredMessage is WeChat's own text with a 1203, or "".
func barredMessage(err error) string {
	var retErr *wechat.RetError
	if errors.As(err, &retErr) {
		return strings.TrimSpace(retErr.Message)
	}
	return ""
}

// barredError is ErrLoginBarred with WeChat's words and what to do.
func barredError(serverMessage string) bridgev2.RespError {
	return ErrLoginBarred.AppendMessage("%s. Each new attempt can make that last longer: use WeChat on your phone as usual for a while "+
		"(new accounts and accounts without real-name verification are often refused until they are verified), then send `login` to try again. "+
		"If the bridge's `network.login_mode` is `web`, its admin can set it to `desktop`, which gets past this for many accounts.",
		serverSaid(serverMessage))
}

// finish picks up the session, checks it with webwxinit, stores it and
// creates (or refreshes) the UserLogin, then connects it.
func (ql *QRLogin) finish(ctx context.Context, redirectURI string) (*bridgev2.LoginStep, error) {
	sess, err := ql.login.Complete(ctx, redirectURI)
	if err != nil {
		ql.log.Err(err).Msg("Failed to complete the login")
		if errors.Is(err, wechat.ErrLoginBarred) {
			recordLoginRefusal(ctx, ql.old, WXWebLoginBarred, barredMessage(err), time.Now())
		}
		return nil, loginError(err)
	}
	cfg := ql.conn.Config.WeChatConfig()
	client, err := wechat.NewClient(sess, cfg, ql.log, nil)
	if err != nil {
		return nil, loginError(err)
	}
	init, err := client.Init(ctx)
	if err != nil {
		ql.log.Err(err).Msg("webwxinit failed after login")
		return nil, loginError(err)
	}
	sess = client.Session()
	loginID := wxid.MakeUserLoginID(sess.Uin)
	name := wechat.CleanName(sess.Self.NickName)
	log := ql.log.With().Str("login_id", string(loginID)).Logger()

	// A re-login of the same account replaces the client of the existing
	// login: stop the old one before its session is overwritten.
	// The new login starts afresh, but keeps the account's recent logouts
	// so that repeated ones are seen across logins.
	meta := &UserLoginMetadata{LoginMode: string(cfg.Mode), LoggedInAt: time.Now()}
	if old := ql.conn.Bridge.GetCachedUserLoginByID(loginID); old != nil {
		if old.Client != nil {
			old.Client.Disconnect()
		}
		if oldMeta := loginMeta(old); oldMeta != nil {
			meta.Logouts = recentLogouts(oldMeta.Logouts, meta.LoggedInAt)
		}
	}
	if err = ql.conn.saveSession(ctx, string(loginID), sess); err != nil {
		log.Err(err).Msg("Failed to store the session")
		return nil, ErrLoginFailed.AppendMessage(": could not store the session")
	}
	ul, err := ql.user.NewLogin(ctx, &database.UserLogin{
		ID:         loginID,
		RemoteName: name,
		RemoteProfile: status.RemoteProfile{
			Name: name,
		},
		Metadata: meta,
	}, &bridgev2.NewLoginParams{DeleteOnConflict: true})
	if err != nil {
		log.Err(err).Msg("Failed to save the new login")
		return nil, ErrLoginFailed.AppendMessage(": could not save the login: %v", err)
	}
	log.Info().Msg("Logged in to WeChat")
	// The client starts from this webwxinit: the official client runs one.
	ql.conn.inits.put(string(loginID), init)
	ul.Client.Connect(ul.Log.WithContext(ql.conn.Bridge.BackgroundCtx))
	return &bridgev2.LoginStep{
		Type:         bridgev2.LoginStepTypeComplete,
		StepID:       LoginStepComplete,
		Instructions: fmt.Sprintf("Logged in as %s", name),
		CompleteParams: &bridgev2.LoginCompleteParams{
			UserLoginID: ul.ID,
			UserLogin:   ul,
		},
	}, nil
}
