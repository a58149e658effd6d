package attempt

import (
	"slices"
	"strings"
	"time"

	questionbank "taxiexam/question-bank"
)

// Kind says what an attempt is for. Mock and formal attempts share the
// engine; only who may start them and what follows a submission differ.
type Kind string

const (
	KindMock   Kind = "mock"
	KindFormal Kind = "formal"
)

// Valid reports a known kind.
func (k Kind) Valid() bool { return k == KindMock || k == KindFormal }

// Status of an attempt.
const (
	StatusInProgress = "in_progress"
	StatusSubmitted  = "submitted"
)

// Why an attempt was submitted.
const (
	ReasonCandidate = "candidate" // the candidate pressed submit
	ReasonDeadline  = "deadline"  // the server submitted it at the deadline
	ReasonProctor   = "proctor"   // a proctor ended it (formal exam)
)

// Attempt is one sitting of a paper by one candidate. The deadline is the
// server's: clients only display it.
type Attempt struct {
	ID          int64
	Kind        Kind
	CandidateID int64
	// Ref ties a formal attempt to its booking/admission ticket ("" for mocks).
	Ref         string
	BlueprintID int64
	Seed        int64
	Sections    []Section
	Status      string
	StartedAt   time.Time
	Deadline    time.Time
	SubmittedAt time.Time // zero while in progress
	Reason      string    // ReasonCandidate | ReasonDeadline | ReasonProctor
	Passed      bool      // every section passed; meaningful once submitted
	Version     int
}

// Submitted reports whether the attempt is over.
func (a Attempt) Submitted() bool { return a.Status == StatusSubmitted }

// Section is one subject of the paper with, once submitted, its result.
type Section struct {
	Subject         questionbank.Subject
	DurationMinutes int
	PassPercent     int
	TotalPoints     int
	Count           int // questions

	Score   int // points earned
	Correct int // questions answered right
	Passed  bool
}

// Percent is the score as a whole percentage of the section's points.
func (s Section) Percent() int {
	if s.TotalPoints == 0 {
		return 0
	}
	return s.Score * 100 / s.TotalPoints
}

// Item is one question placed on an attempt's paper, with the answer given.
type Item struct {
	AttemptID   int64
	Position    int // 1-based over the whole paper
	Section     int // index into Attempt.Sections
	QuestionID  int64
	Version     int
	Type        questionbank.QuestionType
	Points      int
	OptionOrder []string // option keys in the order shown
	Given       []string // sorted option keys; nil = unanswered
	Seq         int64    // client sequence number of the stored answer
	Marked      bool     // flagged by the candidate for another look
	AnsweredAt  time.Time
	Correct     bool // set when graded
}

// Ref names the question version the attempt was given.
func (it Item) Ref() questionbank.VersionRef {
	return questionbank.VersionRef{QuestionID: it.QuestionID, Version: it.Version}
}

// Answered reports whether an answer is stored.
func (it Item) Answered() bool { return len(it.Given) > 0 }

// ViewQuestion is an item as the candidate sees it. Before submission the
// answer key and explanation are empty: they never leave the server.
type ViewQuestion struct {
	Item
	Stem     string
	ImageURL string
	Options  []questionbank.Option // in the attempt's order

	// After submission only:
	Answer      []string
	Explanation string
}

// View is an attempt with its questions, for the exam screen and the review.
type View struct {
	Attempt
	Now       time.Time // the server's clock, so the client can sync its countdown
	Questions []ViewQuestion
}

// Answer is one answer sent by the client.
type Answer struct {
	Given  []string // option keys; empty clears the answer
	Seq    int64    // client sequence number; only a higher one overwrites
	Marked bool
}

// Saved says what is stored after a SaveAnswer.
type Saved struct {
	Item
	// Applied is false when the request was older than the stored answer
	// (a retry or a reordered request): the stored one is kept and returned.
	Applied bool
}

// Counts is how far a candidate is through a paper.
type Counts struct {
	Answered   int
	Total      int
	LastAnswer time.Time // zero before the first answer
}

// Spec describes an attempt to start.
type Spec struct {
	Kind        Kind
	CandidateID int64
	BlueprintID int64 // 0 = the default blueprint for Kind
	Ref         string
	// Subjects keeps only these sections of the blueprint (a formal retake
	// sits only the subjects not yet passed); nil keeps all.
	Subjects []questionbank.Subject
}

// normalizeKeys upper-cases, trims, sorts and de-duplicates option keys.
func normalizeKeys(in []string) []string {
	out := make([]string, 0, len(in))
	for _, k := range in {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
