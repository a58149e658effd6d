package practice_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/exam/practice/practicekv"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

// fakeBank: chapter 1 (national) has questions 1-5, chapter 2 (regional)
// 6-7. Question 3 is multiple choice (A,C); every other answer is "B".
// Question 5 is at version 2; version 1 had answer "A".
type fakeBank struct {
	live []questionbank.Question
	old  map[questionbank.VersionRef]questionbank.Question
}

func newFakeBank() *fakeBank {
	b := &fakeBank{old: map[questionbank.VersionRef]questionbank.Question{}}
	opts := []questionbank.Option{{Key: "A", Text: "甲"}, {Key: "B", Text: "乙"}, {Key: "C", Text: "丙"}, {Key: "D", Text: "丁"}}
	for id := int64(1); id <= 7; id++ {
		q := questionbank.Question{ID: id, Version: 1, Subject: questionbank.SubjectNational, ChapterID: 1, Type: questionbank.TypeSingle,
			Stem: fmt.Sprintf("题%d", id), Options: opts, Answer: []string{"B"}, Explanation: fmt.Sprintf("解析%d", id), Status: questionbank.StatusPublished}
		if id >= 6 {
			q.Subject, q.ChapterID = questionbank.SubjectRegional, 2
		}
		if id == 3 {
			q.Type, q.Answer = questionbank.TypeMultiple, []string{"A", "C"}
		}
		if id == 5 {
			v1 := q
			v1.Answer = []string{"A"}
			b.old[v1.Ref()] = v1
			q.Version = 2
		}
		b.live = append(b.live, q)
	}
	return b
}

func (b *fakeBank) Chapters(context.Context) ([]questionbank.Chapter, error) {
	return []questionbank.Chapter{{ID: 1, Subject: questionbank.SubjectNational, Name: "职业道德"}, {ID: 2, Subject: questionbank.SubjectRegional, Name: "区域"}}, nil
}

func (b *fakeBank) PublishedQuestions(_ context.Context, f questionbank.PracticeFilter) ([]questionbank.Question, error) {
	var out []questionbank.Question
	for _, q := range b.live {
		if (f.ChapterID == 0 || q.ChapterID == f.ChapterID) && (f.Subject == "" || q.Subject == f.Subject) {
			out = append(out, q)
		}
	}
	return out, nil
}

func (b *fakeBank) ChapterQuestions(ctx context.Context, chapterID int64) ([]questionbank.Question, error) {
	return b.PublishedQuestions(ctx, questionbank.PracticeFilter{ChapterID: chapterID})
}

func (b *fakeBank) PublishedQuestion(_ context.Context, id int64) (questionbank.Question, error) {
	for _, q := range b.live {
		if q.ID == id {
			return q, nil
		}
	}
	return questionbank.Question{}, apperr.ErrNotFound
}

func (b *fakeBank) Versions(_ context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error) {
	out := map[questionbank.VersionRef]questionbank.Question{}
	for _, r := range refs {
		if q, ok := b.old[r]; ok {
			out[r] = q
		}
		for _, q := range b.live {
			if q.Ref() == r {
				out[r] = q
			}
		}
	}
	return out, nil
}

type fakeMocks struct{ list []attempt.Attempt }

func (m fakeMocks) CandidateHistory(context.Context, int64, attempt.Kind, int, int) ([]attempt.Attempt, int64, error) {
	return m.list, int64(len(m.list)), nil
}

type fixture struct {
	svc   *practice.Service
	clock *clock.Fake
	db    *sqldb.DB
	redis *kv.Redis // nil without the cache
	cache *practicekv.Cache
	store *practicedb.Store
}

// newFixture builds the service over a fresh database, with the Redis
// cache in front of it when cached (as examd wires it) or without (the
// fallback when Redis fails).
func newFixture(t *testing.T, mocks fakeMocks, cached bool) fixture {
	t.Helper()
	f := fixture{db: testenv.DB(t, schema.All()), clock: clock.NewFake(time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC))} // 23:30 in Shanghai
	f.store = practicedb.New(f.db)
	if cached {
		f.redis = testenv.Redis(t)
		f.cache = practicekv.New(f.redis, time.Minute)
	}
	f.svc = f.node(mocks)
	return f
}

