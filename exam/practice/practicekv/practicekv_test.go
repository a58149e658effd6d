package practicekv_test

import (
	"context"
	"testing"
	"time"

	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicekv"
	"taxiexam/internal/platform/testenv"
)

func complete(t *testing.T, c *practicekv.Cache, cand int64, st practice.State) {
	t.Helper()
	ctx := context.Background()
	token, err := c.Claim(ctx, cand)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Fill(ctx, cand, token, st); err != nil {
		t.Fatal(err)
	}
}

func TestNewerValueWins(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	c := practicekv.New(r, time.Minute)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	complete(t, c, 1, practice.State{})
	cases := []struct {
		name    string
		marks   practice.Marks
		resume  practice.Resume
		want    practice.Marks
		wantPos int
	}{
		{"first", practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, practice.Resume{ChapterID: 3, Position: 4, At: t0},
			practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, 4},
		{"older rev, earlier resume: ignored", practice.Marks{QuestionID: 9, Rev: 4, WrongBook: true}, practice.Resume{ChapterID: 3, Position: 9, At: t0.Add(-time.Millisecond)},
			practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, 4},
		{"same time, larger position wins", practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, practice.Resume{ChapterID: 3, Position: 5, At: t0},
			practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, 5},
		{"same time, smaller position: ignored", practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, practice.Resume{ChapterID: 3, Position: 2, At: t0},
			practice.Marks{QuestionID: 9, Rev: 5, Answered: true, Streak: 2}, 5},
		{"newer rev, later resume (going back)", practice.Marks{QuestionID: 9, Rev: 6, Answered: true, WrongBook: true, Favourite: true}, practice.Resume{ChapterID: 3, Position: 2, At: t0.Add(time.Second)},
			practice.Marks{QuestionID: 9, Rev: 6, Answered: true, WrongBook: true, Favourite: true}, 2},
	}
	for _, tc := range cases {
		if err := c.Put(ctx, 1, []practice.Marks{tc.marks}, []practice.Resume{tc.resume}); err != nil {
			t.Fatal(err)
		}
		st, ok, err := c.Get(ctx, 1, []int64{9, 10}, []int64{3, 4})
		if err != nil || !ok {
			t.Fatalf("%s: ok=%v err=%v", tc.name, ok, err)
		}
		if st.Marks[9] != tc.want || st.Resumes[3].Position != tc.wantPos {
			t.Fatalf("%s: got %+v / %+v", tc.name, st.Marks[9], st.Resumes[3])
		}
		if _, ok := st.Marks[10]; ok {
			t.Fatalf("%s: untouched question has marks", tc.name)
		}
		if _, ok := st.Resumes[4]; ok {
			t.Fatalf("%s: unpractised chapter has a resume point", tc.name)
		}
	}
	if st, _, _ := c.Get(ctx, 1, nil, []int64{3}); !st.Resumes[3].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("resume time: %+v", st.Resumes[3])
	}
}

func TestEntriesExpireAndAreSeparate(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	c := practicekv.New(r, time.Minute)
	ctx := context.Background()
	if _, ok, err := c.Get(ctx, 2, []int64{1}, nil); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	complete(t, c, 2, practice.State{Marks: map[int64]practice.Marks{1: {Rev: 1, Favourite: true}}})
	if err := c.Put(ctx, 3, []practice.Marks{{QuestionID: 1, Rev: 1, WrongBook: true}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, cand := range []int64{2, 3} {
		ttl, err := r.PTTL(ctx, r.Key("prac", map[int64]string{2: "2", 3: "3"}[cand])).Result()
		if err != nil || ttl <= 0 || ttl > time.Minute {
			t.Fatalf("candidate %d: ttl %v err %v", cand, ttl, err)
		}
	}
	st, ok, err := c.Get(ctx, 2, []int64{1}, nil)
	if err != nil || !ok || !st.Marks[1].Favourite || st.Marks[1].WrongBook || st.Marks[1].QuestionID != 1 {
		t.Fatalf("candidate 2: %v %v %+v", ok, err, st)
	}
	if _, ok, _ := c.Get(ctx, 3, []int64{1}, nil); ok {
		t.Fatal("candidate 3 was only written through: not complete")
	}
	if err := c.Drop(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, 2, []int64{1}, nil); ok {
		t.Fatal("dropped entry still complete")
	}
}

func TestGarbageIsAnError(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	c := practicekv.New(r, time.Minute)
	ctx := context.Background()
	complete(t, c, 4, practice.State{})
	r.HSet(ctx, r.Key("prac", "4"), "q1", "not,marks")
	if _, _, err := c.Get(ctx, 4, []int64{1}, nil); err == nil {
		t.Fatal("garbage marks decoded")
	}
}

// Resume reads the point and the marks of the question it shows in one
// call: the question the point was written for while the point's question
// field matches it, the first question when there is no point, nothing
// when the point does not know its question (written without it, as a
// fill from SQL or an older node does).
func TestResumeReadsPointAndItsQuestion(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	c := practicekv.New(r, time.Minute)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if _, _, ok, err := c.Resume(ctx, 1, 3, 30); ok || err != nil {
		t.Fatalf("no entry: ok=%v err=%v", ok, err)
	}
	first := practice.Marks{QuestionID: 30, Rev: 2, Answered: true, WrongBook: true}
	complete(t, c, 1, practice.State{Marks: map[int64]practice.Marks{30: first}})
	steps := []struct {
		name      string
		put       []practice.Resume
		marks     []practice.Marks
		wantPos   int
		wantMarks *practice.Marks
	}{
		{"no point: the first question", nil, nil, 0, &first},
		{"point with its question, never answered", []practice.Resume{{ChapterID: 3, Position: 2, At: t0, QuestionID: 31}}, nil, 2,
			&practice.Marks{QuestionID: 31}},
		{"point with its question, answered", []practice.Resume{{ChapterID: 3, Position: 3, At: t0.Add(time.Second), QuestionID: 32}},
			[]practice.Marks{{QuestionID: 32, Rev: 1, Answered: true, Streak: 1}}, 3, &practice.Marks{QuestionID: 32, Rev: 1, Answered: true, Streak: 1}},
		{"older point with another question: ignored", []practice.Resume{{ChapterID: 3, Position: 9, At: t0, QuestionID: 39}}, nil, 3,
			&practice.Marks{QuestionID: 32, Rev: 1, Answered: true, Streak: 1}},
		{"newer point without its question", []practice.Resume{{ChapterID: 3, Position: 4, At: t0.Add(2 * time.Second)}}, nil, 4, nil},
	}
	for _, s := range steps {
		if len(s.put) > 0 || len(s.marks) > 0 {
			if err := c.Put(ctx, 1, s.marks, s.put); err != nil {
				t.Fatal(err)
			}
		}
		res, m, ok, err := c.Resume(ctx, 1, 3, 30)
		if err != nil || !ok {
			t.Fatalf("%s: ok=%v err=%v", s.name, ok, err)
		}
		if res.Position != s.wantPos || (m == nil) != (s.wantMarks == nil) || (m != nil && *m != *s.wantMarks) {
			t.Fatalf("%s: got %+v / %+v, want position %d marks %+v", s.name, res, m, s.wantPos, s.wantMarks)
		}
	}
	// Get sees the point as before (the question field is only Resume's).
	if st, _, err := c.Get(ctx, 1, nil, []int64{3}); err != nil || st.Resumes[3].Position != 4 {
		t.Fatalf("get: %+v %v", st.Resumes[3], err)
	}
}
