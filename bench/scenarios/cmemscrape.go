package scenarios

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cMem is the bridge's own account of the memory C code holds, from its
// /metrics (bridge/cmem). A figure the bridge did not report is -1.
type cMem struct {
	sqlite, heapInUse, heapFree int64
}

// readCMem scrapes the bridge's Prometheus metrics at url for its C
// memory gauges.
func readCMem(ctx context.Context, url string) (cMem, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return cMem{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return cMem{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return cMem{}, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseCMem(resp.Body)
}

// parseCMem reads the C memory gauges out of Prometheus' text format.
func parseCMem(r io.Reader) (cMem, error) {
	m := cMem{sqlite: -1, heapInUse: -1, heapFree: -1}
	targets := map[string]*int64{
		"wxbridge_sqlite_memory_bytes":          &m.sqlite,
		`wxbridge_c_heap_bytes{state="in_use"}`: &m.heapInUse,
		`wxbridge_c_heap_bytes{state="free"}`:   &m.heapFree,
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		dst := targets[name]
		if dst == nil {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return m, fmt.Errorf("metrics: %s: %w", name, err)
		}
		*dst = int64(f)
	}
	return m, sc.Err()
}
