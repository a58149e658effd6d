package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/attempt"
)

// AttemptSection is one subject of an attempt; the result fields are null
// until the attempt is submitted.
type AttemptSection struct {
	Subject         string `json:"subject" doc:"national | regional"`
	DurationMinutes int    `json:"duration_minutes"`
	PassPercent     int    `json:"pass_percent"`
	TotalPoints     int    `json:"total_points"`
	Questions       int    `json:"questions"`
	Score           *int   `json:"score"`
	Percent         *int   `json:"percent"`
	Correct         *int   `json:"correct"`
	Passed          *bool  `json:"passed"`
}

// AttemptQuestion is one question of an attempt, options in the attempt's
// order. answer, explanation and correct appear only after submission.
type AttemptQuestion struct {
	Position    int              `json:"position" doc:"1-based number on the answer card"`
	Section     int              `json:"section" doc:"index into sections"`
	QuestionID  int64            `json:"question_id"`
	Type        string           `json:"type" doc:"true_false | single | multiple"`
	Stem        string           `json:"stem"`
	ImageURL    string           `json:"image_url,omitempty"`
	Options     []QuestionOption `json:"options"`
	Points      int              `json:"points"`
	Given       []string         `json:"given" doc:"the stored answer (option keys); empty = unanswered"`
	Seq         int64            `json:"seq" doc:"sequence number of the stored answer"`
	Marked      bool             `json:"marked"`
	Answer      []string         `json:"answer,omitempty" doc:"after submission only"`
	Explanation string           `json:"explanation,omitempty" doc:"after submission only"`
	Correct     *bool            `json:"correct" doc:"after submission only"`
}

// AttemptView is an attempt as the exam screen and the result page show it.
type AttemptView struct {
	ID               int64             `json:"id"`
	Kind             string            `json:"kind" doc:"mock | formal"`
	Status           string            `json:"status" doc:"in_progress | submitted"`
	StartedAt        time.Time         `json:"started_at"`
	Deadline         time.Time         `json:"deadline" doc:"the server submits the attempt at this time"`
	ServerNow        time.Time         `json:"server_now" doc:"the server's clock, to sync the countdown"`
	RemainingSeconds int               `json:"remaining_seconds"`
	SubmittedAt      *time.Time        `json:"submitted_at"`
	SubmitReason     string            `json:"submit_reason,omitempty" doc:"candidate | deadline | proctor"`
	Passed           *bool             `json:"passed" doc:"every subject at or above its pass mark; null until submitted"`
	Sections         []AttemptSection  `json:"sections"`
	Questions        []AttemptQuestion `json:"questions"`
}

// AttemptSummary is an attempt in a history list.
type AttemptSummary struct {
	ID           int64            `json:"id"`
	Status       string           `json:"status"`
	StartedAt    time.Time        `json:"started_at"`
	Deadline     time.Time        `json:"deadline"`
	SubmittedAt  *time.Time       `json:"submitted_at"`
	SubmitReason string           `json:"submit_reason,omitempty"`
	Passed       *bool            `json:"passed"`
	Sections     []AttemptSection `json:"sections"`
}

// AttemptAnswerRequest saves one answer. Retries are safe: an answer whose
// seq is not higher than the stored one changes nothing.
type AttemptAnswerRequest struct {
	Given  []string `json:"given" doc:"option keys; [] clears the answer"`
	Seq    int64    `json:"seq" doc:"client sequence number, increasing per attempt (e.g. a counter or Date.now())"`
	Marked bool     `json:"marked" doc:"flagged for another look"`
}

// AttemptAnswerSaved is what is stored for the question now.
type AttemptAnswerSaved struct {
	QuestionID int64    `json:"question_id"`
	Given      []string `json:"given"`
	Seq        int64    `json:"seq"`
	Marked     bool     `json:"marked"`
	Applied    bool     `json:"applied" doc:"false when a newer answer was already stored (this one was older)"`
}

func (s *Server) attemptSections(a attempt.Attempt) []AttemptSection {
	out := make([]AttemptSection, len(a.Sections))
	for i, sec := range a.Sections {
		x := AttemptSection{Subject: string(sec.Subject), DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent,
			TotalPoints: sec.TotalPoints, Questions: sec.Count}
		if a.Submitted() {
			score, pct, correct, passed := sec.Score, sec.Percent(), sec.Correct, sec.Passed
			x.Score, x.Percent, x.Correct, x.Passed = &score, &pct, &correct, &passed
		}
		out[i] = x
	}
	return out
}

func (s *Server) attemptSummary(a attempt.Attempt) AttemptSummary {
	out := AttemptSummary{ID: a.ID, Status: a.Status, StartedAt: s.at(a.StartedAt), Deadline: s.at(a.Deadline), SubmitReason: a.Reason,
		Sections: s.attemptSections(a)}
	if a.Submitted() {
		t := s.at(a.SubmittedAt)
		passed := a.Passed
		out.SubmittedAt, out.Passed = &t, &passed
	}
	return out
}

