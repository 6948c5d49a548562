package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Metrics is one scrape of the bridge's /metrics: the value of each series
// by its name and labels as Prometheus's text format writes them (labels
// sorted by name), such as `wxbridge_logins{state="CONNECTED"}`.
type Metrics map[string]float64

// Get is the value of a series, given its labels as name, value pairs in
// any order; 0 when the scrape does not have it.
func (m Metrics) Get(name string, labels ...string) float64 {
	return m[SeriesKey(name, labels...)]
}

// Has reports whether the scrape has the series.
func (m Metrics) Has(name string, labels ...string) bool {
	_, ok := m[SeriesKey(name, labels...)]
	return ok
}

// SeriesKey is the key of a series in Metrics.
func SeriesKey(name string, labels ...string) string {
	if len(labels) == 0 {
		return name
	}
	pairs := make([]string, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, labels[i]+"="+strconv.Quote(labels[i+1]))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// Lines are the scrape's series whose name starts with prefix, as
// "key value" lines in name order, for logs.
func (m Metrics) Lines(prefix string) []string {
	var out []string
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k+" "+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	slices.Sort(out)
	return out
}

// Scrape reads the bridge's /metrics.
func (b *Bridge) Scrape(ctx context.Context) (Metrics, error) {
	if b.MetricsURL == "" {
		return nil, errors.New("the stack was started without Options.Metrics")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.MetricsURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", b.MetricsURL, resp.Status)
	}
	return parseMetrics(bufio.NewScanner(resp.Body))
}

// parseMetrics reads Prometheus's text format: a series and its value per
// line, comments skipped.
func parseMetrics(sc *bufio.Scanner) (Metrics, error) {
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	m := Metrics{}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("metrics line without a value: %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}
