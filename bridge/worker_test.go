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

// addLast queues a job under name that records itself and closes the
// returned channel: once closed, every job queued before it is done.
func (l *jobLog) addLast(w *worker, name string) <-chan struct{} {
	done := make(chan struct{})
	w.add(context.Background(), name, l.job(name, func() { close(done) }))
	return done
}

// busyWorker starts a worker running a job under key that returns when
// release is closed.
func busyWorker(t *testing.T, key string) (w *worker, stop func(), release chan struct{}) {
	t.Helper()
	w, stop = newTestWorker(t)
	started, release := make(chan struct{}), make(chan struct{})
	w.add(context.Background(), key, func(context.Context) {
		close(started)
		<-release
	})
	waitFor(t, started, "the running job")
	return w, stop, release
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
	ctx := context.Background()
	w.add(ctx, "a", l.job("a", nil))
	w.add(ctx, "b", l.job("b", nil))
	waitFor(t, l.addLast(w, "c"), "the jobs")
	assert.Equal(t, []string{"a", "b", "c"}, l.get())
}

func TestWorkerCoalescesPendingDuplicates(t *testing.T) {
	w, _, release := busyWorker(t, "group @@g")
	var l jobLog
	ctx := context.Background()
	// The running job's key is no longer pending: queued again, it runs again.
	w.add(ctx, "group @@g", l.job("g", nil))
	w.add(ctx, "group @@g", l.job("g again", nil))
	w.add(ctx, "contact @a", l.job("a", nil))
	w.add(ctx, "group @@g", l.job("g once more", nil))
	done := l.addLast(w, "end")
	close(release)
	waitFor(t, done, "the jobs")
	assert.Equal(t, []string{"g", "a", "end"}, l.get())
}

func TestWorkerStopWaitsForRunningJob(t *testing.T) {
	w, stop, release := busyWorker(t, "slow")
	var l jobLog
	ctx := context.Background()
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
	waitFor(t, l.addLast(w, "first run"), "the first run's job")
	cancel()
	wg.Wait()
	w.add(ctx, "between runs", l.job("between runs", nil))

	runCtx, cancel = context.WithCancel(ctx)
	defer func() { cancel(); wg.Wait() }()
	w.start(runCtx, &wg)
	waitFor(t, l.addLast(w, "second run"), "the second run's job")
	require.Equal(t, []string{"first run", "second run"}, l.get())
}
