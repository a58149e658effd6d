package results_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

// bank: national 5 single-choice questions (answer A), regional 5 (answer
// B); each worth 20 points, pass at 80 %.
type bank struct {
	qs map[questionbank.VersionRef]questionbank.Question
}

func newBank() *bank {
	b := &bank{qs: map[questionbank.VersionRef]questionbank.Question{}}
	for i := int64(1); i <= 10; i++ {
		subj, ans := questionbank.SubjectNational, "A"
		if i > 5 {
			subj, ans = questionbank.SubjectRegional, "B"
		}
		q := questionbank.Question{ID: i, Version: 1, Subject: subj, Type: questionbank.TypeSingle, Stem: fmt.Sprint("q", i),
			Options: []questionbank.Option{{Key: "A"}, {Key: "B"}, {Key: "C"}, {Key: "D"}}, Answer: []string{ans}, Status: questionbank.StatusPublished}
		b.qs[q.Ref()] = q
	}
	return b
}

func (b *bank) DefaultBlueprint(_ context.Context, kind string) (questionbank.Blueprint, error) {
	return questionbank.Blueprint{ID: 3, Kind: kind, IsDefault: true}, nil
}

func (b *bank) AssemblePaper(_ context.Context, bpID, seed int64) (questionbank.Paper, error) {
	p := questionbank.Paper{BlueprintID: bpID, Seed: seed}
	for si, subj := range questionbank.Subjects {
		sec := questionbank.PaperSection{Subject: subj, DurationMinutes: 45, PassPercent: 80, TotalPoints: 100}
		for i := int64(1); i <= 5; i++ {
			sec.Questions = append(sec.Questions, questionbank.PaperQuestion{Ref: questionbank.VersionRef{QuestionID: int64(si)*5 + i, Version: 1},
				Points: 20, OptionOrder: []string{"A", "B", "C", "D"}})
		}
		p.Sections = append(p.Sections, sec)
	}
	return p, nil
}

func (b *bank) Versions(_ context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error) {
	out := map[questionbank.VersionRef]questionbank.Question{}
	for _, r := range refs {
		out[r] = b.qs[r]
	}
	return out, nil
}

// The exam-day side and registration, as far as results needs them.
type sittings map[int64]results.Sitting

func (s sittings) Sitting(_ context.Context, attemptID int64) (results.Sitting, error) {
	if x, ok := s[attemptID]; ok {
		return x, nil
	}
	return results.Sitting{}, apperr.ErrNotFound
}

type approved map[int64]int64 // candidate -> application

func (a approved) ApprovedApplication(_ context.Context, cand int64) (int64, time.Time, error) {
	if id, ok := a[cand]; ok {
		return id, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return 0, time.Time{}, apperr.ErrNotFound
}

type contacts struct{}

func (contacts) Contact(_ context.Context, cand, _ int64) (string, string, error) {
	return "张三", fmt.Sprintf("139%08d", cand), nil
}

type fixture struct {
	attempts  *attempt.Service
	results   *results.Service
	msgs      *notify.Service
	clock     *clock.Fake
	sittings  sittings
	apps      approved
	qualified []results.Qualification
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	p := testenv.Protector(t)
	clk := clock.NewFake(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	ns := notifydb.New(db, p)
	f := &fixture{clock: clk, sittings: sittings{}, apps: approved{}}
	f.attempts = attempt.NewService(attemptdb.New(db), newBank(), db, clk, nil)
	f.results = results.NewService(results.Deps{Store: resultsdb.New(db), Applications: f.apps, Sittings: f.sittings, Contacts: contacts{},
		Notifier: notify.NewOutbox(ns, clk, notify.QuietHours{}), Papers: f.attempts, Clock: clk})
	f.results.OnQualified(func(_ context.Context, q results.Qualification) error {
		f.qualified = append(f.qualified, q)
		return nil
	})
	f.attempts.OnSubmit(f.results.RecordAttempt)
	f.msgs = notify.NewService(ns, nil, db, audit.NewService(auditdb.New(db), clk.Now), clk)
	return f
}

func candidateCtx(id int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: id, Kind: "candidate", Role: "exam_candidate"}})
}

func staffCtx(role string, centre int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 900, Kind: "staff", Role: reqctx.Role(role), CentreID: centre}})
}

