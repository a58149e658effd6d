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
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// Store persists practice records, resume points and sessions
// (practicedb). SQL is the durable record; the Cache only mirrors it.
type Store interface {
	Record(ctx context.Context, candidateID, questionID int64) (Record, error) // ErrNotFound when never touched
	// RecordAnswer upserts the record of one answer in one statement:
	// attempts, rights, the right-in-a-row streak and wrong-book membership
	// (in on a wrong answer, out after exitAfter right ones in a row), and
	// when resume is set, the chapter's resume point. Returns the record's
	// marks after the write, computed by the database from the stored row.
	// Outside a transaction concurrent answers share one statement and one
	// commit (group commit) and the call returns after the commit; a full
	// queue is groupcommit.ErrBusy (503, retried by the phone).
	RecordAnswer(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, resume *Resume, at time.Time) (Marks, error)
	SetFavourite(ctx context.Context, candidateID int64, q questionbank.Question, on bool, at time.Time) (Marks, error)
	Position(ctx context.Context, candidateID, chapterID int64) (int, error) // 0 when none
	Positions(ctx context.Context, candidateID int64) (map[int64]int, error)
	// State reads the marks of every record and every chapter's resume
	// point of one candidate (to fill the Cache).
	State(ctx context.Context, candidateID int64) (State, error)
	ChapterRecords(ctx context.Context, candidateID, chapterID int64) ([]Record, error)
	// Listed returns wrong-book records (wrong=true), oldest mistake first,
	// or favourites, newest first.
	Listed(ctx context.Context, candidateID int64, wrong bool, offset, limit int) ([]Record, int64, error)
	ChapterStats(ctx context.Context, candidateID int64) ([]ChapterStat, error)
	CreateSession(ctx context.Context, s *Session) error
	Usage(ctx context.Context, fromDay, toDay string) ([]DayUsage, error)
}

// Cache mirrors each candidate's State in a store every node shares
// (practicekv, on Redis), so Next reads no SQL and Answer writes SQL once.
//
// Protocol: Get answers from an entry only when it is complete. On a miss
// the service Claims the entry, reads the State from the Store and Fills
// it; Fill gives up when the entry was dropped or claimed again since the
// Claim (a flush or eviction in between), so it never completes an entry
// from a read older than a write it missed. After each SQL write the
// service Puts the written marks and resume point (write-through); Put and
// Fill keep whichever value is newer (higher Rev; later resume point), so
// racing writers and fillers on several nodes converge on what SQL holds.
// When a Put fails the service Drops the entry. Entries expire (TTL).
type Cache interface {
	// Get returns the marks of the questions and the resume points of the
	// chapters asked for; ok is false when the entry is not complete.
	Get(ctx context.Context, candidateID int64, questionIDs, chapterIDs []int64) (st State, ok bool, err error)
	Claim(ctx context.Context, candidateID int64) (token string, err error)
	Fill(ctx context.Context, candidateID int64, token string, st State) error
	Put(ctx context.Context, candidateID int64, marks []Marks, resumes []Resume) error
	Drop(ctx context.Context, candidateID int64) error
	// Resume returns the chapter's resume point (zero when none) and, in
	// the same round trip, the marks of the question there: the point's
	// Resume.QuestionID, or firstQuestionID when there is no point (marks
	// nil when the point does not know its question); ok is false when the
	// entry is not complete.
	Resume(ctx context.Context, candidateID, chapterID, firstQuestionID int64) (r Resume, marks *Marks, ok bool, err error)
}

// Bank is what practice needs from the question bank.
type Bank interface {
	Chapters(ctx context.Context) ([]questionbank.Chapter, error)
	// ChapterQuestions is a chapter's published questions by id; the slice
	// is shared with the bank's snapshot and is never modified here.
	ChapterQuestions(ctx context.Context, chapterID int64) ([]questionbank.Question, error)
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
	cache Cache
	log   *slog.Logger

	cacheErrs   atomic.Int64 // cache failures since start
	cacheWarned atomic.Int64 // unix nanos of the last warning
}

