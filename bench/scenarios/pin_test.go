package scenarios

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestNiceProcessRejects(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		n    int
		want string
	}{
		{"no process", 0, 5, "Dendrite has no process"},
		{"zero", os.Getpid(), 0, "from 1 to 19"},
		{"too high", os.Getpid(), 20, "from 1 to 19"},
		{"negative", os.Getpid(), -3, "from 1 to 19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := niceProcess(tt.pid, tt.n)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("niceProcess(%d, %d) = %v, want an error saying %q", tt.pid, tt.n, err, tt.want)
			}
		})
	}
}

func TestNiceProcessRenicesEveryThread(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start a process to renice: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid

	said, err := niceProcess(pid, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(said, "at nice 7") {
		t.Errorf("report %q does not give the nice value", said)
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if got := threadNice(t, pid, task.Name()); got != "7" {
			t.Errorf("thread %s: nice %s, want 7", task.Name(), got)
		}
	}
}

// threadNice reads a thread's nice value from its stat (the 19th field).
func threadNice(t *testing.T, pid int, tid string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, tid))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), ") ")
	if !ok {
		t.Fatalf("stat of thread %s: %q", tid, data)
	}
	f := strings.Fields(rest)
	if len(f) < 17 {
		t.Fatalf("stat of thread %s: too few fields", tid)
	}
	// After the name: state(0) … priority(15) nice(16).
	return f[16]
}
