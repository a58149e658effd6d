package practice_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicekv"
	"taxiexam/internal/platform/testenv"
	questionbank "taxiexam/question-bank"
)

// countingStore counts the reads Next may make of the store.
type countingStore struct {
	practice.Store
	reads atomic.Int64
}

func (c *countingStore) Record(ctx context.Context, cand, q int64) (practice.Record, error) {
	c.reads.Add(1)
	return c.Store.Record(ctx, cand, q)
}

func (c *countingStore) Position(ctx context.Context, cand, ch int64) (int, error) {
	c.reads.Add(1)
	return c.Store.Position(ctx, cand, ch)
}

func (c *countingStore) State(ctx context.Context, cand int64) (practice.State, error) {
	c.reads.Add(1)
	return c.Store.State(ctx, cand)
}

func (f fixture) countingNode(t *testing.T) (*practice.Service, *countingStore) {
	t.Helper()
	cs := &countingStore{Store: f.store}
	return practice.NewService(cs, newFakeBank(), fakeMocks{}, f.clock, time.UTC, practice.WithCache(f.cache, nil)), cs
}

// flush deletes every key of this deployment (the test's prefix), as a
// Redis restart without persistence would; other tests' keys on the
// shared server are left alone.
func (f fixture) flush(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	keys, err := f.redis.Keys(ctx, f.redis.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		if err := f.redis.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func next(t *testing.T, svc *practice.Service, ctx context.Context, ask practice.Ask) practice.Shown {
	t.Helper()
	sh, err := svc.Next(ctx, ask)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func answer(t *testing.T, svc *practice.Service, ctx context.Context, in practice.AnswerInput) practice.Checked {
	t.Helper()
	ck, err := svc.Answer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

// sameAsSQL checks that the cached entry, when complete, holds exactly
// what SQL holds for the candidate.
func (f fixture) sameAsSQL(t *testing.T, cand int64, questions, chapters []int64) {
	t.Helper()
	ctx := context.Background()
	want, err := f.store.State(ctx, cand)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := f.cache.Get(ctx, cand, questions, chapters)
	if err != nil || !ok {
		t.Fatalf("cache entry: ok=%v err=%v", ok, err)
	}
	for _, q := range questions {
		if got.Marks[q] != want.Marks[q] {
			t.Errorf("question %d: cache %+v, SQL %+v", q, got.Marks[q], want.Marks[q])
		}
	}
	for _, ch := range chapters {
		if g, w := got.Resumes[ch], want.Resumes[ch]; g.Position != w.Position || !g.At.Equal(w.At) {
			t.Errorf("chapter %d: cache %+v, SQL %+v", ch, g, w)
		}
	}
}

var allQuestions = []int64{1, 2, 3, 4, 5, 6, 7}

func TestCacheMissFillsThenNextReadsNoSQL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	svc, cs := f.countingNode(t)
	ctx := as(11)
	answer(t, svc, ctx, practice.AnswerInput{QuestionID: 2, Given: []string{"A"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 2})
	if err := svc.SetFavourite(ctx, 4, true); err != nil {
		t.Fatal(err)
	}
	// The writes went through to a partial entry: a reader still fills it once.
	if _, ok, _ := f.cache.Get(context.Background(), 11, []int64{2}, nil); ok {
		t.Fatal("an entry made by write-through alone must not count as complete")
	}
	sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
	if sh.Position != 3 || sh.Question.ID != 3 || sh.Answered || sh.WrongBook {
		t.Fatalf("resume after fill: %+v", sh)
	}
	if n := cs.reads.Load(); n != 1 {
		t.Fatalf("the miss should read the store once (State), read %d times", n)
	}
	f.sameAsSQL(t, 11, allQuestions, []int64{1, 2})
	cs.reads.Store(0)
	for _, ask := range []practice.Ask{
		{Mode: practice.ModeSequential, ChapterID: 1},
		{Mode: practice.ModeSequential, ChapterID: 1, Position: 2},
		{Mode: practice.ModeSequential, ChapterID: 2},
		{Mode: practice.ModeChapter, ChapterID: 1, Position: 4, Seed: 7},
		{Mode: practice.ModeSingle, QuestionID: 4},
		{Mode: practice.ModeRandom, Subject: questionbank.SubjectRegional},
	} {
		sh := next(t, svc, ctx, ask)
		switch sh.Question.ID {
		case 2:
			if !sh.WrongBook || !sh.Answered || sh.Favourite {
				t.Fatalf("%+v: %+v", ask, sh)
			}
		case 4:
			if !sh.Favourite || sh.Answered {
				t.Fatalf("%+v: %+v", ask, sh)
			}
		}
	}
	if n := cs.reads.Load(); n != 0 {
		t.Fatalf("Next read the store %d times with a complete cache entry", n)
	}
}

func TestCacheWritesThrough(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	svc, cs := f.countingNode(t)
	ctx := as(12)
	next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}) // fills the (empty) entry
	cs.reads.Store(0)
	for i, c := range []struct {
		given  string
		wrong  bool
		streak int
	}{{"A", true, 0}, {"B", true, 1}, {"B", true, 2}, {"B", false, 3}, {"C", true, 0}} {
		f.clock.Advance(time.Second)
		ck := answer(t, svc, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{c.given}, Mode: practice.ModeSequential, ChapterID: 1, Position: 1})
		if ck.WrongBook != c.wrong || ck.Streak != c.streak || ck.NextPos != 2 {
			t.Fatalf("answer %d: %+v", i, ck)
		}
		sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 1})
		if sh.WrongBook != c.wrong || !sh.Answered {
			t.Fatalf("next after answer %d: %+v", i, sh)
		}
		f.sameAsSQL(t, 12, allQuestions, []int64{1})
	}
	if err := svc.SetFavourite(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	if sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSingle, QuestionID: 1}); !sh.Favourite {
		t.Fatalf("favourite not written through: %+v", sh)
	}
	if err := svc.SetFavourite(ctx, 1, false); err != nil {
		t.Fatal(err)
	}
	if sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSingle, QuestionID: 1}); sh.Favourite {
		t.Fatalf("unfavourite not written through: %+v", sh)
	}
	f.sameAsSQL(t, 12, allQuestions, []int64{1})
	if n := cs.reads.Load(); n != 0 {
		t.Fatalf("the entry was refilled %d times instead of written through", n)
	}
}

func TestRedisFlushLosesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	svc := f.svc
	ctx := as(13)
	for pos, given := range [][]string{{"B"}, {"D"}, {"A", "C"}} { // right, wrong, right
		sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
		if sh.Position != pos+1 {
			t.Fatalf("sequence: %+v", sh)
		}
		f.clock.Advance(time.Second)
		answer(t, svc, ctx, practice.AnswerInput{QuestionID: sh.Question.ID, Version: sh.Question.Version, Given: given, Mode: practice.ModeSequential, ChapterID: 1, Position: sh.Position})
	}
	if err := svc.SetFavourite(ctx, 6, true); err != nil {
		t.Fatal(err)
	}
	before := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
	f.flush(t)
	if _, ok, _ := f.cache.Get(context.Background(), 13, []int64{1}, nil); ok {
		t.Fatal("flush did not empty the cache")
	}
	after := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
	if after.Position != 4 || after.Question.ID != before.Question.ID {
		t.Fatalf("resume point lost: before %+v after %+v", before, after)
	}
	if sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 2}); !sh.WrongBook || !sh.Answered {
		t.Fatalf("wrong-answer mark lost: %+v", sh)
	}
	if sh := next(t, svc, ctx, practice.Ask{Mode: practice.ModeSingle, QuestionID: 6}); !sh.Favourite {
		t.Fatalf("favourite lost: %+v", sh)
	}
	// The streak continues from SQL after another flush.
	f.flush(t)
	for i := 1; i <= practice.WrongBookExit; i++ {
		ck := answer(t, svc, ctx, practice.AnswerInput{QuestionID: 2, Given: []string{"B"}})
		if ck.Streak != i || ck.WrongBook != (i < practice.WrongBookExit) {
			t.Fatalf("right answer %d after flush: %+v", i, ck)
		}
		if i == 1 {
			f.flush(t) // between two answers too
		}
	}
	chs, err := svc.Chapters(ctx)
	if err != nil || chs[0].Position != 4 || chs[0].Attempts != 6 || chs[0].WrongBook != 0 {
		t.Fatalf("home after flushes: %v %+v", err, chs)
	}
	next(t, svc, ctx, practice.Ask{Mode: practice.ModeSingle, QuestionID: 1})
	f.sameAsSQL(t, 13, allQuestions, []int64{1, 2})
}

func TestTwoNodesSeeEachOthersWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	a, b := f.svc, f.node(fakeMocks{})
	ctx := as(14)
	// Both nodes have the candidate's (shared) entry complete.
	next(t, a, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
	next(t, b, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})

	f.clock.Advance(time.Second)
	answer(t, a, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{"C"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 1})
	sh := next(t, b, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
	if sh.Position != 2 {
		t.Fatalf("B does not resume where A stopped: %+v", sh)
	}
	if sh := next(t, b, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 1}); !sh.WrongBook || !sh.Answered {
		t.Fatalf("B does not see A's wrong answer: %+v", sh)
	}
	if err := b.SetFavourite(ctx, 3, true); err != nil {
		t.Fatal(err)
	}
	if sh := next(t, a, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 3}); !sh.Favourite {
		t.Fatalf("A does not see B's favourite: %+v", sh)
	}
	// Alternating nodes, the streak and the book move as on one node.
	for i := 1; i <= practice.WrongBookExit; i++ {
		node := a
		if i%2 == 0 {
			node = b
		}
		f.clock.Advance(time.Second)
		ck := answer(t, node, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{"B"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 1 + i})
		if ck.Streak != i || ck.WrongBook != (i < practice.WrongBookExit) {
			t.Fatalf("answer %d: %+v", i, ck)
		}
	}
	for _, node := range []*practice.Service{a, b} {
		if sh := next(t, node, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); sh.Position != 5 {
			t.Fatalf("resume: %+v", sh)
		}
		if sh := next(t, node, ctx, practice.Ask{Mode: practice.ModeSingle, QuestionID: 1}); sh.WrongBook {
			t.Fatalf("question 1 left the book: %+v", sh)
		}
	}
	f.sameAsSQL(t, 14, allQuestions, []int64{1, 2})
}

// Racing answers on two nodes, with the entry dropped (a flush) and refilled
// while they run, leave the cache equal to SQL.
func TestRacingWritersAndFillersConverge(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	nodes := []*practice.Service{f.svc, f.node(fakeMocks{})}
	ctx := as(15)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // a reader that keeps refilling, and flushes
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := nodes[i%2].Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); err != nil {
				t.Error(err)
				return
			}
			if i%5 == 0 {
				_ = f.cache.Drop(context.Background(), 15)
			}
		}
	}()
	var writers sync.WaitGroup
	for w := 0; w < 8; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; i < 10; i++ {
				g := "B"
				if (w+i)%3 == 0 {
					g = "A"
				}
				q := int64(1 + (w+i)%2)
				if _, err := nodes[w%2].Answer(ctx, practice.AnswerInput{QuestionID: q, Given: []string{g}, Mode: practice.ModeSequential, ChapterID: 1, Position: int(q)}); err != nil {
					t.Error(err)
				}
				if i%4 == 0 {
					if err := nodes[(w+1)%2].SetFavourite(ctx, q, w%2 == 0); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	next(t, f.svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}) // complete the entry if the last act was a drop
	f.sameAsSQL(t, 15, allQuestions, []int64{1})
	chs, _ := f.svc.Chapters(ctx)
	if chs[0].Attempts != 80 {
		t.Fatalf("lost answers: %+v", chs[0])
	}
}

