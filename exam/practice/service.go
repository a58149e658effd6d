// Package practice is free practice for every logged-in candidate: study a
// chapter with answers, sequential practice that remembers where the
// candidate stopped, shuffled chapter practice, random practice, the
// wrong-answer book (filled automatically; a question leaves after
// WrongBookExit right answers in a row), favourites, progress with a
// readiness estimate, and the per-day session counters the bureau reports.
//
// Questions come from the bank's in-memory snapshot; the answer key and
// explanation of a practice question are revealed only by Answer.
package practice

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// Store persists practice records, positions and sessions (practicedb).
type Store interface {
	Record(ctx context.Context, candidateID, questionID int64) (Record, error) // ErrNotFound when never touched
	// RecordAnswer upserts the record of one answer: attempts, rights, the
	// right-in-a-row streak and wrong-book membership (in on a wrong
	// answer, out after exitAfter right ones in a row). Returns the record.
	RecordAnswer(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, at time.Time) (Record, error)
	SetFavourite(ctx context.Context, candidateID int64, q questionbank.Question, on bool, at time.Time) error
	Position(ctx context.Context, candidateID, chapterID int64) (int, error) // 0 when none
	SetPosition(ctx context.Context, candidateID, chapterID int64, pos int, at time.Time) error
	Positions(ctx context.Context, candidateID int64) (map[int64]int, error)
	ChapterRecords(ctx context.Context, candidateID, chapterID int64) ([]Record, error)
	// Listed returns wrong-book records (wrong=true), oldest mistake first,
	// or favourites, newest first.
	Listed(ctx context.Context, candidateID int64, wrong bool, offset, limit int) ([]Record, int64, error)
	ChapterStats(ctx context.Context, candidateID int64) ([]ChapterStat, error)
	CreateSession(ctx context.Context, s *Session) error
	Usage(ctx context.Context, fromDay, toDay string) ([]DayUsage, error)
}

// Bank is what practice needs from the question bank.
type Bank interface {
	Chapters(ctx context.Context) ([]questionbank.Chapter, error)
	PublishedQuestions(ctx context.Context, f questionbank.PracticeFilter) ([]questionbank.Question, error)
	PublishedQuestion(ctx context.Context, id int64) (questionbank.Question, error)
	Versions(ctx context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error)
}

// Mocks gives the candidate's mock exam history (the attempt engine).
type Mocks interface {
	CandidateHistory(ctx context.Context, candidateID int64, kind attempt.Kind, offset, limit int) ([]attempt.Attempt, int64, error)
}

// Service is practice.
type Service struct {
	store Store
	bank  Bank
	mocks Mocks
	clock clock.Clock
	loc   *time.Location
}

// NewService wires practice; loc is the bureau's zone (days of the usage counters).
func NewService(store Store, bank Bank, mocks Mocks, clk clock.Clock, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{store: store, bank: bank, mocks: mocks, clock: clk, loc: loc}
}

func candidate(ctx context.Context) (int64, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return 0, apperr.ErrUnauthenticated
	}
	if a.Kind != "candidate" {
		return 0, apperr.ErrForbidden.WithMessage("practice is for candidates")
	}
	return a.UserID, nil
}

func hideKey(q questionbank.Question) questionbank.Question {
	q.Answer, q.Explanation = nil, ""
	return q
}

// Chapters is the practice home: every chapter with the candidate's progress.
func (s *Service) Chapters(ctx context.Context) ([]ChapterProgress, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return nil, err
	}
	return s.chapterProgress(ctx, cand)
}

func (s *Service) chapterProgress(ctx context.Context, cand int64) ([]ChapterProgress, error) {
	chs, err := s.bank.Chapters(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.bank.PublishedQuestions(ctx, questionbank.PracticeFilter{})
	if err != nil {
		return nil, err
	}
	count := map[int64]int{}
	for _, q := range all {
		count[q.ChapterID]++
	}
	stats, err := s.store.ChapterStats(ctx, cand)
	if err != nil {
		return nil, err
	}
	byCh := map[int64]ChapterStat{}
	for _, st := range stats {
		byCh[st.ChapterID] = st
	}
	pos, err := s.store.Positions(ctx, cand)
	if err != nil {
		return nil, err
	}
	out := make([]ChapterProgress, 0, len(chs))
	for _, c := range chs {
		st := byCh[c.ID]
		p := max(pos[c.ID], 1)
		if n := count[c.ID]; p > n && n > 0 {
			p = n
		}
		out = append(out, ChapterProgress{Chapter: c, Questions: count[c.ID], Answered: st.Answered, Attempts: st.Attempts, Rights: st.Rights,
			WrongBook: st.WrongBook, Position: p})
	}
	return out, nil
}

// Study returns a chapter's questions with answers and explanations.
func (s *Service) Study(ctx context.Context, chapterID int64, offset, limit int) ([]questionbank.Question, int, error) {
	if _, err := candidate(ctx); err != nil {
		return nil, 0, err
	}
	qs, err := s.chapterQuestions(ctx, chapterID)
	if err != nil {
		return nil, 0, err
	}
	if offset >= len(qs) {
		return []questionbank.Question{}, len(qs), nil
	}
	return qs[offset:min(offset+limit, len(qs))], len(qs), nil
}

func (s *Service) chapterQuestions(ctx context.Context, chapterID int64) ([]questionbank.Question, error) {
	if chapterID <= 0 {
		return nil, apperr.Invalid(map[string]string{"chapter_id": "required"})
	}
	qs, err := s.bank.PublishedQuestions(ctx, questionbank.PracticeFilter{ChapterID: chapterID})
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, ErrEmpty
	}
	return qs, nil
}

