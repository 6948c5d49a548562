package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// MessagingConfig sizes the message scenarios, which share one stack: one
// login with Chats chats (half DMs, half groups).
type MessagingConfig struct {
	Chats int
	// Burst messages are injected at once across the chats (0 skips).
	Burst int
	// LatencySamples single messages per path (bridge, baseline), one
	// every LatencyInterval, alternating between the paths (0 skips).
	LatencySamples  int
	LatencyInterval time.Duration
	// OutboundSamples Matrix messages, one at a time with OutboundInterval
	// between them (0 skips).
	OutboundSamples  int
	OutboundInterval time.Duration
}

// DefaultMessaging is a busy user: 50 active chats, and a backlog of 5,000
// messages (a hundred a chat) such as piles up while the bridge is away for
// a few hours, delivered at once when it comes back. 600 latency samples a
// path (two and a half minutes at one every 250 ms) put six samples above
// the 99th percentile, so that the tail is measured rather than guessed;
// 1,000 Matrix messages 50 ms apart do the same for the outbound path at a
// rate faster than anyone types.
var DefaultMessaging = MessagingConfig{
	Chats:            50,
	Burst:            5000,
	LatencySamples:   600,
	LatencyInterval:  250 * time.Millisecond,
	OutboundSamples:  1000,
	OutboundInterval: 50 * time.Millisecond,
}

// route is where a (chat, sender) pair's messages land in Matrix.
type route struct {
	room   id.RoomID
	sender id.UserID
}

type routeKey struct{ chat, sender string }

// messaging is the shared state of the message scenarios.
type messaging struct {
	opts   Options
	cfg    MessagingConfig
	env    *Env
	sim    *wechattest.Server
	w      *Watcher
	chats  []chat
	routes map[routeKey]route
}

// RunMessaging runs the inbound burst, inbound latency and outbound latency
// scenarios on one stack and returns their results.
func RunMessaging(ctx context.Context, opts Options, cfg MessagingConfig) (_ []*Result, err error) {
	seed, chats := messagingSeed(1_100_000_001, cfg.Chats)
	opts.progress("messaging: starting the stack")
	// The outbound scenario sends with send_interval 0 and faster than
	// WeChat allows, to time the bridge rather than WeChat's rate limit.
	sim := wechattest.Config{Seed: seed, RateLimit: wechattest.RateLimit{Off: true}}
	env, err := startEnv(ctx, opts, []wechattest.Config{sim}, []string{"bench"}, nil)
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	m := &messaging{opts: opts, cfg: cfg, env: env, sim: env.Stack.Sim, chats: chats, routes: make(map[routeKey]route)}
	m.w, err = StartWatcher(ctx, opts.Log, env.Stack.HS.URL, "bench", env.Stack.Password("bench"), env.Stack.Bridge.IsBridgeUser)
	if err != nil {
		return nil, err
	}
	defer m.w.Close()
	opts.progress("messaging: logging in")
	if _, err = env.Login(ctx, env.Stack.UserID("bench"), m.sim); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	opts.progress("messaging: warming up %d chats", len(chats))
	if err = m.warmUp(ctx); err != nil {
		return nil, err
	}
	var results []*Result
	if cfg.LatencySamples > 0 {
		opts.progress("messaging: inbound latency, %d samples per path", cfg.LatencySamples)
		settled := env.settleNote(ctx)
		r, err := m.inboundLatency(ctx)
		if err != nil {
			return results, fmt.Errorf("inbound latency: %w", err)
		}
		r.note(settled)
		results = append(results, r)
	}
	if cfg.OutboundSamples > 0 {
		opts.progress("messaging: outbound latency, %d samples", cfg.OutboundSamples)
		settled := env.settleNote(ctx)
		r, err := m.outboundLatency(ctx)
		if err != nil {
			return results, fmt.Errorf("outbound latency: %w", err)
		}
		r.note(settled)
		results = append(results, r)
	}
	// The burst runs last: Dendrite keeps working for minutes after 15,000
	// events (it never went idle within the minute the latency scenarios
	// wait for it), and the latencies measured in that wake were noise
	// around the bridge's own few milliseconds. It is reported first.
	if cfg.Burst > 0 {
		opts.progress("messaging: inbound burst of %d", cfg.Burst)
		r, err := m.burst(ctx)
		if err != nil {
			return results, fmt.Errorf("inbound burst: %w", err)
		}
		results = append([]*Result{r}, results...)
	}
	if env.pinned != "" {
		for _, r := range results {
			r.note("placement (-pin, -nice-dendrite): " + env.pinned)
		}
	}
	if v := m.sim.Violations(); len(v) > 0 {
		for _, r := range results {
			r.note(fmt.Sprintf("the simulator noticed %d protocol violations, first: %s", len(v), v[0]))
		}
	}
	return results, nil
}

