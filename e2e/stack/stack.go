package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// Account is a Matrix account the stack creates.
type Account struct {
	Localpart string
	// Password; empty means a random one (see Stack.Password).
	Password string
}

// Options describe a stack. The zero value is a stack with one simulated
// WeChat account, no Matrix accounts and no double puppeting, on free
// loopback ports in a new temporary directory.
type Options struct {
	// Bin is the directory of the binaries; empty means $WXBRIDGE_E2E_BIN.
	Bin string
	// Dir keeps every file of the stack. Empty means a new temporary
	// directory that Close removes. A Dir used before keeps its data.
	Dir string
	// HomeserverAddr is Dendrite's listen address; empty means a free port.
	HomeserverAddr string
	// HomeserverFront puts a Front between the bridge and Dendrite.
	HomeserverFront bool
	// HomeserverEnv is added to Dendrite's environment ("NAME=value"),
	// such as PPROFLISTEN=127.0.0.1:port for its profiles.
	HomeserverEnv []string
	// BridgePort is the appservice port; 0 means a free port.
	BridgePort int
	// SimAddr is the simulators' listen address; empty means a free port.
	SimAddr string
	// Sims are the simulated WeChat accounts; empty means one default.
	Sims []wechattest.Config
	// Users are the Matrix accounts to create.
	Users []Account
	// DoublePuppet installs a second registration and the bridge's
	// double_puppet secret, so that messages the user sent from the phone
	// come from their own MXID.
	DoublePuppet bool
	// Permissions are bridge.permissions entries over the defaults
	// ("*": relay, "localhost": user).
	Permissions map[string]string
	// Metrics turns on the bridge's Prometheus metrics on a free loopback
	// port (Bridge.MetricsURL, Bridge.Scrape).
	Metrics bool
	// Encryption turns on end-to-bridge encryption; nil leaves it off.
	Encryption *Encryption
	// Config sets bridge config values by dotted path
	// ("network.login_mode": "web"), after everything else.
	Config map[string]any
	// Log receives the stack's log; nil means Dir/stack.log.
	Log *zerolog.Logger
}

// Stack is a running homeserver, bridge and simulators.
type Stack struct {
	Dir    string
	HS     *Homeserver
	Bridge *Bridge
	// Front is the proxy the bridge reaches the homeserver through, when
	// Options.HomeserverFront asked for one.
	Front *Front
	Sims  *Sims
	// Sim is the first simulated account.
	Sim *wechattest.Server
	// StartupTime is how long Start took.
	StartupTime time.Duration

	bins      Binaries
	log       zerolog.Logger
	logFile   *os.File
	closers   []io.Closer
	removeDir bool
	passwords map[string]string

	mu    sync.Mutex
	users []*User
}

