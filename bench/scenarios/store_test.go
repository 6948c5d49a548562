package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func oneRun(commit string, started time.Time, scenarios ...string) *Report {
	rep := &Report{Sizes: "full", Started: started, Machine: Machine{CPU: "cpu", Cores: 2, Commit: commit}}
	for _, s := range scenarios {
		rep.Results = append(rep.Results, &Result{Scenario: s, Figures: []Figure{{Metric: "m", Bridge: commit}}})
	}
	rep.finish()
	return rep
}

func TestMergeKeepsSavedScenariosAndReplacesRunOnes(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		saved    *Report
		cur      *Report
		want     []string // scenario@commit, in order
		wantRuns int
	}{
		{"first run", &Report{}, oneRun("b", t0, "burst", "soak"), []string{"burst@b", "soak@b"}, 1},
		{"replaces in place", oneRun("a", t0, "burst", "creation", "soak"), oneRun("b", t0.Add(time.Hour), "creation"),
			[]string{"burst@a", "creation@b", "soak@a"}, 2},
		{"new scenario last", oneRun("a", t0, "burst"), oneRun("b", t0.Add(time.Hour), "soak"), []string{"burst@a", "soak@b"}, 2},
		{"a run no longer used is dropped", oneRun("a", t0, "burst"), oneRun("b", t0.Add(time.Hour), "burst"), []string{"burst@b"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.saved, tt.cur)
			var names []string
			for _, res := range got.Results {
				require.Less(t, res.Run, len(got.Runs))
				names = append(names, res.Scenario+"@"+got.Runs[res.Run].Machine.Commit)
				assert.Equal(t, got.Runs[res.Run].Machine.Commit, res.Figures[0].Bridge, "each result keeps the run it was measured in")
			}
			assert.Equal(t, tt.want, names)
			assert.Len(t, got.Runs, tt.wantRuns)
		})
	}
}

func TestResultsRoundTripAndMergedMarkdown(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "perf", ResultsFile)
	empty, err := LoadResults(path)
	require.NoError(t, err)
	assert.Empty(t, empty.Results, "no file yet: nothing saved")

	first := oneRun("aaa", t0, "inbound burst", "soak")
	first.Results[1].Plots = []Plot{{File: "soak-rss.png", Series: []Series{{Name: "rss", X: []float64{0, 1}, Y: []float64{30, 31}}}}}
	require.NoError(t, SaveResults(path, Merge(empty, first)))
	saved, err := LoadResults(path)
	require.NoError(t, err)
	require.Len(t, saved.Results, 2)
	assert.Equal(t, []float64{30, 31}, saved.Results[1].Plots[0].Series[0].Y, "plots' data survive, so they can be drawn again")

	md := Merge(saved, oneRun("bbb", t0.Add(2*time.Hour), "inbound burst")).Markdown()
	assert.Contains(t, md, "| run 1 | 2026-12-07 12:00 UTC, full sizes")
	assert.Contains(t, md, "| run 2 | 2026-12-07 10:00 UTC, full sizes")
	assert.Contains(t, md, "| inbound burst (run 1) |")
	assert.Contains(t, md, "| soak (run 2) |")
	assert.Contains(t, md, "wxbridge bbb,")
	assert.Contains(t, md, "wxbridge aaa,")
	assert.Equal(t, 1, strings.Count(md, "| machine |"), "the same machine is named once")
}

func TestLoadResultsRefusesABrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ResultsFile)
	require.NoError(t, SaveResults(path, &Report{Results: []*Result{{Scenario: "x", Run: 3}}}))
	_, err := LoadResults(path)
	assert.ErrorContains(t, err, "names run 3 of 0")
}
