package scenarios

import (
	"time"
)

// Verdict says whether a figure met its target.
type Verdict string

const (
	Met    Verdict = "met"
	Missed Verdict = "MISSED"
	// Info is a figure without a target of its own.
	Info Verdict = "-"
)

// verdict is Met when ok, else Missed.
func verdict(ok bool) Verdict {
	if ok {
		return Met
	}
	return Missed
}

// Figure is one measured figure next to its baseline.
type Figure struct {
	Metric   string
	Bridge   string
	Baseline string
	// Compare is the ratio or overhead against the baseline.
	Compare string
	Target  string
	Verdict Verdict
}

// Result is what a scenario measured.
type Result struct {
	Scenario string
	// Params describes the sizes the scenario ran with.
	Params  string
	Figures []Figure
	// Notes explain the figures: how they were taken, what went wrong,
	// where the time went.
	Notes []string
	// LoadBefore and LoadAfter are the 1-minute load averages around the
	// scenario.
	LoadBefore, LoadAfter float64
	Took                  time.Duration
	// Raw holds the numbers behind the figures, for tests and the report.
	Raw map[string]float64
	// Tables hold what does not fit one figure a row (the requests per
	// endpoint of the start-up scenario).
	Tables []Table
	// Plots are drawn as PNGs next to the report (Report.WritePlots) and
	// shown under the scenario.
	Plots []Plot
	// Run is the index in Report.Runs of the invocation that measured it.
	Run int
}

// Table is a table of a scenario's own, printed under its figures.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
}

func (r *Result) add(f Figure) { r.Figures = append(r.Figures, f) }

func (r *Result) note(s string) { r.Notes = append(r.Notes, s) }

func (r *Result) table(t Table) { r.Tables = append(r.Tables, t) }

func (r *Result) raw(key string, v float64) {
	if r.Raw == nil {
		r.Raw = make(map[string]float64)
	}
	r.Raw[key] = v
}

// begin starts timing a scenario.
func begin(name, params string) *Result {
	return &Result{Scenario: name, Params: params, LoadBefore: LoadAvg1(), Took: -time.Duration(time.Now().UnixNano())}
}

// end finishes timing it.
func (r *Result) end() *Result {
	r.Took += time.Duration(time.Now().UnixNano())
	r.LoadAfter = LoadAvg1()
	return r
}
