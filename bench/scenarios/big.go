package scenarios

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// BigConfig sizes the big-account scenario: one login with Contacts
// friends and Groups groups of GroupSize members.
type BigConfig struct {
	Contacts, Groups, GroupSize int
	// Window is how long after "connected" the bridge's memory is still
	// watched while it creates the portals of every group.
	Window time.Duration
}

// DefaultBig is the largest account a user brings: 5,000 friends (WeChat's
// long-standing friend limit) and 500 groups of 100 members, so that
// connect time and memory are read where they are worst. Memory is watched
// for two minutes after "connected", about as long as a user waits for
// their chats before deciding the bridge is stuck.
var DefaultBig = BigConfig{Contacts: 5000, Groups: 500, GroupSize: 100, Window: 2 * time.Minute}

// connectTimes are the timestamps of one login until "connected".
type connectTimes struct {
	login     LoginTimes
	connected time.Time // the first synccheck after the confirmation
}

func (c connectTimes) took() time.Duration { return c.connected.Sub(c.login.Confirmed) }

// loginAndConnect logs in and waits for the sync loop: the first synccheck
// comes after webwxinit, the contact list, the identity resolution and the
// first catch-up webwxsync, i.e. when the login is connected with its
// contacts resolved.
func (e *Env) loginAndConnect(ctx context.Context, user string, sim *wechattest.Server, timeout time.Duration) (connectTimes, error) {
	lt, err := e.Login(ctx, e.Stack.UserID(user), sim)
	if err != nil {
		return connectTimes{}, err
	}
	at, err := FirstRequest(ctx, sim, "synccheck", lt.Confirmed, timeout)
	if err != nil {
		return connectTimes{}, err
	}
	return connectTimes{login: lt, connected: at}, nil
}

// memSampler samples the bridge's RSS until stopped.
type memSampler struct {
	mu   sync.Mutex
	peak int64
	poll *poller
}

func (e *Env) sampleMem(every time.Duration) *memSampler {
	s := &memSampler{}
	pid := e.Stack.Bridge.PID()
	s.poll = startPoller(every, func() {
		if m, err := ReadMem(pid); err == nil {
			s.mu.Lock()
			s.peak = max(s.peak, m.RSS)
			s.mu.Unlock()
		}
	})
	return s
}

func (s *memSampler) Peak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *memSampler) Stop() int64 {
	s.poll.Stop()
	return s.Peak()
}

// poller calls a function at once and then every interval, until stopped.
type poller struct {
	stop, done chan struct{}
}