// sit starts a formal attempt with the subjects eligibility names, answers
// `right` questions of each subject correctly (by subject) and submits.
func (f *fixture) sit(t *testing.T, cand int64, sess results.Sitting, right map[questionbank.Subject]int) attempt.Attempt {
	t.Helper()
	ctx := candidateCtx(cand)
	el, err := f.results.Eligibility(ctx, cand, time.Time{})
	if err != nil || !el.MayBook {
		t.Fatalf("eligibility %+v, %v", el, err)
	}
	a, err := f.attempts.Start(ctx, attempt.Spec{Kind: attempt.KindFormal, CandidateID: cand, Subjects: el.Subjects})
	if err != nil {
		t.Fatal(err)
	}
	f.sittings[a.ID] = sess
	v, err := f.attempts.View(ctx, attempt.KindFormal, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := map[questionbank.Subject]int{}
	for _, q := range v.Questions {
		subj := v.Sections[q.Section].Subject
		given := "D" // wrong for every question
		if done[subj] < right[subj] {
			given = map[questionbank.Subject]string{questionbank.SubjectNational: "A", questionbank.SubjectRegional: "B"}[subj]
			done[subj]++
		}
		if _, err := f.attempts.SaveAnswer(ctx, attempt.KindFormal, a.ID, q.QuestionID, attempt.Answer{Given: []string{given}, Seq: 1}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.attempts.Submit(ctx, attempt.KindFormal, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out.Attempt
}

func subjects(a attempt.Attempt) []questionbank.Subject {
	var out []questionbank.Subject
	for _, s := range a.Sections {
		out = append(out, s.Subject)
	}
	return out
}

// A candidate who passes national and fails regional retakes only regional;
// passing it qualifies them once, with the hook run in the submit.
func TestRetakeOnlyTheFailedSubjectThenQualify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apps[11] = 501
	first := f.sit(t, 11, results.Sitting{ApplicationID: 501, SessionID: 1, CentreID: 7},
		map[questionbank.Subject]int{questionbank.SubjectNational: 4, questionbank.SubjectRegional: 3})
	if got := subjects(first); !slices.Equal(got, questionbank.Subjects) {
		t.Fatalf("first paper subjects %v", got)
	}
	rs, err := f.results.OfAttempt(staffCtx("bureau_admin", 0), first.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("results %+v %v", rs, err)
	}
	for _, r := range rs {
		wantPass := r.Subject == questionbank.SubjectNational
		if r.Passed != wantPass || r.PassPercent != 80 || r.CentreID != 7 || r.ApplicationID != 501 {
			t.Fatalf("result %+v", r)
		}
		if !r.ValidUntil.Equal(r.SatAt.AddDate(3, 0, 0)) {
			t.Fatalf("valid until %v for sat %v", r.ValidUntil, r.SatAt)
		}
	}
	if len(f.qualified) != 0 {
		t.Fatal("qualified after failing a subject")
	}
	el, err := f.results.Eligibility(context.Background(), 11, time.Time{})
	if err != nil || !el.MayBook || !slices.Equal(el.Subjects, []questionbank.Subject{questionbank.SubjectRegional}) {
		t.Fatalf("eligibility after the first sitting %+v %v", el, err)
	}

	f.clock.Advance(14 * 24 * time.Hour)
	retake := f.sit(t, 11, results.Sitting{ApplicationID: 501, SessionID: 2, CentreID: 7},
		map[questionbank.Subject]int{questionbank.SubjectRegional: 5})
	if got := subjects(retake); !slices.Equal(got, []questionbank.Subject{questionbank.SubjectRegional}) {
		t.Fatalf("retake paper subjects %v", got)
	}
	if !retake.Deadline.Equal(retake.StartedAt.Add(45 * time.Minute)) {
		t.Fatalf("retake deadline %v: only the regional section's time", retake.Deadline)
	}
	if len(f.qualified) != 1 {
		t.Fatalf("qualified %d times", len(f.qualified))
	}
	q := f.qualified[0]
	if q.CandidateID != 11 || q.ApplicationID != 501 || len(q.Results) != 2 || !q.QualifiedAt.Equal(retake.SubmittedAt) {
		t.Fatalf("qualification %+v", q)
	}
	el, err = f.results.Eligibility(context.Background(), 11, time.Time{})
	if err != nil || el.MayBook || el.Reason != results.ReasonQualified {
		t.Fatalf("eligibility once qualified %+v %v", el, err)
	}
	// The hook running again (a retried submit transaction) records nothing twice.
	if err := f.results.RecordAttempt(context.Background(), retake); err != nil {
		t.Fatal(err)
	}
	if len(f.qualified) != 1 {
		t.Fatal("the qualified hook ran twice")
	}
	hist, err := f.results.History(staffCtx("bureau_admin", 0), 11)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %d %v", len(hist), err)
	}
	// Result SMS: one per attempt, naming the scores.
	msgs, _, err := f.msgs.List(context.Background(), notify.Filter{CandidateID: 11})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("messages %d %v", len(msgs), err)
	}
	if !strings.Contains(msgs[0].Summary, "区域科目100分合格") || !strings.Contains(msgs[1].Summary, "区域科目60分不合格") {
		t.Fatalf("sms %q / %q", msgs[0].Summary, msgs[1].Summary)
	}
}

func TestEligibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apps[21] = 601
	f.sit(t, 21, results.Sitting{ApplicationID: 601, SessionID: 1, CentreID: 7},
		map[questionbank.Subject]int{questionbank.SubjectNational: 5, questionbank.SubjectRegional: 0})
	sat := f.clock.Now()
	tests := []struct {
		name     string
		cand     int64
		at       time.Time
		mayBook  bool
		reason   string
		subjects []questionbank.Subject
	}{
		{"no approved application", 22, sat, false, results.ReasonNoApplication, nil},
		{"national passed: only regional", 21, sat.AddDate(1, 0, 0), true, "", []questionbank.Subject{questionbank.SubjectRegional}},
		{"last day of validity", 21, sat.AddDate(3, 0, 0).Add(-time.Second), true, "", []questionbank.Subject{questionbank.SubjectRegional}},
		{"pass expired after 3 years: both", 21, sat.AddDate(3, 0, 0), true, "", questionbank.Subjects},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			el, err := f.results.Eligibility(context.Background(), tc.cand, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if el.MayBook != tc.mayBook || el.Reason != tc.reason || !slices.Equal(el.Subjects, tc.subjects) {
				t.Fatalf("got %+v", el)
			}
		})
	}
}

