package bridge

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestWorker starts a worker and stops it (and waits) when the test ends.
func newTestWorker(t *testing.T) (w *worker, stop func()) {
	t.Helper()
	w = &worker{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	w.start(ctx, &wg)
	stop = func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(stop)
	return w, stop
}

// jobLog records which jobs ran, in order.
type jobLog struct {
	mu  sync.Mutex
	ran []string
}

func (l *jobLog) job(name string, then func()) func(context.Context) {
	return func(context.Context) {
		l.mu.Lock()
		l.ran = append(l.ran, name)
		l.mu.Unlock()
		if then != nil {
			then()
		}
	}
}

func (l *jobLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ran...)
}

// blocker is a job that signals when it started and returns when released.
func blocker() (job func(context.Context), started, release chan struct{}) {
	started, release = make(chan struct{}), make(chan struct{})
	return func(context.Context) {
		close(started)
		<-release
	}, started, release
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestWorkerRunsJobsInOrder(t *testing.T) {
	w, _ := newTestWorker(t)
	var l jobLog
	done := make(chan struct{})
	ctx := context.Background()
	w.add(ctx, "a", l.job("a", nil))
	w.add(ctx, "b", l.job("b", nil))
	w.add(ctx, "c", l.job("c", func() { close(done) }))
	waitFor(t, done, "the jobs")
	assert.Equal(t, []string{"a", "b", "c"}, l.get())
}

func TestWorkerCoalescesPendingDuplicates(t *testing.T) {
	w, _ := newTestWorker(t)
	var l jobLog
	ctx := context.Background()
	block, started, release := blocker()
	w.add(ctx, "group @@g", block)
	waitFor(t, started, "the first job")
	// The running job's key is no longer pending: queued again, it runs again.
	w.add(ctx, "group @@g", l.job("g", nil))
	w.add(ctx, "group @@g", l.job("g again", nil))
	w.add(ctx, "contact @a", l.job("a", nil))
	w.add(ctx, "group @@g", l.job("g once more", nil))
	done := make(chan struct{})
	w.add(ctx, "end", l.job("end", func() { close(done) }))
	close(release)
	waitFor(t, done, "the jobs")
	assert.Equal(t, []string{"g", "a", "end"}, l.get())
}

func TestWorkerStopWaitsForRunningJob(t *testing.T) {
	w, stop := newTestWorker(t)
	var l jobLog
	ctx := context.Background()
	block, started, release := blocker()
	w.add(ctx, "slow", block)
	waitFor(t, started, "the slow job")
	w.add(ctx, "queued", l.job("queued", nil))

	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("stop returned while a job was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	waitFor(t, stopped, "stop")

	w.add(ctx, "late", l.job("late", nil))
	assert.Empty(t, l.get(), "no job may start once the worker is stopped")
	w.mu.Lock()
	assert.Empty(t, w.queue, "a stopped worker holds no jobs")
	w.mu.Unlock()
}

func TestWorkerRestartDropsOldJobs(t *testing.T) {
	w := &worker{}
	var l jobLog
	ctx := context.Background()
	w.add(ctx, "before start", l.job("before start", nil))

	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	w.start(runCtx, &wg)
	done := make(chan struct{})
	w.add(ctx, "first run", l.job("first run", func() { close(done) }))
	waitFor(t, done, "the first run's job")
	cancel()
	wg.Wait()
	w.add(ctx, "between runs", l.job("between runs", nil))

	runCtx, cancel = context.WithCancel(ctx)
	defer func() { cancel(); wg.Wait() }()
	w.start(runCtx, &wg)
	done = make(chan struct{})
	w.add(ctx, "second run", l.job("second run", func() { close(done) }))
	waitFor(t, done, "the second run's job")
	require.Equal(t, []string{"first run", "second run"}, l.get())
}