func startPoller(every time.Duration, fn func()) *poller {
	p := &poller{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			fn()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// Stop ends the calls and waits for one in progress.
func (p *poller) Stop() {
	close(p.stop)
	<-p.done
}

// RunBigAccount logs in a small account (the default seed: a handful of
// contacts, the baseline) and then one with thousands of contacts and
// hundreds of large groups, and measures the time from the phone's
// confirmation to "connected" and the bridge's memory.
func RunBigAccount(ctx context.Context, opts Options, cfg BigConfig) (_ *Result, err error) {
	res := begin("big account", fmt.Sprintf("one login with %d contacts and %d groups of %d members (saved to contacts); baseline: the simulator's default account (%d contacts and groups) on the same bridge",
		cfg.Contacts, cfg.Groups, cfg.GroupSize, len(wechattest.DefaultSeed().Contacts)))
	small := wechattest.DefaultSeed()
	small.Uin = 1_200_000_001
	big := bigSeed(1_200_000_002, cfg.Contacts, cfg.Groups, cfg.GroupSize)
	opts.progress("big account: starting the stack")
	env, err := startEnv(ctx, opts, []wechattest.Config{{Seed: small}, {Seed: big}}, []string{"small", "big"}, nil)
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	smallSim, bigSim := env.Stack.Sims.Servers[0], env.Stack.Sims.Servers[1]

	idle, err := env.BridgeMem()
	if err != nil {
		return nil, err
	}
	opts.progress("big account: logging in the small account")
	sc, err := env.loginAndConnect(ctx, "small", smallSim, time.Minute)
	if err != nil {
		return nil, fmt.Errorf("small account: %w", err)
	}
	// Let the small login create its few portals before the big one.
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
	}
	before, err := env.BridgeMem()
	if err != nil {
		return nil, err
	}
	roomsBefore := countLog(env.Stack.Bridge.LogPath, "Matrix room created")
	opts.progress("big account: logging in the big account")
	sampler := env.sampleMem(50 * time.Millisecond)
	var waitProfile func() error
	if opts.ProfileDir != "" {
		waitProfile = env.cpuProfile(ctx, 15*time.Second, opts.ProfileDir, "big-login")
	}
	cpu := env.startCPU()
	bc, err := env.loginAndConnect(ctx, "big", bigSim, 10*time.Minute)
	if err != nil {
		sampler.Stop()
		return nil, fmt.Errorf("big account: %w", err)
	}
	connectCPU := cpu.stop()
	atConnected, err := env.BridgeMem()
	if err != nil {
		sampler.Stop()
		return nil, err
	}
	peakConnected := max(sampler.Peak(), atConnected.HWM)
	memConnected := env.memSnapshot(ctx, opts, atConnected.RSS, "big-connected-heap")
	opts.progress("big account: connected after %s; watching portal creation for %v", secs(bc.took()), cfg.Window)
	track := env.trackScale(ctx, 10*time.Second, roomsBefore)
	synced := waitLog(ctx, env.Stack.Bridge.LogPath, "Synced chats", 2, cfg.Window)
	roomsCreated := countLog(env.Stack.Bridge.LogPath, "Matrix room created") - roomsBefore
	windowPeak := sampler.Stop()
	scale := track.Stop()
	after, _ := env.BridgeMem()
	memAfter := env.memSnapshot(ctx, opts, after.RSS, "big-window-heap")
	if waitProfile != nil {
		if perr := waitProfile(); perr != nil {
			env.Log.Warn().Err(perr).Msg("CPU profile failed")
		}
	}
	res.add(Figure{
		Metric: "confirm → connected, contacts resolved", Bridge: secs(bc.took()), Baseline: secs(sc.took()) + " (small account)",
		Compare: fmt.Sprintf("%.1f × baseline", bc.took().Seconds()/sc.took().Seconds()), Target: "≤ 5 s",
		Verdict: verdict(bc.took() <= 5*time.Second),
	})
	res.add(Figure{
		Metric: "peak RSS until connected", Bridge: mb(peakConnected), Baseline: mb(before.RSS) + " (bridge with the small login)",
		Compare: "+" + mb(peakConnected-before.RSS), Target: "≤ 80 MB",
		Verdict: verdict(peakConnected <= 80_000_000),
	})
	windowWhat := fmt.Sprintf("peak RSS while creating portals (%v window)", cfg.Window)
	if synced {
		windowWhat = "peak RSS until every portal exists"
	}
	res.add(Figure{
		Metric: windowWhat, Bridge: mb(max(windowPeak, after.HWM)), Baseline: mb(before.RSS) + " (bridge with the small login)",
		Compare: "+" + mb(max(windowPeak, after.HWM)-before.RSS), Target: "≤ 80 MB",
		Verdict: verdict(max(windowPeak, after.HWM) <= 80_000_000),
	})
	// Every group gets a portal, and the login its space.
	scaleReport(res, scale, cfg.Groups+1)
	res.raw("connect_s", bc.took().Seconds())
	res.raw("baseline_connect_s", sc.took().Seconds())
	res.raw("peak_connected_bytes", float64(peakConnected))
	res.raw("peak_window_bytes", float64(max(windowPeak, after.HWM)))
	res.note(fmt.Sprintf("connected = the first synccheck the simulator received after the confirmation: the bridge sends it after webwxinit, the paged contact list, webwxbatchgetcontact for the groups' members, the identity resolution and the first catch-up webwxsync; the login step itself (webwxnewloginpage, webwxinit, storing the session) took %s of it (provisioning API complete)",
		secs(bc.login.Complete.Sub(bc.login.Confirmed))))
	res.note(fmt.Sprintf("bridge RSS: %s idle with no login, %s with the small login, %s at connected, %s at the end (VmHWM %s)", mb(idle.RSS), mb(before.RSS), mb(atConnected.RSS), mb(after.RSS), mb(after.HWM)))
	res.note("at connected: " + memConnected)
	res.note("at the end: " + memAfter)
	res.note("from the confirmation until connected: " + connectCPU.total())
	if synced {
		res.note("every group portal was created within the window")
	} else {
		res.note(fmt.Sprintf("the bridge was still creating group portals (rooms with %d members each) when the window of %v ended: it had created %d rooms for the big login (portals and its space) by then; RSS is the peak until then", cfg.GroupSize, cfg.Window, roomsCreated))
	}
	return res.end(), nil
}

// memSnapshot describes where the bridge's RSS is (goMem) and, with
// -profile, saves its heap profile as name.
func (e *Env) memSnapshot(ctx context.Context, opts Options, rss int64, name string) string {
	if opts.ProfileDir != "" {
		if err := e.heapProfile(ctx, opts.ProfileDir, name); err != nil {
			e.Log.Warn().Err(err).Msg("Heap profile failed")
		}
	}
	desc, err := e.goMem(ctx, rss)
	if err != nil {
		return "not read: " + err.Error()
	}
	return desc
}

// countLog counts the lines of a log file that contain substr.
func countLog(path, substr string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(data), substr)
}

// waitLog waits until the log file holds n lines containing substr.
func waitLog(ctx context.Context, path, substr string, n int, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if data, err := os.ReadFile(path); err == nil && strings.Count(string(data), substr) >= n {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(500 * time.Millisecond):
		}
	}
}
