package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Run is one invocation of the tool: when it ran, at which sizes and on
// what. A report composed of several invocations (Merge) lists each, and
// every result names the one it comes from (Result.Run).
type Run struct {
	Started time.Time
	Took    time.Duration
	Sizes   string
	Machine Machine
}

// ResultsFile is the name of the JSON file kept next to the plots that
// holds every scenario's latest result (LoadResults, SaveResults).
const ResultsFile = "results.json"

// LoadResults reads a report saved by SaveResults. A missing file is an
// empty report, so the first run starts the file.
func LoadResults(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Report{}, nil
	} else if err != nil {
		return nil, err
	}
	var rep Report
	if err = json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s is not a saved bench report: %w", path, err)
	}
	for _, res := range rep.Results {
		if res.Run < 0 || res.Run >= len(rep.Runs) {
			return nil, fmt.Errorf("%s: result %q names run %d of %d", path, res.Scenario, res.Run, len(rep.Runs))
		}
	}
	return &rep, nil
}

// SaveResults writes the report as JSON, plots' data included, so that a
// later run can replace some scenarios and keep the others (Merge).
func SaveResults(path string, rep *Report) error {
	data, err := json.MarshalIndent(rep, "", "\t")
	if err != nil {
		return err
	}
	if err = os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Merge is the report of the saved results with cur's in place of the
// saved ones of the same scenarios: a scenario keeps its place, a new one
// comes last, and only the runs some result still comes from are kept.
// The long scenarios (creation, soak) can so run on their own, at another
// time, and the report still shows every scenario with the run it was
// measured in.
func Merge(saved, cur *Report) *Report {
	out := &Report{Sizes: cur.Sizes, Started: cur.Started, Took: cur.Took, Machine: cur.Machine, Errors: cur.Errors}
	fresh := make(map[string]*Result, len(cur.Results))
	for _, res := range cur.Results {
		fresh[res.Scenario] = res
	}
	type origin struct {
		rep *Report
		run int
	}
	runs := make(map[origin]int)
	take := func(rep *Report, res *Result) {
		o := origin{rep, res.Run}
		idx, ok := runs[o]
		if !ok {
			idx = len(out.Runs)
			runs[o] = idx
			out.Runs = append(out.Runs, rep.Runs[res.Run])
		}
		cp := *res
		cp.Run = idx
		out.Results = append(out.Results, &cp)
	}
	placed := make(map[string]bool, len(fresh))
	for _, res := range saved.Results {
		if f, ok := fresh[res.Scenario]; ok {
			if !placed[res.Scenario] {
				take(cur, f)
				placed[res.Scenario] = true
			}
			continue
		}
		take(saved, res)
	}
	for _, res := range cur.Results {
		if !placed[res.Scenario] {
			take(cur, res)
			placed[res.Scenario] = true
		}
	}
	return out
}
