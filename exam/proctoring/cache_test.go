package proctoring_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/exam/proctoring"
)

// countingStore counts the reads the exam terminal's cache is there to save.
type countingStore struct {
	proctoring.Store
	reads atomic.Int64
}

func (c *countingStore) OpenSittingOf(ctx context.Context, candidateID int64) (proctoring.Sitting, error) {
	c.reads.Add(1)
	return c.Store.OpenSittingOf(ctx, candidateID)
}

func (c *countingStore) TerminalByCredential(ctx context.Context, h string) (proctoring.Terminal, error) {
	c.reads.Add(1)
	return c.Store.TerminalByCredential(ctx, h)
}

// node is another server node over the same database, its cache running.
func (f *fixture) node(t *testing.T) (*proctoring.Service, *countingStore) {
	t.Helper()
	d := f.deps
	cs := &countingStore{Store: d.Store}
	d.Store = cs
	svc := proctoring.NewService(d, f.cfg)
	runCache(t, svc)
	return svc, cs
}

func runCache(t *testing.T, svc *proctoring.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.RunCache(ctx, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(100 * time.Millisecond) // its first poll
}

// within retries call until it returns want (an error code, "" for
// success) or the seat map's 5 s have passed.
func within(t *testing.T, what, want string, call func() error) {
	t.Helper()
	end := time.Now().Add(5 * time.Second)
	for {
		got := errCode(call())
		if got == want {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: still %q after 5 s, want %q", what, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The per-node cache of terminals and sittings: a second save on a node
// reads no SQL before its write; a move, a revocation and the end made on
// one node are seen by the other within the seat map's 5 s (at once on
// the node that made them); a late answer is refused at once everywhere.
func TestTerminalCacheOnTwoNodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	runCache(t, f.svc)
	b, reads := f.node(t)
	t1, _ := f.enrol(t, f.p1, 10, 1)
	t2, _ := f.enrol(t, f.p1, 10, 2)
	t3, term3 := f.enrol(t, f.p1, 10, 3)
	for _, id := range []int64{1001, 1002} {
		if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: id, Admit: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Start(f.p1, 100); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		term, ticket, id string
		cand             int64
	}{{t1, "2026120100000001", idA, 11}, {t2, "2026120100000002", idB, 12}} {
		if _, _, err := f.svc.Login(context.Background(), l.term, l.ticket, l.id, "", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Paper(examCtx(l.cand), l.term); err != nil {
			t.Fatal(err)
		}
	}
	a1, a2 := examCtx(11), examCtx(12)
	// Node B: the first save reads the sitting and the terminal, the next
	// ones nothing (the starts above bumped the session's counter: wait
	// for a poll to settle first).
	time.Sleep(1200 * time.Millisecond)
	seq := int64(0)
	save := func(svc *proctoring.Service, ctx context.Context, term string, qid int64) error {
		seq++
		_, err := svc.Answer(ctx, term, qid, attempt.Answer{Given: []string{"A"}, Seq: seq})
		return err
	}
	if err := save(b, a1, t1, 1); err != nil {
		t.Fatal(err)
	}
	before := reads.reads.Load()
	for range 5 {
		if err := save(b, a1, t1, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.reads.Load() - before; n != 0 {
		t.Fatalf("cached saves read the sitting or terminal %d times", n)
	}
	// A save for a question not on the paper is refused from the cache too.
	if err := save(b, a1, t1, 77); errCode(err) != "question_not_in_attempt" {
		t.Fatalf("question not in the paper: %v", err)
	}

	// Move on node A: the old terminal is refused on A at once, on B within 5 s.
	if _, err := f.svc.Move(f.p1, 100, 1001, term3.ID, "键盘故障"); err != nil {
		t.Fatal(err)
	}
	if err := save(f.svc, a1, t1, 2); errCode(err) != "wrong_terminal" {
		t.Fatalf("old terminal on the moving node: %v", err)
	}
	within(t, "old terminal on the other node", "wrong_terminal", func() error { return save(b, a1, t1, 2) })
	if err := save(b, a1, t3, 2); err != nil {
		t.Fatalf("new terminal on the other node: %v", err)
	}

	// Revoke on node A: its terminal is refused on B within 5 s.
	if err := save(b, a2, t2, 1); err != nil {
		t.Fatal(err)
	}
	tl, err := f.svc.Terminals(f.p1)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tl {
		if x.Seat == 2 {
			if _, err := f.svc.Revoke(f.p1, x.ID, "被盗"); err != nil {
				t.Fatal(err)
			}
		}
	}
	within(t, "revoked terminal on the other node", "terminal_not_enrolled", func() error { return save(b, a2, t2, 1) })

	// Force-submit on A: B refuses the next answer at once (the write itself refuses it).
	if err := save(b, a1, t3, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ForceSubmit(f.p1, 100, 1001, "违纪"); err != nil {
		t.Fatal(err)
	}
	if err := save(b, a1, t3, 3); errCode(err) != "attempt_submitted" {
		t.Fatalf("answer after a force-submit on the other node: %v", err)
	}

	// The end on A: B refuses within 5 s and then says why.
	if _, err := f.svc.End(f.p1, 100, "考试结束"); err != nil {
		t.Fatal(err)
	}
	within(t, "paper after the end on the other node", "session_ended", func() error { _, err := b.Paper(a1, t3); return err })
}
