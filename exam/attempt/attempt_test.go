package attempt_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

// fakeBank is a tiny bank: national has 4 questions (one of each type plus
// a second single), regional 2; both pass at 80 %.
type fakeBank struct {
	qs map[questionbank.VersionRef]questionbank.Question
}

func newFakeBank() *fakeBank {
	b := &fakeBank{qs: map[questionbank.VersionRef]questionbank.Question{}}
	add := func(id int64, subj questionbank.Subject, typ questionbank.QuestionType, answer ...string) {
		opts := []questionbank.Option{{Key: "A", Text: "甲"}, {Key: "B", Text: "乙"}, {Key: "C", Text: "丙"}, {Key: "D", Text: "丁"}}
		if typ == questionbank.TypeTrueFalse {
			opts = []questionbank.Option{{Key: "A", Text: questionbank.TrueText}, {Key: "B", Text: questionbank.FalseText}}
		}
		q := questionbank.Question{ID: id, Version: 1, Subject: subj, ChapterID: 1, Type: typ, Stem: fmt.Sprintf("题目%d", id),
			Options: opts, Answer: answer, Explanation: fmt.Sprintf("解析%d", id), Status: questionbank.StatusPublished}
		b.qs[q.Ref()] = q
	}
	add(1, questionbank.SubjectNational, questionbank.TypeTrueFalse, "A")
	add(2, questionbank.SubjectNational, questionbank.TypeSingle, "C")
	add(3, questionbank.SubjectNational, questionbank.TypeMultiple, "A", "B", "D")
	add(4, questionbank.SubjectNational, questionbank.TypeSingle, "D")
	add(5, questionbank.SubjectRegional, questionbank.TypeSingle, "B")
	add(6, questionbank.SubjectRegional, questionbank.TypeTrueFalse, "B")
	return b
}

func (b *fakeBank) DefaultBlueprint(_ context.Context, kind string) (questionbank.Blueprint, error) {
	// the blueprint AssemblePaper follows: 4 national questions in 60 min, 2 regional in 30, 5 points each, 80 %
	return questionbank.Blueprint{ID: 7, Kind: kind, IsDefault: true, Sections: []questionbank.BlueprintSection{
		{Subject: questionbank.SubjectNational, DurationMinutes: 60, PassPercent: 80, Items: []questionbank.BlueprintItem{
			{ChapterID: 1, Type: questionbank.TypeSingle, Count: 2, Points: 5}, {ChapterID: 1, Type: questionbank.TypeTrueFalse, Count: 1, Points: 5}, {ChapterID: 1, Type: questionbank.TypeMultiple, Count: 1, Points: 5}}},
		{Subject: questionbank.SubjectRegional, DurationMinutes: 30, PassPercent: 80, Items: []questionbank.BlueprintItem{
			{ChapterID: 1, Type: questionbank.TypeSingle, Count: 1, Points: 5}, {ChapterID: 1, Type: questionbank.TypeTrueFalse, Count: 1, Points: 5}}},
	}}, nil
}

func (b *fakeBank) AssemblePaper(_ context.Context, bpID, seed int64) (questionbank.Paper, error) {
	sec := func(subj questionbank.Subject, dur int, ids ...int64) questionbank.PaperSection {
		s := questionbank.PaperSection{Subject: subj, DurationMinutes: dur, PassPercent: 80}
		for _, id := range ids {
			q := b.qs[questionbank.VersionRef{QuestionID: id, Version: 1}]
			order := []string{}
			for _, o := range q.Options {
				order = append(order, o.Key)
			}
			slices.Reverse(order) // "shuffled"
			s.Questions = append(s.Questions, questionbank.PaperQuestion{Ref: q.Ref(), Points: 5, OptionOrder: order})
			s.TotalPoints += 5
		}
		return s
	}
	return questionbank.Paper{BlueprintID: bpID, Seed: seed, Sections: []questionbank.PaperSection{
		sec(questionbank.SubjectNational, 60, 3, 1, 4, 2), sec(questionbank.SubjectRegional, 30, 6, 5)}}, nil
}

func (b *fakeBank) Versions(_ context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error) {
	out := map[questionbank.VersionRef]questionbank.Question{}
	for _, r := range refs {
		if q, ok := b.qs[r]; ok {
			out[r] = q
		}
	}
	return out, nil
}

type fixture struct {
	svc   *attempt.Service
	clock *clock.Fake
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	clk := clock.NewFake(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	return fixture{svc: attempt.NewService(attemptdb.New(db), newFakeBank(), db, clk, nil), clock: clk}
}

func as(candidateID int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: candidateID, Kind: "candidate", Role: "candidate"}})
}

func errCode(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "not an app error: " + err.Error()
}

func TestStartHidesKeysAndResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(11)
	v, err := f.svc.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != attempt.StatusInProgress || len(v.Questions) != 6 || len(v.Sections) != 2 {
		t.Fatalf("bad start: %+v", v.Attempt)
	}
	if want := f.clock.Now().Add(90 * time.Minute); !v.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", v.Deadline, want)
	}
	for i, q := range v.Questions {
		if q.Position != i+1 || len(q.Answer) != 0 || q.Explanation != "" {
			t.Fatalf("question %d leaks the key or is misnumbered: %+v", i, q)
		}
		if q.Options[0].Key != q.OptionOrder[0] || q.Stem == "" {
			t.Fatalf("options not in the attempt's order: %+v", q)
		}
	}
	// Starting again (reload, second phone) resumes the same attempt.
	again, err := f.svc.StartMock(ctx)
	if err != nil || again.ID != v.ID {
		t.Fatalf("second start: %v, id %d want %d", err, again.ID, v.ID)
	}
	// Many parallel starts by another candidate make exactly one attempt.
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := f.svc.StartMock(as(12))
			ids[i], errs[i] = v.ID, err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("parallel start %d: id %d err %v (first %d)", i, ids[i], errs[i], ids[0])
		}
	}
}

func TestSaveAnswerRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(21)
	v, err := f.svc.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := v.ID
	cases := []struct {
		name     string
		ctx      context.Context
		qid      int64
		ans      attempt.Answer
		wantErr  string
		applied  bool
		wantGive []string
	}{
		{"single answer", ctx, 2, attempt.Answer{Given: []string{"c"}, Seq: 1}, "", true, []string{"C"}},
		{"older seq is ignored", ctx, 2, attempt.Answer{Given: []string{"A"}, Seq: 1}, "", false, []string{"C"}},
		{"newer seq overwrites", ctx, 2, attempt.Answer{Given: []string{"B"}, Seq: 5}, "", true, []string{"B"}},
		{"lower seq after newer is ignored", ctx, 2, attempt.Answer{Given: []string{"D"}, Seq: 3}, "", false, []string{"B"}},
		{"two answers on a single", ctx, 4, attempt.Answer{Given: []string{"A", "B"}, Seq: 1}, "invalid_input", false, nil},
		{"key not an option", ctx, 1, attempt.Answer{Given: []string{"C"}, Seq: 1}, "invalid_input", false, nil},
		{"no seq", ctx, 1, attempt.Answer{Given: []string{"A"}}, "invalid_input", false, nil},
		{"question not in attempt", ctx, 999, attempt.Answer{Given: []string{"A"}, Seq: 1}, "question_not_in_attempt", false, nil},
		{"another candidate's attempt", as(22), 2, attempt.Answer{Given: []string{"A"}, Seq: 9}, "not_found", false, nil},
		{"multiple answer, duplicates folded", ctx, 3, attempt.Answer{Given: []string{"D", "A", "B", "A"}, Seq: 1, Marked: true}, "", true, []string{"A", "B", "D"}},
	}
	for _, c := range cases {
		saved, err := f.svc.SaveAnswer(c.ctx, attempt.KindMock, id, c.qid, c.ans)
		if errCode(err) != c.wantErr {
			t.Fatalf("%s: err %v, want %q", c.name, err, c.wantErr)
		}
		if err != nil {
			continue
		}
		if saved.Applied != c.applied || !slices.Equal(saved.Given, c.wantGive) {
			t.Fatalf("%s: applied %v given %v, want %v %v", c.name, saved.Applied, saved.Given, c.applied, c.wantGive)
		}
	}
	// Bad input changed nothing: question 2 still B at seq 5, 4 and 1 unanswered.
	got, err := f.svc.View(ctx, attempt.KindMock, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range got.Questions {
		switch q.QuestionID {
		case 2:
			if !slices.Equal(q.Given, []string{"B"}) || q.Seq != 5 {
				t.Fatalf("q2 = %v seq %d", q.Given, q.Seq)
			}
		case 1, 4:
			if q.Answered() {
				t.Fatalf("q%d got an answer from bad input: %v", q.QuestionID, q.Given)
			}
		case 3:
			if !q.Marked {
				t.Fatal("mark lost")
			}
		}
	}
	if _, err := f.svc.View(as(22), attempt.KindMock, id); errCode(err) != "not_found" {
		t.Fatalf("other candidate view: %v", err)
	}
	if _, err := f.svc.Submit(as(22), attempt.KindMock, id); errCode(err) != "not_found" {
		t.Fatalf("other candidate submit: %v", err)
	}
	if _, err := f.svc.Submit(ctx, attempt.KindFormal, id); errCode(err) != "not_found" {
		t.Fatalf("a mock through a formal route: %v", err)
	}
}

