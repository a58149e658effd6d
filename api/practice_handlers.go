package api

import (
	"math"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/practice"
	"taxiexam/internal/platform/apperr"
	questionbank "taxiexam/question-bank"
)

// QuestionOption is one answer choice.
type QuestionOption struct {
	Key  string `json:"key" doc:"A-D; true/false questions have A=正确, B=错误"`
	Text string `json:"text"`
}

// PracticeQuestion is a question as a candidate sees it. answer and
// explanation are present only where the key may be shown (study mode,
// wrong-answer book, favourites); never on a question still to be answered.
type PracticeQuestion struct {
	ID          int64            `json:"id"`
	Version     int              `json:"version" doc:"send it back with the answer: that version is graded"`
	Subject     string           `json:"subject" doc:"national | regional"`
	ChapterID   int64            `json:"chapter_id"`
	Type        string           `json:"type" doc:"true_false | single | multiple"`
	Stem        string           `json:"stem"`
	Options     []QuestionOption `json:"options"`
	ImageURL    string           `json:"image_url,omitempty"`
	Answer      []string         `json:"answer,omitempty" doc:"option keys; only where the key may be shown"`
	Explanation string           `json:"explanation,omitempty"`
}

// PracticeShown is the next practice question, without its key.
type PracticeShown struct {
	Question  PracticeQuestion `json:"question"`
	Position  int              `json:"position" doc:"1-based place in the sequence (0 in random mode)"`
	Total     int              `json:"total"`
	Favourite bool             `json:"favourite"`
	WrongBook bool             `json:"in_wrong_book"`
	Answered  bool             `json:"answered_before"`
}

// PracticeNextQuery selects the next practice question.
type PracticeNextQuery struct {
	Mode       string `form:"mode" json:"mode" doc:"sequential | chapter | random | wrong | favourites | single"`
	ChapterID  int64  `form:"chapter_id" json:"chapter_id" doc:"sequential and chapter modes"`
	Subject    string `form:"subject" json:"subject" doc:"random mode: national | regional (optional)"`
	Position   int    `form:"position" json:"position" doc:"1-based; omitted in sequential mode = where the candidate stopped"`
	Seed       int64  `form:"seed" json:"seed" doc:"chapter mode: the session's seed"`
	QuestionID int64  `form:"question_id" json:"question_id" doc:"single mode"`
	Exclude    int64  `form:"exclude" json:"exclude" doc:"random mode: not this question again"`
}

// PracticeAnswerRequest answers one practice question.
type PracticeAnswerRequest struct {
	QuestionID int64    `json:"question_id"`
	Version    int      `json:"version" doc:"the version shown (0 = live)"`
	Given      []string `json:"given" doc:"option keys chosen"`
	Mode       string   `json:"mode,omitempty"`
	ChapterID  int64    `json:"chapter_id,omitempty"`
	Position   int      `json:"position,omitempty" doc:"sequential mode: the position answered (remembered as where to go on)"`
}

// PracticeChecked is the verdict, with the key and explanation.
type PracticeChecked struct {
	Correct      bool     `json:"correct"`
	Answer       []string `json:"answer"`
	Explanation  string   `json:"explanation"`
	WrongBook    bool     `json:"in_wrong_book"`
	Streak       int      `json:"streak" doc:"right answers in a row; 3 take a question out of the wrong-answer book"`
	NextPosition int      `json:"next_position,omitempty"`
}

// PracticeChapter is a chapter on the practice home.
type PracticeChapter struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Questions int    `json:"questions"`
	Answered  int    `json:"answered"`
	Attempts  int    `json:"attempts"`
	Rights    int    `json:"rights"`
	Accuracy  int    `json:"accuracy" doc:"% of answers right"`
	WrongBook int    `json:"in_wrong_book"`
	Position  int    `json:"position" doc:"where sequential practice resumes"`
}

// PracticeChapters lists the chapters.
type PracticeChapters struct {
	Items []PracticeChapter `json:"items"`
}

// PracticeCardCell is one number on the answer card.
type PracticeCardCell struct {
	Position   int    `json:"position"`
	QuestionID int64  `json:"question_id"`
	State      string `json:"state" doc:"unanswered | right | wrong"`
	Favourite  bool   `json:"favourite"`
}

// PracticeCard is a chapter's answer card.
type PracticeCard struct {
	Items []PracticeCardCell `json:"items"`
}

// PracticeEntry is a question of the wrong-answer book or favourites.
type PracticeEntry struct {
	Question    PracticeQuestion `json:"question"`
	Retired     bool             `json:"retired" doc:"no longer in the published bank"`
	Attempts    int              `json:"attempts"`
	Rights      int              `json:"rights"`
	Streak      int              `json:"streak"`
	LastCorrect bool             `json:"last_correct"`
	LastGiven   []string         `json:"last_given"`
	LastAt      *time.Time       `json:"last_at"`
	Favourite   bool             `json:"favourite"`
	WrongBook   bool             `json:"in_wrong_book"`
}