// warmUp makes every chat's portal exist with the user joined, and learns
// which room and ghost each (chat, sender) pair maps to, for the baseline.
func (m *messaging) warmUp(ctx context.Context) error {
	inject := func(prefix string) []string {
		var bodies []string
		for _, c := range m.chats {
			for _, s := range c.senders {
				body := fmt.Sprintf("%s %s %s", prefix, c.id, s)
				m.sim.InjectText(c.id, s, body)
				bodies = append(bodies, body)
			}
		}
		return bodies
	}
	// The first messages create the DM portals; the user joins them after
	// the messages were sent, which /sync may or may not show. The second
	// round lands in joined rooms.
	first := inject("warm")
	_, _ = m.w.WaitAll(ctx, first, 2*time.Minute)
	second := inject("ready")
	arrivals, err := m.w.WaitAll(ctx, second, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("warm-up (%d rooms joined): %w", m.w.JoinedRooms(), err)
	}
	i := 0
	for _, c := range m.chats {
		for _, s := range c.senders {
			m.routes[routeKey{c.id, s}] = route{room: arrivals[i].Room, sender: arrivals[i].Sender}
			i++
		}
	}
	m.w.Forget(first)
	m.w.Forget(second)
	return nil
}

// message is one message of a scenario: its chat and sender, and body.
type message struct {
	chat   chat
	sender string
	body   string
}

// stream returns n messages round-robin over the chats, rotating the
// senders of each chat, with bodies "<prefix> <chat> <seq>".
func (m *messaging) stream(prefix string, n int) []message {
	out := make([]message, n)
	for i := range out {
		c := m.chats[i%len(m.chats)]
		seq := i / len(m.chats)
		out[i] = message{chat: c, sender: c.senders[seq%len(c.senders)], body: fmt.Sprintf("%s %s %05d", prefix, c.id, seq)}
	}
	return out
}

func bodiesOf(msgs []message) []string {
	out := make([]string, len(msgs))
	for i, msg := range msgs {
		out[i] = msg.body
	}
	return out
}

// lastArrival is the latest arrival.
func lastArrival(arrivals []Arrival) time.Time {
	var last time.Time
	for _, a := range arrivals {
		if a.At.After(last) {
			last = a.At
		}
	}
	return last
}

// burstRun is one delivery of a burst: how long until the user saw all.
type burstRun struct {
	took time.Duration
	cpu  CPUUse
}

func (b burstRun) rate(n int) float64 { return float64(n) / b.took.Seconds() }

func (m *messaging) burstTimeout() time.Duration {
	return time.Minute + time.Duration(m.cfg.Burst)*100*time.Millisecond
}

// burstBridge injects the burst into WeChat at once.
func (m *messaging) burstBridge(ctx context.Context, prefix string) (burstRun, error) {
	msgs := m.stream(prefix, m.cfg.Burst)
	var waitProfile func() error
	if m.opts.ProfileDir != "" {
		waitProfile = m.env.cpuProfile(ctx, 20*time.Second, m.opts.ProfileDir, prefix)
	}
	cpu := m.env.startCPU()
	start := time.Now()
	for _, msg := range msgs {
		m.sim.InjectText(msg.chat.id, msg.sender, msg.body)
	}
	arrivals, err := m.w.WaitAll(ctx, bodiesOf(msgs), m.burstTimeout())
	use := cpu.stop()
	if waitProfile != nil {
		if perr := waitProfile(); perr != nil {
			m.env.Log.Warn().Err(perr).Msg("CPU profile failed")
		}
	}
	if err != nil {
		return burstRun{}, err
	}
	m.w.Forget(bodiesOf(msgs))
	return burstRun{took: lastArrival(arrivals).Sub(start), cpu: use}, nil
}

