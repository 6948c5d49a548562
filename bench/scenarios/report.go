package scenarios

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Report is the outcome of a Plan: the results and the machine they were
// measured on.
type Report struct {
	Sizes   string
	Started time.Time
	Took    time.Duration
	Machine Machine
	Results []*Result
	Errors  []string
	// Runs are the invocations the results come from (Result.Run): one
	// for a report of this run, several for one merged with saved results.
	Runs []Run
}

// Machine describes where the figures were taken.
type Machine struct {
	CPU      string
	Cores    int
	MemTotal string
	Kernel   string
	Go       string
	Mautrix  string
	Commit   string
	Dendrite string
}

func newReport(sizes string) *Report {
	return &Report{Sizes: sizes, Started: time.Now(), Machine: describeMachine()}
}

func (r *Report) add(res *Result) {
	if res != nil {
		r.Results = append(r.Results, res)
	}
}

func (r *Report) finish() {
	r.Took = time.Since(r.Started)
	r.Runs = []Run{{Started: r.Started, Took: r.Took, Sizes: r.Sizes, Machine: r.Machine}}
}

func describeMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Dendrite: "v0.13.8 (tools/dendrite)"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == "MemTotal" {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
				m.MemTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
		f.Close()
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(data))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "maunium.net/go/mautrix" {
				m.Mautrix = dep.Version
			}
		}
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=12").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	return m
}

// Table is the figures as a plain-text table for the terminal, followed by
// the scenarios' own tables.
func (r *Report) Table() string {
	rows := [][]string{{"scenario", "metric", "wxbridge", "baseline", "vs baseline", "target", "verdict"}}
	for _, res := range r.Results {
		for i, f := range res.Figures {
			name := ""
			if i == 0 {
				name = res.Scenario
			}
			rows = append(rows, []string{name, f.Metric, f.Bridge, f.Baseline, f.Compare, f.Target, string(f.Verdict)})
		}
	}
	var b strings.Builder
	b.WriteString(aligned(rows))
	for _, res := range r.Results {
		for _, t := range res.Tables {
			fmt.Fprintf(&b, "\n%s: %s\n", res.Scenario, t.Title)
			b.WriteString(aligned(append([][]string{t.Header}, t.Rows...)))
		}
	}
	for _, res := range r.Results {
		for _, p := range res.Plots {
			fmt.Fprintf(&b, "%s: plot %s/%s: %s\n", res.Scenario, PlotDir, p.File, p.Title)
		}
	}
	for _, e := range r.Errors {
		b.WriteString("error: " + e + "\n")
	}
	return b.String()
}

