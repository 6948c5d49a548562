package e2e_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/bench/scenarios"
	"github.com/wxbridge/wxbridge/e2e/stack"
)

// TestBenchSmoke runs every scenario of the benchmark suite (go run ./bench,
// make bench-e2e) at its smallest size, so that the tool keeps working: the
// stacks start, logins go through the provisioning API, the /sync consumer,
// the transaction proxy, the timing front and the appservice baseline see
// every message, and each scenario reports its figures. The figures of so small a run mean
// nothing, so no target is checked.
func TestBenchSmoke(t *testing.T) {
	stack.RequireBinaries(t, "")
	opts := scenarios.Options{
		Log:      zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
		Progress: t.Logf,
		Front:    true,
	}
	plan := scenarios.SmokePlan()
	require.NoError(t, plan.Select("all"))
	rep, err := plan.Run(t.Context(), opts)
	t.Logf("figures of the smoke run:\n%s", rep.Table())
	require.NoError(t, err)

	got := map[string]*scenarios.Result{}
	for _, res := range rep.Results {
		got[res.Scenario] = res
	}
	for _, name := range []string{"inbound burst", "inbound latency", "outbound latency", "big account", "many logins", "protocol hot path", "startup requests", "portal creation", "soak"} {
		res := got[name]
		if !assert.NotNil(t, res, "scenario %q reported nothing", name) {
			continue
		}
		assert.NotEmpty(t, res.Figures, name)
		for _, f := range res.Figures {
			assert.NotEmpty(t, f.Bridge, "%s: %s has no figure", name, f.Metric)
			assert.NotEmpty(t, f.Baseline, "%s: %s has no baseline", name, f.Metric)
		}
		for key, v := range res.Raw {
			assert.False(t, v != v, "%s: %s is NaN", name, key) // NaN: a division by a missing sample
		}
	}
	if lat := got["inbound latency"]; lat != nil {
		for _, key := range []string{"bridge_to_put_p50_ms", "baseline_to_put_p50_ms"} {
			assert.Positive(t, lat.Raw[key], "%s: the front timed the messages' PUTs", key)
		}
	}
	if st := got["startup requests"]; st != nil {
		assertStartupTables(t, st)
	}
	if pc := got["portal creation"]; pc != nil {
		// Every portal of the small account exists within the window, the
		// bridge's and the baseline's, and the recent chats were usable.
		assert.Equal(t, 4.0, pc.Raw["portals"], "the bridge's portals (3 groups, 1 recent DM)")
		assert.Equal(t, 4.0, pc.Raw["baseline_portals"], "the baseline's portals")
		assert.Positive(t, pc.Raw["usable_s"], "the recent chats became usable")
		assert.Positive(t, pc.Raw["warm_p99_ms"], "messages in chats with a portal arrived")
		assert.Len(t, pc.Plots, 3)
		for _, p := range pc.Plots {
			_, err := p.PNG()
			assert.NoError(t, err, p.File)
		}
	}
	if sk := got["soak"]; sk != nil {
		// Both directions carried messages through the restart and the
		// re-login, each arrived once, and the bridge was sampled.
		assert.Positive(t, sk.Raw["in_messages"], "messages injected into WeChat")
		assert.Positive(t, sk.Raw["out_messages"], "messages the Matrix user sent")
		for _, key := range []string{"in_lost", "in_duplicated", "out_lost", "out_duplicated"} {
			assert.Zero(t, sk.Raw[key], key)
		}
		assert.GreaterOrEqual(t, sk.Raw["samples"], 3.0, "samples of the bridge process")
		assert.Len(t, sk.Plots, 2)
		for _, p := range sk.Plots {
			_, err := p.PNG()
			assert.NoError(t, err, p.File)
		}
	}
	md := rep.Markdown()
	assert.True(t, strings.HasPrefix(md, "# wxbridge performance"), "the report renders")
	assert.Contains(t, md, "| inbound burst |")
	assert.Contains(t, md, "Go heap in use over the last", "the soak splits RSS into the Go heap and the rest")
}

// assertStartupTables checks what the start-up scenario counted: a table
// for the login and one for the restart, each ending with the total; after
// the login the bridge called webwxinit, and after the restart it resumed
// the stored session and long-polled synccheck.
func assertStartupTables(t *testing.T, res *scenarios.Result) {
	t.Helper()
	require.Len(t, res.Tables, 2, "a table for the login and one for the restart")
	count := func(tab scenarios.Table, endpoint string) int {
		for _, row := range tab.Rows {
			if row[0] == endpoint {
				n, err := strconv.Atoi(row[1])
				require.NoError(t, err, "%s: requests of %s", tab.Title, endpoint)
				return n
			}
		}
		return 0
	}
	for _, tab := range res.Tables {
		require.NotEmpty(t, tab.Rows, tab.Title)
		total := tab.Rows[len(tab.Rows)-1]
		assert.Equal(t, "all requests", total[0], "%s: the last row is the total", tab.Title)
		sum := 0
		for _, row := range tab.Rows[:len(tab.Rows)-1] {
			sum += count(tab, row[0])
		}
		assert.Equal(t, strconv.Itoa(sum), total[1], "%s: the total is the sum of the rows", tab.Title)
		assert.Positive(t, count(tab, "synccheck"), "%s: the session's sync loop ran", tab.Title)
	}
	assert.Positive(t, count(res.Tables[0], "webwxinit"), "the login called webwxinit")
	assert.Positive(t, res.Raw["login_requests"])
	assert.Positive(t, res.Raw["restart_requests"])
}