// PracticeSessionRequest starts a practice session (counted per day).
type PracticeSessionRequest struct {
	Mode      string `json:"mode" doc:"sequential | chapter | random | wrong | favourites | single | study"`
	ChapterID int64  `json:"chapter_id,omitempty"`
}

// PracticeSession is a started session.
type PracticeSession struct {
	ID   int64 `json:"id"`
	Seed int64 `json:"seed" doc:"chapter mode: pass it to /practice/next"`
}

// SubjectScore is a subject's result in a mock exam.
type SubjectScore struct {
	Subject string `json:"subject"`
	Score   int    `json:"score"`
	Total   int    `json:"total"`
	Percent int    `json:"percent"`
	Passed  bool   `json:"passed"`
}

// MockResult is one mock exam on the progress page.
type MockResult struct {
	AttemptID   int64          `json:"attempt_id"`
	SubmittedAt time.Time      `json:"submitted_at"`
	Passed      bool           `json:"passed"`
	Scores      []SubjectScore `json:"scores"`
}

// Readiness estimates how ready the candidate is.
type Readiness struct {
	Percent  int    `json:"percent"`
	Level    string `json:"level" doc:"not_yet | almost | ready"`
	Coverage int    `json:"coverage" doc:"% of the bank practised"`
	Accuracy int    `json:"accuracy" doc:"% of practice answers right"`
	MockAvg  int    `json:"mock_avg" doc:"mean weaker-subject % of the last 3 mocks"`
	Mocks    int    `json:"mocks"`
}

// PracticeProgress is the progress page.
type PracticeProgress struct {
	Chapters  []PracticeChapter `json:"chapters"`
	Mocks     []MockResult      `json:"mocks"`
	Readiness Readiness         `json:"readiness"`
}

// UsageQuery is a range of days.
type UsageQuery struct {
	From string `form:"from" json:"from" doc:"YYYY-MM-DD (bureau's zone); default 30 days ago"`
	To   string `form:"to" json:"to" doc:"YYYY-MM-DD; default today"`
}

// DayUsage is one day of practice.
type DayUsage struct {
	Day        string `json:"day"`
	Sessions   int64  `json:"sessions"`
	Candidates int64  `json:"candidates"`
}

// PracticeUsage is practice sessions per day.
type PracticeUsage struct {
	From          string     `json:"from"`
	To            string     `json:"to"`
	TotalSessions int64      `json:"total_sessions"`
	Days          []DayUsage `json:"days"`
}

func questionOptions(o []questionbank.Option) []QuestionOption {
	return mapSlice(o, func(x questionbank.Option) QuestionOption { return QuestionOption(x) })
}

func practiceQuestion(q questionbank.Question, withKey bool) PracticeQuestion {
	out := PracticeQuestion{ID: q.ID, Version: q.Version, Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type), Stem: q.Stem,
		Options: questionOptions(q.Options), ImageURL: q.ImageURL}
	if withKey {
		out.Answer, out.Explanation = letters(q.Answer), q.Explanation
	}
	return out
}

func practiceChapter(c practice.ChapterProgress) PracticeChapter {
	return PracticeChapter{ID: c.Chapter.ID, Subject: string(c.Chapter.Subject), Code: c.Chapter.Code, Name: c.Chapter.Name, Questions: c.Questions,
		Answered: c.Answered, Attempts: c.Attempts, Rights: c.Rights, Accuracy: c.Accuracy(), WrongBook: c.WrongBook, Position: c.Position}
}

func (s *Server) practiceChapters(c *gin.Context) (PracticeChapters, error) {
	chs, err := s.deps.Practice.Chapters(c.Request.Context())
	return PracticeChapters{Items: mapSlice(chs, practiceChapter)}, err
}

func (s *Server) practiceStudy(c *gin.Context, id int64) (Page[PracticeQuestion], error) {
	p, err := pageParams(c)
	if err != nil {
		return Page[PracticeQuestion]{}, err
	}
	qs, total, err := s.deps.Practice.Study(c.Request.Context(), id, p.offset(), p.size)
	withKey := func(q questionbank.Question) PracticeQuestion { return practiceQuestion(q, true) }
	return newPage(mapSlice(qs, withKey), int64(total), p), err
}

func (s *Server) practiceCard(c *gin.Context, id int64) (PracticeCard, error) {
	cells, err := s.deps.Practice.Card(c.Request.Context(), id)
	return PracticeCard{Items: mapSlice(cells, func(x practice.CardCell) PracticeCardCell {
		return PracticeCardCell{Position: x.Position, QuestionID: x.QuestionID, State: x.State, Favourite: x.Favourite}
	})}, err
}