// Option configures the service.
type Option func(*Service)

// WithCache puts c in front of the store for Next and Answer; cache
// failures are logged to log and the service falls back to the store.
// Answer and SetFavourite write through to c after their SQL statement, so
// they must not run inside a caller's transaction.
func WithCache(c Cache, log *slog.Logger) Option {
	return func(s *Service) {
		s.cache = c
		if log != nil {
			s.log = log
		}
	}
}

// NewService wires practice; loc is the bureau's zone (days of the usage counters).
func NewService(store Store, bank Bank, mocks Mocks, clk clock.Clock, loc *time.Location, opts ...Option) *Service {
	if loc == nil {
		loc = time.UTC
	}
	s := &Service{store: store, bank: bank, mocks: mocks, clock: clk, loc: loc, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

func candidate(ctx context.Context) (int64, error) {
	id, err := reqctx.Candidate(ctx)
	if apperr.ErrForbidden.Is(err) {
		return 0, apperr.ErrForbidden.WithMessage("practice is for candidates")
	}
	return id, err
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
		return nil, apperr.Invalid(apperr.Fields{"chapter_id": apperr.Required()})
	}
	qs, err := s.bank.ChapterQuestions(ctx, chapterID)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, ErrEmpty
	}
	return qs, nil
}

// Next returns the practice question the request asks for, without its key.
// With a cache, a sequential, chapter, random or single question costs one
// cache read and no SQL.
// The reasons Next's checks name, built once (not on every request).
var (
	rsnNextModes = apperr.OneOf("sequential", "chapter", "random", "wrong", "favourites", "single")
	rsnSubjects  = apperr.OneOf("national", "regional")
)

func (s *Service) Next(ctx context.Context, ask Ask) (Shown, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return Shown{}, err
	}
	f := apperr.Fields{}
	f.Check(ask.Mode.Valid() && ask.Mode != ModeStudy, "mode", rsnNextModes)
	f.Check(ask.Position >= 0, "position", apperr.NotNegative())
	f.Check(ask.Subject == "" || ask.Subject.Valid(), "subject", rsnSubjects)
	if err := f.Err(); err != nil {
		return Shown{}, err
	}
	var (
		sh    Shown
		marks *Marks // known already (resume read them with the position, or the listed record)
	)
	switch ask.Mode {
	case ModeSequential, ModeChapter:
		qs, err := s.chapterQuestions(ctx, ask.ChapterID)
		if err != nil {
			return Shown{}, err
		}
		pos := ask.Position
		if pos == 0 && ask.Mode == ModeSequential {
			if pos, marks, err = s.resume(ctx, cand, ask.ChapterID, qs); err != nil {
				return Shown{}, err
			}
		}
		pos = min(max(pos, 1), len(qs))
		idx := pos - 1
		if ask.Mode == ModeChapter {
			idx = rand.New(rand.NewPCG(uint64(ask.Seed), uint64(ask.ChapterID))).Perm(len(qs))[idx]
		}
		if marks != nil && marks.QuestionID != qs[idx].ID {
			marks = nil // guard: resume read the marks of the question it clamped to, which is this one
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
		m := recs[0].Marks()
		marks = &m
		sh = Shown{Question: q, Position: pos, Total: int(total)}
	case ModeSingle:
		q, err := s.bank.PublishedQuestion(ctx, ask.QuestionID)
		if err != nil {
			return Shown{}, notPublished(err)
		}
		sh = Shown{Question: q, Position: 1, Total: 1}
	}
	if marks == nil {
		m, err := s.marks(ctx, cand, sh.Question.ID)
		if err != nil {
			return Shown{}, err
		}
		marks = &m
	}
	sh.Favourite, sh.WrongBook, sh.Answered = marks.Favourite, marks.WrongBook, marks.Answered
	sh.Question = hideKey(sh.Question)
	return sh, nil
}

