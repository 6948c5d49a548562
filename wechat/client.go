package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Client is a logged-in Web WeChat session: bootstrap, contacts, the sync
// loop, sending and media. It is safe for concurrent use.
type Client struct {
	t      *transport
	log    zerolog.Logger
	handle func(context.Context, Event) error

	mu   sync.RWMutex
	sess *Session

	echoes *echoSet

	sends    *sendGate // pacing and the cooldown of every send
	contacts cooldown  // after webwxbatchgetcontact answered 1205
	uploads  cooldown  // after webwxuploadmedia answered 1205

	// contactPace spaces webwxbatchgetcontact calls (ContactInterval).
	contactPace *pacer
	// creations keeps group creations apart (GroupCreateInterval).
	creations *creationGate

	loopMu   sync.Mutex
	stopLoop context.CancelFunc
	loopGen  int
	loopWG   sync.WaitGroup
	progress atomic.Int64

	inviteStart atomic.Int32 // webwxinit's InviteStartCount
}

// NewClient builds a client from a session (fresh from Login.Complete or
// restored from storage). handle receives every event of the sync loop; see
// Batch for what its return value means. log is the client's only logger,
// for every line it writes; the caller gives it its context (component,
// login).
func NewClient(sess *Session, cfg Config, log zerolog.Logger, handle func(context.Context, Event) error) (*Client, error) {
	if !sess.Valid() {
		return nil, ErrNotLoggedIn
	}
	cfg = cfg.withDefaults()
	t, err := newTransport(cfg, NewJar(sess.Cookies), log)
	if err != nil {
		return nil, err
	}
	if handle == nil {
		handle = func(context.Context, Event) error { return nil }
	}
	sess = sess.Clone()
	if sess.DeviceID == "" {
		sess.DeviceID = NewDeviceID()
	}
	return &Client{
		t: t, log: log, handle: handle, sess: sess,
		echoes:      newEchoSet(10 * time.Minute),
		sends:       newSendGate(),
		contactPace: &pacer{interval: cfg.ContactInterval},
		creations:   &creationGate{interval: cfg.GroupCreateInterval, now: cfg.Now},
	}, nil
}

// Session returns a copy of the current session, cookies included, for
// storage. Its sync keys are those of the last batch the handler accepted.
func (c *Client) Session() *Session {
	c.mu.RLock()
	out := c.sess.Clone()
	c.mu.RUnlock()
	out.Cookies = c.t.jar.Export()
	return out
}

// Self returns the logged-in user.
func (c *Client) Self() Contact {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sess.Self
}

// Uin returns the logged-in user's stable uin.
func (c *Client) Uin() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sess.Uin
}

// view is what one call needs from the session, read under the lock once.
type view struct {
	base       BaseRequest
	hosts      Hosts
	passTicket string
	self       string
}

func (c *Client) view() view {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return view{base: c.sess.BaseRequest(), hosts: c.sess.Hosts, passTicket: c.sess.PassTicket, self: c.sess.Self.UserName}
}

// webURL is an API URL on the web host with extra params and pass_ticket
// last, as the web client adds it (see withPassTicket).
func (c *Client) webURL(v view, endpoint string, q url.Values) string {
	return withPassTicket(c.t.route.api(v.hosts.Web, endpoint, q), v.passTicket)
}

// InitResult is what webwxinit tells about the account.
type InitResult struct {
	Self Contact
	// Contacts are the few recent chats webwxinit lists.
	Contacts []Contact
	// ChatSet are the UserNames of recent chats, groups included.
	ChatSet []string
	// InviteStartCount is the member count from which adding people to a
	// group needs an invitation.
	InviteStartCount int
}

// Init runs webwxinit and tells the phone that the web client is ready
// (status notify code 3). A restored session keeps its sync keys, so the
// sync loop catches up on what arrived meanwhile; a fresh one takes the
// server's. A dead session returns an error matching ErrLoggedOut.
func (c *Client) Init(ctx context.Context) (*InitResult, error) {
	v := c.view()
	q := url.Values{"r": {strconv.FormatInt(int64(^int32(time.Now().Unix())), 10)}}
	var resp InitResponse
	err := c.t.callJSON(ctx, "webwxinit", c.webURL(v, "webwxinit", q), struct{ BaseRequest BaseRequest }{v.base}, &resp)
	if err != nil {
		return nil, err
	}
	if resp.User.UserName == "" {
		return nil, fmt.Errorf("%w: webwxinit named no user", ErrUnexpectedResponse)
	}
	c.mu.Lock()
	c.sess.Self = resp.User
	if resp.User.Uin != 0 {
		c.sess.Uin = resp.User.Uin
	}
	if resp.SKey != "" {
		c.sess.SKey = resp.SKey
	}
	if c.sess.SyncKey.IsZero() && resp.SyncKey.Count > 0 {
		c.sess.SyncKey = resp.SyncKey.clone()
		c.sess.SyncCheckKey = resp.SyncKey.clone()
	}
	c.mu.Unlock()
	c.inviteStart.Store(int32(resp.InviteStartCount))
	c.log.Debug().Int("contacts", len(resp.ContactList)).Msg("Initialized Web WeChat session")
	if err = c.notifyStatus(ctx, StatusNotifyInited, resp.User.UserName); err != nil {
		if errors.Is(err, ErrLoggedOut) {
			return nil, err
		}
		c.log.Warn().Err(err).Msg("Failed to tell the phone that the web client is ready")
	}
	return &InitResult{
		Self:             resp.User,
		Contacts:         resp.ContactList,
		ChatSet:          splitList(resp.ChatSet),
		InviteStartCount: resp.InviteStartCount,
	}, nil
}

// MarkRead tells WeChat that the user read the chat (status notify code 1).
func (c *Client) MarkRead(ctx context.Context, chat string) error {
	return c.notifyStatus(ctx, StatusNotifyRead, chat)
}

func (c *Client) notifyStatus(ctx context.Context, code int, to string) error {
	v := c.view()
	req := StatusNotifyRequest{
		BaseRequest:  v.base,
		Code:         code,
		FromUserName: v.self,
		ToUserName:   to,
		ClientMsgId:  time.Now().UnixMilli(),
	}
	var resp GenericResponse
	return c.t.callJSON(ctx, "webwxstatusnotify", c.webURL(v, "webwxstatusnotify", url.Values{"lang": {"zh_CN"}}), req, &resp)
}

// Logout ends the session on the server (webwxlogout) and stops the loop.
func (c *Client) Logout(ctx context.Context) error {
	c.Stop()
	v := c.view()
	q := url.Values{"redirect": {"1"}, "type": {"1"}, "skey": {v.base.Skey}}
	form := url.Values{"sid": {v.base.Sid}, "uin": {strconv.FormatInt(v.base.Uin, 10)}}
	_, _, _, err := c.t.fetch(ctx, request{
		endpoint:    "webwxlogout",
		method:      "POST",
		url:         c.t.route.api(v.hosts.Web, "webwxlogout", q),
		body:        strings.NewReader(form.Encode()),
		contentType: "application/x-www-form-urlencoded",
	}, maxAPIBody)
	return err
}

// newClientMsgID returns a unique 17-digit ID: ms timestamp plus 4 random
// digits, as the web client makes them.
func newClientMsgID() string {
	return strconv.FormatInt(time.Now().UnixMilli(), 10) + randomDigits(4)
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