// node is another examd node over the same database and Redis.
func (f fixture) node(mocks fakeMocks) *practice.Service {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	var opts []practice.Option
	if f.cache != nil {
		opts = append(opts, practice.WithCache(f.cache, nil))
	}
	return practice.NewService(f.store, newFakeBank(), mocks, f.clock, loc, opts...)
}

// bothWays runs a test without and with the cache.
func bothWays(t *testing.T, test func(t *testing.T, cached bool)) {
	for _, cached := range []bool{false, true} {
		name := "sql"
		if cached {
			name = "cached"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, cached)
		})
	}
}

func as(id int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{Actor: &reqctx.Actor{UserID: id, Kind: "candidate", Role: "candidate"}})
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return "not an app error: " + err.Error()
}

func TestSequentialRemembersPositionAndHidesKey(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		f := newFixture(t, fakeMocks{}, cached)
		ctx := as(1)
		sh, err := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
		if err != nil {
			t.Fatal(err)
		}
		if sh.Position != 1 || sh.Total != 5 || sh.Question.ID != 1 || sh.Question.Answer != nil || sh.Question.Explanation != "" {
			t.Fatalf("first: %+v", sh)
		}
		for pos := 1; pos <= 2; pos++ {
			sh, err := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: pos})
			if err != nil {
				t.Fatal(err)
			}
			ck, err := f.svc.Answer(ctx, practice.AnswerInput{QuestionID: sh.Question.ID, Version: sh.Question.Version, Given: []string{"b"}, Mode: practice.ModeSequential, ChapterID: 1, Position: pos})
			if err != nil {
				t.Fatal(err)
			}
			if !ck.Correct || !slices.Equal(ck.Answer, []string{"B"}) || ck.Explanation == "" || ck.NextPos != pos+1 {
				t.Fatalf("check %d: %+v", pos, ck)
			}
		}
		// Leaving and coming back resumes at 3; another chapter starts at 1.
		sh, err = f.svc.Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1})
		if err != nil || sh.Position != 3 || sh.Question.ID != 3 || !slices.Equal(sh.Question.Answer, nil) {
			t.Fatalf("resume: %v %+v", err, sh)
		}
		if sh, _ := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 2}); sh.Position != 1 || sh.Question.ID != 6 {
			t.Fatalf("chapter 2: %+v", sh)
		}
		if sh, _ := f.svc.Next(as(2), practice.Ask{Mode: practice.ModeSequential, ChapterID: 1}); sh.Position != 1 {
			t.Fatalf("another candidate shares the position: %+v", sh)
		}
		chs, err := f.svc.Chapters(ctx)
		if err != nil || len(chs) != 2 || chs[0].Position != 3 || chs[0].Answered != 2 || chs[0].Accuracy() != 100 || chs[0].Questions != 5 {
			t.Fatalf("home: %v %+v", err, chs)
		}
		// Out-of-range positions clamp; chapter mode is a seeded permutation.
		if sh, _ := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeSequential, ChapterID: 1, Position: 99}); sh.Position != 5 {
			t.Fatalf("clamp: %+v", sh)
		}
		seen := map[int64]bool{}
		for pos := 1; pos <= 5; pos++ {
			a, _ := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeChapter, ChapterID: 1, Position: pos, Seed: 42})
			b, _ := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeChapter, ChapterID: 1, Position: pos, Seed: 42})
			if a.Question.ID != b.Question.ID {
				t.Fatal("chapter order not reproducible for one seed")
			}
			seen[a.Question.ID] = true
		}
		if len(seen) != 5 {
			t.Fatalf("chapter mode is not a permutation: %v", seen)
		}
		r, err := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeRandom, Subject: questionbank.SubjectRegional, Exclude: 6})
		if err != nil || r.Question.ID != 7 {
			t.Fatalf("random regional excluding 6: %v %+v", err, r.Question)
		}
	})
}

