// Package groupcommit gathers concurrent single-row writes of one statement
// shape into one multi-row statement per commit.
//
// One writer goroutine per Writer takes whatever queued while the previous
// commit ran (no timer: an idle writer commits a lone request at once, a
// busy one commits bigger batches) and hands the batch to the store's
// Commit function, which writes it as one statement. Every caller waits
// until its own row has committed and gets its own outcome; nothing is
// acknowledged before the commit. The queue is bounded: when it is full,
// Do fails at once with ErrBusy (503 with Retry-After) instead of growing
// memory. Close stops accepting and drains what is queued.
//
// The package knows no SQL: the store decides the statement, the batch size
// (1 on SQLite, where a commit takes the database's single write lock
// anyway) and which errors mean "the statement was rolled back", after
// which each row of the batch is tried alone so one bad row fails only its
// own request.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"taxiexam/internal/platform/apperr"
)

// Errors returned by Do.
var (
	// ErrBusy: the queue is full; the client retries after a second.
	ErrBusy = apperr.New(apperr.KindUnavailable, "write_queue_full", "the server is busy saving answers; please retry in a moment").WithRetryAfter(1)
	// ErrClosed: the node is shutting down; another node (or this one after
	// its restart) takes the retry.
	ErrClosed = apperr.New(apperr.KindUnavailable, "shutting_down", "the server is restarting; please retry in a moment").WithRetryAfter(1)
)

// CommitFunc writes batch (at most Options.MaxBatch requests, no two with
// the same Key) as one statement and returns one result per request, in
// order. An error fails the whole batch; per-row outcomes that are not
// failures of the statement (a stale sequence number, say) belong in Res.
type CommitFunc[Req, Res any] func(ctx context.Context, batch []Req) ([]Res, error)

// Options tune a Writer. Zero values take the defaults.
type Options[Req any] struct {
	// MaxBatch is the most rows per statement (default 256).
	MaxBatch int
	// QueueSize is how many requests may wait beyond the batch being
	// committed (default 4096); more fail with ErrBusy.
	QueueSize int
	// Key names the row a request writes. Two requests with the same key
	// never share a statement (the later one waits for the next), so a
	// statement writes each row once and each request's result is its own.
	// Keys may collide (a hash): a collision only costs a separate statement.
	Key func(Req) uint64
	// RolledBack reports an error after which nothing of the statement was
	// written (the server refused it). The writer then retries each row of
	// the batch alone so each request gets its own outcome. Errors it does
	// not recognise (a connection lost mid-statement: the outcome is unknown)
	// fail the whole batch, because a retry could apply a row twice.
	RolledBack func(error) bool
	// Retryable reports an error worth retrying the same batch for
	// (deadlock, lock wait timeout); tried up to 3 times with a short pause.
	Retryable func(error) bool
	// Timeout bounds one commit (default 30 s).
	Timeout time.Duration
}

type pending[Req, Res any] struct {
	req  Req
	res  Res
	err  error
	done chan struct{}
}

// Writer is one statement shape's queue and writer goroutine.
type Writer[Req, Res any] struct {
	name   string
	commit CommitFunc[Req, Res]
	opt    Options[Req]

	mu      sync.RWMutex // guards closed against sends on queue
	closed  bool
	queue   chan *pending[Req, Res]
	start   sync.Once
	stopped chan struct{}
}

// New returns a writer; its goroutine starts with the first Do.
func New[Req, Res any](name string, commit CommitFunc[Req, Res], opt Options[Req]) *Writer[Req, Res] {
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	if opt.QueueSize <= 0 {
		opt.QueueSize = 4096
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	return &Writer[Req, Res]{name: name, commit: commit, opt: opt,
		queue: make(chan *pending[Req, Res], opt.QueueSize), stopped: make(chan struct{})}
}

// Do queues req and waits until it has committed (or failed). With ctx
// cancelled it returns ctx.Err() at once; the row may still commit.
func (w *Writer[Req, Res]) Do(ctx context.Context, req Req) (Res, error) {
	p := &pending[Req, Res]{req: req, done: make(chan struct{})}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		var zero Res
		return zero, ErrClosed
	}
	w.start.Do(func() { go w.run() })
	select {
	case w.queue <- p:
	default:
		w.mu.RUnlock()
		var zero Res
		return zero, ErrBusy
	}
	w.mu.RUnlock()
	select {
	case <-p.done:
		return p.res, p.err
	case <-ctx.Done():
		var zero Res
		return zero, ctx.Err()
	}
}