// Next returns the practice question the request asks for, without its key.
func (s *Service) Next(ctx context.Context, ask Ask) (Shown, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return Shown{}, err
	}
	f := apperr.Fields{}
	f.Check(ask.Mode.Valid() && ask.Mode != ModeStudy, "mode", "must be sequential, chapter, random, wrong, favourites or single")
	f.Check(ask.Position >= 0, "position", "must not be negative")
	f.Check(ask.Subject == "" || ask.Subject.Valid(), "subject", "must be national or regional")
	if err := f.Err(); err != nil {
		return Shown{}, err
	}
	var sh Shown
	switch ask.Mode {
	case ModeSequential, ModeChapter:
		qs, err := s.chapterQuestions(ctx, ask.ChapterID)
		if err != nil {
			return Shown{}, err
		}
		pos := ask.Position
		if pos == 0 && ask.Mode == ModeSequential {
			if pos, err = s.store.Position(ctx, cand, ask.ChapterID); err != nil {
				return Shown{}, err
			}
		}
		pos = min(max(pos, 1), len(qs))
		idx := pos - 1
		if ask.Mode == ModeChapter {
			idx = rand.New(rand.NewPCG(uint64(ask.Seed), uint64(ask.ChapterID))).Perm(len(qs))[idx]
		}
		sh = Shown{Question: qs[idx], Position: pos, Total: len(qs)}
	case ModeRandom:
		qs, err := s.bank.PublishedQuestions(ctx, questionbank.PracticeFilter{Subject: ask.Subject, ChapterID: ask.ChapterID})
		if err != nil {
			return Shown{}, err
		}
		if len(qs) == 0 {
			return Shown{}, ErrEmpty
		}
		i := rand.IntN(len(qs))
		if qs[i].ID == ask.Exclude && len(qs) > 1 {
			i = (i + 1 + rand.IntN(len(qs)-1)) % len(qs)
		}
		sh = Shown{Question: qs[i], Total: len(qs)}
	case ModeWrong, ModeFavourites:
		pos := max(ask.Position, 1)
		recs, total, err := s.store.Listed(ctx, cand, ask.Mode == ModeWrong, pos-1, 1)
		if err != nil {
			return Shown{}, err
		}
		if len(recs) == 0 {
			if total == 0 {
				return Shown{}, ErrEmpty
			}
			pos = int(total)
			if recs, _, err = s.store.Listed(ctx, cand, ask.Mode == ModeWrong, pos-1, 1); err != nil || len(recs) == 0 {
				return Shown{}, errors.Join(ErrEmpty, err)
			}
		}
		q, err := s.bank.PublishedQuestion(ctx, recs[0].QuestionID)
		if err != nil {
			return Shown{}, notPublished(err)
		}
		sh = Shown{Question: q, Position: pos, Total: int(total)}
	case ModeSingle:
		q, err := s.bank.PublishedQuestion(ctx, ask.QuestionID)
		if err != nil {
			return Shown{}, notPublished(err)
		}
		sh = Shown{Question: q, Position: 1, Total: 1}
	}
	rec, err := s.store.Record(ctx, cand, sh.Question.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return Shown{}, err
	}
	sh.Favourite, sh.WrongBook, sh.Answered = rec.Favourite, rec.WrongBook, rec.Answered()
	sh.Question = hideKey(sh.Question)
	return sh, nil
}

func notPublished(err error) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return ErrNotPublished
	}
	return err
}

// question returns the version the candidate was shown: the live one, or
// an older frozen version when the question was edited since.
func (s *Service) question(ctx context.Context, id int64, version int) (questionbank.Question, error) {
	q, err := s.bank.PublishedQuestion(ctx, id)
	if err == nil && (version == 0 || q.Version == version) {
		return q, nil
	}
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return questionbank.Question{}, err
	}
	if version > 0 {
		ref := questionbank.VersionRef{QuestionID: id, Version: version}
		m, err := s.bank.Versions(ctx, []questionbank.VersionRef{ref})
		if err != nil {
			return questionbank.Question{}, err
		}
		if q, ok := m[ref]; ok {
			return q, nil
		}
	}
	return questionbank.Question{}, ErrNotPublished
}

