// Command bench is wxbridge's benchmark suite: it starts Dendrite, the real
// wxbridge binary and the WeChat simulator on loopback, runs the scenarios
// of bench/scenarios, prints a table of every figure next to its baseline
// and writes docs/performance.md. See docs/performance.md for what each
// scenario measures.
//
//	make e2e-bin && go run -tags goolm ./bench -bin bin
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"gopkg.in/yaml.v3"

	"github.com/wxbridge/wxbridge/bench/scenarios"
)

func main() {
	bin := flag.String("bin", "", "directory of wxbridge and Dendrite's binaries (default $WXBRIDGE_E2E_BIN, else bin)")
	only := flag.String("run", "all", "scenarios to run, comma-separated: burst, latency, outbound, big, logins, hotpath, startup, creation, soak (or all)")
	quick := flag.Bool("quick", false, "small sizes (a minute or two), to try the tool")
	out := flag.String("out", "docs/performance.md", "report to write, merged with the saved results of the scenarios not run (perf/results.json next to it); empty: none; a partial -run writes it only when this is given")
	tables := flag.String("tables", "", "write the scenarios' own tables (startup's requests per endpoint) in Markdown to this file")
	profile := flag.String("profile", "", "directory to save CPU and heap profiles of the bridge in (turns the bridge's heap profiler on)")
	logLevel := flag.String("bridge-log-level", "", "the bridge's logging.min_level (default: debug, as config.example.yaml ships)")
	verbose := flag.Bool("v", false, "log the stack's progress to stderr")
	pin := flag.Bool("pin", false, "put Dendrite on CPUs of its own, the bridge and the tool on the last one (taskset), to see the bridge's cost when it does not wait for a CPU behind Dendrite")
	nice := flag.Int("nice-dendrite", 0, "lower Dendrite's scheduling priority by this much (renice, 1-19), to see the bridge's cost when it gets a CPU as soon as it is ready")
	window := flag.Duration("big-window", 0, "how long the big account scenario watches portal creation after connected (default 2m, -quick 10s)")
	front := flag.Bool("front", false, "send the bridge's and the baseline's requests to Dendrite through one timing proxy, to split the inbound latency at the homeserver")
	keep := flag.Bool("keep", false, "keep every stack's dir (configs, logs, databases), not only those of failed scenarios")
	startup := scenarios.DefaultStartup
	flag.IntVar(&startup.Friends, "startup-friends", startup.Friends, "friends of the start-up scenario's account")
	flag.IntVar(&startup.Groups, "startup-groups", startup.Groups, "groups of the start-up scenario's account")
	flag.IntVar(&startup.GroupSize, "startup-members", startup.GroupSize, "members of each of its groups, self included")
	flag.DurationVar(&startup.Window, "startup-window", startup.Window, "how long the start-up scenario records requests after the login and after the restart")
	creationWindow := flag.Duration("creation-window", 0, "how long each phase of the portal-creation scenario may create portals (default 30m, -quick 3m)")
	creationGroups := flag.Int("creation-groups", 0, "saved groups of the portal-creation scenario's account (friends scale with them)")
	creationScales := flag.String("creation-scales", "", "group counts of the portal-creation scenario's memory runs at other sizes, comma-separated (none: no such runs)")
	soakFor := flag.Duration("soak-duration", 0, "how long the soak scenario runs its traffic (default 60m, -quick 3m)")
	bridgeSet := map[string]any{}
	flag.Func("bridge-set", "set a key of the bridge's config, as path.to.key=value (repeatable), to measure a setting other than the shipped one", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not path.to.key=value", kv)
		}
		// The value is read as YAML, so that numbers and booleans keep their type.
		var val any
		if err := yaml.Unmarshal([]byte(v), &val); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		bridgeSet[k] = val
		return nil
	})
	plots := flag.String("plots", "", "directory to draw the plots in (default: perf/ next to -out)")
	flag.Parse()
	outGiven := false
	flag.Visit(func(f *flag.Flag) { outGiven = outGiven || f.Name == "out" })
	if *only != "all" && !outGiven {
		// A partial run replaces its scenarios' saved figures (perf/results.json)
		// only when asked to, so that trying one scenario leaves the report alone.
		*out = ""
	}

	if *bin == "" {
		*bin = os.Getenv("WXBRIDGE_E2E_BIN")
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		// The bridge turns Go's heap profiler off unless GODEBUG sets its
		// rate; the stacks' processes inherit this environment.
		godebug := "memprofilerate=524288"
		if old := os.Getenv("GODEBUG"); old != "" {
			godebug = old + "," + godebug
		}
		os.Setenv("GODEBUG", godebug)
	}
	if *bin == "" {
		*bin = "bin"
	}
	level := zerolog.WarnLevel
	if *verbose {
		level = zerolog.InfoLevel
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05.000"}).Level(level).With().Timestamp().Logger()
	opts := scenarios.Options{
		Bin:            *bin,
		BridgeLogLevel: *logLevel,
		Log:            log,
		ProfileDir:     *profile,
		KeepDirs:       *keep,
		PinBridge:      *pin,
		NiceDendrite:   *nice,
		Front:          *front,
		BridgeConfig:   bridgeSet,
		Progress: func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "%s  %s (load %.2f)\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...), scenarios.LoadAvg1())
		},
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	plan := scenarios.DefaultPlan()
	if *quick {
		plan = scenarios.QuickPlan()
	}
	if *window > 0 {
		plan.Big.Window = *window
	}
	if *creationWindow > 0 {
		plan.Creation.Window = *creationWindow
	}
	if *soakFor > 0 {
		plan.Soak.Duration = *soakFor
	}
	if *creationScales != "" {
		plan.Creation.Scales = nil
		for _, f := range strings.Split(*creationScales, ",") {
			if f = strings.TrimSpace(f); f == "none" || f == "" {
				continue
			}
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "-creation-scales: %q is not a number of groups\n", f)
				os.Exit(2)
			}
			plan.Creation.Scales = append(plan.Creation.Scales, n)
		}
	}
	if *creationGroups > 0 {
		c := &plan.Creation
		c.Friends = max(c.Friends**creationGroups/max(c.Groups, 1), c.GroupSize, c.Recent)
		c.Groups = *creationGroups
	}
	// The -startup-… flags given override the plan's sizes (-quick's too).
	flag.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "startup-friends":
			plan.Startup.Friends = startup.Friends
		case "startup-groups":
			plan.Startup.Groups = startup.Groups
		case "startup-members":
			plan.Startup.GroupSize = startup.GroupSize
		case "startup-window":
			plan.Startup.Window = startup.Window
		}
	})
	if err := plan.Select(*only); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	report, err := plan.Run(ctx, opts)
	fmt.Println(report.Table())
	if *out != "" && len(report.Results) > 0 {
		// The report shows every scenario's latest result: those of this
		// run, and the saved ones of scenarios it did not run.
		store := filepath.Join(filepath.Dir(*out), scenarios.PlotDir, scenarios.ResultsFile)
		saved, lerr := scenarios.LoadResults(store)
		if lerr != nil {
			fmt.Fprintln(os.Stderr, lerr)
			os.Exit(1)
		}
		report = scenarios.Merge(saved, report)
		if werr := scenarios.SaveResults(store, report); werr != nil {
			fmt.Fprintln(os.Stderr, werr)
			os.Exit(1)
		}
		if werr := writeReport(*out, report.Markdown()); werr != nil {
			fmt.Fprintln(os.Stderr, werr)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
	plotDir := *plots
	if plotDir == "" && *out != "" {
		plotDir = filepath.Join(filepath.Dir(*out), scenarios.PlotDir)
	}
	if plotDir == "" && *tables != "" {
		plotDir = filepath.Join(filepath.Dir(*tables), scenarios.PlotDir)
	}
	if plotDir != "" {
		written, werr := report.WritePlots(plotDir)
		if werr != nil {
			fmt.Fprintln(os.Stderr, werr)
			os.Exit(1)
		}
		for _, p := range written {
			fmt.Fprintf(os.Stderr, "wrote %s\n", p)
		}
	}
	if *tables != "" && len(report.Results) > 0 {
		if werr := os.WriteFile(*tables, []byte(report.TablesMarkdown()), 0o644); werr != nil {
			fmt.Fprintln(os.Stderr, werr)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *tables)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", strings.TrimSpace(err.Error()))
		os.Exit(1)
	}
}

// handWritten marks the part of the report that people write (the analysis
// of the figures); writeReport keeps it when it rewrites the file.
const handWritten = "<!-- Written by hand from here on: go run ./bench keeps it when it rewrites the figures above. -->"

// writeReport writes the generated report to path, followed by the
// hand-written part of the file that was there, if any.
func writeReport(path, generated string) error {
	kept := ""
	if old, err := os.ReadFile(path); err == nil {
		if i := strings.Index(string(old), handWritten); i >= 0 {
			kept = string(old[i:])
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if kept == "" {
		kept = handWritten + "\n"
	}
	return os.WriteFile(path, []byte(generated+"\n"+kept), 0o644)
}
