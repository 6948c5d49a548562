package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// report turns the two phases into the scenario's figures, notes, tables
// and plots.
func (c *creation) report(res *Result, base, br *phase, idle Mem) {
	recent := c.acct.recent
	usable := func(p *phase) (time.Duration, string) {
		if p.usable.IsZero() {
			return 0, fmt.Sprintf("not within %v", c.cfg.Window)
		}
		return p.usable.Sub(p.start), secs(p.usable.Sub(p.start))
	}
	bu, bus := usable(br)
	su, sus := usable(base)
	cmpUsable := "-"
	if bu > 0 && su > 0 {
		cmpUsable = fmt.Sprintf("%.1f × baseline", bu.Seconds()/su.Seconds())
	}
	res.add(Figure{
		Metric: fmt.Sprintf("time to usable: confirm → the %d most recent chats have their portals with every member", recent),
		Bridge: bus, Baseline: sus + " (from its first request)", Compare: cmpUsable, Target: "≤ 15 s",
		Verdict: verdict(bu > 0 && bu <= 15*time.Second),
	})

	ratio := 0.0
	if base.rate() > 0 {
		ratio = br.rate() / base.rate()
	}
	rateOf := func(p *phase) string {
		return fmt.Sprintf("%.1f portals/min (%d of %d in %s)", p.rate(), len(p.order()), len(c.acct.chats), secs(p.took()))
	}
	res.add(Figure{
		Metric: "portal creation: portals with every member per minute", Bridge: rateOf(br), Baseline: rateOf(base),
		Compare: fmt.Sprintf("%.2f × baseline rate", ratio), Target: "≥ 0.9 × baseline rate", Verdict: verdict(ratio >= 0.9),
	})

	orderOf := func(p *phase) (string, bool) {
		first, inversions := c.recentFirst(p)
		return fmt.Sprintf("%d of the first %d are the recent chats, %d pairs of them out of recency order", first, recent, inversions), first == recent && inversions == 0
	}
	bo, bok := orderOf(br)
	so, _ := orderOf(base)
	res.add(Figure{
		Metric: "order of creation: most recent chats first", Bridge: bo, Baseline: so, Compare: "-",
		Target: "most recent chats first", Verdict: verdict(bok),
	})

	groupsOf := func(p *phase) int {
		n := 0
		for _, ci := range p.order() {
			if c.acct.chats[ci].group {
				n++
			}
		}
		return n
	}
	groupsDesc := func(p *phase) string {
		n := groupsOf(p)
		if p.all {
			return fmt.Sprintf("%d of %d, all after %s", n, c.acct.groups, secs(p.took()))
		}
		return fmt.Sprintf("%d of %d when the window of %v ended", n, c.acct.groups, c.cfg.Window)
	}
	everyVerdict := Info
	switch {
	case br.all:
		everyVerdict = Met
	case base.all:
		everyVerdict = Missed
	}
	res.add(Figure{
		Metric: "saved groups with a portal", Bridge: groupsDesc(br), Baseline: groupsDesc(base),
		Compare: fmt.Sprintf("%d vs %d", groupsOf(br), groupsOf(base)), Target: "every saved group eventually", Verdict: everyVerdict,
	})

	bw, sw := Summarize(br.latencies(false)), Summarize(base.latencies(false))
	res.add(Figure{
		Metric: "message in a chat with a portal during creation, injection → user's /sync, p50", Bridge: ms(bw.P50),
		Baseline: ms(sw.P50) + " (appservice send)", Compare: signedMS(bw.P50-sw.P50) + " overhead", Target: "-", Verdict: Info,
	})
	res.add(Figure{
		Metric: "message in a chat with a portal during creation, injection → user's /sync, p99", Bridge: ms(bw.P99),
		Baseline: ms(sw.P99) + " (appservice send)", Compare: signedMS(bw.P99-sw.P99) + " overhead", Target: "≤ 2 s",
		Verdict: verdict(bw.N > 0 && bw.P99 <= 2*time.Second),
	})
	for _, p := range []*phase{br, base} {
		if split, n := c.doorSplit(p); n > 0 {
			res.note(fmt.Sprintf("%s, messages in chats with a portal split at Dendrite's door (the front): %s (n=%d)", p.name, split, n))
		}
	}
	c.reportCold(res, br)

	memWhat := fmt.Sprintf("peak RSS from confirm until the window of %v ended", c.cfg.Window)
	if br.all {
		memWhat = "peak RSS from confirm until every portal exists"
	}
	res.add(Figure{
		Metric: memWhat, Bridge: mb(br.peak), Baseline: mb(idle.RSS) + " (the bridge before the login)",
		Compare: "+" + mb(br.peak-idle.RSS), Target: "≤ 80 MB (5,000 friends, 500 groups)",
		Verdict: verdict(br.peak <= 80_000_000),
	})

	res.raw("usable_s", bu.Seconds())
	res.raw("baseline_usable_s", su.Seconds())
	res.raw("rate_per_min", br.rate())
	res.raw("baseline_rate_per_min", base.rate())
	res.raw("portals", float64(len(br.order())))
	res.raw("baseline_portals", float64(len(base.order())))
	res.raw("warm_p99_ms", float64(bw.P99)/1e6)
	res.raw("baseline_warm_p99_ms", float64(sw.P99)/1e6)
	res.raw("peak_rss_bytes", float64(br.peak))

	res.note(fmt.Sprintf("a portal is done when the user's /sync showed the invitation and the front between the bridge and Dendrite (which both phases go through) saw Dendrite answer the join of its last member; portals are told apart by the room name in the invitation (a DM without one by its ghost's displayname); rates are portals done ÷ the phase's time (confirm, or the baseline's first request, to the last portal done or the end of the window); %d portals: every saved group and the recent DMs (the bridge's space and file helper are not counted)", len(c.acct.chats)))
	res.note("bridge, time to usable: " + br.verified + "; baseline: " + base.verified)
	for _, p := range []*phase{br, base} {
		if n := len(p.order()); n > 0 {
			per := func(d time.Duration) string { return ms(d / time.Duration(n)) }
			res.note(fmt.Sprintf("%s: %s; per portal: bridge %s, Dendrite %s, tool+simulator %s of CPU; Dendrite was answering a request of this phase %.0f%% of its wall time (the sum of the requests' times through the front ÷ wall; over 100%% when requests overlap)",
				p.name, p.cpu.total(), per(p.cpu.Bridge), per(p.cpu.Dendrite), per(p.cpu.Tool), 100*busyShare(p)))
		}
	}
	for _, p := range []*phase{br, base} {
		during, lost := 0, 0
		for _, s := range p.msgs {
			if s.sent.Before(p.end) {
				during++
			}
			if s.arrive.IsZero() {
				lost++
			}
		}
		if len(p.msgs) > 0 {
			res.note(fmt.Sprintf("%s: %d single messages, %d of them sent while portals were still being created; %d never reached the user's /sync within 2 minutes", p.name, len(p.msgs), during, lost))
		} else {
			res.note(fmt.Sprintf("%s: no single messages (the recent chats were not usable within the window)", p.name))
		}
	}
	res.table(requestTable(br.rows, base.rows, len(br.order()), len(base.order())))
	res.table(orderTable(c.acct, br, base))
	for _, p := range []*phase{br, base} {
		for _, t := range p.profiles {
			res.table(t)
		}
	}

	res.Plots = append(res.Plots, Plot{
		File: "creation-portals.png", Title: "Portals with every member over time", XLabel: "minutes since confirm (baseline: since its first request)",
		YLabel: "portals", Series: []Series{named(br.curve, "wxbridge"), named(base.curve, "baseline (appservice client)")},
	})
	lat := Plot{
		File: "creation-latency.png", Title: "Single messages during portal creation: injection -> user's /sync", XLabel: "ms",
		YLabel: "% of messages at or below", Series: []Series{cdf("wxbridge, chats with a portal", br.latencies(false)), cdf("baseline, chats with a portal", base.latencies(false))},
	}
	if cold := br.latencies(true); len(cold) > 0 {
		lat.Series = append(lat.Series, cdf("wxbridge, chats without a portal", cold))
	}
	res.Plots = append(res.Plots, lat, Plot{
		File: "creation-rss.png", Title: "wxbridge RSS while it creates portals", XLabel: "minutes since confirm",
		YLabel: "MB", Series: []Series{named(br.rss, "VmRSS")},
	})
}

