package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// Options are what every scenario needs to start its stack.
type Options struct {
	// Bin is the directory of the binaries (empty: $WXBRIDGE_E2E_BIN).
	Bin string
	// BridgeLogLevel is the bridge's logging.min_level; empty means the
	// level config.example.yaml ships (debug).
	BridgeLogLevel string
	// Log receives the stack's and the scenarios' own log.
	Log zerolog.Logger
	// ProfileDir, when set, makes the scenarios save CPU profiles of the
	// bridge (from its /debug/pprof) there, one per measured phase.
	ProfileDir string
	// KeepDirs keeps every stack's dir (configs, logs, databases) instead
	// of only those of failed scenarios.
	KeepDirs bool
	// PinBridge puts the bridge and the tool on the last CPU and Dendrite
	// on the others (taskset), to show what the bridge costs when it does
	// not wait for a CPU behind Dendrite.
	PinBridge bool
	// NiceDendrite, when above 0, lowers the scheduling priority of every
	// Dendrite thread by that much (renice), so that the bridge and the tool
	// get a CPU as soon as they are ready while all share the same CPUs.
	NiceDendrite int
	// Front sends the bridge's and the baseline's requests to Dendrite
	// through one timing proxy (one more loopback hop for both), so the
	// inbound latency can be split at the homeserver's door.
	Front bool
	// BridgeConfig sets keys of the bridge's config (dotted paths, as
	// the YAML's) over what the scenarios set, to measure another setting
	// than the shipped one; the report names them with the run's sizes.
	BridgeConfig map[string]any
	// Progress, when set, is told what a scenario is doing.
	Progress func(format string, args ...any)
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(format, args...)
	}
}

// Env is a running stack with the benchmark's instruments around it.
type Env struct {
	Stack   *stack.Stack
	Proxy   *TxnProxy
	Prov    *Provisioner
	AS      *ASClient
	ASToken string
	Log     zerolog.Logger
	// dendritePprof is the address of Dendrite's pprof, when it listens.
	dendritePprof string
	// pinned says which CPUs the bridge and the rest were given (-pin) and
	// how Dendrite was reniced (-nice-dendrite).
	pinned string
	// Sends times the message PUTs through the front; nil without -front.
	Sends *SendTimes
}

// startEnv starts a stack with the given simulated accounts and Matrix
// accounts. The registration's url points at a TxnProxy in front of the
// bridge; the provisioning API (and its /debug/pprof) is on with a known
// secret.
func startEnv(ctx context.Context, opts Options, sims []wechattest.Config, users []string, config map[string]any) (*Env, error) {
	proxy, err := ListenTxnProxy()
	if err != nil {
		return nil, err
	}
	bridgePort, err := stack.FreePort()
	if err != nil {
		proxy.Close()
		return nil, err
	}
	secret := randomHex(24)
	cfg := map[string]any{
		"appservice.address":             proxy.URL,
		"provisioning.shared_secret":     secret,
		"provisioning.debug_endpoints":   true,
		"provisioning.allow_matrix_auth": false,
	}
	if opts.BridgeLogLevel != "" {
		cfg["logging.min_level"] = opts.BridgeLogLevel
	}
	for k, v := range config {
		cfg[k] = v
	}
	for k, v := range opts.BridgeConfig {
		cfg[k] = v
	}
	// Dendrite serves pprof where $PPROFLISTEN in its environment says;
	// only when profiles are asked for.
	pprofAddr := ""
	var hsEnv []string
	if opts.ProfileDir != "" {
		port, err := stack.FreePort()
		if err != nil {
			proxy.Close()
			return nil, err
		}
		pprofAddr = "127.0.0.1:" + itoa(port)
		hsEnv = append(hsEnv, "PPROFLISTEN="+pprofAddr)
	}
	accounts := make([]stack.Account, len(users))
	for i, u := range users {
		accounts[i] = stack.Account{Localpart: u}
	}
	log := opts.Log
	s, err := stack.Start(ctx, stack.Options{
		Bin:             opts.Bin,
		BridgePort:      bridgePort,
		HomeserverFront: opts.Front,
		HomeserverEnv:   hsEnv,
		Sims:            sims,
		Users:           accounts,
		Config:          cfg,
		Log:             &log,
	})
	if err != nil {
		proxy.Close()
		return nil, err
	}
	e := &Env{Stack: s, Proxy: proxy, Log: opts.Log, dendritePprof: pprofAddr}
	if opts.KeepDirs {
		s.KeepDir()
		opts.progress("the stack's files are kept in %s", s.Dir)
	}
	if opts.PinBridge {
		if e.pinned, err = pinBridge(ctx, s.Bridge.PID(), s.HS.PID()); err != nil {
			e.Close()
			return nil, err
		}
		opts.progress("pinned: %s", e.pinned)
	}
	if opts.NiceDendrite > 0 {
		niced, err := niceProcess(s.HS.PID(), opts.NiceDendrite)
		if err != nil {
			e.Close()
			return nil, err
		}
		if e.pinned != "" {
			niced = e.pinned + "; " + niced
		}
		e.pinned = niced
		opts.progress("placement: %s", niced)
	}
	if err = proxy.Serve(s.Bridge.URL); err != nil {
		e.Close()
		return nil, err
	}
	regCfg, err := stack.LoadYAML(s.Bridge.ConfigPath)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.ASToken = regCfg.String("appservice.as_token")
	e.Prov = &Provisioner{base: s.Bridge.URL, secret: secret, http: &http.Client{}}
	e.AS = newASClient(s.HS.URL, e.ASToken)
	if s.Front != nil {
		e.Sends = newSendTimes()
		s.Front.Observe(e.Sends.observe)
		e.AS = newASClient(s.Front.URL, e.ASToken)
	}
	return e, nil
}