func (s *Server) practiceNext(c *gin.Context) (PracticeShown, error) {
	f := apperr.Fields{}
	whole := func(name string) int64 { return queryInt(c, f, name, math.MinInt64, rsnWholeNumber) }
	ask := practice.Ask{Mode: practice.Mode(c.Query("mode")), Subject: questionbank.Subject(c.Query("subject")),
		ChapterID: whole("chapter_id"), Position: int(whole("position")), Seed: whole("seed"),
		QuestionID: whole("question_id"), Exclude: whole("exclude")}
	if err := f.Err(); err != nil {
		return PracticeShown{}, err
	}
	sh, err := s.deps.Practice.Next(c.Request.Context(), ask)
	return PracticeShown{Question: practiceQuestion(sh.Question, false), Position: sh.Position, Total: sh.Total,
		Favourite: sh.Favourite, WrongBook: sh.WrongBook, Answered: sh.Answered}, err
}

func (s *Server) practiceAnswer(c *gin.Context, req PracticeAnswerRequest) (PracticeChecked, error) {
	ck, err := s.deps.Practice.Answer(c.Request.Context(), practice.AnswerInput{QuestionID: req.QuestionID, Version: req.Version, Given: req.Given,
		Mode: practice.Mode(req.Mode), ChapterID: req.ChapterID, Position: req.Position})
	return PracticeChecked{Correct: ck.Correct, Answer: letters(ck.Answer), Explanation: ck.Explanation, WrongBook: ck.WrongBook,
		Streak: ck.Streak, NextPosition: ck.NextPos}, err
}

func (s *Server) practiceStartSession(c *gin.Context, req PracticeSessionRequest) (PracticeSession, error) {
	sess, err := s.deps.Practice.StartSession(c.Request.Context(), practice.Mode(req.Mode), req.ChapterID)
	return PracticeSession{ID: sess.ID, Seed: sess.Seed}, err
}

func (s *Server) practiceWrongBook(c *gin.Context, p pageReq) ([]PracticeEntry, int64, error) {
	es, total, err := s.deps.Practice.WrongBook(c.Request.Context(), p.offset(), p.size)
	return mapSlice(es, s.practiceEntry), total, err
}

func (s *Server) practiceFavourites(c *gin.Context, p pageReq) ([]PracticeEntry, int64, error) {
	es, total, err := s.deps.Practice.Favourites(c.Request.Context(), p.offset(), p.size)
	return mapSlice(es, s.practiceEntry), total, err
}

func (s *Server) practiceEntry(e practice.Entry) PracticeEntry {
	r := e.Record
	return PracticeEntry{Question: practiceQuestion(e.Question, true), Retired: e.Question.Status == questionbank.StatusRetired,
		Attempts: r.Attempts, Rights: r.Rights, Streak: r.Streak, LastCorrect: r.LastCorrect, LastGiven: letters(r.LastGiven),
		LastAt: s.atPtr(r.LastAt), Favourite: r.Favourite, WrongBook: r.WrongBook}
}

func (s *Server) practiceFavourite(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "question_id")
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, noContent{}, s.deps.Practice.SetFavourite(c.Request.Context(), id, on))
	}
}

func (s *Server) practiceProgress(c *gin.Context) (PracticeProgress, error) {
	p, err := s.deps.Practice.Progress(c.Request.Context())
	return PracticeProgress{Chapters: mapSlice(p.Chapters, practiceChapter), Mocks: mapSlice(p.Mocks, s.mockResult),
		Readiness: Readiness{Percent: p.Readiness.Percent, Level: p.Readiness.Level, Coverage: p.Readiness.Coverage, Accuracy: p.Readiness.Accuracy,
			MockAvg: p.Readiness.MockAvg, Mocks: p.Readiness.Mocks}}, err
}

func (s *Server) mockResult(m practice.MockResult) MockResult {
	return MockResult{AttemptID: m.AttemptID, SubmittedAt: s.at(m.SubmittedAt), Passed: m.Passed, Scores: mapSlice(m.Scores, func(sc practice.SubjectScore) SubjectScore {
		return SubjectScore{Subject: string(sc.Subject), Score: sc.Score, Total: sc.Total, Percent: sc.Percent, Passed: sc.Passed}
	})}
}

func (s *Server) practiceUsage(c *gin.Context) (PracticeUsage, error) {
	now := s.now()
	from, to := c.Query("from"), c.Query("to")
	if to == "" {
		to = now.Format(time.DateOnly)
	}
	if from == "" {
		from = now.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	days, err := s.deps.Practice.Usage(c.Request.Context(), from, to)
	out := PracticeUsage{From: from, To: to, Days: mapSlice(days, func(d practice.DayUsage) DayUsage { return DayUsage(d) })}
	for _, d := range days {
		out.TotalSessions += d.Sessions
	}
	return out, err
}