func named(s Series, name string) Series {
	s.Name = name
	return s
}

// busyShare is the time Dendrite spent answering the phase's requests over
// the phase's wall time.
func busyShare(p *phase) float64 {
	var busy time.Duration
	for _, r := range p.rows {
		busy += r.Busy
	}
	if p.cpu.Wall <= 0 {
		return 0
	}
	return float64(busy) / float64(p.cpu.Wall)
}

// recentFirst counts the recent chats among the first done portals, and
// the pairs of recent chats done in the opposite order of their recency.
func (c *creation) recentFirst(p *phase) (first, inversions int) {
	order := p.order()
	var ranks []int
	for i, ci := range order {
		r := c.acct.chats[ci].rank
		if r < 0 {
			continue
		}
		if i < c.acct.recent {
			first++
		}
		ranks = append(ranks, r)
	}
	for i := range ranks {
		for j := i + 1; j < len(ranks); j++ {
			if ranks[i] > ranks[j] {
				inversions++
			}
		}
	}
	return first, inversions
}

// reportCold adds the figure of the messages into groups without a portal:
// how long the portal and the message took, and whether the portal jumped
// the background queue (at most two others were done meanwhile, the ones
// in flight, while others still waited).
func (c *creation) reportCold(res *Result, br *phase) {
	var took []time.Duration
	ahead, measured := 0, 0
	minWaiting, maxBetween := -1, 0
	for _, s := range br.msgs {
		if !s.cold {
			continue
		}
		done := br.prog[s.chat].done
		if s.arrive.IsZero() || done.IsZero() {
			continue
		}
		measured++
		took = append(took, s.arrive.Sub(s.sent))
		between, waiting := 0, 0
		for ci := range c.acct.chats {
			if ci == s.chat || !c.acct.chats[ci].group {
				continue
			}
			d := br.prog[ci].done
			switch {
			case d.IsZero() || d.After(done):
				waiting++
			case d.After(s.sent):
				between++
			}
		}
		maxBetween = max(maxBetween, between)
		if minWaiting < 0 || waiting < minWaiting {
			minWaiting = waiting
		}
		if between <= 2 && waiting > 0 {
			ahead++
		}
	}
	if measured == 0 {
		res.add(Figure{
			Metric: "message in a chat without a portal: its portal and the message", Bridge: "none measured",
			Baseline: "-", Compare: "-", Target: "ahead of the background queue", Verdict: Info,
		})
		res.note("no message went to a group without a portal: every group had one (or was being built) when the messages were sent")
		return
	}
	d := Summarize(took)
	secsPerPortal := 0.0
	if r := br.rate(); r > 0 {
		secsPerPortal = 60 / r
	}
	res.add(Figure{
		Metric:   "message in a chat without a portal: its portal and the message, injection → user's /sync",
		Bridge:   fmt.Sprintf("p50 %s, max %s (n=%d)", secs(d.P50), secs(d.Max), d.N),
		Baseline: fmt.Sprintf("the queue: at least %s still waiting, ≈ %s at the bridge's rate", plural(max(minWaiting, 0), "portal"), secs(time.Duration(float64(max(minWaiting, 0))*secsPerPortal*float64(time.Second)))),
		Compare:  fmt.Sprintf("%d of %d ahead of the queue (at most %d others done meanwhile)", ahead, measured, maxBetween),
		Target:   "ahead of the background queue",
		Verdict:  verdict(ahead == measured),
	})
	res.raw("cold_p50_ms", float64(d.P50)/1e6)
}

