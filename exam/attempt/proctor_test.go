package attempt_test

import (
	"context"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

func proctor() context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 900, Kind: "staff", Role: "proctor", CentreID: 1}})
}

func TestFormalSubjectsExtendForceSubmitProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := as(31)
	a, err := f.svc.Start(ctx, attempt.Spec{Kind: attempt.KindFormal, CandidateID: 31, Subjects: []questionbank.Subject{questionbank.SubjectRegional}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Sections) != 1 || a.Sections[0].Subject != questionbank.SubjectRegional || !a.Deadline.Equal(a.StartedAt.Add(30*time.Minute)) {
		t.Fatalf("regional-only paper: %+v", a)
	}
	if _, err := f.svc.SaveAnswer(ctx, attempt.KindFormal, a.ID, 1, attempt.Answer{Given: []string{"A"}, Seq: 1}); errCode(err) != "question_not_in_attempt" {
		t.Fatalf("a national question on a regional paper: %v", err)
	}
	if _, err := f.svc.SaveAnswer(ctx, attempt.KindFormal, a.ID, 5, attempt.Answer{Given: []string{"B"}, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Progress(proctor(), []int64{a.ID})
	if err != nil || p[a.ID].Answered != 1 || p[a.ID].Total != 2 || p[a.ID].LastAnswer.IsZero() {
		t.Fatalf("progress %+v %v", p, err)
	}

	bad := []struct {
		name string
		by   time.Duration
		code string
	}{{"zero", 0, "invalid_input"}, {"negative", -time.Minute, "invalid_input"}, {"over an hour", 61 * time.Minute, "invalid_input"}}
	for _, tc := range bad {
		if _, err := f.svc.Extend(proctor(), a.ID, tc.by); errCode(err) != tc.code {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	ext, err := f.svc.Extend(proctor(), a.ID, 10*time.Minute)
	if err != nil || !ext.Deadline.Equal(a.Deadline.Add(10*time.Minute)) {
		t.Fatalf("extend: %+v %v", ext, err)
	}
	// Past the old deadline the attempt is still open.
	f.clock.Advance(35 * time.Minute)
	if got, err := f.svc.Get(proctor(), a.ID); err != nil || got.Submitted() {
		t.Fatalf("after the original deadline: %+v %v", got, err)
	}
	done, err := f.svc.ForceSubmit(proctor(), a.ID)
	if err != nil || !done.Submitted() || done.Reason != attempt.ReasonProctor {
		t.Fatalf("force submit: %+v %v", done, err)
	}
	again, err := f.svc.ForceSubmit(proctor(), a.ID)
	if err != nil || !again.SubmittedAt.Equal(done.SubmittedAt) {
		t.Fatalf("second force submit: %+v %v", again, err)
	}
	if _, err := f.svc.Extend(proctor(), a.ID, time.Minute); errCode(err) != "attempt_submitted" {
		t.Fatalf("extend after submit: %v", err)
	}
	if _, err := f.svc.SaveAnswer(ctx, attempt.KindFormal, a.ID, 6, attempt.Answer{Given: []string{"A"}, Seq: 1}); errCode(err) != "attempt_submitted" {
		t.Fatalf("answer after a proctor's submit: %v", err)
	}
}
