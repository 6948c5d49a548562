package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// This file follows the big account's memory against the rooms the bridge
// has created, so that the report shows how memory scales with portals
// where the window ends long before every portal exists.

// scalePoint is one reading: rooms created for the big login so far, the
// bridge's RSS and its Go heap in use.
type scalePoint struct {
	rooms     int
	rss, heap int64
}

// scaleTracker reads a scalePoint every interval until stopped.
type scaleTracker struct {
	mu     sync.Mutex
	points []scalePoint
	poll   *poller
}

// trackScale starts reading; rooms are the log's "Matrix room created"
// lines after the first roomsBefore.
func (e *Env) trackScale(ctx context.Context, every time.Duration, roomsBefore int) *scaleTracker {
	st := &scaleTracker{}
	pid := e.Stack.Bridge.PID()
	lc := &logCounter{path: e.Stack.Bridge.LogPath, substr: []byte("Matrix room created")}
	st.poll = startPoller(every, func() {
		m, err := ReadMem(pid)
		stats, herr := e.heapStats(ctx)
		n, lerr := lc.count()
		if err == nil && herr == nil && lerr == nil {
			st.mu.Lock()
			st.points = append(st.points, scalePoint{rooms: n - roomsBefore, rss: m.RSS, heap: stats["HeapInuse"]})
			st.mu.Unlock()
		}
	})
	return st
}

// Stop ends the readings and returns them.
func (st *scaleTracker) Stop() []scalePoint {
	st.poll.Stop()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.points
}

// logCounter counts the lines of a growing log that contain substr,
// reading only what was appended since the last count.
type logCounter struct {
	path   string
	substr []byte
	offset int64
	n      int
}

func (lc *logCounter) count() (int, error) {
	f, err := os.Open(lc.path)
	if err != nil {
		return lc.n, err
	}
	defer f.Close()
	if _, err = f.Seek(lc.offset, io.SeekStart); err != nil {
		return lc.n, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return lc.n, err
	}
	// Only whole lines: a line being written is counted next time.
	end := bytes.LastIndexByte(data, '\n') + 1
	lc.n += bytes.Count(data[:end], lc.substr)
	lc.offset += int64(end)
	return lc.n, nil
}

// scaleReport fits RSS and the Go heap against rooms over the second half
// of the readings (after the first portals' one-off costs: the roster's
// ghosts come in as their groups get portals) and projects RSS at
// totalRooms, the rooms the login would have once every group has a
// portal.
func scaleReport(res *Result, points []scalePoint, totalRooms int) {
	if len(points) < 4 {
		return
	}
	half := points[len(points)/2:]
	var xs, rss, heap []float64
	for _, p := range half {
		xs = append(xs, float64(p.rooms))
		rss = append(rss, float64(p.rss)/1e6)
		heap = append(heap, float64(p.heap)/1e6)
	}
	if xs[len(xs)-1] <= xs[0] {
		return // no rooms were created in the second half
	}
	r, h := fitTrend(xs, rss, 0), fitTrend(xs, heap, 0)
	last := points[len(points)-1]
	projected := float64(last.rss)/1e6 + r.Slope*float64(max(totalRooms-last.rooms, 0))
	res.add(Figure{
		Metric:   fmt.Sprintf("RSS per room created, from %d to %d rooms (fit)", int(xs[0]), last.rooms),
		Bridge:   fmt.Sprintf("%.3f MB per room; noise ±%.2f MB", r.Slope, r.Noise),
		Baseline: fmt.Sprintf("Go heap in use %.3f MB per room", h.Slope),
		Compare:  fmt.Sprintf("%.1f MB projected at %d rooms (every group)", projected, totalRooms),
		Target:   "(no target; shows the scale)", Verdict: Info,
	})
	res.raw("rss_mb_per_room", r.Slope)
	res.raw("heap_mb_per_room", h.Slope)
	res.raw("projected_rss_mb", projected)
	all := Series{Name: "RSS"}
	goHeap := Series{Name: "Go heap in use"}
	for _, p := range points {
		all.X = append(all.X, float64(p.rooms))
		all.Y = append(all.Y, float64(p.rss)/1e6)
		goHeap.X = append(goHeap.X, float64(p.rooms))
		goHeap.Y = append(goHeap.Y, float64(p.heap)/1e6)
	}
	a := r.Start - r.Slope*xs[0]
	fit := Series{Name: "RSS fit (second half)", X: []float64{xs[0], float64(last.rooms)}, Y: []float64{a + r.Slope*xs[0], a + r.Slope*float64(last.rooms)}}
	res.Plots = append(res.Plots, Plot{
		File: "big-memory.png", Title: "wxbridge memory against rooms created (big account)", XLabel: "rooms created", YLabel: "MB",
		Series: []Series{all, goHeap, fit},
	})
}
