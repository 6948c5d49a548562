package bridge

import (
	"context"
	"sync"

	"github.com/rs/zerolog"
)

// worker runs the work that inbound batches and messages ask for but that
// must not hold up the sync loop or the drain: bringing ghosts and portals
// up to date with changed contacts (updateContacts) and fetching a group a
// system message said changed (refreshGroup). One goroutine runs the jobs
// one at a time, in the order they were queued. A job queued under a key
// that is still pending (queued, not yet started) is dropped: the pending
// one does the same work, since it reads the roster when it runs.
//
// The client's run owns it: run starts it with the run's context and counts
// it in c.wg, so Disconnect cancels it and waits for the job in progress.
// No job starts once that context ended; jobs still queued then, or queued
// while no run is going, are dropped. The zero value is ready to start.
type worker struct {
	mu      sync.Mutex
	running bool
	queue   []workerJob
	pending map[string]struct{} // keys in queue
	wake    chan struct{}
}

type workerJob struct {
	key string
	log *zerolog.Logger
	run func(ctx context.Context)
}

// add queues job under key, unless a job is pending under it. The job runs
// with the worker's context, carrying ctx's logger.
func (w *worker) add(ctx context.Context, key string, job func(ctx context.Context)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.running {
		return
	}
	if _, dup := w.pending[key]; dup {
		return
	}
	w.pending[key] = struct{}{}
	w.queue = append(w.queue, workerJob{key: key, log: zerolog.Ctx(ctx), run: job})
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// start runs the worker on a goroutine counted in wg until ctx ends. The
// previous start's goroutine must have ended (wg waited for).
func (w *worker) start(ctx context.Context, wg *sync.WaitGroup) {
	w.mu.Lock()
	w.running = true
	w.pending = make(map[string]struct{})
	w.wake = make(chan struct{}, 1)
	wake := w.wake
	w.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.loop(ctx, wake)
	}()
}

func (w *worker) loop(ctx context.Context, wake <-chan struct{}) {
	defer func() {
		w.mu.Lock()
		w.running, w.queue, w.pending = false, nil, nil
		w.mu.Unlock()
	}()
	for ctx.Err() == nil {
		job, ok := w.next()
		if !ok {
			select {
			case <-wake:
			case <-ctx.Done():
			}
			continue
		}
		job.run(job.log.WithContext(ctx))
	}
}

// next takes the first queued job, whose key is then no longer pending.
func (w *worker) next() (workerJob, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return workerJob{}, false
	}
	job := w.queue[0]
	w.queue[0] = workerJob{}
	w.queue = w.queue[1:]
	delete(w.pending, job.key)
	return job, true
}
