package scenarios

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Plot is a line chart the report shows as a PNG next to
// docs/performance.md (docs/perf/File).
type Plot struct {
	// File is the PNG's name, without a directory.
	File   string
	Title  string
	XLabel string
	YLabel string
	Series []Series
}

// Series is one line of a plot: points in the order they are drawn.
type Series struct {
	Name string
	X, Y []float64
	// Steps draws the line as a staircase (a count that changes at each
	// point), not straight between the points.
	Steps bool
}

// The layout of a plot, in pixels.
const (
	plotW, plotH                 = 800, 460
	plotLeft, plotRight          = 70, 20
	plotTop, plotBottom          = 40, 50
	plotTicks                    = 6
	plotLegendLine, plotLineSize = 24, 2
)

var (
	plotInk   = color.RGBA{0x22, 0x22, 0x22, 0xff}
	plotGrid  = color.RGBA{0xe4, 0xe4, 0xe4, 0xff}
	plotPaper = color.RGBA{0xff, 0xff, 0xff, 0xff}
	// plotColors tell the series apart, also in grey print.
	plotColors = []color.RGBA{
		{0x1f, 0x5f, 0xbf, 0xff}, // blue: wxbridge
		{0xd9, 0x5f, 0x02, 0xff}, // orange: baseline
		{0x1b, 0x9e, 0x77, 0xff}, // green
		{0x75, 0x70, 0xb3, 0xff}, // purple
	}
)

// PNG draws the plot.
func (p Plot) PNG() ([]byte, error) {
	if len(p.Series) == 0 {
		return nil, fmt.Errorf("plot %s: no series", p.File)
	}
	img := image.NewRGBA(image.Rect(0, 0, plotW, plotH))
	draw.Draw(img, img.Bounds(), image.NewUniform(plotPaper), image.Point{}, draw.Src)
	x0, x1, y0, y1 := p.bounds()
	xt, yt := niceTicks(x0, x1, plotTicks), niceTicks(y0, y1, plotTicks)
	x0, x1 = min(x0, xt[0]), max(x1, xt[len(xt)-1])
	y0, y1 = min(y0, yt[0]), max(y1, yt[len(yt)-1])
	left, right, top, bottom := plotLeft, plotW-plotRight, plotTop, plotH-plotBottom
	px := func(x float64) int { return left + int(math.Round((x-x0)/(x1-x0)*float64(right-left))) }
	py := func(y float64) int { return bottom - int(math.Round((y-y0)/(y1-y0)*float64(bottom-top))) }

	for _, t := range xt {
		line(img, px(t), top, px(t), bottom, plotGrid, 1)
		label := tickLabel(t)
		text(img, px(t)-textWidth(label)/2, bottom+16, label)
	}
	for _, t := range yt {
		line(img, left, py(t), right, py(t), plotGrid, 1)
		label := tickLabel(t)
		text(img, left-8-textWidth(label), py(t)+4, label)
	}
	line(img, left, bottom, right, bottom, plotInk, 1)
	line(img, left, top, left, bottom, plotInk, 1)
	text(img, (plotW-textWidth(p.Title))/2, 18, p.Title)
	text(img, left, top-6, p.YLabel)
	text(img, (left+right-textWidth(p.XLabel))/2, plotH-12, p.XLabel)

	for i, s := range p.Series {
		c := plotColors[i%len(plotColors)]
		for j := 1; j < len(s.X); j++ {
			if s.Steps {
				line(img, px(s.X[j-1]), py(s.Y[j-1]), px(s.X[j]), py(s.Y[j-1]), c, plotLineSize)
				line(img, px(s.X[j]), py(s.Y[j-1]), px(s.X[j]), py(s.Y[j]), c, plotLineSize)
				continue
			}
			line(img, px(s.X[j-1]), py(s.Y[j-1]), px(s.X[j]), py(s.Y[j]), c, plotLineSize)
		}
		if len(s.X) == 1 {
			line(img, px(s.X[0])-2, py(s.Y[0]), px(s.X[0])+2, py(s.Y[0]), c, plotLineSize+2)
		}
		// The legend, top left inside the axes.
		ly := top + 14 + 16*i
		line(img, left+10, ly-4, left+10+plotLegendLine, ly-4, c, plotLineSize)
		text(img, left+16+plotLegendLine, ly, s.Name)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// bounds are the smallest and largest x and y of every series; a range of
// nothing is widened so that it can be drawn.
func (p Plot) bounds() (x0, x1, y0, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, s := range p.Series {
		for i := range s.X {
			x0, x1 = min(x0, s.X[i]), max(x1, s.X[i])
			y0, y1 = min(y0, s.Y[i]), max(y1, s.Y[i])
		}
	}
	if math.IsInf(x0, 1) {
		return 0, 1, 0, 1
	}
	y0 = min(y0, 0) // counts, times and sizes read from zero
	if x1 <= x0 {
		x1 = x0 + 1
	}
	if y1 <= y0 {
		y1 = y0 + 1
	}
	return x0, x1, y0, y1
}

// niceTicks returns about n round values (1, 2 or 5 × 10^k apart) that
// cover [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for k := math.Floor(lo / step); k <= math.Ceil(hi/step-1e-9); k++ {
		out = append(out, k*step)
	}
	return out
}

func tickLabel(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

var plotFace = basicfont.Face7x13

func textWidth(s string) int { return font.MeasureString(plotFace, s).Round() }

// text writes s with its baseline at y.
func text(img draw.Image, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(plotInk), Face: plotFace, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// line draws a line of width w from (x0, y0) to (x1, y1) (Bresenham, each
// point a w×w square).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA, w int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		for i := range w {
			for j := range w {
				img.SetRGBA(x0+i-w/2, y0+j-w/2, c)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// cdf is a sample of durations as a cumulative distribution in ms: x the
// sorted latencies, y the share of the sample at or below each (in %).
func cdf(name string, ds []time.Duration) Series {
	s := sortedCopy(ds)
	out := Series{Name: name, Steps: true}
	for i, d := range s {
		out.X = append(out.X, float64(d)/float64(time.Millisecond))
		out.Y = append(out.Y, 100*float64(i+1)/float64(len(s)))
	}
	return out
}