func TestWrongBookAndFavourites(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		f := newFixture(t, fakeMocks{}, cached)
		ctx := as(5)
		answer := func(qid int64, given ...string) practice.Checked {
			t.Helper()
			f.clock.Advance(time.Second)
			ck, err := f.svc.Answer(ctx, practice.AnswerInput{QuestionID: qid, Given: given, Mode: practice.ModeRandom})
			if err != nil {
				t.Fatal(err)
			}
			return ck
		}
		if ck := answer(3, "A"); ck.Correct || !ck.WrongBook {
			t.Fatalf("wrong multiple (subset) must be wrong and booked: %+v", ck)
		}
		answer(2, "C")
		book, total, err := f.svc.WrongBook(ctx, 0, 10)
		if err != nil || total != 2 || book[0].Question.ID != 3 || book[1].Question.ID != 2 || len(book[0].Question.Answer) == 0 {
			t.Fatalf("book: %v %d %+v", err, total, book)
		}
		for i := 1; i <= 3; i++ {
			ck := answer(3, "C", "A")
			if !ck.Correct || ck.Streak != i || ck.WrongBook != (i < practice.WrongBookExit) {
				t.Fatalf("right answer %d: %+v", i, ck)
			}
		}
		if _, total, _ := f.svc.WrongBook(ctx, 0, 10); total != 1 {
			t.Fatalf("after %d right in a row the question should leave: total %d", practice.WrongBookExit, total)
		}
		answer(2, "B")
		if ck := answer(2, "D"); ck.WrongBook != true || ck.Streak != 0 {
			t.Fatalf("a wrong answer resets the streak: %+v", ck)
		}
		// The book can be practised as a mode.
		sh, err := f.svc.Next(ctx, practice.Ask{Mode: practice.ModeWrong})
		if err != nil || sh.Question.ID != 2 || !sh.WrongBook || sh.Question.Answer != nil {
			t.Fatalf("wrong mode: %v %+v", err, sh)
		}

		if err := f.svc.SetFavourite(ctx, 7, true); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		if err := f.svc.SetFavourite(ctx, 2, true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetFavourite(ctx, 99, true); errCode(err) != "question_not_published" {
			t.Fatalf("unknown favourite: %v", err)
		}
		favs, n, err := f.svc.Favourites(ctx, 0, 10)
		if err != nil || n != 2 || favs[0].Question.ID != 2 || favs[1].Question.ID != 7 {
			t.Fatalf("favourites: %v %d %+v", err, n, favs)
		}
		if err := f.svc.SetFavourite(ctx, 7, false); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := f.svc.Favourites(ctx, 0, 10); n != 1 {
			t.Fatalf("unfavourite: %d", n)
		}
		card, err := f.svc.Card(ctx, 1)
		if err != nil || len(card) != 5 {
			t.Fatal(err, card)
		}
		want := []string{practice.CardUnanswered, practice.CardWrong, practice.CardRight, practice.CardUnanswered, practice.CardUnanswered}
		for i, c := range card {
			if c.State != want[i] || c.Favourite != (c.QuestionID == 2) {
				t.Fatalf("card %d: %+v want %s", i, c, want[i])
			}
		}
		// Another candidate has an empty book.
		if _, n, _ := f.svc.WrongBook(as(6), 0, 10); n != 0 {
			t.Fatalf("books are per candidate: %d", n)
		}
	})
}

func TestBadAnswersChangeNothing(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		f := newFixture(t, fakeMocks{}, cached)
		ctx := as(8)
		cases := []struct {
			name string
			in   practice.AnswerInput
			want string
		}{
			{"no answer", practice.AnswerInput{QuestionID: 1}, "invalid_input"},
			{"not an option", practice.AnswerInput{QuestionID: 1, Given: []string{"E"}}, "invalid_input"},
			{"two on a single", practice.AnswerInput{QuestionID: 1, Given: []string{"A", "B"}}, "invalid_input"},
			{"unknown question", practice.AnswerInput{QuestionID: 404, Given: []string{"A"}}, "question_not_published"},
			{"unknown version", practice.AnswerInput{QuestionID: 1, Version: 9, Given: []string{"A"}}, "question_not_published"},
			{"bad mode", practice.AnswerInput{QuestionID: 1, Given: []string{"A"}, Mode: "exam"}, "invalid_input"},
		}
		for _, c := range cases {
			if _, err := f.svc.Answer(ctx, c.in); errCode(err) != c.want {
				t.Fatalf("%s: %v want %s", c.name, err, c.want)
			}
		}
		chs, _ := f.svc.Chapters(ctx)
		if chs[0].Attempts != 0 {
			t.Fatalf("bad answers were recorded: %+v", chs[0])
		}
		// The version shown is the version graded: v1 of question 5 had key A.
		ck, err := f.svc.Answer(ctx, practice.AnswerInput{QuestionID: 5, Version: 1, Given: []string{"A"}})
		if err != nil || !ck.Correct {
			t.Fatalf("old version: %v %+v", err, ck)
		}
		if _, err := f.svc.Next(ctx, practice.Ask{Mode: "nope"}); errCode(err) != "invalid_input" {
			t.Fatalf("bad mode: %v", err)
		}
		staff := reqctx.With(context.Background(), reqctx.Request{Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin"}})
		if _, err := f.svc.Chapters(staff); errCode(err) != "forbidden" {
			t.Fatalf("staff: %v", err)
		}
	})
}

