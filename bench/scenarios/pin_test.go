package scenarios

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// threadsHelperEnv turns the test binary into the helper process of
// TestNiceProcessRenicesEveryThread (see runThreadsHelper).
const threadsHelperEnv = "WXBRIDGE_TEST_THREADS_HELPER"

// helperThreads is how many goroutines the helper locks to OS threads of
// their own.
const helperThreads = 4

func TestMain(m *testing.M) {
	if os.Getenv(threadsHelperEnv) != "" {
		runThreadsHelper()
		return
	}
	os.Exit(m.Run())
}

// runThreadsHelper makes a process with several threads: helperThreads
// goroutines each lock themselves to an OS thread and block, so no other
// goroutine can run there. It writes "ready" once they all hold their
// threads and returns when stdin is closed.
func runThreadsHelper() {
	var locked sync.WaitGroup
	block := make(chan struct{})
	for range helperThreads {
		locked.Add(1)
		go func() {
			runtime.LockOSThread()
			locked.Done()
			<-block
		}()
	}
	locked.Wait()
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

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

// TestNiceProcessRenicesEveryThread renices a process with several threads
// and checks the nice value of each. (A single-threaded process such as
// sleep cannot tell a renice of every thread from one of the main thread
// alone.)
func TestNiceProcessRenicesEveryThread(t *testing.T) {
	const nice = 7
	pid := startThreadsHelper(t)
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) <= helperThreads {
		t.Fatalf("the helper has %d threads, want more than %d", len(tasks), helperThreads)
	}
	t.Logf("the helper (pid %d) has %d threads", pid, len(tasks))
	for _, task := range tasks {
		if got := threadNice(t, pid, task.Name()); got == fmt.Sprint(nice) {
			t.Fatalf("thread %s is at nice %s before the renice: run the test at another nice value", task.Name(), got)
		}
	}

	said, err := niceProcess(pid, nice)
	if err != nil {
		t.Fatal(err)
	}
	// The Go runtime of the helper may start a thread at any time, so the
	// report counts at least the threads listed before, and every thread
	// listed after is at the new value (a new thread inherits it).
	var reported, reportedNice int
	if _, err := fmt.Sscanf(said, "Dendrite's %d threads at nice %d", &reported, &reportedNice); err != nil {
		t.Fatalf("report %q does not give the threads and the nice value: %v", said, err)
	}
	if reported < len(tasks) || reportedNice != nice {
		t.Errorf("report %q: want at least %d threads at nice %d", said, len(tasks), nice)
	}
	if tasks, err = os.ReadDir(fmt.Sprintf("/proc/%d/task", pid)); err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if got := threadNice(t, pid, task.Name()); got != fmt.Sprint(nice) {
			t.Errorf("thread %s: nice %s, want %d", task.Name(), got, nice)
		}
	}
}

// startThreadsHelper runs the test binary again as the helper process of
// runThreadsHelper and returns its pid once its threads are up. The helper
// ends with the test.
func startThreadsHelper(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), threadsHelperEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err = cmd.Start(); err != nil {
		t.Fatalf("start the helper process: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("the helper process said %q, %v; want ready", line, err)
	}
	return cmd.Process.Pid
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