func TestConcurrentAnswersKeepTheHighestSeq(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(31)
	v, err := f.svc.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"A", "B", "C", "D"}
	var wg sync.WaitGroup
	for seq := int64(1); seq <= 20; seq++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.svc.SaveAnswer(ctx, attempt.KindMock, v.ID, 2, attempt.Answer{Given: []string{keys[seq%4]}, Seq: seq}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := f.svc.View(ctx, attempt.KindMock, v.ID)
	for _, q := range got.Questions {
		if q.QuestionID == 2 && (q.Seq != 20 || !slices.Equal(q.Given, []string{keys[0]})) {
			t.Fatalf("after the race: seq %d given %v", q.Seq, q.Given)
		}
	}
}

func TestSubmitGradesPerSubject(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(41)
	v, err := f.svc.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[int64][]string{1: {"A"}, 2: {"C"}, 3: {"A", "B", "D"}, 4: {"D"}, // national 4/4
		5: {"B"}, 6: {"A"}} // regional 1/2 = 50 % -> fail
	for qid, g := range answers {
		if _, err := f.svc.SaveAnswer(ctx, attempt.KindMock, v.ID, qid, attempt.Answer{Given: g, Seq: 1}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(10 * time.Minute)
	res, err := f.svc.Submit(ctx, attempt.KindMock, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != attempt.StatusSubmitted || res.Reason != attempt.ReasonCandidate || res.Passed {
		t.Fatalf("result %+v", res.Attempt)
	}
	nat, reg := res.Sections[0], res.Sections[1]
	if nat.Score != 20 || !nat.Passed || nat.Correct != 4 || nat.Percent() != 100 {
		t.Fatalf("national %+v", nat)
	}
	if reg.Score != 5 || reg.Passed || reg.Percent() != 50 {
		t.Fatalf("regional %+v", reg)
	}
	for _, q := range res.Questions {
		if len(q.Answer) == 0 || q.Explanation == "" {
			t.Fatalf("review lacks key: %+v", q)
		}
		if q.Correct != (q.QuestionID != 6) {
			t.Fatalf("q%d correct=%v", q.QuestionID, q.Correct)
		}
	}
	// After submission nothing changes.
	if _, err := f.svc.SaveAnswer(ctx, attempt.KindMock, v.ID, 6, attempt.Answer{Given: []string{"B"}, Seq: 2}); errCode(err) != "attempt_submitted" {
		t.Fatalf("answer after submit: %v", err)
	}
	again, err := f.svc.Submit(ctx, attempt.KindMock, v.ID)
	if err != nil || again.Sections[1].Score != 5 || !again.SubmittedAt.Equal(res.SubmittedAt) {
		t.Fatalf("second submit changed the result: %v %+v", err, again.Attempt)
	}
	// A new mock can start now.
	nv, err := f.svc.StartMock(ctx)
	if err != nil || nv.ID == v.ID {
		t.Fatalf("new mock: %v id %d", err, nv.ID)
	}
	hist, total, err := f.svc.History(ctx, attempt.KindMock, 0, 10)
	if err != nil || total != 2 || hist[0].ID != nv.ID || hist[1].Sections[0].Score != 20 {
		t.Fatalf("history: %v %d %+v", err, total, hist)
	}
}

func TestDeadlineSubmitsOnReadWriteAndSweep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := as(51), as(52)
	va, err := f.svc.StartMock(a)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := f.svc.StartMock(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveAnswer(a, attempt.KindMock, va.ID, 2, attempt.Answer{Given: []string{"C"}, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(90*time.Minute - time.Second)
	if _, err := f.svc.SaveAnswer(b, attempt.KindMock, vb.ID, 2, attempt.Answer{Given: []string{"C"}, Seq: 1}); err != nil {
		t.Fatalf("one second before the deadline: %v", err)
	}
	f.clock.Advance(time.Second)

	// Writing after the deadline: refused, and the attempt is submitted.
	if _, err := f.svc.SaveAnswer(a, attempt.KindMock, va.ID, 4, attempt.Answer{Given: []string{"D"}, Seq: 2}); errCode(err) != "deadline_passed" {
		t.Fatalf("late answer: %v", err)
	}
	got, err := f.svc.View(a, attempt.KindMock, va.ID)
	if err != nil || got.Status != attempt.StatusSubmitted || got.Reason != attempt.ReasonDeadline || got.Sections[0].Score != 5 {
		t.Fatalf("after deadline: %v %+v", err, got.Attempt)
	}
	for _, q := range got.Questions {
		if q.QuestionID == 4 && q.Answered() {
			t.Fatal("late answer was stored")
		}
	}

	// The sweep submits b, and only once even when run on several nodes at once.
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := f.svc.SubmitDue(context.Background(), 100)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum != 1 {
		t.Fatalf("sweeps graded %v attempts in total, want 1", counts)
	}
	gb, err := f.svc.View(b, attempt.KindMock, vb.ID)
	if err != nil || gb.Reason != attempt.ReasonDeadline || gb.Sections[0].Score != 5 {
		t.Fatalf("swept: %v %+v", err, gb.Attempt)
	}
	if n, err := f.svc.SubmitDue(context.Background(), 100); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}

func TestStaffAndAnonymous(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.svc.StartMock(context.Background()); !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Fatalf("anonymous: %v", err)
	}
	staff := reqctx.With(context.Background(), reqctx.Request{Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin"}})
	if _, err := f.svc.StartMock(staff); errCode(err) != "forbidden" {
		t.Fatalf("staff: %v", err)
	}
}

// Node A remembers the paper after its first save (the fast path reads no
// SQL); what it remembers is only what never changes, so a submit on node
// B, a stale seq, another candidate or a foreign question are still seen.
func TestAnswerSavesOnTwoNodes(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	clk := clock.NewFake(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	nodeA := attempt.NewService(attemptdb.New(db), newFakeBank(), db, clk, nil)
	nodeB := attempt.NewService(attemptdb.New(db), newFakeBank(), db, clk, nil)
	ctx := as(61)
	v, err := nodeA.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		ctx     context.Context
		qid     int64
		ans     attempt.Answer
		code    string
		applied bool
		seq     int64
	}{
		{"first save (slow path, remembers the paper)", ctx, 2, attempt.Answer{Given: []string{"C"}, Seq: 5}, "", true, 5},
		{"newer seq (fast path)", ctx, 2, attempt.Answer{Given: []string{"A"}, Seq: 6}, "", true, 6},
		{"stale seq: the stored answer comes back", ctx, 2, attempt.Answer{Given: []string{"B"}, Seq: 4}, "", false, 6},
		{"bad option", ctx, 2, attempt.Answer{Given: []string{"Z"}, Seq: 7}, "invalid_input", false, 0},
		{"question not on the paper", ctx, 99, attempt.Answer{Given: []string{"A"}, Seq: 7}, "question_not_in_attempt", false, 0},
		{"another candidate", as(62), 2, attempt.Answer{Given: []string{"A"}, Seq: 8}, "not_found", false, 0},
	}
	for _, s := range steps {
		got, err := nodeA.SaveAnswer(s.ctx, attempt.KindMock, v.ID, s.qid, s.ans)
		if errCode(err) != s.code || (err == nil && (got.Applied != s.applied || got.Seq != s.seq)) {
			t.Fatalf("%s: %v %+v", s.name, err, got)
		}
	}
	if _, err := nodeB.Submit(ctx, attempt.KindMock, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeA.SaveAnswer(ctx, attempt.KindMock, v.ID, 2, attempt.Answer{Given: []string{"D"}, Seq: 9}); errCode(err) != "attempt_submitted" {
		t.Fatalf("save on node A after a submit on node B: %v", err)
	}
	res, err := nodeB.View(ctx, attempt.KindMock, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range res.Questions {
		if q.QuestionID == 2 && (q.Seq != 6 || q.Given[0] != "A") {
			t.Fatalf("graded answer %+v, want seq 6 A", q.Item)
		}
	}
}

// The rules shown before the clock starts come from the blueprint, and name
// the attempt in progress once there is one.
func TestMockRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(31)
	r, err := f.svc.MockRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []attempt.RuleSection{
		{Subject: questionbank.SubjectNational, DurationMinutes: 60, Questions: 4, TotalPoints: 20, PassPercent: 80, PassPoints: 16},
		{Subject: questionbank.SubjectRegional, DurationMinutes: 30, Questions: 2, TotalPoints: 10, PassPercent: 80, PassPoints: 8},
	}
	if fmt.Sprint(r.Sections) != fmt.Sprint(want) || r.TotalMinutes != 90 || r.TotalQuestions != 6 || r.OpenAttemptID != 0 {
		t.Fatalf("rules %+v", r)
	}
	v, err := f.svc.StartMock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// the rules match the paper the start gives
	for i, s := range v.Sections {
		if s.Count != want[i].Questions || s.DurationMinutes != want[i].DurationMinutes || s.TotalPoints != want[i].TotalPoints {
			t.Fatalf("section %d of the paper %+v, rules %+v", i, s, want[i])
		}
	}
	if r, err = f.svc.MockRules(ctx); err != nil || r.OpenAttemptID != v.ID {
		t.Fatalf("open attempt: %+v %v", r, err)
	}
	if _, err := f.svc.MockRules(context.Background()); err == nil {
		t.Fatal("rules without a candidate")
	}
}
