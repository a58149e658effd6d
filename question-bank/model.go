// Package questionbank owns the unified question bank of the taxi and
// ride-hailing exam: subjects and chapters, questions with their versions
// and review lifecycle, image attachments, import/export, paper blueprints
// and paper assembly.
//
// Contract for the exam packages (practice, mock, formal):
//   - PublishedQuestions gives the live version of every published question,
//     served from memory (see Service for how the cache is kept fresh).
//   - A VersionRef names one frozen version; Versions returns exactly that
//     content even after the question was edited again or retired.
//   - AssemblePaper is deterministic for (bank state, blueprint, seed), so an
//     attempt stores the seed and the refs and can be replayed for appeals.
//   - Grade is the one grading rule (multiple choice: exactly the right set).
package questionbank

import "time"

// Subject is one of the two exam subjects.
type Subject string

const (
	SubjectNational Subject = "national" // 全国公共科目
	SubjectRegional Subject = "regional" // 区域科目
)

// Subjects lists the subjects in exam order.
var Subjects = []Subject{SubjectNational, SubjectRegional}

// Valid reports a known subject.
func (s Subject) Valid() bool { return s == SubjectNational || s == SubjectRegional }

// QuestionType is the answer format.
type QuestionType string

const (
	TypeTrueFalse QuestionType = "true_false"
	TypeSingle    QuestionType = "single"
	TypeMultiple  QuestionType = "multiple"
)

// QuestionTypes lists the types in paper order.
var QuestionTypes = []QuestionType{TypeTrueFalse, TypeSingle, TypeMultiple}

// Valid reports a known type.
func (t QuestionType) Valid() bool {
	return t == TypeTrueFalse || t == TypeSingle || t == TypeMultiple
}

// Certificate contexts: which certificate a question concerns.
const (
	ContextBoth        = "both"
	ContextTaxi        = "taxi"
	ContextRideHailing = "ride_hailing"
)

// Question statuses (the working version's lifecycle).
const (
	StatusDraft     = "draft"
	StatusInReview  = "in_review"
	StatusPublished = "published"
	StatusRetired   = "retired"
)

// Chapter groups questions inside a subject.
type Chapter struct {
	ID      int64
	Subject Subject
	Code    string
	Name    string
	Sort    int
	Version int // optimistic lock for edits
}

// Option is one answer choice. Keys are A-D; a true/false question has
// exactly A=正确 and B=错误.
type Option struct {
	Key  string
	Text string
}

// True/false option texts.
const (
	TrueText  = "正确"
	FalseText = "错误"
)

// Question is one version of a question's content. The exam packages only
// ever see published (frozen) versions.
type Question struct {
	ID          int64
	Version     int
	Subject     Subject
	ChapterID   int64
	Type        QuestionType
	Stem        string
	Options     []Option
	Answer      []string // sorted option keys
	Explanation string
	ImageURL    string // "" or /api/v1/bank/images/{id}
	Difficulty  int    // 1 (easy) .. 5 (hard)
	Tags        []string
	Context     string // both | taxi | ride_hailing
	Status      string
}

// VersionRef names one frozen version of a question.
type VersionRef struct {
	QuestionID int64
	Version    int
}

// Ref returns the question's version ref.
func (q Question) Ref() VersionRef { return VersionRef{QuestionID: q.ID, Version: q.Version} }

// Blueprint kinds.
const (
	KindFormal = "formal"
	KindMock   = "mock"
)

// Blueprint is a paper's composition.
type Blueprint struct {
	ID        int64
	Name      string
	Kind      string // formal | mock
	IsDefault bool
	Sections  []BlueprintSection
	Version   int // optimistic lock for edits
}

// BlueprintSection is one subject of a paper.
type BlueprintSection struct {
	Subject         Subject
	DurationMinutes int
	PassPercent     int
	Items           []BlueprintItem
}

// BlueprintItem asks for Count questions of one chapter and type, each worth
// Points.
type BlueprintItem struct {
	ChapterID int64
	Type      QuestionType
	Count     int
	Points    int
}

// TotalPoints of a section.
func (s BlueprintSection) TotalPoints() int {
	n := 0
	for _, it := range s.Items {
		n += it.Count * it.Points
	}
	return n
}

// QuestionCount of a section.
func (s BlueprintSection) QuestionCount() int {
	n := 0
	for _, it := range s.Items {
		n += it.Count
	}
	return n
}

// Paper is an assembled exam paper: refs only, the content comes from
// Versions.
type Paper struct {
	BlueprintID int64
	Seed        int64
	Sections    []PaperSection
}

// PaperSection is one subject of a paper.
type PaperSection struct {
	Subject         Subject
	DurationMinutes int
	PassPercent     int
	TotalPoints     int
	Questions       []PaperQuestion
}

// PaperQuestion is one question as placed on a paper.
type PaperQuestion struct {
	Ref         VersionRef
	Points      int
	OptionOrder []string // shuffled option keys as shown
}

// PracticeFilter narrows PublishedQuestions; zero values match all.
type PracticeFilter struct {
	Subject   Subject
	ChapterID int64
	Type      QuestionType
}

// QuestionInfo is a question as the console lists it: the working version
// plus lifecycle data.
type QuestionInfo struct {
	Question
	LiveVersion int // version served to candidates, 0 when never published
	RowVersion  int // optimistic lock for edits
	UpdatedAt   time.Time
	UpdatedBy   int64
	ReviewNote  string
}

// SearchFilter is the console's question search.
type SearchFilter struct {
	Subject   Subject
	ChapterID int64
	Type      QuestionType
	Status    string
	Text      string // substring of stem
	Page      int
	PageSize  int
}