// burstBaseline sends the same burst straight to Dendrite as the ghosts,
// with workers requests in flight: 1 sends in order, like the bridge's
// single inbox drain; len(chats) sends every chat in order on its own.
func (m *messaging) burstBaseline(ctx context.Context, prefix string, parallel bool) (burstRun, error) {
	msgs := m.stream(prefix, m.cfg.Burst)
	queues := [][]message{msgs}
	if parallel {
		byChat := make(map[string]int)
		queues = nil
		for _, msg := range msgs {
			i, ok := byChat[msg.chat.id]
			if !ok {
				i = len(queues)
				byChat[msg.chat.id] = i
				queues = append(queues, nil)
			}
			queues[i] = append(queues[i], msg)
		}
	}
	var waitProfile func() error
	if m.opts.ProfileDir != "" {
		waitProfile = m.env.cpuProfile(ctx, 20*time.Second, m.opts.ProfileDir, prefix)
	}
	cpu := m.env.startCPU()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(queues))
	for qi, q := range queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, msg := range q {
				r := m.routes[routeKey{msg.chat.id, msg.sender}]
				if err := m.env.AS.Send(ctx, r.room, r.sender, msg.body); err != nil {
					errs[qi] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return burstRun{}, err
	}
	arrivals, err := m.w.WaitAll(ctx, bodiesOf(msgs), m.burstTimeout())
	use := cpu.stop()
	if waitProfile != nil {
		if perr := waitProfile(); perr != nil {
			m.env.Log.Warn().Err(perr).Msg("CPU profile failed")
		}
	}
	if err != nil {
		return burstRun{}, err
	}
	m.w.Forget(bodiesOf(msgs))
	return burstRun{took: lastArrival(arrivals).Sub(start), cpu: use}, nil
}

func (m *messaging) burst(ctx context.Context) (*Result, error) {
	n := m.cfg.Burst
	res := begin("inbound burst", fmt.Sprintf("%d messages across %d chats (%d DMs, %d groups), injected at once", n, len(m.chats), len(m.chats)-len(m.chats)/2, len(m.chats)/2))
	serial, err := m.burstBaseline(ctx, "base1", false)
	if err != nil {
		return nil, fmt.Errorf("serial baseline: %w", err)
	}
	bridge, err := m.burstBridge(ctx, "burst")
	if err != nil {
		return nil, fmt.Errorf("bridge: %w", err)
	}
	par, err := m.burstBaseline(ctx, "basep", true)
	if err != nil {
		return nil, fmt.Errorf("parallel baseline: %w", err)
	}
	best := serial
	bestName := "serial"
	if par.took < serial.took {
		best, bestName = par, "per-chat parallel"
	}
	ratio := bridge.rate(n) / best.rate(n)
	res.add(Figure{
		Metric:   fmt.Sprintf("%d messages in the user's timeline", n),
		Bridge:   fmt.Sprintf("%s (%.0f msg/s)", secs(bridge.took), bridge.rate(n)),
		Baseline: fmt.Sprintf("%s (%.0f msg/s, %s)", secs(best.took), best.rate(n), bestName),
		Compare:  fmt.Sprintf("%.2f × baseline rate", ratio),
		Target:   "≥ 0.95 × baseline rate",
		Verdict:  verdict(ratio >= 0.95),
	})
	res.add(Figure{
		Metric:   "against one request in flight",
		Bridge:   fmt.Sprintf("%.0f msg/s", bridge.rate(n)),
		Baseline: fmt.Sprintf("%.0f msg/s (serial)", serial.rate(n)),
		Compare:  fmt.Sprintf("%.2f × baseline rate", bridge.rate(n)/serial.rate(n)),
		Verdict:  Info,
	})
	res.add(Figure{
		Metric:   "against one sender per chat",
		Bridge:   fmt.Sprintf("%.0f msg/s", bridge.rate(n)),
		Baseline: fmt.Sprintf("%.0f msg/s (%d in flight)", par.rate(n), len(m.chats)),
		Compare:  fmt.Sprintf("%.2f × baseline rate", bridge.rate(n)/par.rate(n)),
		Verdict:  Info,
	})
	res.raw("bridge_rate", bridge.rate(n))
	res.raw("serial_rate", serial.rate(n))
	res.raw("parallel_rate", par.rate(n))
	res.raw("ratio", ratio)
	res.note("bridge: " + bridge.cpu.perMessage(n))
	res.note("serial baseline: " + serial.cpu.perMessage(n))
	res.note("parallel baseline: " + par.cpu.perMessage(n))
	res.note(fmt.Sprintf("the baselines send the same %d texts as the same ghosts into the same portal rooms with the appservice token; time runs from the first injection (bridge) or the first request (baseline) to the moment the user's /sync carried the last message", n))
	if l := m.w.Limited(); l > 0 {
		res.note(fmt.Sprintf("/sync cut %d timelines short; their gaps were read with /messages and timed at the sync that reported them", l))
	}
	return res.end(), nil
}

