package scenarios

import (
	"context"
	"fmt"
	"time"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// LoginsConfig sizes the many-logins scenario: Logins Matrix users, each
// logged in to its own simulated account of Contacts friends.
type LoginsConfig struct {
	Logins, Contacts int
	// Settle is how long the bridge idles after a login before its RSS is
	// read.
	Settle time.Duration
}

// DefaultLogins is a bridge shared by a team or a family: 50 users with 200
// friends each, enough logins that the memory each one adds is read from a
// trend rather than from one noisy step. A login's RSS is read 3 s after it
// completed, once its first sync is over.
var DefaultLogins = LoginsConfig{Logins: 50, Contacts: 200, Settle: 3 * time.Second}

// RunManyLogins logs in many users one after the other, reading the
// bridge's RSS after each, then restarts the bridge and times until every
// session is resumed. The baselines are the same bridge with no login: its
// idle RSS and its start time.
func RunManyLogins(ctx context.Context, opts Options, cfg LoginsConfig) (_ *Result, err error) {
	res := begin("many logins", fmt.Sprintf("%d Matrix users, each logged in to its own account of %d friends and the file helper, one after the other; then a restart", cfg.Logins, cfg.Contacts))
	sims := make([]wechattest.Config, cfg.Logins)
	users := make([]string, cfg.Logins)
	for i := range sims {
		seed := bigSeed(int64(1_300_000_000+i), cfg.Contacts, 0, 0)
		sims[i] = wechattest.Config{Seed: seed}
		users[i] = fmt.Sprintf("user%02d", i)
	}
	opts.progress("many logins: starting the stack and %d Matrix accounts", cfg.Logins)
	env, err := startEnv(ctx, opts, sims, users, nil)
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	br := env.Stack.Bridge

	// Baselines: the bridge idle with no login, and its start time.
	sleep(ctx, cfg.Settle)
	if err = br.Stop(); err != nil {
		return nil, err
	}
	began := time.Now()
	if err = br.Start(ctx); err != nil {
		return nil, err
	}
	emptyStart := time.Since(began)
	sleep(ctx, cfg.Settle)
	idle, err := env.BridgeMem()
	if err != nil {
		return nil, err
	}

	xs, ys := []float64{0}, []float64{float64(idle.RSS)}
	var connects []time.Duration
	for i := range cfg.Logins {
		if i%10 == 0 {
			opts.progress("many logins: login %d of %d", i+1, cfg.Logins)
		}
		ct, err := env.loginAndConnect(ctx, users[i], env.Stack.Sims.Servers[i], 2*time.Minute)
		if err != nil {
			return nil, fmt.Errorf("login %d: %w", i+1, err)
		}
		connects = append(connects, ct.took())
		sleep(ctx, cfg.Settle)
		m, err := env.BridgeMem()
		if err != nil {
			return nil, err
		}
		xs = append(xs, float64(i+1))
		ys = append(ys, float64(m.RSS))
	}
	loaded := int64(ys[len(ys)-1])
	perLogin := slope(xs, ys)

	opts.progress("many logins: restarting the bridge with %d sessions", cfg.Logins)
	if err = br.Stop(); err != nil {
		return nil, err
	}
	began = time.Now()
	if err = br.Start(ctx); err != nil {
		return nil, err
	}
	ready := time.Since(began)
	var last time.Time
	for i, sim := range env.Stack.Sims.Servers {
		at, err := FirstRequest(ctx, sim, "synccheck", began, 2*time.Minute)
		if err != nil {
			return nil, fmt.Errorf("session %d was not resumed: %w", i+1, err)
		}
		if at.After(last) {
			last = at
		}
	}
	resumed := last.Sub(began)
	sleep(ctx, cfg.Settle)
	afterRestart, _ := env.BridgeMem()

	res.add(Figure{
		Metric: "RSS per additional idle login", Bridge: mb(int64(perLogin)), Baseline: mb(idle.RSS) + " (bridge, no login)",
		Compare: fmt.Sprintf("%s with %d logins", mb(loaded), cfg.Logins), Target: "≤ 8 MB",
		Verdict: verdict(perLogin <= 8_000_000),
	})
	res.add(Figure{
		Metric: fmt.Sprintf("start → all %d sessions resumed", cfg.Logins), Bridge: secs(resumed), Baseline: secs(emptyStart) + " (start, no login)",
		Compare: fmt.Sprintf("+%s", secs(resumed-emptyStart)), Target: "≤ 10 s",
		Verdict: verdict(resumed <= 10*time.Second),
	})
	cd := Summarize(connects)
	res.raw("per_login_bytes", perLogin)
	res.raw("resume_s", resumed.Seconds())
	res.note(fmt.Sprintf("RSS per login is the least-squares slope of VmRSS over the number of logins, read %v after each login connected; (RSS with %d − RSS with none) / %d = %s", cfg.Settle, cfg.Logins, cfg.Logins, mb((loaded-idle.RSS)/int64(max(cfg.Logins, 1)))))
	res.note(fmt.Sprintf("resumed = the last of the %d simulated accounts received its first synccheck after the start (the process was spawned at 0; it answered /_matrix/mau/ready after %s); RSS after the restart: %s (VmHWM %s)", cfg.Logins, secs(ready), mb(afterRestart.RSS), mb(afterRestart.HWM)))
	res.note(fmt.Sprintf("each login, confirm → connected: %s", cd))
	return res.end(), nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