func TestParallelAnswersAllCount(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		f := newFixture(t, fakeMocks{}, cached)
		ctx := as(9)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := "B"
				if i%4 == 0 {
					g = "A"
				}
				if _, err := f.svc.Answer(ctx, practice.AnswerInput{QuestionID: 1, Given: []string{g}}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		chs, _ := f.svc.Chapters(ctx)
		if chs[0].Attempts != 20 || chs[0].Rights != 15 {
			t.Fatalf("lost updates: %+v", chs[0])
		}
	})
}

func TestUsageCountsSessionsPerBureauDay(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		f := newFixture(t, fakeMocks{}, cached)
		for i, cand := range []int64{1, 1, 2} {
			if _, err := f.svc.StartSession(as(cand), practice.ModeSequential, 1); err != nil {
				t.Fatal(i, err)
			}
		}
		f.clock.Advance(time.Hour) // 00:30 next day in Shanghai
		if _, err := f.svc.StartSession(as(3), practice.ModeRandom, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StartSession(as(3), "bogus", 0); errCode(err) != "invalid_input" {
			t.Fatalf("bad mode: %v", err)
		}
		days, err := f.svc.Usage(context.Background(), "2026-11-23", "2026-11-24")
		if err != nil {
			t.Fatal(err)
		}
		want := []practice.DayUsage{{Day: "2026-11-23", Sessions: 3, Candidates: 2}, {Day: "2026-11-24", Sessions: 1, Candidates: 1}}
		if !slices.Equal(days, want) {
			t.Fatalf("usage %+v want %+v", days, want)
		}
		for _, c := range [][2]string{{"2026-11-24", "2026-11-23"}, {"x", "2026-11-23"}, {"2025-01-01", "2026-11-23"}} {
			if _, err := f.svc.Usage(context.Background(), c[0], c[1]); errCode(err) != "invalid_input" {
				t.Fatalf("%v: %v", c, err)
			}
		}
	})
}

func TestProgressAndReadiness(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, cached bool) {
		sec := func(score, total int, passed bool) attempt.Section {
			return attempt.Section{Subject: questionbank.SubjectNational, Score: score, TotalPoints: total, Passed: passed}
		}
		mocks := fakeMocks{list: []attempt.Attempt{
			{ID: 3, Status: attempt.StatusInProgress},
			{ID: 2, Status: attempt.StatusSubmitted, Passed: true, Sections: []attempt.Section{sec(90, 100, true), sec(45, 50, true)}},
			{ID: 1, Status: attempt.StatusSubmitted, Passed: false, Sections: []attempt.Section{sec(70, 100, false), sec(50, 50, true)}},
		}}
		f := newFixture(t, mocks, cached)
		ctx := as(4)
		for _, q := range []int64{1, 2, 3, 4} { // 4 of 7 questions, 3 right
			g := []string{"B"}
			if q == 3 {
				g = []string{"A"}
			}
			if _, err := f.svc.Answer(ctx, practice.AnswerInput{QuestionID: q, Given: g}); err != nil {
				t.Fatal(err)
			}
		}
		p, err := f.svc.Progress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Mocks) != 2 || p.Mocks[0].AttemptID != 2 || p.Mocks[0].Scores[0].Percent != 90 {
			t.Fatalf("mocks: %+v", p.Mocks)
		}
		r := p.Readiness
		// coverage 4/7 = 57 %, accuracy 75 %, practice = 75; mocks: weakest 90 and 70 -> 80.
		if r.Coverage != 57 || r.Accuracy != 75 || r.MockAvg != 80 || r.Mocks != 2 || r.Percent != 78 || r.Level != "almost" {
			t.Fatalf("readiness %+v", r)
		}
		if p.Chapters[0].Accuracy() != 75 || p.Chapters[0].WrongBook != 1 {
			t.Fatalf("chapter %+v", p.Chapters[0])
		}
	})
}