// inboundLatency sends single messages one at a time, alternating between
// the bridge (inject into WeChat) and the baseline (send as the ghost), and
// times each until the user's /sync shows it. The next message goes out
// LatencyInterval after the previous one, or once it arrived if that took
// longer: no message waits behind another, so the figures are latencies,
// not queueing.
func (m *messaging) inboundLatency(ctx context.Context) (*Result, error) {
	n := m.cfg.LatencySamples
	res := begin("inbound latency", fmt.Sprintf("%d messages per path, alternating bridge and baseline, one at a time, at most one every %v, over %d chats", n, m.cfg.LatencyInterval, len(m.chats)))
	bridgeMsgs := m.stream("lat", n)
	baseMsgs := m.stream("latb", n)
	var bl, base []time.Duration
	var wxLeg, rest []time.Duration // the bridge path split at the webwxsync request
	var split [2]doorSplit          // bridge, baseline: split at Dendrite's door (-front)
	cpu := m.env.startCPU()
	next := time.Now()
	for i := 0; i < 2*n; i++ {
		sleep(ctx, time.Until(next))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var msg message
		start := time.Now()
		next = start.Add(m.cfg.LatencyInterval)
		if i%2 == 0 {
			msg = bridgeMsgs[i/2]
			m.sim.InjectText(msg.chat.id, msg.sender, msg.body)
		} else {
			msg = baseMsgs[i/2]
			r := m.routes[routeKey{msg.chat.id, msg.sender}]
			if err := m.env.AS.Send(ctx, r.room, r.sender, msg.body); err != nil {
				return nil, fmt.Errorf("baseline send: %w", err)
			}
		}
		arrivals, err := m.w.WaitAll(ctx, []string{msg.body}, time.Minute)
		if err != nil {
			return nil, err
		}
		if m.env.Sends != nil {
			if span, ok := m.env.Sends.Get(msg.body); ok {
				split[i%2].add(start, span, arrivals[0].At)
			}
		}
		if i%2 == 0 {
			bl = append(bl, arrivals[0].At.Sub(start))
			if at, err := FirstRequest(ctx, m.sim, "webwxsync", start, time.Second); err == nil {
				wxLeg = append(wxLeg, at.Sub(start))
				rest = append(rest, arrivals[0].At.Sub(at))
			}
		} else {
			base = append(base, arrivals[0].At.Sub(start))
		}
	}
	use := cpu.stop()
	bd, bsd := Summarize(bl), Summarize(base)
	o50, o99 := bd.P50-bsd.P50, bd.P99-bsd.P99
	res.add(Figure{
		Metric: "injection → user's /sync, p50", Bridge: ms(bd.P50), Baseline: ms(bsd.P50),
		Compare: signedMS(o50) + " overhead", Target: "≤ +3 ms", Verdict: verdict(o50 <= 3*time.Millisecond),
	})
	res.add(Figure{
		Metric: "injection → user's /sync, p99", Bridge: ms(bd.P99), Baseline: ms(bsd.P99),
		Compare: signedMS(o99) + " overhead", Target: "≤ +20 ms", Verdict: verdict(o99 <= 20*time.Millisecond),
	})
	res.raw("bridge_p50_ms", float64(bd.P50)/1e6)
	res.raw("bridge_p99_ms", float64(bd.P99)/1e6)
	res.raw("baseline_p50_ms", float64(bsd.P50)/1e6)
	res.raw("baseline_p99_ms", float64(bsd.P99)/1e6)
	res.note(fmt.Sprintf("bridge: min %s, mean %s, max %s; baseline: min %s, mean %s, max %s", ms(bd.Min), ms(bd.Mean), ms(bd.Max), ms(bsd.Min), ms(bsd.Mean), ms(bsd.Max)))
	if len(bl) == len(base) {
		// Each bridge message and the baseline message right after it ran
		// under nearly the same load: their difference is steadier than
		// the difference of the two medians.
		diffs := make([]time.Duration, len(bl))
		for i := range bl {
			diffs[i] = bl[i] - base[i]
		}
		sd := sortedCopy(diffs)
		p50 := percentile(sd, 50)
		res.note(fmt.Sprintf("paired: each bridge message against the baseline message sent one interval after it, median difference %s (p25 %s, p75 %s)",
			signedMS(p50), signedMS(percentile(sd, 25)), signedMS(percentile(sd, 75))))
		res.raw("paired_overhead_p50_ms", float64(p50)/1e6)
	}
	wd, rd := Summarize(wxLeg), Summarize(rest)
	res.note(fmt.Sprintf("the bridge path split where the bridge's webwxsync request reached the simulator: injection → webwxsync %s (the held synccheck answers, the bridge asks for the messages); webwxsync → user's /sync %s (the answer, the inbox, bridgev2, Dendrite, /sync)", wd, rd))
	res.raw("wechat_leg_p50_ms", float64(wd.P50)/1e6)
	res.note("bridge path: the simulator wakes the held synccheck → webwxsync → inbox (SQLite) → drain → bridgev2 → Dendrite → /sync; baseline: one appservice PUT /send as the ghost → /sync. Time starts at the injection or at the start of the PUT")
	if m.env.Sends != nil {
		res.note("split at Dendrite's door (-front: both paths go through one timing proxy): bridge " + split[0].String() + "; baseline " + split[1].String())
		if len(split[0].toPut) > 0 && len(split[1].toPut) > 0 {
			res.raw("bridge_to_put_p50_ms", float64(Summarize(split[0].toPut).P50)/1e6)
			res.raw("baseline_to_put_p50_ms", float64(Summarize(split[1].toPut).P50)/1e6)
		}
	}
	res.note("both: " + use.perMessage(2*n))
	return res.end(), nil
}

