package scenarios

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// pinBridge moves every thread of the bridge and of this process (the
// simulator, the proxy, the clocks) to the last CPU and Dendrite's to the
// others, with taskset. It returns what it did, for the report.
func pinBridge(ctx context.Context, bridgePID, dendritePID int) (string, error) {
	n := runtime.NumCPU()
	if n < 2 {
		return "", fmt.Errorf("-pin needs at least 2 CPUs, this machine has %d", n)
	}
	if bridgePID == 0 || dendritePID == 0 {
		return "", fmt.Errorf("-pin: the bridge or Dendrite has no process")
	}
	last := strconv.Itoa(n - 1)
	others := "0"
	if n > 2 {
		others = "0-" + strconv.Itoa(n-2)
	}
	for _, p := range []struct {
		pid  int
		cpus string
	}{{bridgePID, last}, {os.Getpid(), last}, {dendritePID, others}} {
		out, err := exec.CommandContext(ctx, "taskset", "-a", "-p", "-c", p.cpus, strconv.Itoa(p.pid)).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("taskset %s for pid %d: %w: %s", p.cpus, p.pid, err, strings.TrimSpace(string(out)))
		}
	}
	return fmt.Sprintf("the bridge and the tool (simulator, proxy, clocks) on CPU %s, Dendrite on CPU %s", last, others), nil
}

// niceProcess lowers the scheduling priority of every thread of pid by n
// (a thread's nice value is its own; threads started later inherit it from
// the thread that starts them). It returns what it did, for the report.
func niceProcess(pid, n int) (string, error) {
	if pid == 0 {
		return "", fmt.Errorf("-nice-dendrite: Dendrite has no process")
	}
	if n < 1 || n > 19 {
		return "", fmt.Errorf("-nice-dendrite %d: give a value from 1 to 19", n)
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return "", fmt.Errorf("-nice-dendrite: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err = syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil {
			return "", fmt.Errorf("-nice-dendrite: thread %d: %w", tid, err)
		}
	}
	return fmt.Sprintf("Dendrite's %d threads at nice %d, the bridge and the tool at 0", len(tasks), n), nil
}