// A proctor sees only their centre's results; asking for another centre is
// "not found"; the bureau sees all, with pass rates per subject.
func TestScoresScoping(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apps[31], f.apps[32] = 701, 702
	f.sit(t, 31, results.Sitting{ApplicationID: 701, SessionID: 1, CentreID: 7}, map[questionbank.Subject]int{questionbank.SubjectNational: 5, questionbank.SubjectRegional: 5})
	a32 := f.sit(t, 32, results.Sitting{ApplicationID: 702, SessionID: 2, CentreID: 8}, map[questionbank.Subject]int{questionbank.SubjectNational: 5, questionbank.SubjectRegional: 1})
	tests := []struct {
		name    string
		ctx     context.Context
		filter  results.Filter
		total   int64
		errCode string
	}{
		{"bureau: everything", staffCtx("bureau_admin", 0), results.Filter{}, 4, ""},
		{"bureau: one centre", staffCtx("bureau_admin", 0), results.Filter{CentreID: 8}, 2, ""},
		{"proctor: own centre only", staffCtx("proctor", 7), results.Filter{}, 2, ""},
		{"proctor: another centre's session", staffCtx("proctor", 7), results.Filter{SessionID: 2}, 0, ""},
		{"proctor: another centre", staffCtx("proctor", 7), results.Filter{CentreID: 8}, 0, "not_found"},
		{"anonymous", context.Background(), results.Filter{}, 0, "unauthenticated"},
		{"proctor without a centre", staffCtx("proctor", 0), results.Filter{}, 0, "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := f.results.Search(tc.ctx, tc.filter)
			if code := errCode(err); code != tc.errCode {
				t.Fatalf("error %q, want %q", code, tc.errCode)
			}
			if total != tc.total || int64(len(list)) != tc.total {
				t.Fatalf("total %d (%d rows), want %d", total, len(list), tc.total)
			}
		})
	}
	stats, err := f.results.Stats(staffCtx("bureau_admin", 0), results.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []results.SubjectStat{{Subject: questionbank.SubjectNational, Sat: 2, Passed: 2}, {Subject: questionbank.SubjectRegional, Sat: 2, Passed: 1}}
	if !slices.Equal(stats, want) {
		t.Fatalf("stats %+v", stats)
	}
	// Appeal: the exact paper with the answers and the key; not for another centre's proctor.
	if _, _, err := f.results.Appeal(staffCtx("proctor", 7), a32.ID); errCode(err) != "not_found" {
		t.Fatalf("appeal of another centre's attempt: %v", err)
	}
	v, rs, err := f.results.Appeal(staffCtx("proctor", 8), a32.ID)
	if err != nil || len(rs) != 2 || len(v.Questions) != 10 {
		t.Fatalf("appeal: %d results, %d questions, %v", len(rs), len(v.Questions), err)
	}
	for _, q := range v.Questions {
		if len(q.Answer) != 1 || len(q.Given) != 1 || q.Version != 1 {
			t.Fatalf("appeal question without key, answer or version: %+v", q)
		}
	}
	hist, err := f.results.History(staffCtx("proctor", 7), 32)
	if err != nil || len(hist) != 0 {
		t.Fatalf("proctor of centre 7 sees %d results of a centre-8 candidate", len(hist))
	}
}

func TestFormalAttemptWithoutSittingFailsTheSubmit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := candidateCtx(41)
	a, err := f.attempts.Start(ctx, attempt.Spec{Kind: attempt.KindFormal, CandidateID: 41})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.attempts.Submit(ctx, attempt.KindFormal, a.ID); errCode(err) != "formal_attempt_without_sitting" {
		t.Fatalf("submit without sitting: %v", err)
	}
	// Nothing committed: the attempt is still in progress.
	got, err := f.attempts.Get(ctx, a.ID)
	if err != nil || got.Submitted() {
		t.Fatalf("attempt after a failed submit %+v %v", got, err)
	}
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return err.Error()
}