// Close stops accepting requests and waits until every queued one has been
// committed and answered, or ctx ends.
func (w *Writer[Req, Res]) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		w.start.Do(func() { go w.run() })
		close(w.queue)
	}
	w.mu.Unlock()
	select {
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("groupcommit %s: drain: %w", w.name, ctx.Err())
	}
}

// run is the writer goroutine: block for one request, take what else is
// queued (up to MaxBatch, deferring a second write of the same key to the
// next batch), commit, answer, repeat.
func (w *Writer[Req, Res]) run() {
	defer close(w.stopped)
	var (
		batch = make([]*pending[Req, Res], 0, w.opt.MaxBatch)
		carry []*pending[Req, Res] // same key as a row of the batch before
		keys  = map[uint64]struct{}{}
		open  = true
	)
	for open || len(carry) > 0 {
		batch, keys = batch[:0], clearKeys(keys)
		rest := carry[:0:0]
		for _, p := range carry {
			if !w.add(&batch, keys, p) {
				rest = append(rest, p)
			}
		}
		carry = rest
		if len(batch) == 0 && open {
			p, ok := <-w.queue
			if !ok {
				open = false
				continue
			}
			w.add(&batch, keys, p)
		}
	fill:
		for open && len(batch) < w.opt.MaxBatch {
			select {
			case p, ok := <-w.queue:
				if !ok {
					open = false
					break fill
				}
				if !w.add(&batch, keys, p) {
					carry = append(carry, p)
				}
			default:
				break fill
			}
		}
		if len(batch) > 0 {
			w.write(batch)
		}
	}
}

func clearKeys(m map[uint64]struct{}) map[uint64]struct{} {
	if len(m) > 1024 {
		return map[uint64]struct{}{}
	}
	clear(m)
	return m
}

// add appends p unless the batch already writes its key or is full.
func (w *Writer[Req, Res]) add(batch *[]*pending[Req, Res], keys map[uint64]struct{}, p *pending[Req, Res]) bool {
	if len(*batch) >= w.opt.MaxBatch {
		return false
	}
	if w.opt.Key != nil {
		k := w.opt.Key(p.req)
		if _, dup := keys[k]; dup {
			return false
		}
		keys[k] = struct{}{}
	}
	*batch = append(*batch, p)
	return true
}

// write commits the batch and answers every request in it.
func (w *Writer[Req, Res]) write(batch []*pending[Req, Res]) {
	reqs := make([]Req, len(batch))
	for i, p := range batch {
		reqs[i] = p.req
	}
	res, err := w.try(reqs)
	if err != nil && len(batch) > 1 && w.opt.RolledBack != nil && w.opt.RolledBack(err) {
		for i, p := range batch {
			one, err := w.try(reqs[i : i+1])
			w.answer(p, one, 0, err)
		}
		return
	}
	for i, p := range batch {
		w.answer(p, res, i, err)
	}
}

func (w *Writer[Req, Res]) answer(p *pending[Req, Res], res []Res, i int, err error) {
	if err == nil {
		p.res = res[i]
	}
	p.err = err
	close(p.done)
}

// try runs one commit, retrying deadlocks; a panic or a result of the wrong
// length is an error of the batch, never a lost answer.
func (w *Writer[Req, Res]) try(reqs []Req) (res []Res, err error) {
	for attempt := 1; ; attempt++ {
		res, err = w.once(reqs)
		if err == nil || attempt == 3 || w.opt.Retryable == nil || !w.opt.Retryable(err) {
			return res, err
		}
		time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
	}
}

func (w *Writer[Req, Res]) once(reqs []Req) (res []Res, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opt.Timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("groupcommit %s: commit panicked: %v", w.name, r)
		}
	}()
	res, err = w.commit(ctx, reqs)
	if err == nil && len(res) != len(reqs) {
		return nil, errors.New("groupcommit " + w.name + ": commit returned " + fmt.Sprint(len(res)) + " results for " + fmt.Sprint(len(reqs)) + " rows")
	}
	return res, err
}
