package bridge

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/bridgev2/status"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// Bridge state error codes.
const (
	WXNoSession       status.BridgeStateErrorCode = "wx-no-session"
	WXLoggedOut       status.BridgeStateErrorCode = "wx-logged-out"
	WXConnectFailed   status.BridgeStateErrorCode = "wx-connect-failed"
	WXTransient       status.BridgeStateErrorCode = "wx-transient-disconnect"
	WXInboxFailed     status.BridgeStateErrorCode = "wx-inbox-failed"
	WXIdentityFailed  status.BridgeStateErrorCode = "wx-identity-failed"
	WXSessionReplaced status.BridgeStateErrorCode = "wx-session-replaced"
)

func init() {
	status.BridgeStateHumanErrors.Update(status.BridgeStateErrorMap{
		WXNoSession:       "The bridge has no WeChat session for this login. Send `login` to the bridge bot to scan a new QR code.",
		WXLoggedOut:       "WeChat ended the web session (logged out on the phone, or expired). Send `login` to the bridge bot: your phone will be asked to confirm, or you get a QR code to scan. Your rooms stay as they are.",
		WXSessionReplaced: "WeChat ended the web session because the account logged in on another web or desktop client. Send `login` to the bridge bot to log in again; your rooms stay as they are.",
		WXConnectFailed:   "Could not connect to WeChat; the bridge keeps retrying.",
		WXTransient:       "Lost the connection to WeChat; the bridge keeps retrying.",
		WXInboxFailed:     "The bridge could not store incoming WeChat messages; it keeps retrying.",
		WXIdentityFailed:  "The bridge could not match the WeChat contacts of this session to their rooms; it keeps retrying.",
	})
}

// loggedOutCode picks the bridge state code of a logged-out ret.
func loggedOutCode(ret int) status.BridgeStateErrorCode {
	if ret == wechat.RetSessionInvalid {
		return WXSessionReplaced
	}
	return WXLoggedOut
}

// WeChatClient is the NetworkAPI of one login: it owns the protocol client,
// its sync loop, the session's roster and the inbox drain.
type WeChatClient struct {
	conn    *WeChatConnector
	login   *bridgev2.UserLogin
	loginID string
	// inbox is c.conn.DB.Inbox, or a fake in tests.
	inbox inboxStore

	loggedIn atomic.Bool
	// state is the bridge state event last sent (for metrics).
	state atomic.Value

	mu       sync.Mutex
	wx       *wechat.Client
	roster   *puidRoster
	stop     context.CancelFunc
	wg       sync.WaitGroup
	drainNow chan struct{}
	// jobs runs contact updates and group refreshes; started by run.
	jobs worker
	// resolveMu serialises resolving UserNames the roster does not know.
	resolveMu sync.Mutex
	// membersChecked holds the portals whose room was checked for the user
	// in this run (ensureUserInRoom), by portal ID.
	membersChecked sync.Map
	// chatLocks orders the bridge's checks and syncs of one chat's portal
	// (resyncChat, ensureUserInRoom).
	chatLocks chatLocks
	// groupCreations holds group messages back while CreateGroup runs.
	groupCreations creationHold
}

var _ bridgev2.NetworkAPI = (*WeChatClient)(nil)

// inboxStore is what the sync loop and the drain need of the inbox.
type inboxStore interface {
	StoreBatch(ctx context.Context, loginID string, state []byte, items []wxdb.InboxItem) error
	Pending(ctx context.Context, loginID string, after int64, limit int) ([]*wxdb.InboxItem, error)
	Done(ctx context.Context, loginID string, seq int64) error
}

var _ inboxStore = (*wxdb.InboxQuery)(nil)

// LoadUserLogin builds the client of a login. No I/O: the session is read
// from the database in Connect.
func (wc *WeChatConnector) LoadUserLogin(ctx context.Context, login *bridgev2.UserLogin) error {
	c := &WeChatClient{
		conn:     wc,
		login:    login,
		loginID:  string(login.ID),
		inbox:    wc.DB.Inbox,
		drainNow: make(chan struct{}, 1),
	}
	login.Client = c
	wc.trackClient(c)
	return nil
}

func (c *WeChatClient) sendState(evt status.BridgeStateEvent, code status.BridgeStateErrorCode, msg string) {
	c.state.Store(evt)
	c.login.BridgeState.Send(status.BridgeState{StateEvent: evt, Error: code, Message: msg})
}

// Connect starts connecting in the background and returns at once; the
// outcome is reported as bridge states.
func (c *WeChatClient) Connect(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return
	}
	log := c.login.Log.With().Str("component", "wechat client").Logger()
	runCtx, cancel := context.WithCancel(log.WithContext(c.conn.Bridge.BackgroundCtx))
	c.stop = cancel
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.run(runCtx)
	}()
}

