package groupcommit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/groupcommit"
)

// These tests drive the writer with an in-memory "statement"; the stores'
// tests (practicedb, attemptdb) run it against MariaDB and SQLite.

type row struct {
	key, val int
	bad      bool // the "server" refuses a statement containing this row
}

var errRefused = errors.New("refused")

// table is a fake database: a commit applies every row or none.
type table struct {
	mu      sync.Mutex
	rows    map[int]int
	batches [][]row
	gate    chan struct{} // when set, each commit waits for a receive
	entered atomic.Int64  // commits started
}

func (tb *table) commit(_ context.Context, batch []row) ([]int, error) {
	tb.entered.Add(1)
	if tb.gate != nil {
		<-tb.gate
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.batches = append(tb.batches, append([]row(nil), batch...))
	for _, r := range batch {
		if r.bad {
			return nil, errRefused
		}
	}
	out := make([]int, len(batch))
	for i, r := range batch {
		tb.rows[r.key] += r.val
		out[i] = tb.rows[r.key]
	}
	return out, nil
}

func opts(o groupcommit.Options[row]) groupcommit.Options[row] {
	o.Key = func(r row) uint64 { return uint64(r.key) }
	o.RolledBack = func(err error) bool { return errors.Is(err, errRefused) }
	return o
}

// Each request gets its own result, rows of one key never share a batch,
// concurrent requests do share batches, and nothing is lost.
func TestEveryRequestGetsItsOwnOutcome(t *testing.T) {
	tb := &table{rows: map[int]int{}}
	w := groupcommit.New("test", tb.commit, opts(groupcommit.Options[row]{MaxBatch: 16}))
	const goroutines, each = 32, 50
	var wg sync.WaitGroup
	results := make([][]int, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				v, err := w.Do(context.Background(), row{key: g % 8, val: 1})
				if err != nil {
					t.Error(err)
					return
				}
				results[g] = append(results[g], v)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Per key the counters handed out are exactly 1..n: each request saw
	// the value after its own row, none twice.
	seen := map[int]map[int]bool{}
	for g, vs := range results {
		k := g % 8
		if seen[k] == nil {
			seen[k] = map[int]bool{}
		}
		for _, v := range vs {
			if seen[k][v] {
				t.Fatalf("key %d: value %d handed out twice", k, v)
			}
			seen[k][v] = true
		}
	}
	for k, vs := range seen {
		if len(vs) != goroutines/8*each || tb.rows[k] != len(vs) {
			t.Fatalf("key %d: %d results, stored %d, want %d", k, len(vs), tb.rows[k], goroutines/8*each)
		}
	}
	multi := 0
	for _, b := range tb.batches {
		keys := map[int]bool{}
		for _, r := range b {
			if keys[r.key] {
				t.Fatalf("batch %v writes key %d twice", b, r.key)
			}
			keys[r.key] = true
		}
		if len(b) > 16 {
			t.Fatalf("batch of %d rows over MaxBatch 16", len(b))
		}
		if len(b) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Fatalf("no batch had more than one row in %d batches", len(tb.batches))
	}
}

// A statement the server refuses is retried row by row: only the bad
// row's request fails.
func TestARefusedRowFailsOnlyItsRequest(t *testing.T) {
	tb := &table{rows: map[int]int{}, gate: make(chan struct{})}
	w := groupcommit.New("test", tb.commit, opts(groupcommit.Options[row]{}))
	defer w.Close(context.Background())
	// The first request holds the writer in its commit while three more queue.
	first := make(chan error, 1)
	go func() { _, err := w.Do(context.Background(), row{key: 100, val: 1}); first <- err }()
	time.Sleep(20 * time.Millisecond)
	type out struct {
		key int
		err error
	}
	outs := make(chan out, 3)
	for _, r := range []row{{key: 1, val: 1}, {key: 2, val: 1, bad: true}, {key: 3, val: 1}} {
		go func() { _, err := w.Do(context.Background(), r); outs <- out{r.key, err} }()
	}
	time.Sleep(50 * time.Millisecond) // let them queue behind the first commit
	close(tb.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		o := <-outs
		if (o.key == 2) != errors.Is(o.err, errRefused) {
			t.Fatalf("key %d: err %v", o.key, o.err)
		}
	}
	if tb.rows[1] != 1 || tb.rows[3] != 1 || tb.rows[2] != 0 {
		t.Fatalf("rows %v", tb.rows)
	}
}

// A full queue fails at once with ErrBusy (503 + Retry-After) instead of
// growing; what was queued still commits.
func TestFullQueueIsBusy(t *testing.T) {
	tb := &table{rows: map[int]int{}, gate: make(chan struct{})}
	w := groupcommit.New("test", tb.commit, opts(groupcommit.Options[row]{QueueSize: 4, MaxBatch: 1}))
	var wg sync.WaitGroup
	var ok, busy atomic.Int64
	for i := range 20 {
		wg.Add(1)
		if i == 1 { // the first is in its commit
			waitFor(t, func() bool { return tb.entered.Load() == 1 })
		}
		go func() {
			defer wg.Done()
			_, err := w.Do(context.Background(), row{key: i, val: 1})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, groupcommit.ErrBusy):
				busy.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	waitFor(t, func() bool { return busy.Load() >= 15 })
	close(tb.gate) // let every commit through
	wg.Wait()
	// One request in the commit, four queued: the rest were refused.
	if ok.Load() != 5 || busy.Load() != 15 {
		t.Fatalf("ok %d busy %d, want 5 and 15", ok.Load(), busy.Load())
	}
	var e *apperr.Error
	if !errors.As(groupcommit.ErrBusy, &e) || e.Kind != apperr.KindUnavailable || e.RetryAfterSeconds < 1 {
		t.Fatalf("ErrBusy = %+v", e)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Close commits and answers everything queued, then refuses new requests.
func TestCloseDrainsTheQueue(t *testing.T) {
	tb := &table{rows: map[int]int{}, gate: make(chan struct{})}
	w := groupcommit.New("test", tb.commit, opts(groupcommit.Options[row]{MaxBatch: 3}))
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() { _, err := w.Do(context.Background(), row{key: i % 4, val: 1}); errs <- err }()
	}
	time.Sleep(50 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- w.Close(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	if _, err := w.Do(context.Background(), row{key: 99, val: 1}); !errors.Is(err, groupcommit.ErrClosed) {
		t.Fatalf("Do after Close: %v", err)
	}
	close(tb.gate)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, v := range tb.rows {
		total += v
	}
	if total != n {
		t.Fatalf("%d rows committed, want %d", total, n)
	}
}

// A Close that cannot finish in time says so.
func TestCloseTimesOut(t *testing.T) {
	tb := &table{rows: map[int]int{}, gate: make(chan struct{})}
	w := groupcommit.New("test", tb.commit, opts(groupcommit.Options[row]{}))
	go func() { _, _ = w.Do(context.Background(), row{key: 1, val: 1}) }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	close(tb.gate)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A commit that panics or returns the wrong number of results fails its
// batch; the writer goes on.
func TestBrokenCommitFailsItsBatchOnly(t *testing.T) {
	calls := 0
	w := groupcommit.New("test", func(_ context.Context, b []row) ([]int, error) {
		calls++
		switch calls {
		case 1:
			panic("boom")
		case 2:
			return nil, nil
		}
		return make([]int, len(b)), nil
	}, groupcommit.Options[row]{})
	defer w.Close(context.Background())
	for i, want := range []string{"panicked", "results", ""} {
		_, err := w.Do(context.Background(), row{key: i})
		if got := fmt.Sprint(err); (want == "") != (err == nil) || (want != "" && !strings.Contains(got, want)) {
			t.Fatalf("call %d: %v, want %q", i+1, err, want)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 5 s")
}