// cached returns the candidate's state from the cache for the questions and
// chapters asked for, filling the cache from the store on a miss (the
// filled state holds everything). ok is false without a cache or when it
// failed; the caller then reads the store.
func (s *Service) cached(ctx context.Context, cand int64, questionIDs, chapterIDs []int64) (State, bool, error) {
	if s.cache == nil {
		return State{}, false, nil
	}
	st, ok, err := s.cache.Get(ctx, cand, questionIDs, chapterIDs)
	if err != nil {
		s.cacheFailed(ctx, "get", cand, err)
		return State{}, false, nil
	}
	if ok {
		return st, true, nil
	}
	token, err := s.cache.Claim(ctx, cand)
	if err != nil {
		s.cacheFailed(ctx, "claim", cand, err)
		return State{}, false, nil
	}
	full, err := s.store.State(ctx, cand)
	if err != nil {
		return State{}, false, err
	}
	if err := s.cache.Fill(ctx, cand, token, full); err != nil {
		s.cacheFailed(ctx, "fill", cand, err)
	}
	return full, true, nil
}

// marks returns the candidate's marks of one question.
func (s *Service) marks(ctx context.Context, cand, questionID int64) (Marks, error) {
	st, ok, err := s.cached(ctx, cand, []int64{questionID}, nil)
	if err != nil {
		return Marks{}, err
	}
	if ok {
		m := st.Marks[questionID]
		m.QuestionID = questionID
		return m, nil
	}
	rec, err := s.store.Record(ctx, cand, questionID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Marks{QuestionID: questionID}, nil
	}
	if err != nil {
		return Marks{}, err
	}
	return rec.Marks(), nil
}

// resume returns the remembered sequential position of a chapter (0 when
// none) and, from the cache, the marks of the question there (nil when
// they must be read separately). One cache read (a script) returns the
// point and the marks of the question the answer that set it named, or of
// the first question when there is none; only a point whose question is
// not known (written by SQL's fill, or a node without it) or no longer
// there (the chapter changed) costs a second read of that one question.
// The cost does not grow with the chapter (reading every question's marks
// of a 10,000-question chapter in one HMGET made resume 25x slower than
// next).
func (s *Service) resume(ctx context.Context, cand, chapterID int64, qs []questionbank.Question) (int, *Marks, error) {
	if s.cache != nil {
		// Usually one read: the point and the marks of the question it
		// was written for (what the candidate answered last sets both).
		r, m, ok, err := s.cache.Resume(ctx, cand, chapterID, qs[0].ID)
		if err != nil {
			s.cacheFailed(ctx, "get", cand, err)
			pos, err := s.store.Position(ctx, cand, chapterID)
			return pos, nil, err
		}
		if ok {
			idx := min(max(r.Position, 1), len(qs)) - 1
			if m != nil && m.QuestionID == qs[idx].ID {
				return r.Position, m, nil
			}
			return r.Position, nil, nil // Next reads the marks of qs[idx]
		}
	}
	st, ok, err := s.cached(ctx, cand, nil, []int64{chapterID})
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		pos, err := s.store.Position(ctx, cand, chapterID)
		return pos, nil, err
	}
	pos := st.Resumes[chapterID].Position
	idx := min(max(pos, 1), len(qs)) - 1
	if m, ok := st.Marks[qs[idx].ID]; ok { // only after a fill, which read the whole state
		m.QuestionID = qs[idx].ID
		return pos, &m, nil
	}
	return pos, nil, nil // Next reads the marks of qs[idx]: one more cache read
}

// wrote writes the state after a committed SQL write through to the cache.
// A failed Put drops the candidate's entry so nobody reads it stale; the
// write itself has succeeded either way.
func (s *Service) wrote(ctx context.Context, cand int64, m Marks, resume *Resume) {
	if s.cache == nil {
		return
	}
	var resumes []Resume
	if resume != nil {
		resumes = []Resume{*resume}
	}
	err := s.cache.Put(ctx, cand, []Marks{m}, resumes)
	if err == nil {
		return
	}
	s.cacheFailed(ctx, "put", cand, err)
	if err := s.cache.Drop(ctx, cand); err != nil {
		s.cacheFailed(ctx, "drop", cand, err)
	}
}