// A fill that started before a flush must not complete the entry with what
// it read: a write-through may have been lost with the flush.
func TestFillAfterFlushGivesUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	bg := context.Background()
	token, err := f.cache.Claim(bg, 16)
	if err != nil {
		t.Fatal(err)
	}
	stale := practice.State{Marks: map[int64]practice.Marks{1: {QuestionID: 1, Rev: 1, Answered: true}}}
	// A write lands (write-through), then Redis loses everything.
	if err := f.cache.Put(bg, 16, []practice.Marks{{QuestionID: 1, Rev: 2, Answered: true, WrongBook: true}}, nil); err != nil {
		t.Fatal(err)
	}
	f.flush(t)
	if err := f.cache.Fill(bg, 16, token, stale); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.cache.Get(bg, 16, []int64{1}, nil); ok || err != nil {
		t.Fatalf("a fill claimed before the flush completed the entry: ok=%v err=%v", ok, err)
	}
	// Without the flush, the newer write-through survives the older fill.
	token, _ = f.cache.Claim(bg, 16)
	if err := f.cache.Put(bg, 16, []practice.Marks{{QuestionID: 1, Rev: 2, Answered: true, WrongBook: true}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.cache.Fill(bg, 16, token, stale); err != nil {
		t.Fatal(err)
	}
	st, ok, err := f.cache.Get(bg, 16, []int64{1}, nil)
	if !ok || err != nil || st.Marks[1].Rev != 2 || !st.Marks[1].WrongBook {
		t.Fatalf("older fill overwrote a newer write: ok=%v err=%v %+v", ok, err, st)
	}
}

// With Redis gone, practice keeps working from SQL.
func TestCacheDownFallsBackToSQL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	ctx := as(17)
	answer(t, f.svc, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{"A"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 1})
	dead := testenv.Redis(t)
	dead.Close()
	down := practice.NewService(f.store, newFakeBank(), fakeMocks{}, f.clock, time.UTC, practice.WithCache(practicekv.New(dead, time.Minute), nil))
	if sh := next(t, down, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); sh.Position != 2 {
		t.Fatalf("resume without Redis: %+v", sh)
	}
	if sh := next(t, down, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 1}); !sh.WrongBook {
		t.Fatalf("marks without Redis: %+v", sh)
	}
	f.clock.Advance(time.Second)
	if ck := answer(t, down, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{"B"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 2}); ck.Streak != 1 || ck.NextPos != 3 {
		t.Fatalf("answer without Redis: %+v", ck)
	}
	if sh := next(t, f.svc, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); sh.Position != 3 {
		t.Fatalf("the answer given while Redis was down is not seen: %+v", sh)
	}
}

// Resume shows the marks of the question at the resume point (not of the
// question answered there), read with the point from the cache: no SQL,
// on the answering node and on another one; a chapter without a point
// shows its first question with that question's marks.
func TestResumeShowsTheMarksOfItsQuestion(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fakeMocks{}, true)
	a, cs := f.countingNode(t)
	b, csB := f.countingNode(t)
	ctx := as(21)
	if err := a.SetFavourite(ctx, 2, true); err != nil {
		t.Fatal(err)
	}
	if err := a.SetFavourite(ctx, 6, true); err != nil {
		t.Fatal(err)
	}
	next(t, a, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 1}) // the entry is complete
	f.clock.Advance(time.Second)
	answer(t, a, ctx, practice.AnswerInput{QuestionID: 1, Given: []string{"C"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 1})
	reads := cs.reads.Load() + csB.reads.Load()
	for _, node := range []*practice.Service{a, b} {
		sh := next(t, node, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
		if sh.Position != 2 || sh.Question.ID != 2 || !sh.Favourite || sh.WrongBook || sh.Answered {
			t.Fatalf("resume after answering position 1: %+v", sh)
		}
		if sh := next(t, node, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 2}); sh.Position != 1 || sh.Question.ID != 6 || !sh.Favourite {
			t.Fatalf("chapter without a point: %+v", sh)
		}
	}
	// The last position resumes on itself, with the marks of the answer.
	f.clock.Advance(time.Second)
	answer(t, b, ctx, practice.AnswerInput{QuestionID: 5, Version: 2, Given: []string{"C"}, Mode: practice.ModeSequential, ChapterID: 1, Position: 5})
	if sh := next(t, a, ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); sh.Position != 5 || sh.Question.ID != 5 || !sh.WrongBook || !sh.Answered {
		t.Fatalf("resume at the last position: %+v", sh)
	}
	if reads = cs.reads.Load() + csB.reads.Load() - reads; reads != 0 {
		t.Fatalf("resume read SQL %d times", reads)
	}
}