// orderTable lists the first portals of each phase in the order they were
// done: the chat, its recency rank, and when.
func orderTable(a *creationAccount, br, base *phase) Table {
	t := Table{Title: "the first portals done, in order", Header: []string{"#", "wxbridge: chat (recency rank)", "done after", "baseline: chat (recency rank)", "done after"}}
	bo, so := br.order(), base.order()
	cell := func(p *phase, order []int, i int) (string, string) {
		if i >= len(order) {
			return "-", "-"
		}
		ch := a.chats[order[i]]
		rank := "not recent"
		if ch.rank >= 0 {
			rank = strconv.Itoa(ch.rank + 1)
		}
		return fmt.Sprintf("%s (%s)", ch.id, rank), secs(p.prog[order[i]].done.Sub(p.start))
	}
	for i := range min(max(len(bo), len(so)), a.recent+5) {
		b1, b2 := cell(br, bo, i)
		s1, s2 := cell(base, so, i)
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), b1, b2, s1, s2})
	}
	return t
}

// creationScales runs the bridge alone at the smaller sizes of cfg.Scales,
// each on a fresh stack, and reads its peak RSS from the confirmation until
// every portal exists (the bridge logs "Synced chats") or the window ends.
func creationScales(ctx context.Context, opts Options, cfg CreationConfig) (Table, error) {
	t := Table{
		Title:  "the bridge's memory through portal creation at other sizes (bridge alone, fresh stack each)",
		Header: []string{"friends", "groups of members", "rooms created", "time", "peak RSS", "every portal"},
	}
	for _, g := range slices.Sorted(slices.Values(cfg.Scales)) {
		if ctx.Err() != nil {
			return t, ctx.Err()
		}
		sc := cfg
		sc.Groups = g
		sc.Friends = max(cfg.Friends*g/max(cfg.Groups, 1), cfg.GroupSize, cfg.Recent)
		opts.progress("portal creation: memory with %d friends and %d groups", sc.Friends, g)
		row, err := creationMemory(ctx, opts, sc)
		if err != nil {
			return t, fmt.Errorf("%d groups: %w", g, err)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func creationMemory(ctx context.Context, opts Options, cfg CreationConfig) (_ []string, err error) {
	seed, acct := creationSeed(1_500_000_100+int64(cfg.Groups), cfg)
	opts.Front = false
	env, err := startEnv(ctx, opts, []wechattest.Config{{Seed: seed}}, []string{"creator"}, nil)
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	sampler := env.sampleMem(100 * time.Millisecond)
	lt, err := env.Login(ctx, env.Stack.UserID("creator"), env.Stack.Sim)
	if err != nil {
		sampler.Stop()
		return nil, err
	}
	synced := waitLog(ctx, env.Stack.Bridge.LogPath, "Synced chats", 1, cfg.Window)
	took := time.Since(lt.Confirmed)
	peak := sampler.Stop()
	if m, err := env.BridgeMem(); err == nil {
		peak = max(peak, m.HWM)
	}
	rooms := countLog(env.Stack.Bridge.LogPath, "Matrix room created")
	every := fmt.Sprintf("no (window %v)", cfg.Window)
	if synced {
		every = "yes"
	}
	return []string{strconv.Itoa(cfg.Friends), fmt.Sprintf("%d of %d", cfg.Groups, cfg.GroupSize), fmt.Sprintf("%d (%d portals)", rooms, len(acct.chats)), secs(took), mb(peak), every}, nil
}

// doorSplit divides the phase's messages into chats with a portal where
// their PUT reached the front and where its answer came back: the bridge's
// (or the baseline client's) part, Dendrite's PUT, and Dendrite's way to the
// user's /sync.
func (c *creation) doorSplit(p *phase) (string, int) {
	var d doorSplit
	for _, s := range p.msgs {
		if s.cold || s.arrive.IsZero() {
			continue
		}
		if span, ok := c.env.Sends.Get(s.body); ok {
			d.add(s.sent, span, s.arrive)
		}
	}
	if len(d.put) == 0 {
		return "", 0
	}
	var pickup []time.Duration
	if p.name == "bridge" {
		for _, s := range p.msgs {
			if !s.cold {
				if at, err := FirstRequest(context.Background(), c.sim, "webwxsync", s.sent, time.Millisecond); err == nil {
					pickup = append(pickup, at.Sub(s.sent))
				}
			}
		}
	}
	part := func(name string, ds []time.Duration) string {
		x := Summarize(ds)
		return fmt.Sprintf("%s p50 %s, p99 %s", name, ms(x.P50), ms(x.P99))
	}
	out := part("start → PUT", d.toPut) + "; " + part("PUT", d.put) + "; " + part("PUT answered → /sync", d.afterPut)
	if len(pickup) > 0 {
		out += "; of the first part, " + part("injection → the bridge's webwxsync", pickup)
	}
	return out, len(d.put)
}
