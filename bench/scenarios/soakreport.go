package scenarios

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// countFDs is how many file descriptors a process has open.
func countFDs(pid int) (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, err
	}
	return len(entries), nil
}

// goroutines reads the bridge's goroutine count from the first line of its
// /debug/pprof/goroutine?debug=1 ("goroutine profile: total N").
func (e *Env) goroutines(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Stack.Bridge.URL+"/debug/pprof/goroutine?debug=1", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+e.Prov.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("goroutine profile: %s", resp.Status)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		return 0, err
	}
	_, n, ok := strings.Cut(strings.TrimSpace(line), "total ")
	if !ok {
		return 0, fmt.Errorf("goroutine profile: unexpected first line %q", line)
	}
	return strconv.Atoi(n)
}

// Trend is a least-squares line through a resource's samples over a
// window, and how far the samples scatter around it.
type Trend struct {
	// Slope is per minute; Growth is Slope × the window's length.
	Slope, Growth float64
	// Noise is twice the standard deviation of the residuals, or Floor when
	// that is larger (the resolution of a count: one goroutine, one fd).
	Noise float64
	// Start is the fitted value at the start of the window.
	Start float64
	N     int
	// Minutes is the window's length.
	Minutes float64
}

// Flat says whether the growth the slope predicts over the window stays
// within the noise.
func (t Trend) Flat() bool { return t.N >= 3 && math.Abs(t.Growth) <= t.Noise }

