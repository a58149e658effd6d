package practicedb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

func q(id, chapter int64) questionbank.Question {
	return questionbank.Question{ID: id, ChapterID: chapter, Subject: questionbank.SubjectNational}
}

// The marks an upsert hands back are the row's, as a later read sees them.
func TestUpsertsReturnTheRowsMarks(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := practicedb.New(db)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		do   func() (practice.Marks, error)
		want practice.Marks
	}{
		{"first answer, wrong", func() (practice.Marks, error) {
			return st.RecordAnswer(ctx, 1, q(10, 1), false, []string{"A"}, 3, nil, at)
		}, practice.Marks{QuestionID: 10, Rev: 1, Answered: true, WrongBook: true}},
		{"right", func() (practice.Marks, error) {
			return st.RecordAnswer(ctx, 1, q(10, 1), true, []string{"B"}, 3, nil, at)
		},
			practice.Marks{QuestionID: 10, Rev: 2, Answered: true, WrongBook: true, Streak: 1}},
		{"favourite", func() (practice.Marks, error) { return st.SetFavourite(ctx, 1, q(10, 1), true, at) },
			practice.Marks{QuestionID: 10, Rev: 3, Answered: true, WrongBook: true, Streak: 1, Favourite: true}},
		{"right", func() (practice.Marks, error) {
			return st.RecordAnswer(ctx, 1, q(10, 1), true, []string{"B"}, 3, nil, at)
		},
			practice.Marks{QuestionID: 10, Rev: 4, Answered: true, WrongBook: true, Streak: 2, Favourite: true}},
		{"third right: out of the book", func() (practice.Marks, error) {
			return st.RecordAnswer(ctx, 1, q(10, 1), true, []string{"B"}, 3, nil, at)
		}, practice.Marks{QuestionID: 10, Rev: 5, Answered: true, Streak: 3, Favourite: true}},
		{"favourite of an untouched question", func() (practice.Marks, error) { return st.SetFavourite(ctx, 1, q(11, 1), true, at) },
			practice.Marks{QuestionID: 11, Rev: 1, Favourite: true}},
		{"then answered right", func() (practice.Marks, error) {
			return st.RecordAnswer(ctx, 1, q(11, 1), true, []string{"B"}, 3, nil, at)
		},
			practice.Marks{QuestionID: 11, Rev: 2, Answered: true, Favourite: true, Streak: 1}},
		{"unfavourite", func() (practice.Marks, error) { return st.SetFavourite(ctx, 1, q(11, 1), false, at) },
			practice.Marks{QuestionID: 11, Rev: 3, Answered: true, Streak: 1}},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || got != s.want {
			t.Fatalf("%s: %v %+v want %+v", s.name, err, got, s.want)
		}
		state, err := st.State(ctx, 1)
		if err != nil || state.Marks[s.want.QuestionID] != s.want {
			t.Fatalf("%s: read back %v %+v want %+v", s.name, err, state.Marks[s.want.QuestionID], s.want)
		}
	}
}

// Resume points: the latest sequential answer of a chapter wins, and rows
// of practice_positions written before migration 451 still count when newer.
func TestResumePointsAndLegacyPositions(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := practicedb.New(db)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	legacy := func(chapter int64, pos int, at time.Time) {
		t.Helper()
		if err := db.Conn(ctx).Exec("INSERT INTO practice_positions (candidate_id, chapter_id, position, updated_at) VALUES (?, ?, ?, ?)", 2, chapter, pos, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	seq := func(question, chapter int64, pos int, at time.Time) {
		t.Helper()
		if _, err := st.RecordAnswer(ctx, 2, q(question, chapter), true, []string{"B"}, 3, &practice.Resume{ChapterID: chapter, Position: pos, At: at}, at); err != nil {
			t.Fatal(err)
		}
	}
	legacy(1, 7, t0)                                      // chapter 1: the old row ...
	seq(20, 1, 3, t0.Add(1500*time.Millisecond))          // ... then a newer sequential answer
	legacy(2, 9, t0.Add(5*time.Second))                   // chapter 2: the old row is the newest
	seq(30, 2, 4, t0.Add(2*time.Second))                  //
	seq(31, 3, 6, t0.Add(3*time.Second))                  // chapter 3: going back -> the later answer counts
	seq(32, 3, 2, t0.Add(3*time.Second+time.Millisecond)) //
	if _, err := st.RecordAnswer(ctx, 2, q(33, 3), true, []string{"B"}, 3, nil, t0.Add(time.Hour)); err != nil {
		t.Fatal(err) // a non-sequential answer moves nothing
	}
	seq(40, 4, 5, t0.Add(4*time.Second)) // another candidate's chapter 4 is not ours
	if _, err := st.RecordAnswer(ctx, 3, q(40, 4), true, []string{"B"}, 3, &practice.Resume{ChapterID: 4, Position: 8, At: t0.Add(time.Hour)}, t0); err != nil {
		t.Fatal(err)
	}
	want := map[int64]practice.Resume{
		1: {ChapterID: 1, Position: 3, At: t0.Add(1500 * time.Millisecond)},
		2: {ChapterID: 2, Position: 9, At: t0.Add(5 * time.Second)},
		3: {ChapterID: 3, Position: 2, At: t0.Add(3*time.Second + time.Millisecond)},
		4: {ChapterID: 4, Position: 5, At: t0.Add(4 * time.Second)},
	}
	state, err := st.State(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	positions, err := st.Positions(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	for ch, w := range want {
		if g := state.Resumes[ch]; g.Position != w.Position || !g.At.Equal(w.At) {
			t.Errorf("chapter %d: state %+v want %+v", ch, g, w)
		}
		if positions[ch] != w.Position {
			t.Errorf("chapter %d: positions %d want %d", ch, positions[ch], w.Position)
		}
		if p, err := st.Position(ctx, 2, ch); err != nil || p != w.Position {
			t.Errorf("chapter %d: position %d %v want %d", ch, p, err, w.Position)
		}
	}
	if p, err := st.Position(ctx, 2, 99); err != nil || p != 0 {
		t.Fatalf("unpractised chapter: %d %v", p, err)
	}
}

// Every committed answer lands in its hour's counter (the statistics'
// answers per day), concurrent writers included.
func TestAnswersAreCountedPerHour(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := practicedb.New(db)
	t.Cleanup(func() { _ = st.Drain(context.Background()) })
	ctx := context.Background()
	h1 := time.Date(2026, 11, 23, 8, 5, 0, 0, time.UTC)
	h2 := h1.Add(time.Hour)
	var wg sync.WaitGroup
	for cand := int64(1); cand <= 20; cand++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, at := range []time.Time{h1, h1, h2} {
				if _, err := st.RecordAnswer(ctx, cand, q(int64(100+i), 1), i != 1, []string{"A"}, 3, nil, at); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var rows []struct {
		Hour             time.Time
		Answers, Correct int64
	}
	if err := db.Conn(ctx).Raw("SELECT hour, SUM(answers) AS answers, SUM(correct) AS correct FROM practice_answer_hours GROUP BY hour ORDER BY hour").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Answers != 40 || rows[0].Correct != 20 || rows[1].Answers != 20 || rows[1].Correct != 20 {
		t.Fatalf("counters %+v", rows)
	}
}