// cacheFailed logs a cache failure, at most one line per 10 s per node
// (with Redis down every request would fail).
func (s *Service) cacheFailed(ctx context.Context, op string, cand int64, err error) {
	n := s.cacheErrs.Add(1)
	now := time.Now().UnixNano()
	last := s.cacheWarned.Load()
	if now-last < int64(10*time.Second) || !s.cacheWarned.CompareAndSwap(last, now) {
		return
	}
	s.log.WarnContext(ctx, "practice cache failed; using SQL", "op", op, "candidate_id", cand, "err", err, "failures", n)
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
	f.Check(in.QuestionID > 0, "question_id", apperr.Required())
	f.Check(in.Mode == "" || (in.Mode.Valid() && in.Mode != ModeStudy), "mode", rsnUnknownPracticeMode)
	f.Check(in.Position >= 0, "position", apperr.NotNegative())
	if err := f.Err(); err != nil {
		return Checked{}, err
	}
	q, err := s.question(ctx, in.QuestionID, in.Version)
	if err != nil {
		return Checked{}, err
	}
	given := normalize(in.Given)
	f.Check(len(given) > 0, "given", rsnChooseAnAnswer)
	for _, g := range given {
		if !slices.ContainsFunc(q.Options, func(o questionbank.Option) bool { return o.Key == g }) {
			f.Add("given", rsnNotAnOption.With("key", g))
		}
	}
	f.Check(q.Type == questionbank.TypeMultiple || len(given) <= 1, "given", rsnThisQuestionTakesOneAnswer)
	if err := f.Err(); err != nil {
		return Checked{}, err
	}
	correct := questionbank.Grade(q, given)
	// Milliseconds: what SQL keeps, so the cache orders resume points as SQL does.
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	var resume *Resume
	if in.Mode == ModeSequential && in.Position > 0 && in.ChapterID == q.ChapterID {
		resume = &Resume{ChapterID: q.ChapterID, Position: in.Position + 1, At: now}
		if qs, err := s.bank.ChapterQuestions(ctx, q.ChapterID); err == nil && len(qs) > 0 {
			// The question resume will show (it clamps as Next does).
			resume.QuestionID = qs[min(resume.Position, len(qs))-1].ID
		}
	}
	m, err := s.store.RecordAnswer(ctx, cand, q, correct, given, WrongBookExit, resume, now)
	if err != nil {
		return Checked{}, err
	}
	s.wrote(ctx, cand, m, resume)
	out := Checked{Correct: correct, Answer: slices.Clone(q.Answer), Explanation: q.Explanation, WrongBook: m.WrongBook, Streak: m.Streak}
	if resume != nil {
		out.NextPos = resume.Position
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
		if on || !errors.Is(err, apperr.ErrNotFound) {
			return notPublished(err)
		}
		// Un-favouriting a retired question must still work.
		rec, rerr := s.store.Record(ctx, cand, questionID)
		if rerr != nil {
			return notPublished(rerr)
		}
		q = questionbank.Question{ID: questionID, ChapterID: rec.ChapterID, Subject: rec.Subject}
	}
	m, err := s.store.SetFavourite(ctx, cand, q, on, s.clock.Now().UTC())
	if err != nil {
		return err
	}
	s.wrote(ctx, cand, m, nil)
	return nil
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
	f.Check(mode.Valid(), "mode", rsnUnknownPracticeMode)
	f.Check(chapterID >= 0, "chapter_id", apperr.NotNegative())
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
	f.Check(e1 == nil, "from", apperr.Date())
	f.Check(e2 == nil, "to", apperr.Date())
	if e1 == nil && e2 == nil {
		f.Check(!td.Before(fd), "to", apperr.NotBeforeFrom())
		f.Check(td.Sub(fd) <= 366*24*time.Hour, "to", apperr.WithinAYear())
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