// Answer checks a practice answer, records it (wrong-answer book, streak,
// accuracy; the sequential position) and reveals the key and explanation.
func (s *Service) Answer(ctx context.Context, in AnswerInput) (Checked, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return Checked{}, err
	}
	f := apperr.Fields{}
	f.Check(in.QuestionID > 0, "question_id", "required")
	f.Check(in.Mode == "" || (in.Mode.Valid() && in.Mode != ModeStudy), "mode", "unknown practice mode")
	f.Check(in.Position >= 0, "position", "must not be negative")
	if err := f.Err(); err != nil {
		return Checked{}, err
	}
	q, err := s.question(ctx, in.QuestionID, in.Version)
	if err != nil {
		return Checked{}, err
	}
	given := normalize(in.Given)
	keys := make([]string, len(q.Options))
	for i, o := range q.Options {
		keys[i] = o.Key
	}
	f.Check(len(given) > 0, "given", "choose an answer")
	for _, g := range given {
		f.Check(slices.Contains(keys, g), "given", fmt.Sprintf("%q is not an option of this question", g))
	}
	f.Check(q.Type == questionbank.TypeMultiple || len(given) <= 1, "given", "this question takes one answer")
	if err := f.Err(); err != nil {
		return Checked{}, err
	}
	correct := questionbank.Grade(q, given)
	now := s.clock.Now().UTC()
	rec, err := s.store.RecordAnswer(ctx, cand, q, correct, given, WrongBookExit, now)
	if err != nil {
		return Checked{}, err
	}
	out := Checked{Correct: correct, Answer: slices.Clone(q.Answer), Explanation: q.Explanation, WrongBook: rec.WrongBook, Streak: rec.Streak}
	if in.Mode == ModeSequential && in.Position > 0 && in.ChapterID == q.ChapterID {
		out.NextPos = in.Position + 1
		if err := s.store.SetPosition(ctx, cand, q.ChapterID, out.NextPos, now); err != nil {
			return Checked{}, err
		}
	}
	return out, nil
}

func normalize(in []string) []string {
	out := make([]string, 0, len(in))
	for _, k := range in {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// SetFavourite adds or removes a published question from the favourites.
func (s *Service) SetFavourite(ctx context.Context, questionID int64, on bool) error {
	cand, err := candidate(ctx)
	if err != nil {
		return err
	}
	q, err := s.bank.PublishedQuestion(ctx, questionID)
	if err != nil {
		if !on && errors.Is(err, apperr.ErrNotFound) {
			// Un-favouriting a retired question must still work.
			rec, rerr := s.store.Record(ctx, cand, questionID)
			if rerr != nil {
				return notPublished(rerr)
			}
			return s.store.SetFavourite(ctx, cand, questionbank.Question{ID: questionID, ChapterID: rec.ChapterID, Subject: rec.Subject}, false, s.clock.Now().UTC())
		}
		return notPublished(err)
	}
	return s.store.SetFavourite(ctx, cand, q, on, s.clock.Now().UTC())
}

// Card is the answer card of a chapter (sequential order).
func (s *Service) Card(ctx context.Context, chapterID int64) ([]CardCell, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return nil, err
	}
	qs, err := s.chapterQuestions(ctx, chapterID)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.ChapterRecords(ctx, cand, chapterID)
	if err != nil {
		return nil, err
	}
	byQ := make(map[int64]Record, len(recs))
	for _, r := range recs {
		byQ[r.QuestionID] = r
	}
	out := make([]CardCell, len(qs))
	for i, q := range qs {
		c := CardCell{Position: i + 1, QuestionID: q.ID, State: CardUnanswered}
		if r, ok := byQ[q.ID]; ok {
			c.Favourite = r.Favourite
			if r.Answered() {
				c.State = CardWrong
				if r.LastCorrect {
					c.State = CardRight
				}
			}
		}
		out[i] = c
	}
	return out, nil
}

// WrongBook lists the wrong-answer book, oldest mistake first.
func (s *Service) WrongBook(ctx context.Context, offset, limit int) ([]Entry, int64, error) {
	return s.listed(ctx, true, offset, limit)
}

// Favourites lists the favourites, newest first.
func (s *Service) Favourites(ctx context.Context, offset, limit int) ([]Entry, int64, error) {
	return s.listed(ctx, false, offset, limit)
}

func (s *Service) listed(ctx context.Context, wrong bool, offset, limit int) ([]Entry, int64, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return nil, 0, err
	}
	recs, total, err := s.store.Listed(ctx, cand, wrong, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		q, err := s.bank.PublishedQuestion(ctx, r.QuestionID)
		if err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				// Retired since: still listed so it can be removed, without content.
				out = append(out, Entry{Question: questionbank.Question{ID: r.QuestionID, ChapterID: r.ChapterID, Subject: r.Subject, Status: questionbank.StatusRetired}, Record: r})
				continue
			}
			return nil, 0, err
		}
		out = append(out, Entry{Question: q, Record: r})
	}
	return out, total, nil
}

