package scenarios

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// profileTop is the table of the n functions a CPU profile spent the most
// time in by themselves (flat), as `go tool pprof -top` reads it, so the
// report shows where a process's time went without the reader opening
// the profile.
func profileTop(ctx context.Context, path, title string, n int) (Table, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n), path).Output()
	if err != nil {
		return Table{}, fmt.Errorf("go tool pprof -top %s: %w", filepath.Base(path), err)
	}
	return parseProfileTop(string(out), title)
}

// parseProfileTop reads pprof's -top output: a header (the total is on the
// "Duration:" line), the column names, then a line per function.
func parseProfileTop(out, title string) (Table, error) {
	t := Table{Title: title, Header: []string{"flat", "flat %", "cum %", "function"}}
	rows := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Duration:"):
			t.Title += " (" + strings.TrimSpace(strings.TrimPrefix(line, "Duration:")) + ")"
		case len(fields) >= 5 && fields[0] == "flat" && fields[1] == "flat%":
			rows = true
		case rows && len(fields) >= 6:
			t.Rows = append(t.Rows, []string{fields[0], fields[1], fields[4], strings.Join(fields[5:], " ")})
		}
	}
	if len(t.Rows) == 0 {
		return t, fmt.Errorf("no functions in the profile's top (%d bytes of output)", len(out))
	}
	return t, nil
}