// Start builds and starts a stack. On error, what was started is stopped.
func Start(ctx context.Context, opts Options) (s *Stack, err error) {
	began := time.Now()
	bins, err := FindBinaries(opts.Bin)
	if err != nil {
		return nil, err
	}
	s = &Stack{Dir: opts.Dir, bins: bins, passwords: make(map[string]string)}
	if s.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "wxbridge-e2e-"); err != nil {
			return nil, err
		}
		s.removeDir = true
	} else {
		if s.Dir, err = filepath.Abs(s.Dir); err != nil {
			return nil, err
		}
		if err = os.MkdirAll(s.Dir, 0o700); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			_ = s.Close()
			s = nil
		}
	}()
	if opts.Log != nil {
		s.log = *opts.Log
	} else {
		if s.logFile, err = os.OpenFile(filepath.Join(s.Dir, "stack.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
			return s, err
		}
		s.log = zerolog.New(s.logFile).With().Timestamp().Logger()
	}

	simAddr := opts.SimAddr
	if simAddr == "" {
		simAddr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", simAddr)
	if err != nil {
		return s, fmt.Errorf("simulator listener: %w", err)
	}
	simLog := s.log.With().Str("component", "wechattest").Logger()
	if opts.Log == nil {
		simLog = s.fileLogger("wechatsim.log")
	}
	s.Sims = startSims(simLog, ln, opts.Sims)
	s.Sim = s.Sims.Servers[0]

	hsAddr := opts.HomeserverAddr
	if hsAddr == "" {
		port, err := FreePort()
		if err != nil {
			return s, err
		}
		hsAddr = "127.0.0.1:" + strconv.Itoa(port)
	}
	bridgePort := opts.BridgePort
	if bridgePort == 0 {
		if bridgePort, err = FreePort(); err != nil {
			return s, err
		}
	}
	homeserverURL := "http://" + hsAddr
	if opts.HomeserverFront {
		if s.Front, err = startFront(homeserverURL); err != nil {
			return s, fmt.Errorf("homeserver front: %w", err)
		}
		s.closers = append(s.closers, s.Front)
		homeserverURL = s.Front.URL
	}
	bs := bridgeSetup{
		dir:           filepath.Join(s.Dir, "bridge"),
		port:          bridgePort,
		homeserverURL: homeserverURL,
		simURL:        s.Sims.URL,
		permissions:   opts.Permissions,
		values:        opts.Encryption.values(),
	}
	for k, v := range opts.Config {
		if bs.values == nil {
			bs.values = make(map[string]any)
		}
		bs.values[k] = v
	}
	if opts.Metrics {
		if bs.metricsPort, err = FreePort(); err != nil {
			return s, err
		}
	}
	registrations := []string{filepath.Join(bs.dir, "registration.yaml")}
	if opts.DoublePuppet {
		dpPath := filepath.Join(s.Dir, "doublepuppet.yaml")
		if bs.doublePuppet, err = writeDoublePuppetRegistration(dpPath); err != nil {
			return s, err
		}
		registrations = append(registrations, dpPath)
	}
	if s.Bridge, err = setupBridge(ctx, s.log.With().Str("component", "bridge").Logger(), bins, bs); err != nil {
		return s, fmt.Errorf("bridge setup: %w", err)
	}
	hsDir := filepath.Join(s.Dir, "dendrite")
	if s.HS, err = setupDendrite(ctx, s.log.With().Str("component", "dendrite").Logger(), bins, hsDir, hsAddr, registrations, opts.HomeserverEnv); err != nil {
		return s, fmt.Errorf("dendrite setup: %w", err)
	}
	if err = s.HS.start(ctx); err != nil {
		return s, err
	}
	for _, acct := range opts.Users {
		if err = s.AddAccount(ctx, acct); err != nil {
			return s, err
		}
	}
	if err = s.Bridge.Start(ctx); err != nil {
		return s, err
	}
	s.StartupTime = time.Since(began)
	s.log.Info().Dur("took", s.StartupTime).Str("dir", s.Dir).Msg("Stack started")
	return s, nil
}

// fileLogger returns a logger writing to a file of the stack dir; Close
// closes the file.
func (s *Stack) fileLogger(name string) zerolog.Logger {
	f, err := os.OpenFile(filepath.Join(s.Dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return s.log
	}
	s.closers = append(s.closers, f)
	return zerolog.New(zerolog.ConsoleWriter{Out: f, NoColor: true, TimeFormat: "15:04:05.000"}).With().Timestamp().Logger()
}

// BinPath is the path of one of the stack's binaries.
func (s *Stack) BinPath(name string) string { return s.bins.Path(name) }

// AddAccount creates a Matrix account on the homeserver.
func (s *Stack) AddAccount(ctx context.Context, acct Account) error {
	if acct.Password == "" {
		acct.Password = randomToken(12)
	}
	if err := s.HS.CreateAccount(ctx, acct.Localpart, acct.Password); err != nil {
		return err
	}
	s.mu.Lock()
	s.passwords[acct.Localpart] = acct.Password
	s.mu.Unlock()
	return nil
}

// UserID is the MXID of a localpart on the stack's homeserver.
func (s *Stack) UserID(localpart string) id.UserID { return id.NewUserID(localpart, Domain) }

// Password is the password of an account the stack created.
func (s *Stack) Password(localpart string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.passwords[localpart]
}

// Close stops the users' sync loops, the bridge, Dendrite and the
// simulators, and removes a temporary dir. It returns the first error,
// such as a bridge that had crashed.
func (s *Stack) Close() error {
	s.mu.Lock()
	users := s.users
	s.users = nil
	s.mu.Unlock()
	for _, u := range users {
		u.Close()
	}
	var errs []error
	if s.Bridge != nil {
		errs = append(errs, s.Bridge.Stop())
	}
	if s.HS != nil {
		errs = append(errs, s.HS.Stop())
	}
	if s.Sims != nil {
		errs = append(errs, s.Sims.close())
	}
	for _, c := range s.closers {
		c.Close()
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
	if s.removeDir {
		errs = append(errs, os.RemoveAll(s.Dir))
	}
	return errors.Join(errs...)
}

// KeepDir makes Close leave the stack dir in place (for a failed test).
func (s *Stack) KeepDir() { s.removeDir = false }
