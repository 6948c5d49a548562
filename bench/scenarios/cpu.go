package scenarios

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CPUUse is the CPU time the processes of a stack used during a phase.
type CPUUse struct {
	Bridge, Dendrite, Tool time.Duration
	Wall                   time.Duration
}

// cpuMeter measures CPUUse from its start.
type cpuMeter struct {
	env                    *Env
	bridge, dendrite, tool time.Duration
	began                  time.Time
}

func (e *Env) startCPU() *cpuMeter {
	m := &cpuMeter{env: e, began: time.Now()}
	m.bridge, _ = ReadCPU(e.Stack.Bridge.PID())
	m.dendrite, _ = ReadCPU(e.Stack.HS.PID())
	m.tool, _ = ReadCPU(os.Getpid())
	return m
}

func (m *cpuMeter) stop() CPUUse {
	b, _ := ReadCPU(m.env.Stack.Bridge.PID())
	d, _ := ReadCPU(m.env.Stack.HS.PID())
	t, _ := ReadCPU(os.Getpid())
	return CPUUse{Bridge: b - m.bridge, Dendrite: d - m.dendrite, Tool: t - m.tool, Wall: time.Since(m.began)}
}

// total describes the use of a whole phase.
func (c CPUUse) total() string {
	return fmt.Sprintf("CPU: bridge %s, Dendrite %s, tool+simulator %s (wall %s)",
		secs(c.Bridge), secs(c.Dendrite), secs(c.Tool), secs(c.Wall))
}

// perMessage describes the use per message for n messages.
func (c CPUUse) perMessage(n int) string {
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)/float64(n))
	}
	return fmt.Sprintf("CPU per message: bridge %s, Dendrite %s, tool+simulator %s (wall %s)",
		per(c.Bridge), per(c.Dendrite), per(c.Tool), secs(c.Wall))
}

// cpuProfile saves a CPU profile of the bridge over d to dir/name.pprof,
// and one of Dendrite to dir/dendrite-name.pprof when its pprof listens, in
// the background; wait returns when they are written.
func (e *Env) cpuProfile(ctx context.Context, d time.Duration, dir, name string) (wait func() error) {
	bridge := e.fetchProfile(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", e.Stack.Bridge.URL, int(d.Seconds())),
		"Bearer "+e.Prov.secret, filepath.Join(dir, name+".pprof"))
	dendrite := func() error { return nil }
	if e.dendritePprof != "" {
		dendrite = e.fetchProfile(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", e.dendritePprof, int(d.Seconds())),
			"", filepath.Join(dir, "dendrite-"+name+".pprof"))
	}
	return func() error { return errors.Join(bridge(), dendrite()) }
}

func (e *Env) fetchProfile(ctx context.Context, u, auth, path string) (wait func() error) {
	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
				return fmt.Errorf("profile: %s: %s", resp.Status, msg)
			}
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			if _, err = io.Copy(f, resp.Body); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}()
	}()
	return func() error { return <-errc }
}

// heapProfile saves the bridge's heap profile to dir/name.pprof.
func (e *Env) heapProfile(ctx context.Context, dir, name string) error {
	return e.fetchProfile(ctx, e.Stack.Bridge.URL+"/debug/pprof/heap", "Bearer "+e.Prov.secret, filepath.Join(dir, name+".pprof"))()
}

// settle waits until the bridge and Dendrite are idle (together under a
// tenth of a CPU over a second), so that a latency scenario does not start
// while Dendrite is still digesting the previous one. It gives up after
// limit and says how long it waited and whether they went idle.
func (e *Env) settle(ctx context.Context, limit time.Duration) (time.Duration, bool) {
	began := time.Now()
	for time.Since(began) < limit {
		m := e.startCPU()
		select {
		case <-ctx.Done():
			return time.Since(began), false
		case <-time.After(time.Second):
		}
		use := m.stop()
		if float64(use.Bridge+use.Dendrite) < 0.1*float64(use.Wall) {
			return time.Since(began), true
		}
	}
	return time.Since(began), false
}

// settleNote waits for the stack to go idle and describes the wait.
func (e *Env) settleNote(ctx context.Context) string {
	waited, idle := e.settle(ctx, time.Minute)
	if !idle {
		return fmt.Sprintf("the bridge and Dendrite were still busy after waiting %s for them to go idle; the scenario ran anyway", secs(waited))
	}
	return fmt.Sprintf("started once the bridge and Dendrite were idle (under 10%% of a CPU for a second; waited %s)", secs(waited))
}

// goMem reads the bridge's runtime memory statistics (the "# Name = value"
// lines of /debug/pprof/heap?debug=1) and describes where its RSS is: the
// Go heap in use, heap kept but unused, goroutine stacks, and the rest
// (the binary, C allocations such as SQLite's page caches).
func (e *Env) goMem(ctx context.Context, rss int64) (string, error) {
	stats, err := e.heapStats(ctx)
	if err != nil {
		return "", err
	}
	inuse, idle, released, stacks := stats["HeapInuse"], stats["HeapIdle"], stats["HeapReleased"], stats["Stack"]
	return fmt.Sprintf("Go heap in use %s (live objects %s), heap kept unused %s, stacks %s; RSS %s, of which not Go heap or stacks about %s",
		mb(inuse), mb(stats["HeapAlloc"]), mb(idle-released), mb(stacks), mb(rss), mb(rss-inuse-(idle-released)-stacks)), nil
}

// heapStats reads the bridge's runtime memory statistics: the "# Name =
// value" lines of /debug/pprof/heap?debug=1 (Stack is the in-use half of
// "inuse / sys").
func (e *Env) heapStats(ctx context.Context) (map[string]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Stack.Bridge.URL+"/debug/pprof/heap?debug=1", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+e.Prov.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("heap stats: %s", resp.Status)
	}
	stats := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "# "), " = ")
		if !ok {
			continue
		}
		val, _, _ = strings.Cut(val, " / ")
		if n, err := strconv.ParseInt(val, 10, 64); err == nil {
			stats[name] = n
		}
	}
	return stats, sc.Err()
}

// goHeld is the memory the Go runtime holds from the OS by its statistics:
// all it mapped (heap, stacks, its own metadata: GC bitmaps, spans,
// profiling buckets) less the heap pages it gave back.
func goHeld(stats map[string]int64) int64 {
	return stats["Sys"] - stats["HeapReleased"]
}
