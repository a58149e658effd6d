// Package results turns submitted formal attempts into subject results and
// answers the question every later step asks: which subjects must this
// candidate still sit, and are they qualified?
//
// The rule (出租汽车驾驶员从业资格管理规定, as DESIGN.md §2 and issue #9
// state it): the exam has two subjects, national public (全国公共科目) and
// regional (区域科目); a subject passes at the blueprint's pass mark; a
// passed subject stays valid for 3 years from the day it was sat, so a
// candidate who passed one subject and failed the other retakes only the
// failed one within that time. A candidate is qualified once every subject
// has a passed result that is still valid.
package results

import (
	"context"
	"time"

	questionbank "taxiexam/question-bank"
)

// ValidityYears is how long a passed subject counts towards qualification.
const ValidityYears = 3

// ValidUntil is the end of a subject result's validity: the same instant
// ValidityYears after it was sat.
func ValidUntil(satAt time.Time) time.Time { return satAt.AddDate(ValidityYears, 0, 0) }

// SubjectResult is one subject of one formal attempt.
type SubjectResult struct {
	ID            int64
	CandidateID   int64
	ApplicationID int64
	AttemptID     int64
	SessionID     int64 // the exam session sat (for the scores console)
	CentreID      int64
	Subject       questionbank.Subject
	Score         int // points earned
	TotalPoints   int
	PassPercent   int // the blueprint's pass mark for this subject
	Passed        bool
	SatAt         time.Time // when the attempt was submitted
	ValidUntil    time.Time // SatAt + 3 years; meaningful when Passed
}

// Percent is the score as a whole percentage.
func (r SubjectResult) Percent() int {
	if r.TotalPoints == 0 {
		return 0
	}
	return r.Score * 100 / r.TotalPoints
}

// ValidAt reports a pass that still counts at t.
func (r SubjectResult) ValidAt(t time.Time) bool { return r.Passed && t.Before(r.ValidUntil) }

// Qualification records that a candidate has every subject passed and valid.
// It is written once per application; the certificate issue hangs off it.
type Qualification struct {
	CandidateID   int64
	ApplicationID int64
	QualifiedAt   time.Time
	Results       []SubjectResult // the valid pass of each subject
}

// QualifiedHook runs inside the submit transaction that made the candidate
// qualified, exactly once per application. It must only touch the database
// (and the outbox).
type QualifiedHook func(ctx context.Context, q Qualification) error

// Eligibility says whether a candidate may book a formal exam and which
// subjects the paper must hold.
type Eligibility struct {
	MayBook       bool
	Reason        string // why not, when MayBook is false: ReasonNoApplication | ReasonQualified
	ApplicationID int64
	ApprovedAt    time.Time              // when the application was approved (orders preference rounds)
	Subjects      []questionbank.Subject // the subjects still to pass, in exam order
}

// Reasons a candidate may not book.
const (
	ReasonNoApplication = "no_approved_application"
	ReasonQualified     = "already_qualified"
)

// Sitting is what the exam-day side knows about a formal attempt.
type Sitting struct {
	ApplicationID int64
	SessionID     int64
	CentreID      int64
}

// SubjectStat is the pass rate of one subject in a selection of results.
type SubjectStat struct {
	Subject questionbank.Subject
	Sat     int64
	Passed  int64
}

// Filter selects results for the scores console. Zero values match all.
type Filter struct {
	CentreID    int64
	SessionID   int64
	CandidateID int64
	From, To    time.Time // sat_at in [From, To)
	Offset      int
	Limit       int
}