// doorSplit divides latencies where the message's PUT reached the front
// before Dendrite and where its answer came back.
type doorSplit struct{ toPut, put, afterPut []time.Duration }

func (d *doorSplit) add(start time.Time, span Span, arrived time.Time) {
	d.toPut = append(d.toPut, span.Start.Sub(start))
	d.put = append(d.put, span.End.Sub(span.Start))
	d.afterPut = append(d.afterPut, arrived.Sub(span.End))
}

func (d *doorSplit) String() string {
	return fmt.Sprintf("start → PUT %s, PUT %s, PUT answered → /sync %s (p50 each)",
		ms(Summarize(d.toPut).P50), ms(Summarize(d.put).P50), ms(Summarize(d.afterPut).P50))
}

// outboundLatency sends Matrix messages into DM portals one at a time and
// times when Dendrite pushed each to the bridge (the proxy) and when the
// simulator received the webwxsendmsg.
func (m *messaging) outboundLatency(ctx context.Context) (*Result, error) {
	n := m.cfg.OutboundSamples
	var dms []route
	for _, c := range m.chats {
		if !c.group {
			dms = append(dms, m.routes[routeKey{c.id, ""}])
		}
	}
	if len(dms) == 0 {
		return nil, errors.New("no DM chats")
	}
	res := begin("outbound latency", fmt.Sprintf("%d Matrix texts into %d DM portals, one at a time, %v apart; send_interval 0 (pacing off)", n, len(dms), m.cfg.OutboundInterval))
	var push, total, overhead, waits []time.Duration
	seenSends := 0
	pid := m.env.Stack.Bridge.PID()
	var waitProfile func() error
	if m.opts.ProfileDir != "" {
		waitProfile = m.env.cpuProfile(ctx, 20*time.Second, m.opts.ProfileDir, "outbound")
	}
	cpu := m.env.startCPU()
	for i := range n {
		body := fmt.Sprintf("out %05d %s", i, randomHex(4))
		room := dms[i%len(dms)].room
		start := time.Now()
		if _, err := m.w.Client.SendMessageEvent(ctx, room, event.EventMessage, &event.MessageEventContent{MsgType: event.MsgText, Body: body}); err != nil {
			return nil, err
		}
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		pushed, err := m.env.Proxy.Wait(waitCtx, body)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("Dendrite did not push %q to the bridge: %w", body, err)
		}
		wait0, werr := ReadRunWait(pid)
		var got time.Time
		for got.IsZero() {
			reqs := m.sim.Requests("webwxsendmsg")
			for _, r := range reqs[min(seenSends, len(reqs)):] {
				if bytes.Contains(r.Body, []byte(body)) {
					got = r.Time
					seenSends = len(reqs)
				}
			}
			if got.IsZero() {
				select {
				case <-waitCtx.Done():
					cancel()
					return nil, fmt.Errorf("the simulator did not receive %q: %w", body, waitCtx.Err())
				case <-time.After(2 * time.Millisecond):
				}
			}
		}
		cancel()
		if wait1, err := ReadRunWait(pid); err == nil && werr == nil {
			waits = append(waits, wait1-wait0)
		}
		push = append(push, pushed.Sub(start))
		total = append(total, got.Sub(start))
		overhead = append(overhead, got.Sub(pushed))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(m.cfg.OutboundInterval):
		}
	}
	use := cpu.stop()
	if waitProfile != nil {
		if perr := waitProfile(); perr != nil {
			m.env.Log.Warn().Err(perr).Msg("CPU profile failed")
		}
	}
	pd, td, od := Summarize(push), Summarize(total), Summarize(overhead)
	res.add(Figure{
		Metric: "Matrix send → webwxsendmsg, p50", Bridge: ms(td.P50), Baseline: ms(pd.P50) + " (Dendrite's push)",
		Compare: signedMS(od.P50) + " in the bridge", Target: "≤ +5 ms", Verdict: verdict(od.P50 <= 5*time.Millisecond),
	})
	res.add(Figure{
		Metric: "Matrix send → webwxsendmsg, p99", Bridge: ms(td.P99), Baseline: ms(pd.P99) + " (Dendrite's push)",
		Compare: signedMS(od.P99) + " in the bridge", Target: "≤ +10 ms", Verdict: verdict(od.P99 <= 10*time.Millisecond),
	})
	res.raw("bridge_overhead_p50_ms", float64(od.P50)/1e6)
	res.raw("bridge_overhead_p99_ms", float64(od.P99)/1e6)
	res.raw("push_p50_ms", float64(pd.P50)/1e6)
	res.note(fmt.Sprintf("the overhead is per message: webwxsendmsg received − transaction reached the proxy in front of the bridge (the proxy's forwarding on loopback counts against the bridge); min %s, mean %s, max %s", ms(od.Min), ms(od.Mean), ms(od.Max)))
	if len(waits) == len(overhead) {
		res.note(runWaitNote(overhead, waits, 10*time.Millisecond))
	}
	res.note("both: " + use.perMessage(n))
	return res.end(), nil
}

