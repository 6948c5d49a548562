package stack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// Sims serves one or more simulated WeChat accounts on one base URL, the
// bridge's network.server_override, so that several Matrix users of one
// bridge can each log in to their own account.
//
// A request goes to the account its session names (the wxuin cookie or
// the uin query parameter), else to the account that issued its login uuid,
// else to the login target: the account the next QR login goes to
// (SetLoginTarget; the first one by default). The control API (/_sim/)
// goes to the login target too.
type Sims struct {
	// Servers are the accounts, in the order of Options.Sims.
	Servers []*wechattest.Server
	// URL is the base URL they answer on.
	URL string

	srv  *http.Server
	errc chan error

	mu     sync.Mutex
	target *wechattest.Server
	uuids  map[string]*wechattest.Server
}

// uuidInBody finds the login uuid in the answers of jslogin
// (window.QRLogin.uuid = "…") and webwxpushloginurl ("uuid":"…").
var uuidInBody = regexp.MustCompile(`uuid"?\s*[:=]\s*"([^"]+)"`)

// startSims serves the accounts of cfgs on ln.
func startSims(log zerolog.Logger, ln net.Listener, cfgs []wechattest.Config) *Sims {
	if len(cfgs) == 0 {
		cfgs = []wechattest.Config{{}}
	}
	s := &Sims{URL: "http://" + ln.Addr().String(), uuids: make(map[string]*wechattest.Server), errc: make(chan error, 1)}
	for i, cfg := range cfgs {
		if cfg.Log == nil {
			l := log.With().Int("sim", i).Logger()
			cfg.Log = &l
		}
		s.Servers = append(s.Servers, wechattest.New(cfg))
	}
	s.target = s.Servers[0]
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { s.errc <- s.srv.Serve(ln) }()
	return s
}

// SetLoginTarget makes new QR logins go to srv.
func (s *Sims) SetLoginTarget(srv *wechattest.Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = srv
}

// ServeHTTP routes a request to its account.
func (s *Sims) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	srv := s.route(r)
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		srv.ControlHandler().ServeHTTP(w, r)
		return
	}
	if r.URL.Path != "/jslogin" && !strings.HasSuffix(r.URL.Path, "/webwxpushloginurl") {
		srv.ServeHTTP(w, r)
		return
	}
	// Remember which account issued the uuid, for the polls that follow.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	if m := uuidInBody.FindSubmatch(rec.Body.Bytes()); m != nil {
		s.mu.Lock()
		s.uuids[string(m[1])] = srv
		s.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *Sims) route(r *http.Request) *wechattest.Server {
	if c, err := r.Cookie("wxuin"); err == nil {
		if srv := s.byUin(c.Value); srv != nil {
			return srv
		}
	}
	if srv := s.byUin(r.URL.Query().Get("uin")); srv != nil {
		return srv
	}
	uuid := r.URL.Query().Get("uuid")
	for _, prefix := range []string{"/qrcode/", "/l/"} {
		if strings.HasPrefix(r.URL.Path, prefix) {
			uuid = strings.TrimPrefix(r.URL.Path, prefix)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if srv := s.uuids[uuid]; uuid != "" && srv != nil {
		return srv
	}
	return s.target
}

func (s *Sims) byUin(v string) *wechattest.Server {
	uin, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	for _, srv := range s.Servers {
		if srv.SelfUin() == uin {
			return srv
		}
	}
	return nil
}

// close wakes held polls and stops serving.
func (s *Sims) close() error {
	for _, srv := range s.Servers {
		srv.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serveErr := <-s.errc; err == nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = serveErr
	}
	return err
}

// SeedWithUin returns the default seed account with another uin and self
// nickname, for a second simulated account.
func SeedWithUin(uin int64, nick string) *wechattest.Seed {
	seed := wechattest.DefaultSeed()
	seed.Uin = uin
	seed.Self.NickName = nick
	return seed
}