// run loads the session, bootstraps it (webwxinit, contacts, identities),
// then starts the sync loop, the inbox drain, the chat sync and the jobs
// worker. All but the sync loop are counted in c.wg; the sync loop is the
// protocol client's, which Disconnect stops after c.wg is done.
func (c *WeChatClient) run(ctx context.Context) {
	log := zerolog.Ctx(ctx)
	if ret := c.loggedOutRet(); ret != 0 {
		// WeChat ended this session before the bridge started, and the user
		// was told then. The session is dead for good (1100-1102): don't
		// knock on WeChat's door with it, and don't tell the user again.
		log.Debug().Int("ret", ret).Msg("WeChat ended the stored session earlier, waiting for a new login")
		c.restoreLoggedOut(ret)
		return
	}
	c.sendState(status.StateConnecting, "", "")
	sess, err := c.conn.loadSession(ctx, c.loginID)
	if err != nil {
		log.Err(err).Msg("No usable WeChat session")
		c.sendState(status.StateBadCredentials, WXNoSession, "")
		return
	}
	cfg := c.conn.Config.WeChatConfig()
	cfg.Observer = callMetrics{c.metrics()}
	wx, err := wechat.NewClient(sess, cfg, *log, c.handleEvent)
	if err != nil {
		log.Err(err).Msg("Stored WeChat session is not usable")
		c.sendState(status.StateBadCredentials, WXNoSession, "")
		return
	}
	r, err := c.bootstrap(ctx, wx)
	if err != nil {
		if errors.Is(err, wechat.ErrLoggedOut) {
			var retErr *wechat.RetError
			ret := 0
			if errors.As(err, &retErr) {
				ret = retErr.Ret
			}
			c.markLoggedOut(ctx, ret, wechat.LogoutReason(ret))
		}
		return
	}
	c.mu.Lock()
	c.wx, c.roster = wx, r
	c.mu.Unlock()
	c.loggedIn.Store(true)
	c.jobs.start(ctx, &c.wg)
	for _, group := range r.unfetched {
		c.jobs.add(ctx, "refresh group "+group, func(ctx context.Context) {
			c.refreshGroup(ctx, group)
		})
	}
	c.wg.Add(2)
	go func() {
		defer c.wg.Done()
		c.drainLoop(ctx)
	}()
	go func() {
		defer c.wg.Done()
		c.syncChats(ctx, r)
	}()
	wx.Start(ctx)
}

// markLoggedOut records that WeChat ended the session and tells the user,
// in words that say whether WeChat seems to restrict the account
// (restrict.go). The stored session is kept: its cookies make push login
// possible. Nothing here logs in again: only the user's `login` does.
func (c *WeChatClient) markLoggedOut(ctx context.Context, ret int, reason string) {
	c.loggedIn.Store(false)
	code := loggedOutCode(ret)
	if meta, ok := c.login.Metadata.(*UserLoginMetadata); ok {
		code = meta.noteLogout(ret, time.Now(), &c.conn.Config.Restrictions)
		if err := c.login.Save(ctx); err != nil {
			zerolog.Ctx(ctx).Err(err).Msg("Failed to save login metadata")
		}
	}
	zerolog.Ctx(ctx).Warn().Int("ret", ret).Str("code", string(code)).Msg("WeChat ended the session")
	c.metrics().Failure(metrics.SessionLost)
	c.sendState(status.StateBadCredentials, code, reason)
}

// loggedOutRet is the ret with which WeChat ended the stored session, or 0
// while it is believed alive. A new login resets it (its metadata is new).
func (c *WeChatClient) loggedOutRet() int {
	if meta, ok := c.login.Metadata.(*UserLoginMetadata); ok {
		return meta.LoggedOutRet
	}
	return 0
}

// restoreLoggedOut puts a login that WeChat had logged out before a restart
// back in the BAD_CREDENTIALS state without a second notice in the
// management room (see markStateSent). The provisioning API (whoami) shows
// it; the status endpoint keeps what it got before the restart.
//
// Call it only before any other state of this connection was sent: the
// queue must be idle for the duplicate check to see this state.
func (c *WeChatClient) restoreLoggedOut(ret int) {
	c.loggedIn.Store(false)
	code := loggedOutCode(ret)
	if meta, ok := c.login.Metadata.(*UserLoginMetadata); ok && meta.LoggedOutCode != "" {
		code = meta.LoggedOutCode
	}
	state := status.BridgeState{StateEvent: status.StateBadCredentials, Error: code, Message: wechat.LogoutReason(ret)}
	c.state.Store(state.StateEvent)
	markStateSent(c.login, state)
}

// Disconnect stops run, the drain, the chat sync, the jobs worker and the
// sync loop, and waits for them.
func (c *WeChatClient) Disconnect() {
	c.mu.Lock()
	stop := c.stop
	c.stop = nil
	c.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	// Once run and the drain are done, c.wx no longer changes.
	c.wg.Wait()
	c.mu.Lock()
	wx := c.wx
	c.wx = nil
	c.mu.Unlock()
	if wx != nil {
		wx.Stop()
	}
}

// IsLoggedIn reports whether the session is believed to be alive.
func (c *WeChatClient) IsLoggedIn() bool {
	return c.loggedIn.Load()
}

// LogoutRemote ends the session on WeChat's side and forgets it.
func (c *WeChatClient) LogoutRemote(ctx context.Context) {
	c.mu.Lock()
	wx := c.wx
	c.mu.Unlock()
	if wx != nil {
		if err := wx.Logout(ctx); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Msg("WeChat logout failed")
		}
	}
	c.Disconnect()
	c.loggedIn.Store(false)
	if err := c.conn.DB.Session.Delete(ctx, c.loginID); err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to delete the stored session")
	}
}

// IsThisUser reports whether a ghost ID is the logged-in account.
func (c *WeChatClient) IsThisUser(ctx context.Context, userID networkid.UserID) bool {
	return userID == wxid.MakeSelfUserID(c.login.ID)
}

// currentSession returns the protocol client of the running session and
// that session's roster, read together so that they belong to the same
// session across a reconnect. wx is nil while disconnected; r is nil until
// the first session was bootstrapped, then stays that of the last session.
func (c *WeChatClient) currentSession() (wx *wechat.Client, r *puidRoster) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wx, c.roster
}

// currentWX returns the protocol client of the running session, or nil,
// for callers that need nothing of the roster.
func (c *WeChatClient) currentWX() *wechat.Client {
	wx, _ := c.currentSession()
	return wx
}

// currentRoster returns the roster of the running session, or nil, for
// callers that call nothing of WeChat.
func (c *WeChatClient) currentRoster() *puidRoster {
	_, r := c.currentSession()
	return r
}