func (s *Server) attemptView(v attempt.View) AttemptView {
	sum := s.attemptSummary(v.Attempt)
	out := AttemptView{ID: v.ID, Kind: string(v.Kind), Status: v.Status, StartedAt: sum.StartedAt, Deadline: sum.Deadline,
		ServerNow: s.at(v.Now), SubmittedAt: sum.SubmittedAt, SubmitReason: v.Reason, Passed: sum.Passed,
		Sections: sum.Sections, Questions: make([]AttemptQuestion, len(v.Questions))}
	if !v.Submitted() {
		out.RemainingSeconds = max(0, int(v.Deadline.Sub(v.Now).Seconds()))
	}
	for i, q := range v.Questions {
		x := AttemptQuestion{Position: q.Position, Section: q.Section, QuestionID: q.QuestionID, Type: string(q.Type), Stem: q.Stem, ImageURL: q.ImageURL,
			Options: questionOptions(q.Options), Points: q.Points, Given: letters(q.Given), Seq: q.Seq, Marked: q.Marked}
		if v.Submitted() {
			correct := q.Correct
			x.Answer, x.Explanation, x.Correct = letters(q.Answer), q.Explanation, &correct
		}
		out.Questions[i] = x
	}
	return out
}

// MockRulesJSON is shown before a mock exam starts.
type MockRulesJSON struct {
	Sections       []MockRuleSection `json:"sections"`
	TotalMinutes   int               `json:"total_minutes"`
	TotalQuestions int               `json:"total_questions"`
	OpenAttemptID  *int64            `json:"open_attempt_id" doc:"an attempt in progress: starting resumes it (its clock is running)"`
}

// MockRuleSection is one subject of the rules.
type MockRuleSection struct {
	Subject         string `json:"subject" doc:"national | regional"`
	DurationMinutes int    `json:"duration_minutes"`
	Questions       int    `json:"questions"`
	TotalPoints     int    `json:"total_points"`
	PassPercent     int    `json:"pass_percent"`
	PassPoints      int    `json:"pass_points" doc:"the lowest passing score"`
}

func (s *Server) mockRules(c *gin.Context) (MockRulesJSON, error) {
	r, err := s.deps.Attempts.MockRules(c.Request.Context())
	out := MockRulesJSON{TotalMinutes: r.TotalMinutes, TotalQuestions: r.TotalQuestions, Sections: mapSlice(r.Sections, func(x attempt.RuleSection) MockRuleSection {
		return MockRuleSection{Subject: string(x.Subject), DurationMinutes: x.DurationMinutes, Questions: x.Questions, TotalPoints: x.TotalPoints,
			PassPercent: x.PassPercent, PassPoints: x.PassPoints}
	})}
	if r.OpenAttemptID != 0 {
		out.OpenAttemptID = &r.OpenAttemptID
	}
	return out, err
}

func (s *Server) startMock(c *gin.Context) (AttemptView, error) {
	v, err := s.deps.Attempts.StartMock(c.Request.Context())
	return s.attemptView(v), err
}

func (s *Server) listMocks(c *gin.Context, p pageReq) ([]AttemptSummary, int64, error) {
	as, total, err := s.deps.Attempts.History(c.Request.Context(), attempt.KindMock, p.offset(), p.size)
	return mapSlice(as, s.attemptSummary), total, err
}

func (s *Server) getMock(c *gin.Context, id int64) (AttemptView, error) {
	v, err := s.deps.Attempts.View(c.Request.Context(), attempt.KindMock, id)
	return s.attemptView(v), err
}

// saveMockAnswer reads both path ids before the body (a bad question id is
// question_not_in_paper, not 404), so it does not use withIDBody.
func (s *Server) saveMockAnswer(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	qid, err := pathID(c, "question_id")
	if err != nil {
		fail(c, attempt.ErrQuestionNotInPaper)
		return
	}
	var req AttemptAnswerRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	saved, err := s.deps.Attempts.SaveAnswer(c.Request.Context(), attempt.KindMock, id, qid, attempt.Answer{Given: req.Given, Seq: req.Seq, Marked: req.Marked})
	respond(c, AttemptAnswerSaved{QuestionID: saved.QuestionID, Given: letters(saved.Given), Seq: saved.Seq, Marked: saved.Marked, Applied: saved.Applied}, err)
}

func (s *Server) submitMock(c *gin.Context, id int64) (AttemptView, error) {
	v, err := s.deps.Attempts.Submit(c.Request.Context(), attempt.KindMock, id)
	return s.attemptView(v), err
}