// StartSession counts one practice session and gives chapter mode its
// shuffle seed.
func (s *Service) StartSession(ctx context.Context, mode Mode, chapterID int64) (Session, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return Session{}, err
	}
	f := apperr.Fields{}
	f.Check(mode.Valid(), "mode", "unknown practice mode")
	f.Check(chapterID >= 0, "chapter_id", "must not be negative")
	if err := f.Err(); err != nil {
		return Session{}, err
	}
	now := s.clock.Now()
	sess := Session{CandidateID: cand, Mode: mode, ChapterID: chapterID, Day: now.In(s.loc).Format(time.DateOnly), StartedAt: now.UTC(), Seed: rand.Int64N(1 << 53)}
	if err := s.store.CreateSession(ctx, &sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Usage returns practice sessions per day between two days (inclusive,
// YYYY-MM-DD in the bureau's zone), for the bureau's statistics.
func (s *Service) Usage(ctx context.Context, from, to string) ([]DayUsage, error) {
	f := apperr.Fields{}
	fd, e1 := time.ParseInLocation(time.DateOnly, from, s.loc)
	td, e2 := time.ParseInLocation(time.DateOnly, to, s.loc)
	f.Check(e1 == nil, "from", "must be a date YYYY-MM-DD")
	f.Check(e2 == nil, "to", "must be a date YYYY-MM-DD")
	if e1 == nil && e2 == nil {
		f.Check(!td.Before(fd), "to", "must not be before from")
		f.Check(td.Sub(fd) <= 366*24*time.Hour, "to", "at most one year at a time")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.store.Usage(ctx, from, to)
}

// Progress is per-chapter accuracy, mock history and the readiness estimate.
//
// Readiness: practice score = accuracy x min(1, coverage / 50 %) (full
// weight once half the bank has been practised); mock score = the mean,
// over the last three submitted mocks, of the weaker subject's percentage.
// With mocks: 0.6 x mock + 0.4 x practice; without: half the practice score
// (no one is "ready" without a mock). Level: ready >= 85 and the last mock
// passed; almost >= 70; otherwise not_yet.
func (s *Service) Progress(ctx context.Context) (Progress, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return Progress{}, err
	}
	chs, err := s.chapterProgress(ctx, cand)
	if err != nil {
		return Progress{}, err
	}
	mocks, _, err := s.mocks.CandidateHistory(ctx, cand, attempt.KindMock, 0, 20)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Chapters: chs}
	for _, m := range mocks {
		if !m.Submitted() {
			continue
		}
		r := MockResult{AttemptID: m.ID, SubmittedAt: m.SubmittedAt, Passed: m.Passed}
		for _, sec := range m.Sections {
			r.Scores = append(r.Scores, SubjectScore{Subject: sec.Subject, Score: sec.Score, Total: sec.TotalPoints, Percent: sec.Percent(), Passed: sec.Passed})
		}
		p.Mocks = append(p.Mocks, r)
	}
	p.Readiness = readiness(chs, p.Mocks)
	return p, nil
}

func readiness(chs []ChapterProgress, mocks []MockResult) Readiness {
	var questions, answered, attempts, rights int
	for _, c := range chs {
		questions += c.Questions
		answered += c.Answered
		attempts += c.Attempts
		rights += c.Rights
	}
	r := Readiness{}
	if questions > 0 {
		r.Coverage = min(answered*100/questions, 100)
	}
	if attempts > 0 {
		r.Accuracy = rights * 100 / attempts
	}
	practice := float64(r.Accuracy) * min(1, float64(r.Coverage)/50)
	for i, m := range mocks {
		if i == 3 {
			break
		}
		weakest := 100
		for _, sc := range m.Scores {
			weakest = min(weakest, sc.Percent)
		}
		r.MockAvg += weakest
		r.Mocks++
	}
	if r.Mocks > 0 {
		r.MockAvg /= r.Mocks
		r.Percent = int(0.6*float64(r.MockAvg) + 0.4*practice + 0.5)
	} else {
		r.Percent = int(practice/2 + 0.5)
	}
	switch {
	case r.Percent >= 85 && len(mocks) > 0 && mocks[0].Passed:
		r.Level = "ready"
	case r.Percent >= 70:
		r.Level = "almost"
	default:
		r.Level = "not_yet"
	}
	return r
}
