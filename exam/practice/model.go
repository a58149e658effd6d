package practice

import (
	"time"

	"taxiexam/internal/platform/apperr"
	questionbank "taxiexam/question-bank"
)

// Mode is how practice questions are chosen.
type Mode string

const (
	ModeSequential Mode = "sequential" // a chapter in bank order; the position is remembered per chapter
	ModeChapter    Mode = "chapter"    // a chapter in a shuffled order (seeded per session)
	ModeRandom     Mode = "random"     // anywhere in the bank (optionally one subject)
	ModeWrong      Mode = "wrong"      // the wrong-answer book, oldest mistake first
	ModeFavourites Mode = "favourites" // the candidate's favourites
	ModeSingle     Mode = "single"     // one question by id (from the book or favourites)
	ModeStudy      Mode = "study"      // reading a chapter with answers (sessions only)
)

// Valid reports a known mode.
func (m Mode) Valid() bool {
	switch m {
	case ModeSequential, ModeChapter, ModeRandom, ModeWrong, ModeFavourites, ModeSingle, ModeStudy:
		return true
	}
	return false
}

// WrongBookExit is how many right answers in a row take a question out of
// the wrong-answer book.
const WrongBookExit = 3

// Record is what one candidate did with one question.
type Record struct {
	CandidateID int64
	QuestionID  int64
	ChapterID   int64
	Subject     questionbank.Subject
	Attempts    int
	Rights      int
	Streak      int // right answers in a row since the last wrong one
	WrongBook   bool
	Favourite   bool
	LastCorrect bool
	LastGiven   []string
	LastAt      time.Time // zero when never answered
}

// Answered reports whether the candidate ever answered the question.
func (r Record) Answered() bool { return r.Attempts > 0 }

// Marks are what a practice question shows about the candidate's record of
// it, kept in the Cache. Rev is the record's revision: every write to the
// record adds one, so a cache keeps the newest of two racing writes.
type Marks struct {
	QuestionID int64
	Rev        int64
	Favourite  bool
	WrongBook  bool
	Answered   bool
	Streak     int
}

// Marks of the record (Rev is left zero: records read for lists do not carry it).
func (r Record) Marks() Marks {
	return Marks{QuestionID: r.QuestionID, Favourite: r.Favourite, WrongBook: r.WrongBook, Answered: r.Answered(), Streak: r.Streak}
}

// Resume is where sequential practice of a chapter resumes: the position
// after the candidate's latest sequential answer in it. At (millisecond
// precision) orders two resume points; on a tie the larger position wins.
type Resume struct {
	ChapterID int64
	Position  int
	At        time.Time
	// QuestionID is the question at Position when the point was written (0:
	// not known, e.g. read from SQL). Only the cache keeps it, so resume can
	// read that question's marks with the point in one round trip; a reader
	// still checks it against the chapter as it is now.
	QuestionID int64
}

// After reports whether r is more recent than o.
func (r Resume) After(o Resume) bool {
	return r.At.After(o.At) || (r.At.Equal(o.At) && r.Position > o.Position)
}

// State is what Next and Answer need about one candidate on every request:
// marks per question (absent = never touched) and resume points per
// chapter (absent = never practised sequentially).
type State struct {
	Marks   map[int64]Marks
	Resumes map[int64]Resume
}

// Ask selects the next practice question.
type Ask struct {
	Mode       Mode
	ChapterID  int64
	Subject    questionbank.Subject
	Position   int   // 1-based; 0 = the remembered position (sequential) or 1
	Seed       int64 // chapter mode: the session's shuffle seed
	QuestionID int64 // single mode
	Exclude    int64 // random mode: not this one again
}

// Shown is a practice question before it is answered: no key, no explanation.
type Shown struct {
	Question  questionbank.Question // Answer and Explanation are empty
	Position  int                   // 1-based place in the mode's sequence (0 for random)
	Total     int                   // questions in the sequence
	Favourite bool
	WrongBook bool
	Answered  bool // answered before (any mode)
}

// AnswerInput is one practice answer.
type AnswerInput struct {
	QuestionID int64
	Version    int // the version shown; 0 = the live one
	Given      []string
	Mode       Mode
	ChapterID  int64
	Position   int // sequential: the position answered, to remember the next one
}

// Checked is the verdict with the key and explanation, revealed only now.
type Checked struct {
	Correct     bool
	Answer      []string
	Explanation string
	WrongBook   bool // in the wrong-answer book after this answer
	Streak      int
	NextPos     int // sequential: the remembered position now
}

// CardCell is one number on the answer card of a chapter.
type CardCell struct {
	Position   int
	QuestionID int64
	State      string // unanswered | right | wrong (the last answer)
	Favourite  bool
}

// Card states.
const (
	CardUnanswered = "unanswered"
	CardRight      = "right"
	CardWrong      = "wrong"
)

// Entry is a question in the wrong-answer book or the favourites, with its
// key (the candidate has already met it) and the candidate's record.
type Entry struct {
	Question questionbank.Question
	Record   Record
}

// ChapterProgress is a chapter as the practice home and progress pages show it.
type ChapterProgress struct {
	Chapter   questionbank.Chapter
	Questions int // published questions in the chapter
	Answered  int // distinct questions answered
	Attempts  int
	Rights    int
	WrongBook int
	Position  int // remembered sequential position (1 when never practised)
}

// Accuracy is right answers per answer, as a whole percentage.
func (c ChapterProgress) Accuracy() int {
	if c.Attempts == 0 {
		return 0
	}
	return c.Rights * 100 / c.Attempts
}

// ChapterStat is the store's aggregate of one candidate's records in a chapter.
type ChapterStat struct {
	ChapterID int64
	Answered  int
	Attempts  int
	Rights    int
	WrongBook int
}

// MockResult summarises one mock exam for the progress page.
type MockResult struct {
	AttemptID   int64
	SubmittedAt time.Time
	Passed      bool
	Scores      []SubjectScore
}

// SubjectScore is one subject's result in a mock.
type SubjectScore struct {
	Subject questionbank.Subject
	Score   int
	Total   int
	Percent int
	Passed  bool
}

// Readiness is the estimate of how ready the candidate is for the exam.
type Readiness struct {
	Percent  int    // 0-100
	Level    string // not_yet | almost | ready
	Coverage int    // % of the published bank practised
	Accuracy int    // % of practice answers right
	MockAvg  int    // mean weakest-subject % over the last 3 mocks (0 without mocks)
	Mocks    int    // mocks taken into account
}

// Progress is the candidate's progress page.
type Progress struct {
	Chapters  []ChapterProgress
	Mocks     []MockResult
	Readiness Readiness
}

// Session is one practice session (the bureau counts them per day).
type Session struct {
	ID          int64
	CandidateID int64
	Mode        Mode
	ChapterID   int64
	Day         string // YYYY-MM-DD in the bureau's zone
	StartedAt   time.Time
	Seed        int64
}

// DayUsage is one day of the usage counters.
type DayUsage struct {
	Day        string
	Sessions   int64
	Candidates int64
}

// Errors.
var (
	ErrEmpty        = apperr.New(apperr.KindNotFound, "no_questions", "there are no questions to practise here")
	ErrNotPublished = apperr.New(apperr.KindNotFound, "question_not_published", "this question is not (or no longer) in the published bank")
)