// fitTrend fits y = a + b·x (x in minutes) by least squares.
func fitTrend(xs, ys []float64, floor float64) Trend {
	n := len(xs)
	t := Trend{N: n}
	if n < 2 {
		return t
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx > 0 {
		t.Slope = sxy / sxx
	}
	a := my - t.Slope*mx
	var ss float64
	for i := range xs {
		r := ys[i] - (a + t.Slope*xs[i])
		ss += r * r
	}
	sd := math.Sqrt(ss / float64(max(n-2, 1)))
	t.Minutes = xs[n-1] - xs[0]
	t.Growth = t.Slope * t.Minutes
	t.Noise = max(2*sd, floor)
	t.Start = a + t.Slope*xs[0]
	return t
}

// received counts what the simulator received of the outbound messages,
// by key: a text's content, an attachment's file name (its upload's, or
// the app message's title).
func (s *soak) received() map[string]int {
	names := map[string]string{}
	for _, u := range s.sim.Uploads() {
		if u.MediaID != "" {
			names[u.MediaID] = u.Name
		}
	}
	got := map[string]int{}
	for _, m := range s.sim.Sent() {
		switch {
		case m.Msg.MediaId != "" && names[m.Msg.MediaId] != "":
			got[names[m.Msg.MediaId]]++
		case strings.Contains(m.Msg.Content, "soak-out-"):
			i := strings.Index(m.Msg.Content, "soak-out-")
			got[m.Msg.Content[i:min(i+len("soak-out-00000.txt"), len(m.Msg.Content))]]++
		default:
			got[m.Msg.Content]++
		}
	}
	return got
}

// timeline is what the user's rooms hold of the inbound messages: copies
// of each text and file by key, and of images and voice by room.
type timeline struct {
	byKey  map[string]int
	byKind map[id.RoomID]map[soakKind]int
}

// complete says whether every inbound message is in the timelines at
// least once: each text and file by key, images and voice by their count
// per room.
func (t timeline) complete(in []soakMsg, want map[id.RoomID]map[soakKind]int) bool {
	for _, m := range in {
		if m.key != "" && t.byKey[m.key] == 0 {
			return false
		}
	}
	for room, kinds := range want {
		for _, k := range []soakKind{soakImage, soakVoice} {
			if t.byKind[room][k] < kinds[k] {
				return false
			}
		}
	}
	return true
}

// readTimelines reads every portal room's timeline (stack.RoomEvents:
// forward from the room's start, each event once, since Dendrite's
// backward pagination leaves out events in forked rooms) and counts the
// messages the bridge's ghosts sent there. A message the bridge sent
// twice is two events, so it counts twice.
func (s *soak) readTimelines(ctx context.Context, rooms []id.RoomID) (timeline, error) {
	tl := timeline{byKey: map[string]int{}, byKind: map[id.RoomID]map[soakKind]int{}}
	for _, room := range rooms {
		tl.byKind[room] = map[soakKind]int{}
		events, err := stack.RoomEvents(ctx, s.m.w.Client, room)
		if err != nil {
			return tl, err
		}
		for _, evt := range events {
			if evt.Type != event.EventMessage || !s.env.Stack.Bridge.IsGhost(evt.Sender) {
				continue
			}
			body, _ := evt.Content.Raw["body"].(string)
			switch msgtype, _ := evt.Content.Raw["msgtype"].(string); event.MessageType(msgtype) {
			case event.MsgImage:
				tl.byKind[room][soakImage]++
			case event.MsgAudio:
				tl.byKind[room][soakVoice]++
			default:
				tl.byKey[body]++
			}
		}
	}
	return tl, nil
}

// report waits for the last messages, counts both directions, fits the
// resources over the window and writes the figures, notes and plots.
func (s *soak) report(ctx context.Context, res *Result) {
	s.drain(ctx, 2*time.Minute)
	s.mu.Lock()
	in, out, samples := s.in, s.out, s.samples
	s.mu.Unlock()

	// Inbound: every text and file once by key; images and voice once per
	// message sent into each room.
	var rooms []id.RoomID
	want := map[id.RoomID]map[soakKind]int{}
	kinds := map[soakKind]int{}
	for _, m := range in {
		kinds[m.kind]++
		if want[m.room] == nil {
			want[m.room] = map[soakKind]int{}
			rooms = append(rooms, m.room)
		}
		want[m.room][m.kind]++
	}
	var inLost, inDup []string
	// drain waited for the texts only: an attachment still being
	// uploaded is read again, for up to a minute, before it counts as lost.
	tl, err := s.readTimelines(ctx, rooms)
	for settle := time.Now().Add(time.Minute); err == nil && !tl.complete(in, want) && time.Now().Before(settle) && ctx.Err() == nil; {
		sleep(ctx, time.Second)
		tl, err = s.readTimelines(ctx, rooms)
	}
	if err != nil {
		res.note("reading the timelines failed: " + err.Error())
	}
	for _, m := range in {
		if m.key == "" {
			continue
		}
		switch n := tl.byKey[m.key]; {
		case n == 0:
			inLost = append(inLost, m.key)
		case n > 1:
			inDup = append(inDup, fmt.Sprintf("%s ×%d", m.key, n))
		}
	}
	for _, room := range rooms {
		for _, k := range []soakKind{soakImage, soakVoice} {
			w, g := want[room][k], tl.byKind[room][k]
			for range w - g {
				inLost = append(inLost, fmt.Sprintf("a %s in %s", k, room))
			}
			for range g - w {
				inDup = append(inDup, fmt.Sprintf("a %s in %s", k, room))
			}
		}
	}
	got := s.received()
	var outLost, outDup []string
	outKinds := map[soakKind]int{}
	for _, m := range out {
		outKinds[m.kind]++
		switch n := got[m.key]; {
		case n == 0:
			outLost = append(outLost, m.key)
		case n > 1:
			outDup = append(outDup, fmt.Sprintf("%s ×%d", m.key, n))
		}
	}
	once := func(total int, lost, dup []string) string {
		return fmt.Sprintf("%d of %d exactly once; %d lost, %d duplicated", total-len(lost)-len(dup), total, len(lost), len(dup))
	}
	res.add(Figure{
		Metric: "WeChat → Matrix over the soak: each message in the user's timeline", Bridge: once(len(in), inLost, inDup),
		Baseline: fmt.Sprintf("%d injected (%d texts, %d images, %d files, %d voice)", len(in), kinds[soakText], kinds[soakImage], kinds[soakFile], kinds[soakVoice]),
		Compare:  "-", Target: "every message exactly once", Verdict: verdict(len(in) > 0 && len(inLost)+len(inDup) == 0),
	})
	res.add(Figure{
		Metric: "Matrix → WeChat over the soak: each message at the simulator", Bridge: once(len(out), outLost, outDup),
		Baseline: fmt.Sprintf("%d sent by the user (%d texts, %d images, %d files)", len(out), outKinds[soakText], outKinds[soakImage], outKinds[soakFile]),
		Compare:  "-", Target: "every message exactly once", Verdict: verdict(len(out) > 0 && len(outLost)+len(outDup) == 0),
	})
	for _, l := range []struct {
		what      string
		lost, dup []string
	}{{"WeChat → Matrix", inLost, inDup}, {"Matrix → WeChat", outLost, outDup}} {
		if len(l.lost)+len(l.dup) > 0 {
			note := fmt.Sprintf("%s: lost %s; duplicated %s", l.what, firstOf(l.lost, 10), firstOf(l.dup, 10))
			res.note(note)
			s.opts.progress("soak: %s", note)
		}
	}

	// Inbound texts' latency, for a sense of the traffic's cost.
	var lat []time.Duration
	for _, m := range in {
		if m.kind != soakText {
			continue
		}
		if a, ok := s.m.w.Seen(m.key); ok {
			lat = append(lat, a.At.Sub(m.sent))
		}
	}
	d := Summarize(lat)
	res.add(Figure{
		Metric: "WeChat → Matrix text over the soak, injection → user's /sync, p50 / p99", Bridge: ms(d.P50) + " / " + ms(d.P99),
		Baseline: "-", Compare: "-", Target: "-", Verdict: Info,
	})

	s.reportTrends(res, samples)
	res.raw("in_messages", float64(len(in)))
	res.raw("in_lost", float64(len(inLost)))
	res.raw("in_duplicated", float64(len(inDup)))
	res.raw("out_messages", float64(len(out)))
	res.raw("out_lost", float64(len(outLost)))
	res.raw("out_duplicated", float64(len(outDup)))
	res.raw("samples", float64(len(samples)))
	res.note(fmt.Sprintf("restart at %s (the bridge was ready again %s later); WeChat ended the session at %s and the user was logged in again %s later (push-login requests the simulator saw: %d); traffic went on through the restart (inbound queued at the simulator, outbound held by Dendrite's retries) and was paused around the re-login, after what was sent had arrived",
		secs(s.restartAt), secs(s.restartTook), secs(s.reloginAt), secs(s.reloginTook), len(s.sim.Requests("webwxpushloginurl"))))
	res.note(fmt.Sprintf("exactly once: after the traffic stopped the tool waited up to 2 minutes for the last messages, then read every portal's whole timeline with /messages (the ghosts' m.room.message events; texts and files by body, images and voice counted per room against those injected there) and the simulator's received sends (texts by content, attachments by their upload's file name); %d samples of the bridge, %d readings skipped (the process was down or restarting)", len(samples), s.sampleErrs))
}

// reportTrends fits RSS, goroutines and open fds over the window (the last
// 40 minutes, or two thirds of a shorter run) and plots them.
func (s *soak) reportTrends(res *Result, samples []soakSample) {
	from := soakWindowStart(s.cfg.Duration)
	for _, end := range []time.Duration{s.restartAt + s.restartTook, s.reloginAt + s.reloginTook} {
		if from < end {
			from = end // the window holds one process in one session
		}
	}
	// The rows after the first three split RSS (threads: each keeps a C
	// stack), to tell a Go leak from C memory (SQLite's page caches fill
	// as the database grows, up to their bound); they have no target of
	// their own.
	resources := []struct {
		name, unit string
		floor      float64
		value      func(soakSample) float64
		split      bool
	}{
		{"RSS", "MB", 0, func(p soakSample) float64 { return float64(p.rss) / 1e6 }, false},
		{"goroutines", "", 1, func(p soakSample) float64 { return float64(p.goroutines) }, false},
		{"open file descriptors", "", 1, func(p soakSample) float64 { return float64(p.fds) }, false},
		{"Go heap in use", "MB", 0, func(p soakSample) float64 { return float64(p.goHeap) / 1e6 }, true},
		{"Go runtime besides the heap in use (heap kept, stacks, GC and profiling metadata)", "MB", 0, func(p soakSample) float64 { return float64(p.goHeld-p.goHeap) / 1e6 }, true},
		{"anonymous RSS outside the Go runtime (C allocations: SQLite)", "MB", 0, func(p soakSample) float64 { return float64(p.anon-p.goHeld) / 1e6 }, true},
		{"file-backed RSS (the binary's pages, SQLite's -shm)", "MB", 0, func(p soakSample) float64 { return float64(p.file) / 1e6 }, true},
		{"OS threads", "", 1, func(p soakSample) float64 { return float64(p.threads) }, true},
	}
	// The bridge's own account of its C memory splits the C allocations
	// further: what SQLite holds, what malloc has handed out, and the
	// rest (memory freed and kept resident by malloc, thread stacks, and
	// pages the Go runtime counts as unused but has touched).
	if reportsCMem(samples) {
		resources = append(resources, []struct {
			name, unit string
			floor      float64
			value      func(soakSample) float64
			split      bool
		}{
			{"SQLite's allocations (sqlite3_memory_used)", "MB", 0, func(p soakSample) float64 { return float64(p.c.sqlite) / 1e6 }, true},
			{"C heap in use (malloc: SQLite, the cgo runtime)", "MB", 0, func(p soakSample) float64 { return float64(p.c.heapInUse) / 1e6 }, true},
			{"anonymous RSS outside the Go runtime and malloc's in use (malloc's free pages, C thread stacks)", "MB", 0, func(p soakSample) float64 { return float64(p.anon-p.goHeld-p.c.heapInUse) / 1e6 }, true},
		}...)
	}
	var levels []string
	all := make([]Series, len(resources))
	fits := make([]Series, len(resources))
	for i, r := range resources {
		all[i] = Series{Name: r.name}
		var xs, ys []float64
		for _, p := range samples {
			x, y := p.at.Minutes(), r.value(p)
			all[i].X = append(all[i].X, x)
			all[i].Y = append(all[i].Y, y)
			if p.at >= from {
				xs = append(xs, x)
				ys = append(ys, y)
			}
		}
		t := fitTrend(xs, ys, r.floor)
		var first []float64
		for _, p := range samples {
			if p.at < s.restartAt {
				first = append(first, r.value(p))
			}
		}
		levels = append(levels, fmt.Sprintf("%s %.1f → %.1f", r.name, mean(first), mean(ys)))
		unit := func(v float64) string { return strings.TrimSpace(fmt.Sprintf("%.3g %s", v, r.unit)) }
		f := Figure{
			Metric:   fmt.Sprintf("%s over the last %.1f minutes (after the restart and the re-login)", r.name, t.Minutes),
			Bridge:   fmt.Sprintf("slope %s/min → %s over the window; noise ±%s (n=%d)", unit(t.Slope), unit(t.Growth), unit(t.Noise), t.N),
			Baseline: fmt.Sprintf("%.1f %s", t.Start, r.unit) + " at the window's start (fit)", Compare: fmt.Sprintf("growth %.1f × noise", math.Abs(t.Growth)/max(t.Noise, 1e-9)),
			Target: "flat: growth within noise", Verdict: verdict(t.Flat()),
		}
		if r.split {
			f.Target, f.Verdict = fmt.Sprintf("(no target; %s)", flatWord(t.Flat())), Info
		}
		res.add(f)
		key := strings.ReplaceAll(r.name, " ", "_")
		res.raw(key+"_slope_per_min", t.Slope)
		res.raw(key+"_growth", t.Growth)
		res.raw(key+"_noise", t.Noise)
		if len(xs) >= 2 {
			a := t.Start - t.Slope*xs[0]
			fits[i] = Series{Name: fmt.Sprintf("%s fit (window)", r.name), X: []float64{xs[0], xs[len(xs)-1]}, Y: []float64{a + t.Slope*xs[0], a + t.Slope*xs[len(xs)-1]}}
		}
	}
	res.note(fmt.Sprintf("trends: least squares over the samples from %s (the last 40 minutes, or the last two thirds of a shorter run, or from the end of the re-login if later: the window holds one process in one session) to the end; noise is twice the standard deviation of the residuals (at least 1 for counts); flat = |slope × window| ≤ noise", secs(from)))
	res.note("what the restart and the re-login left behind, as mean levels of the first session before the restart → the window (a new process, a new session): " + strings.Join(levels, ", ") + " (RSS in MB)")

	marks := func(top float64) []Series {
		top = max(top, 1)
		return []Series{
			{Name: "restart", X: []float64{s.restartAt.Minutes(), s.restartAt.Minutes()}, Y: []float64{0, top}},
			{Name: "re-login", X: []float64{s.reloginAt.Minutes(), s.reloginAt.Minutes()}, Y: []float64{0, top}},
		}
	}
	top := func(ss ...Series) float64 {
		m := 0.0
		for _, s := range ss {
			for _, y := range s.Y {
				m = max(m, y)
			}
		}
		return m
	}
	rss := []Series{named(all[0], "VmRSS"), all[3], all[5]}
	if len(all) > 9 {
		rss = append(rss, all[9])
	}
	if fits[0].X != nil {
		rss = append(rss, fits[0])
	}
	res.Plots = append(res.Plots, Plot{
		File: "soak-rss.png", Title: "wxbridge RSS over the soak", XLabel: "minutes", YLabel: "MB",
		Series: append(rss, marks(top(all[0]))...),
	})
	res.Plots = append(res.Plots, Plot{
		File: "soak-goroutines.png", Title: "wxbridge goroutines, open fds and OS threads over the soak", XLabel: "minutes", YLabel: "count",
		Series: append([]Series{all[1], all[2], all[7]}, marks(top(all[1], all[2], all[7]))...),
	})
}

// reportsCMem says whether every sample has the bridge's C memory figures.
func reportsCMem(samples []soakSample) bool {
	for _, p := range samples {
		if p.c.sqlite < 0 || p.c.heapInUse < 0 {
			return false
		}
	}
	return len(samples) > 0
}

// flatWord says whether a series without a target was flat, in the report's words.
func flatWord(flat bool) string {
	if flat {
		return "flat"
	}
	return "growing"
}

// mean is the average of vs, 0 for none.
func mean(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	sum := 0.0
	for _, v := range vs {
		sum += v
	}
	return sum / float64(len(vs))
}

// firstOf lists up to n items, and how many more there are.
func firstOf(items []string, n int) string {
	if len(items) == 0 {
		return "none"
	}
	out := strings.Join(items[:min(n, len(items))], ", ")
	if len(items) > n {
		out += fmt.Sprintf(" and %d more", len(items)-n)
	}
	return out
}
