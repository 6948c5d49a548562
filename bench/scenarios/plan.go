package scenarios

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Scenario names, as -run takes them.
const (
	ScenarioBurst    = "burst"
	ScenarioLatency  = "latency"
	ScenarioOutbound = "outbound"
	ScenarioBig      = "big"
	ScenarioLogins   = "logins"
	ScenarioHotPath  = "hotpath"
	ScenarioStartup  = "startup"
	ScenarioCreation = "creation"
	ScenarioSoak     = "soak"
)

var allScenarios = []string{ScenarioBurst, ScenarioLatency, ScenarioOutbound, ScenarioBig, ScenarioLogins, ScenarioHotPath, ScenarioStartup, ScenarioCreation, ScenarioSoak}

// Plan is the sizes of every scenario and which of them run.
type Plan struct {
	Messaging MessagingConfig
	Big       BigConfig
	Logins    LoginsConfig
	HotPath   HotPathConfig
	Startup   StartupConfig
	Creation  CreationConfig
	Soak      SoakConfig
	// Sizes names the plan in the report ("full", "quick").
	Sizes string
	run   map[string]bool
}

// DefaultPlan is every scenario at its full size (DefaultMessaging,
// DefaultBig, DefaultLogins, DefaultHotPath, DefaultStartup): what a real
// user's account puts on the bridge at its heaviest.
func DefaultPlan() *Plan {
	return &Plan{Messaging: DefaultMessaging, Big: DefaultBig, Logins: DefaultLogins, HotPath: DefaultHotPath, Startup: DefaultStartup, Creation: DefaultCreation, Soak: DefaultSoak, Sizes: "full"}
}

// QuickPlan is every scenario at a size that runs in a minute or two.
func QuickPlan() *Plan {
	return &Plan{
		Messaging: MessagingConfig{
			Chats: 10, Burst: 500, LatencySamples: 50, LatencyInterval: 250 * time.Millisecond,
			OutboundSamples: 50, OutboundInterval: 50 * time.Millisecond,
		},
		Big:     BigConfig{Contacts: 500, Groups: 50, GroupSize: 20, Window: 10 * time.Second},
		Logins:  LoginsConfig{Logins: 5, Contacts: 50, Settle: time.Second},
		HotPath: HotPathConfig{Batches: []int{100, 1000}, GoTest: false},
		Startup: StartupConfig{Friends: 200, Groups: 10, GroupSize: 50, FriendMembers: 5, Window: 10 * time.Second},
		Creation: CreationConfig{
			Friends: 300, Groups: 40, GroupSize: 20, Recent: 20, Window: 3 * time.Minute,
			Messages: 60, ColdMessages: 3, MessageInterval: 500 * time.Millisecond, Scales: []int{10, 20},
		},
		Soak:  SoakConfig{Duration: 3 * time.Minute, Chats: 8, InInterval: time.Second, OutInterval: 5 * time.Second, MediaEvery: 10, Sample: 2 * time.Second},
		Sizes: "quick",
	}
}

// SmokePlan is every scenario at the smallest size that still exercises
// it, for the end-to-end smoke test (about a minute).
func SmokePlan() *Plan {
	return &Plan{
		Messaging: MessagingConfig{
			Chats: 4, Burst: 40, LatencySamples: 5, LatencyInterval: 50 * time.Millisecond,
			OutboundSamples: 5, OutboundInterval: 10 * time.Millisecond,
		},
		Big:     BigConfig{Contacts: 100, Groups: 4, GroupSize: 10, Window: time.Second},
		Logins:  LoginsConfig{Logins: 2, Contacts: 20, Settle: 200 * time.Millisecond},
		HotPath: HotPathConfig{Batches: []int{100}},
		Startup: StartupConfig{Friends: 20, Groups: 2, GroupSize: 10, FriendMembers: 3, Window: 3 * time.Second},
		Creation: CreationConfig{
			Friends: 6, Groups: 3, GroupSize: 3, Recent: 2, Window: time.Minute,
			Messages: 3, ColdMessages: 1, MessageInterval: 50 * time.Millisecond,
		},
		Soak:  SoakConfig{Duration: 10 * time.Second, Chats: 4, InInterval: 250 * time.Millisecond, OutInterval: time.Second, MediaEvery: 4, Sample: 500 * time.Millisecond},
		Sizes: "smoke",
	}
}

// Select keeps the scenarios named in a comma-separated list ("all" for
// every one).
func (p *Plan) Select(list string) error {
	p.run = make(map[string]bool)
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "all":
			for _, s := range allScenarios {
				p.run[s] = true
			}
		case slices.Contains(allScenarios, name):
			p.run[name] = true
		default:
			return fmt.Errorf("unknown scenario %q (have: all, %s)", name, strings.Join(allScenarios, ", "))
		}
	}
	return nil
}

func (p *Plan) enabled(name string) bool { return p.run == nil || p.run[name] }

// Run runs the selected scenarios one after the other. It keeps going
// after a scenario failed, and returns every error joined.
func (p *Plan) Run(ctx context.Context, opts Options) (*Report, error) {
	sizes := p.Sizes
	if len(opts.BridgeConfig) > 0 {
		keys := slices.Sorted(maps.Keys(opts.BridgeConfig))
		for i, k := range keys {
			keys[i] = fmt.Sprintf("%s: %v", k, opts.BridgeConfig[k])
		}
		sizes += ", bridge config changed: " + strings.Join(keys, ", ")
	}
	rep := newReport(sizes)
	var errs []error
	msg := p.Messaging
	if !p.enabled(ScenarioBurst) {
		msg.Burst = 0
	}
	if !p.enabled(ScenarioLatency) {
		msg.LatencySamples = 0
	}
	if !p.enabled(ScenarioOutbound) {
		msg.OutboundSamples = 0
	}
	if msg.Burst > 0 || msg.LatencySamples > 0 || msg.OutboundSamples > 0 {
		res, err := RunMessaging(ctx, opts, msg)
		rep.Results = append(rep.Results, res...)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioBig) && ctx.Err() == nil {
		res, err := RunBigAccount(ctx, opts, p.Big)
		rep.add(res)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioLogins) && ctx.Err() == nil {
		res, err := RunManyLogins(ctx, opts, p.Logins)
		rep.add(res)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioHotPath) && ctx.Err() == nil {
		res, err := RunHotPath(ctx, opts, p.HotPath)
		rep.add(res)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioStartup) && ctx.Err() == nil {
		res, err := RunStartup(ctx, opts, p.Startup)
		rep.add(res)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioCreation) && ctx.Err() == nil {
		res, err := RunCreation(ctx, opts, p.Creation)
		rep.add(res)
		errs = append(errs, err)
	}
	if p.enabled(ScenarioSoak) && ctx.Err() == nil {
		res, err := RunSoak(ctx, opts, p.Soak)
		rep.add(res)
		errs = append(errs, err)
	}
	rep.finish()
	err := errors.Join(errs...)
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
	}
	return rep, err
}
