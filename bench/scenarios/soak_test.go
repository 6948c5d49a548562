package scenarios

import (
	"math"
	"testing"
)

func TestFitTrend(t *testing.T) {
	// 40 minutes, a sample every 5 s: a level of 50 with ±1 of alternating
	// noise is flat; the same with 0.1 a minute on top grows 4 over the
	// window, well above a noise of about 2.
	var xs, flat, growing, steps []float64
	for i := range 480 {
		x := float64(i) * 5 / 60
		noise := 1.0
		if i%2 == 1 {
			noise = -1
		}
		xs = append(xs, x)
		flat = append(flat, 50+noise)
		growing = append(growing, 50+noise+0.1*x)
		// A count that gains one for good halfway: a leak of one goroutine.
		steps = append(steps, 30+float64(i/240))
	}
	f := fitTrend(xs, flat, 0)
	if !f.Flat() || math.Abs(f.Slope) > 0.01 {
		t.Errorf("flat series: slope %v, growth %v, noise %v, flat %v", f.Slope, f.Growth, f.Noise, f.Flat())
	}
	if math.Abs(f.Start-50) > 0.1 || math.Abs(f.Minutes-39.9167) > 0.01 {
		t.Errorf("flat series: start %v over %v minutes", f.Start, f.Minutes)
	}
	g := fitTrend(xs, growing, 0)
	if g.Flat() || math.Abs(g.Slope-0.1) > 0.005 || math.Abs(g.Growth-4) > 0.2 {
		t.Errorf("growing series: slope %v, growth %v, noise %v, flat %v", g.Slope, g.Growth, g.Noise, g.Flat())
	}
	// The step's fitted growth (1.5) is above its residuals' spread and
	// above the resolution of one.
	if s := fitTrend(xs, steps, 1); s.Flat() {
		t.Errorf("a step of one: growth %v within noise %v", s.Growth, s.Noise)
	}
	// A constant count is flat at the floor; too few samples never are.
	var same []float64
	for range xs {
		same = append(same, 12)
	}
	if c := fitTrend(xs, same, 1); !c.Flat() || c.Noise != 1 {
		t.Errorf("constant: growth %v noise %v", c.Growth, c.Noise)
	}
	if fitTrend(xs[:2], same[:2], 1).Flat() {
		t.Error("two samples called flat")
	}
}

func TestFirstOf(t *testing.T) {
	if got := firstOf(nil, 3); got != "none" {
		t.Errorf("firstOf(nil) = %q", got)
	}
	if got := firstOf([]string{"a", "b", "c", "d"}, 2); got != "a, b and 2 more" {
		t.Errorf("firstOf = %q", got)
	}
}