// runWaitNote tells how long the bridge's threads waited for a CPU during
// the messages that took it longer than slow, against the others: when the
// slow ones are the ones that waited, the time went to a busy machine, not
// to the bridge's own work.
func runWaitNote(overhead, waits []time.Duration, slow time.Duration) string {
	var slowWait, fastWait, slowOver []time.Duration
	for i, o := range overhead {
		if o > slow {
			slowWait = append(slowWait, waits[i])
			slowOver = append(slowOver, o)
		} else {
			fastWait = append(fastWait, waits[i])
		}
	}
	fw := Summarize(fastWait)
	if len(slowWait) == 0 {
		return fmt.Sprintf("the bridge's threads waited for a CPU (run queue, /proc/<pid>/task/*/schedstat) p50 %s per message; no message took the bridge over %s", ms(fw.P50), ms(slow))
	}
	sw, so := Summarize(slowWait), Summarize(slowOver)
	return fmt.Sprintf("the bridge's threads waited for a CPU (run queue, /proc/<pid>/task/*/schedstat) p50 %s per message in the %d messages that took the bridge ≤ %s, and p50 %s (max %s) in the %d that took longer (p50 %s in the bridge)",
		ms(fw.P50), len(fastWait), ms(slow), ms(sw.P50), ms(sw.Max), len(slowWait), ms(so.P50))
}
