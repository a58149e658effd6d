package questionbank_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

type env struct {
	db  *sqldb.DB
	svc *questionbank.Service
	clk *clock.Fake
	ctx context.Context
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

func newEnvTB(t testing.TB) *env {
	t.Helper()
	db := testenv.DB(t, schema.All())
	clk := clock.NewFake(time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC))
	au := audit.NewService(auditdb.New(db), clk.Now)
	svc := questionbank.NewService(bankdb.New(db), au, db, clk, questionbank.Config{MaxImageBytes: 64 << 10})
	ctx := reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 7, Kind: "staff", Role: "question_editor", Username: "ed"}})
	return &env{db: db, svc: svc, clk: clk, ctx: ctx}
}

func (e *env) chapter(t *testing.T, sub questionbank.Subject, code string) questionbank.Chapter {
	t.Helper()
	c, err := e.svc.CreateChapter(e.ctx, questionbank.ChapterInput{Subject: sub, Code: code, Name: "章节" + code, Sort: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func single(ch questionbank.Chapter, stem string) questionbank.QuestionInput {
	return questionbank.QuestionInput{Subject: ch.Subject, ChapterID: ch.ID, Type: questionbank.TypeSingle, Stem: stem,
		Options: []questionbank.Option{{Key: "A", Text: "甲"}, {Key: "B", Text: "乙"}, {Key: "C", Text: "丙"}}, Answer: []string{"B"}, Explanation: "因为乙", Difficulty: 2}
}

func (e *env) publish(t *testing.T, in questionbank.QuestionInput) questionbank.QuestionInfo {
	t.Helper()
	q, err := e.svc.CreateQuestion(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if q, err = e.svc.SubmitForReview(e.ctx, q.ID, q.RowVersion); err != nil {
		t.Fatal(err)
	}
	if q, err = e.svc.Approve(e.ctx, q.ID, q.RowVersion); err != nil {
		t.Fatal(err)
	}
	return q
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "raw: " + err.Error()
}

func TestLifecycleAndVersions(t *testing.T) {
	e := newEnv(t)
	ch := e.chapter(t, questionbank.SubjectNational, "n01")
	q := e.publish(t, single(ch, "第一题？"))
	if q.Status != questionbank.StatusPublished || q.LiveVersion != 1 {
		t.Fatalf("published: %+v", q)
	}
	live, err := e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{ChapterID: ch.ID})
	if err != nil || len(live) != 1 || live[0].Version != 1 {
		t.Fatalf("live %v %v", live, err)
	}

	// editing a published question starts version 2; v1 stays live
	in := single(ch, "第一题（修订）？")
	in.Answer = []string{"C"}
	q2, err := e.svc.UpdateQuestion(e.ctx, q.ID, q.RowVersion, in)
	if err != nil {
		t.Fatal(err)
	}
	if q2.Version != 2 || q2.Status != questionbank.StatusDraft || q2.LiveVersion != 1 {
		t.Fatalf("after edit: %+v", q2)
	}
	live, _ = e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	if len(live) != 1 || live[0].Version != 1 || live[0].Stem != "第一题？" {
		t.Fatalf("live after edit: %+v", live)
	}
	// stale row version is refused and changes nothing
	if _, err := e.svc.UpdateQuestion(e.ctx, q.ID, q.RowVersion, single(ch, "x？")); !errors.Is(err, apperr.ErrVersionConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	// an editor's draft may be edited in place (same version)
	q2, err = e.svc.UpdateQuestion(e.ctx, q.ID, q2.RowVersion, in)
	if err != nil || q2.Version != 2 {
		t.Fatalf("draft edit: %+v %v", q2, err)
	}
	q2, _ = e.svc.SubmitForReview(e.ctx, q.ID, q2.RowVersion)
	if _, err := e.svc.Reject(e.ctx, q.ID, q2.RowVersion, " "); code(err) != "invalid_input" {
		t.Fatalf("reject without note: %v", err)
	}
	q2, err = e.svc.Approve(e.ctx, q.ID, q2.RowVersion)
	if err != nil {
		t.Fatal(err)
	}
	live, _ = e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	if len(live) != 1 || live[0].Version != 2 || live[0].Answer[0] != "C" {
		t.Fatalf("live after publish v2: %+v", live)
	}
	// the old version is still there for old attempts
	got, err := e.svc.Versions(e.ctx, []questionbank.VersionRef{{QuestionID: q.ID, Version: 1}, {QuestionID: q.ID, Version: 2}, {QuestionID: q.ID, Version: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[questionbank.VersionRef{QuestionID: q.ID, Version: 1}].Answer[0] != "B" || got[questionbank.VersionRef{QuestionID: q.ID, Version: 2}].Answer[0] != "C" {
		t.Fatalf("versions: %+v", got)
	}
	// a draft version is never handed out
	q3, _ := e.svc.UpdateQuestion(e.ctx, q.ID, q2.RowVersion, single(ch, "第一题（三稿）？"))
	got, _ = e.svc.Versions(e.ctx, []questionbank.VersionRef{{QuestionID: q.ID, Version: 3}})
	if len(got) != 0 {
		t.Fatalf("draft leaked: %+v", got)
	}
	// retire: gone from practice, versions stay
	if _, err := e.svc.Retire(e.ctx, q.ID, q3.RowVersion); err != nil {
		t.Fatal(err)
	}
	live, _ = e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	if len(live) != 0 {
		t.Fatalf("retired still live: %+v", live)
	}
	got, _ = e.svc.Versions(e.ctx, []questionbank.VersionRef{{QuestionID: q.ID, Version: 1}})
	if len(got) != 1 {
		t.Fatal("retired question's version vanished")
	}
	hist, err := e.svc.History(e.ctx, q.ID)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %d %v", len(hist), err)
	}
	// wrong status steps
	if _, err := e.svc.SubmitForReview(e.ctx, q.ID, q3.RowVersion+1); !errors.Is(err, questionbank.ErrWrongStatus) {
		t.Fatalf("submit retired: %v", err)
	}
}

func TestBadQuestions(t *testing.T) {
	e := newEnv(t)
	ch := e.chapter(t, questionbank.SubjectNational, "n01")
	other := e.chapter(t, questionbank.SubjectRegional, "r01")
	e.publish(t, single(ch, "已有的题目？"))
	opts := func(texts ...string) []questionbank.Option {
		var o []questionbank.Option
		for i, s := range texts {
			o = append(o, questionbank.Option{Key: string(rune('A' + i)), Text: s})
		}
		return o
	}
	cases := []struct {
		name  string
		mod   func(*questionbank.QuestionInput)
		field string
		code  string
	}{
		{"no correct option", func(q *questionbank.QuestionInput) { q.Answer = nil }, "answer", "invalid_input"},
		{"answer not among options", func(q *questionbank.QuestionInput) { q.Answer = []string{"D"} }, "answer", "invalid_input"},
		{"two answers on single", func(q *questionbank.QuestionInput) { q.Answer = []string{"A", "B"} }, "answer", "invalid_input"},
		{"duplicate options", func(q *questionbank.QuestionInput) { q.Options = opts("甲", "乙", " 甲 ") }, "options", "invalid_input"},
		{"duplicate options in full width", func(q *questionbank.QuestionInput) {
			q.Options = opts("限速120km/h", "乙", "限速１２０ｋｍ／ｈ")
		}, "options", "invalid_input"},
		{"empty stem", func(q *questionbank.QuestionInput) { q.Stem = "  " }, "stem", "invalid_input"},
		{"multiple with one answer", func(q *questionbank.QuestionInput) { q.Type = questionbank.TypeMultiple; q.Answer = []string{"A"} }, "answer", "invalid_input"},
		{"multiple all correct", func(q *questionbank.QuestionInput) {
			q.Type = questionbank.TypeMultiple
			q.Answer = []string{"A", "B", "C"}
		}, "answer", "invalid_input"},
		{"true/false with custom options", func(q *questionbank.QuestionInput) { q.Type = questionbank.TypeTrueFalse; q.Answer = []string{"A"} }, "options", "invalid_input"},
		{"chapter of other subject", func(q *questionbank.QuestionInput) { q.ChapterID = other.ID }, "chapter_id", "invalid_input"},
		{"unknown chapter", func(q *questionbank.QuestionInput) { q.ChapterID = 99999 }, "chapter_id", "invalid_input"},
		{"bad type", func(q *questionbank.QuestionInput) { q.Type = "essay" }, "type", "invalid_input"},
		{"difficulty", func(q *questionbank.QuestionInput) { q.Difficulty = 9 }, "difficulty", "invalid_input"},
		{"unknown image", func(q *questionbank.QuestionInput) { q.ImageID = "../../etc/passwd" }, "image_id", "invalid_input"},
		{"duplicate stem", func(q *questionbank.QuestionInput) { q.Stem = "已有的 题目?" }, "stem", "duplicate_stem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := single(ch, "新题目？")
			tc.mod(&in)
			_, err := e.svc.CreateQuestion(e.ctx, in)
			ae, ok := apperr.As(err)
			if !ok || ae.Code != tc.code || ae.Fields[tc.field].IsZero() {
				t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
	list, total, err := e.svc.SearchQuestions(e.ctx, questionbank.SearchFilter{})
	if err != nil || total != 1 || len(list) != 1 {
		t.Fatalf("bad input changed the bank: %d %v", total, err)
	}
	// a true/false question gets its options filled in
	tf := questionbank.QuestionInput{Subject: ch.Subject, ChapterID: ch.ID, Type: questionbank.TypeTrueFalse, Stem: "判断？", Answer: []string{"b"}}
	q, err := e.svc.CreateQuestion(e.ctx, tf)
	if err != nil || len(q.Options) != 2 || q.Answer[0] != "B" || q.Context != questionbank.ContextBoth {
		t.Fatalf("tf: %+v %v", q, err)
	}
}

func TestGrade(t *testing.T) {
	multi := questionbank.Question{Type: questionbank.TypeMultiple, Answer: []string{"A", "C"}}
	single := questionbank.Question{Type: questionbank.TypeSingle, Answer: []string{"B"}}
	cases := []struct {
		q     questionbank.Question
		given []string
		want  bool
	}{
		{multi, []string{"A", "C"}, true},
		{multi, []string{"c", "a"}, true},
		{multi, []string{"A", "C", "A"}, true},
		{multi, []string{"A"}, false},
		{multi, []string{"A", "B", "C"}, false},
		{multi, nil, false},
		{single, []string{"B"}, true},
		{single, []string{"b"}, true},
		{single, []string{"A"}, false},
		{single, []string{"B", "A"}, false},
	}
	for i, tc := range cases {
		if got := questionbank.Grade(tc.q, tc.given); got != tc.want {
			t.Errorf("case %d: Grade(%v)=%v", i, tc.given, got)
		}
	}
}

func apperrAs(err error) (map[string]string, bool) {
	e, ok := apperr.As(err)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for k, r := range e.Fields {
		out[k] = r.Message()
	}
	return out, true
}