// closeWith stops everything. When the scenario failed (*errp is set), it
// keeps the stack's dir and adds its path and the tail of the bridge log to
// the error.
func (e *Env) closeWith(errp *error) {
	if *errp != nil {
		e.Stack.KeepDir()
		*errp = fmt.Errorf("%w\nthe stack's files are kept in %s; tail of the bridge log:\n%s", *errp, e.Stack.Dir, e.Stack.Bridge.Tail(30))
	}
	if err := e.Close(); err != nil {
		e.Log.Warn().Err(err).Msg("Stopping the stack")
	}
}

// Close stops everything.
func (e *Env) Close() error {
	err := e.Stack.Close()
	if perr := e.Proxy.Close(); err == nil {
		err = perr
	}
	return err
}

// BridgeMem reads the bridge's resident memory.
func (e *Env) BridgeMem() (Mem, error) { return ReadMem(e.Stack.Bridge.PID()) }

// Provisioner drives bridgev2's provisioning API with the shared secret.
type Provisioner struct {
	base   string
	secret string
	http   *http.Client
}

func (p *Provisioner) do(ctx context.Context, method, path string, user id.UserID, in, out any) error {
	return stack.Provision(ctx, p.http, p.base, p.secret, user, method, path, in, out)
}

// LoginTimes are the timestamps of one login.
type LoginTimes struct {
	LoginID string
	// Confirmed is when the phone (the simulator) confirmed.
	Confirmed time.Time
	// Complete is when the provisioning API reported the login complete.
	Complete time.Time
}

// Login logs user in to the simulated account sim through the provisioning
// API: start the QR flow, confirm on the "phone", wait for completion.
func (e *Env) Login(ctx context.Context, user id.UserID, sim *wechattest.Server) (LoginTimes, error) {
	e.Stack.Sims.SetLoginTarget(sim)
	var step struct {
		LoginID string `json:"login_id"`
		bridgev2.LoginStep
	}
	if err := e.Prov.do(ctx, http.MethodPost, "/_matrix/provision/v3/login/start/qr", user, nil, &step); err != nil {
		return LoginTimes{}, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	uuid, err := sim.WaitForLogin(waitCtx)
	if err != nil {
		return LoginTimes{}, fmt.Errorf("the simulator saw no login: %w", err)
	}
	var lt LoginTimes
	lt.Confirmed = time.Now()
	if err = sim.Confirm(uuid); err != nil {
		return lt, err
	}
	for step.Type == bridgev2.LoginStepTypeDisplayAndWait {
		path := fmt.Sprintf("/_matrix/provision/v3/login/step/%s/%s/%s", step.LoginID, step.StepID, step.Type)
		loginID := step.LoginID
		if err = e.Prov.do(ctx, http.MethodPost, path, user, struct{}{}, &step); err != nil {
			return lt, err
		}
		step.LoginID = loginID
	}
	lt.Complete = time.Now()
	if step.Type != bridgev2.LoginStepTypeComplete || step.CompleteParams == nil {
		return lt, fmt.Errorf("login ended with a %q step: %s", step.Type, step.Instructions)
	}
	lt.LoginID = string(step.CompleteParams.UserLoginID)
	return lt, nil
}

// FirstRequest waits for the first request the simulator received on an
// endpoint after a time, and returns its time.
func FirstRequest(ctx context.Context, sim *wechattest.Server, endpoint string, after time.Time, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	seen := 0
	for {
		reqs := sim.Requests(endpoint)
		for _, r := range reqs[min(seen, len(reqs)):] {
			if r.Time.After(after) {
				return r.Time, nil
			}
		}
		seen = len(reqs)
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("no %s request after %s within %v", endpoint, after.Format(time.TimeOnly), timeout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ASClient is the baseline: a plain appservice client that sends events
// straight to Dendrite as the ghosts (?user_id=), with the bridge's
// as_token. No WeChat, no parsing, no database.
type ASClient struct {
	hsURL, token string
	http         *http.Client

	mu      sync.Mutex
	clients map[id.UserID]*mautrix.Client
}

func newASClient(hsURL, token string) *ASClient {
	return &ASClient{
		hsURL:   hsURL,
		token:   token,
		http:    &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}},
		clients: make(map[id.UserID]*mautrix.Client),
	}
}

func (a *ASClient) client(sender id.UserID) (*mautrix.Client, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.clients[sender]; c != nil {
		return c, nil
	}
	c, err := mautrix.NewClient(a.hsURL, sender, a.token)
	if err != nil {
		return nil, err
	}
	c.SetAppServiceUserID = true
	c.Client = a.http
	c.Log = zerolog.Nop()
	a.clients[sender] = c
	return c, nil
}

// Send sends a text as sender into a room.
func (a *ASClient) Send(ctx context.Context, roomID id.RoomID, sender id.UserID, body string) error {
	c, err := a.client(sender)
	if err != nil {
		return err
	}
	_, err = c.SendMessageEvent(ctx, roomID, event.EventMessage, &event.MessageEventContent{
		MsgType:  event.MsgText,
		Body:     body,
		Mentions: &event.Mentions{},
	})
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// itoa is strconv.Itoa.
func itoa(i int) string { return strconv.Itoa(i) }
