package wechattest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// Server is the fake Web WeChat server of one account. It is an
// http.Handler; all its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	log      zerolog.Logger
	hosts    hostSet
	handlers map[string]func(*request)
	control  http.Handler

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	done    chan struct{} // closed by Close
	closed  bool
	url     string

	logins   loginState
	acct     *account
	sessions map[string]*session // every session ever issued, by wxsid
	current  *session            // the newest session (maybe ended)
	rec      records
	faults   map[string][]Fault
	stuck    int // PhoneOffline's selector; 0 when the phone is online
	limits   *limiter
	phone    phoneRecords
}

// New returns a server for cfg. Serve it with ServeHTTP (through any
// http.Server), Serve, NewTest or ListenAndServe.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:      cfg,
		log:      zerolog.Nop(),
		hosts:    newHostSet(cfg.WebHost),
		changed:  make(chan struct{}),
		done:     make(chan struct{}),
		sessions: make(map[string]*session),
		faults:   make(map[string][]Fault),
		logins:   newLoginState(),
		rec:      newRecords(),
		limits:   newLimiter(cfg.RateLimit),
		phone:    newPhoneRecords(),
	}
	if cfg.Log != nil {
		s.log = cfg.Log.With().Str("component", "wechattest").Logger()
	}
	s.acct = newAccount(cfg.Seed, cfg.Now())
	s.handlers = map[string]func(*request){
		"jslogin":              s.handleJSLogin,
		"qrcode":               s.handleQRCode,
		"l":                    s.handleQRLink,
		"login":                s.handleLoginPoll,
		"webwxnewloginpage":    s.handleNewLoginPage,
		"webwxpushloginurl":    s.handlePushLogin,
		"webwxlogout":          s.handleLogout,
		"webwxinit":            s.handleInit,
		"webwxstatusnotify":    s.handleStatusNotify,
		"webwxgetcontact":      s.handleGetContact,
		"webwxbatchgetcontact": s.handleBatchGetContact,
		"synccheck":            s.handleSyncCheck,
		"webwxsync":            s.handleSync,
		"webwxsendmsg":         s.handleSend,
		"webwxsendmsgimg":      s.handleSend,
		"webwxsendvideomsg":    s.handleSend,
		"webwxsendappmsg":      s.handleSend,
		"webwxsendemoticon":    s.handleSend,
		"webwxuploadmedia":     s.handleUpload,
		"webwxcheckupload":     s.handleCheckUpload,
		"webwxrevokemsg":       s.handleRevoke,
		"webwxverifyuser":      s.handleVerifyUser,
		"webwxoplog":           s.handleOpLog,
		"webwxupdatechatroom":  s.handleUpdateChatRoom,
		"webwxcreatechatroom":  s.handleCreateChatRoom,
		"webwxgetmsgimg":       s.handleGetMsgImg,
		"webwxgetvoice":        s.handleGetVoice,
		"webwxgetvideo":        s.handleGetVideo,
		"webwxgetmedia":        s.handleGetMedia,
		"webwxgeticon":         s.handleGetIcon,
		"webwxgetheadimg":      s.handleGetHeadImg,
	}
	s.control = s.newControlHandler()
	return s
}

// NewTest starts the server on an httptest.Server; t.Cleanup closes both
// (held polls are woken first, so the close does not wait for them).
func NewTest(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := New(cfg)
	ts := httptest.NewServer(s)
	s.setURL(ts.URL)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s
}

// ListenAndServe runs a server for cfg on addr until ctx ends.
func ListenAndServe(ctx context.Context, addr string, cfg Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return New(cfg).Serve(ctx, ln)
}

// Serve answers on ln until ctx ends, then closes the server and shuts the
// listener down. It returns nil after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.setURL("http://" + ln.Addr().String())
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info().Str("addr", ln.Addr().String()).Msg("Simulator listening")
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// URL is the base URL the server answers on (set by NewTest and Serve).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

func (s *Server) setURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = u
}

// Close wakes every held request (login polls, synccheck, hanging faults)
// so that they answer at once. It does not close any listener.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
}

// ServeHTTP routes a request to its endpoint by its path and its Host
// header (see hosts.go). The control API answers on any host. A request
// for a host outside Web WeChat (qq.com, wechat.com) is a violation and
// answered 404: a client that sends one did not keep the real host names.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.ControlAPI && strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.control.ServeHTTP(w, r)
		return
	}
	endpoint, arg, ok := route(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	req := s.readRequest(w, r, endpoint, arg)
	s.recordRequest(req)
	s.log.Debug().Str("endpoint", endpoint).Str("method", r.Method).Msg("Request")
	handler := s.handlers[endpoint]
	if handler == nil {
		s.violation(endpoint, "unknown endpoint")
		http.NotFound(w, r)
		return
	}
	host := requestHost(r)
	if !isWeChatHost(host) {
		s.violation(endpoint, "request for host "+strconv.Quote(host)+", not a Web WeChat host (keep the real host names; see wechat.Config.ServerOverride)")
		http.NotFound(w, r)
		return
	}
	if !s.hosts.serves(endpoint, host) {
		buf := newResponseBuffer()
		req.w = buf
		s.answerWrongHost(req, host)
		buf.flush(w)
		return
	}
	f, faulty := s.takeFault(endpoint)
	if faulty {
		s.log.Debug().Str("endpoint", endpoint).Stringer("fault", f).Msg("Injecting fault")
		if f != FaultLoseAnswer && f != FaultSlowAnswer {
			s.applyFault(req, f)
			return
		}
	}
	if req.bodyErr != nil {
		s.violation(endpoint, "request body too large or unreadable: "+req.bodyErr.Error())
		if kindOf(endpoint) == kindJSON {
			writeJSON(w, errorAnswer(endpoint, retParseRequest, "request body too large"))
		} else {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		}
		return
	}
	buf := newResponseBuffer()
	req.w = buf
	handler(req)
	if faulty && f == FaultLoseAnswer {
		resetConnection(w)
		return
	}
	if faulty && f == FaultSlowAnswer {
		select {
		case <-time.After(SlowAnswerDelay):
		case <-r.Context().Done():
		case <-s.done:
		}
	}
	buf.flush(w)
}

// route maps a path to an endpoint name and a path argument.
func route(path string) (endpoint, arg string, ok bool) {
	switch {
	case path == "/jslogin":
		return "jslogin", "", true
	case strings.HasPrefix(path, "/qrcode/"):
		return "qrcode", strings.TrimPrefix(path, "/qrcode/"), true
	case strings.HasPrefix(path, "/l/"):
		return "l", strings.TrimPrefix(path, "/l/"), true
	case strings.HasPrefix(path, apiPath):
		name := strings.TrimPrefix(path, apiPath)
		if name == "" || strings.Contains(name, "/") {
			return "", "", false
		}
		return name, "", true
	}
	return "", "", false
}

// notifyLocked wakes every held poll so it looks at the state again.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitLocked releases s.mu until the state changes (true) or timeout fires,
// ctx ends or the server closes (false), and takes s.mu again.
func (s *Server) waitLocked(ctx context.Context, timeout <-chan time.Time) bool {
	changed := s.changed
	s.mu.Unlock()
	defer s.mu.Lock()
	select {
	case <-changed:
		return true
	case <-timeout:
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

func (s *Server) now() time.Time { return s.cfg.Now() }