// aligned lays rows out in columns, the first row underlined as a header.
func aligned(rows [][]string) string {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for ri, row := range rows {
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
			}
		}
		b.WriteString("\n")
		if ri == 0 {
			for i, w := range widths {
				b.WriteString(strings.Repeat("-", w))
				if i < len(widths)-1 {
					b.WriteString("  ")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// markdownTable writes a table in Markdown, its title in bold above it.
func markdownTable(b *strings.Builder, t Table) {
	fmt.Fprintf(b, "\n**%s**\n\n| %s |\n|%s\n", t.Title, strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
	for _, row := range t.Rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
}

// TablesMarkdown is the scenarios' own tables in Markdown, each under its
// scenario with what it ran and its notes, and the machine: what a partial
// run (-run startup -tables FILE) writes instead of docs/performance.md.
func (r *Report) TablesMarkdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Written by `go run -tags goolm ./bench` on %s: %s, %d cores, %s RAM, %s; wxbridge %s.\n",
		r.Started.Format("2006-01-02 15:04 MST"), r.Machine.CPU, r.Machine.Cores, r.Machine.MemTotal, r.Machine.Kernel, r.Machine.Commit)
	for _, res := range r.Results {
		if len(res.Tables) == 0 && len(res.Plots) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s. Took %s; load average (1 min) %.2f before, %.2f after.\n",
			res.Scenario, res.Params, res.Took.Round(100*time.Millisecond), res.LoadBefore, res.LoadAfter)
		for _, t := range res.Tables {
			markdownTable(&b, t)
		}
		for _, p := range res.Plots {
			fmt.Fprintf(&b, "\n![%s](%s/%s)\n", p.Title, PlotDir, p.File)
		}
		b.WriteString("\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "\n**Error:** %s\n", e)
	}
	return b.String()
}

// Markdown is the report as docs/performance.md.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# wxbridge performance\n\n")
	w("Written by `go run -tags goolm ./bench` (`make bench-e2e`); do not edit by hand, run it again.\n")
	w("The bridge is measured against the homeserver it runs on: every figure stands next to a baseline\n")
	w("taken in the same run on the same machine, mostly the same events sent straight to the same\n")
	w("Dendrite by a plain appservice client as the ghosts, without WeChat, parsing or our database.\n\n")
	w("| | |\n|---|---|\n")
	runs := r.Runs
	if len(runs) == 0 {
		runs = []Run{{Started: r.Started, Took: r.Took, Sizes: r.Sizes, Machine: r.Machine}}
	}
	if len(runs) == 1 {
		w("| date | %s |\n", runs[0].Started.Format("2006-01-02 15:04 MST"))
		w("| sizes | %s (%s in all) |\n", runs[0].Sizes, runs[0].Took.Round(time.Second))
	}
	for i, run := range runs {
		m := run.Machine
		if len(runs) > 1 {
			w("| run %d | %s, %s sizes, %s in all: %s |\n", i+1, run.Started.Format("2006-01-02 15:04 MST"), run.Sizes, run.Took.Round(time.Second), runScenarios(r, i))
		}
		if i == 0 || m.machineLine() != runs[i-1].Machine.machineLine() {
			w("| machine | %s |\n", m.machineLine())
		}
		if i == 0 || m.versionLine() != runs[i-1].Machine.versionLine() {
			w("| versions | %s |\n", m.versionLine())
		}
	}
	w("| stack | everything on loopback: Dendrite with its SQLite databases, wxbridge with SQLite (`sqlite3-fk-wal`), the simulator in the tool's process; bridge log level as shipped (debug) unless noted |\n\n")
	w("## Figures\n\n")
	w("| scenario | metric | wxbridge | baseline | vs baseline | target | verdict |\n|---|---|---|---|---|---|---|\n")
	for _, res := range r.Results {
		for i, f := range res.Figures {
			name := ""
			if i == 0 {
				name = res.Scenario
				if len(runs) > 1 {
					name += fmt.Sprintf(" (run %d)", res.Run+1)
				}
			}
			w("| %s | %s | %s | %s | %s | %s | %s |\n", name, f.Metric, f.Bridge, f.Baseline, f.Compare, f.Target, f.Verdict)
		}
	}
	for _, e := range r.Errors {
		w("\n**Error:** %s\n", e)
	}
	w("\n%s", methods)
	w("\n## Scenarios\n")
	for _, res := range r.Results {
		w("\n### %s\n\n", res.Scenario)
		if len(runs) > 1 {
			w("Run %d, %s: ", res.Run+1, runs[res.Run].Started.Format("2006-01-02 15:04"))
		}
		w("%s. Took %s; load average (1 min) %.2f before, %.2f after.\n\n", res.Params, res.Took.Round(100*time.Millisecond), res.LoadBefore, res.LoadAfter)
		for _, n := range res.Notes {
			w("- %s\n", n)
		}
		for _, t := range res.Tables {
			markdownTable(&b, t)
		}
		for _, p := range res.Plots {
			w("\n![%s](%s/%s)\n", p.Title, PlotDir, p.File)
		}
	}
	return b.String()
}

// runScenarios names the scenarios of a report measured in its run i.
func runScenarios(r *Report, i int) string {
	var names []string
	for _, res := range r.Results {
		if res.Run == i {
			names = append(names, res.Scenario)
		}
	}
	return strings.Join(names, ", ")
}

func (m Machine) machineLine() string {
	return fmt.Sprintf("%s, %d cores, %s RAM, %s", m.CPU, m.Cores, m.MemTotal, m.Kernel)
}

func (m Machine) versionLine() string {
	return fmt.Sprintf("wxbridge %s, Dendrite %s, mautrix-go %s, %s", m.Commit, m.Dendrite, m.Mautrix, m.Go)
}

// PlotDir is the directory of the plots, next to the report and named
// relative to it.
const PlotDir = "perf"

// WritePlots draws every scenario's plots as PNGs into dir.
func (r *Report) WritePlots(dir string) ([]string, error) {
	var written []string
	for _, res := range r.Results {
		for _, p := range res.Plots {
			data, err := p.PNG()
			if err != nil {
				return written, err
			}
			if err = os.MkdirAll(dir, 0o755); err != nil {
				return written, err
			}
			path := filepath.Join(dir, p.File)
			if err = os.WriteFile(path, data, 0o644); err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}

// methods is how the report's figures are taken.
const methods = `## How the figures are taken

` + "`make e2e-bin`" + ` builds Dendrite and wxbridge into bin/; ` + "`make bench-e2e`" + ` (or
` + "`go run -tags goolm ./bench -bin bin`" + `) starts a fresh stack per group of scenarios
(e2e/stack: Dendrite, the real wxbridge binary, the simulator in the tool's process), runs them,
prints the table and rewrites the generated part of this file. Each scenario's latest result is
kept in perf/results.json with the run it came from, so a run of some scenarios replaces only
theirs and the report names, per scenario, the run (date, commit, sizes) it was measured in.
` + "`-quick`" + ` runs small sizes,
` + "`-run burst,latency,outbound,big,logins,hotpath,startup,creation,soak`" + ` picks scenarios
(a partial run writes only what ` + "`-out FILE`" + ` or ` + "`-tables FILE`" + ` name), ` + "`-profile DIR`" + ` saves CPU
profiles of the bridge (its /debug/pprof) and of Dendrite ($PPROFLISTEN). The end-to-end test
TestBenchSmoke runs every scenario at its smallest size so that the tool keeps working.

- Every time is taken by the tool on one clock: an injection into the simulator, a request the
  simulator receives, an appservice transaction passing the proxy the tool puts between Dendrite
  and the bridge, and the moment a /sync response of the Matrix user (the tool's own long-polling
  consumer) first carries an event.
- Baselines run in the same stack, between or alongside the bridge's runs: the same texts sent
  with the bridge's as_token as the same ghosts into the same portal rooms (` + "`PUT /send?user_id=`" + `),
  Dendrite's push of a transaction to the bridge, the same bridge with a small account or no
  login.
- Medians and p99 are nearest-rank over all samples. Memory is VmRSS and VmHWM of the bridge
  process from /proc; MB are 10^6 bytes. CPU time per phase is utime+stime from /proc.
- Portal creation goes through a timing front between the bridge and Dendrite, which the
  baseline's client uses too: a portal is done when the user's /sync showed its invitation and
  Dendrite answered the join of its last member. The plots are drawn by the tool (perf/*.png).
- The soak drives one login for ` + "`-soak-duration`" + ` with traffic both ways (attachments among it), a
  bridge restart at 20 % and a QR re-login at 30 % of the run. Every 5 s the tool reads the bridge's
  VmRSS (split by /proc/PID/status, the Go runtime's statistics and the bridge's C memory metrics),
  goroutines (/debug/pprof/goroutine) and /proc/PID/fd, following the new PID after the restart.
  A least-squares line over the last 40 minutes (two thirds of a shorter run), after both events,
  is flat when its growth over the window is within twice the residuals' standard deviation (at
  least 1 for counts).
  Exactly once is counted after the traffic, from every portal's whole timeline and the
  simulator's received sends.
- The machine may be shared: the 1-minute load average is given before and after each scenario.
  Figures taken at a load above the number of cores are not comparable with quiet runs.
`
