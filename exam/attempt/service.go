// Package attempt is the timed-attempt engine shared by mock exams and the
// formal exam: a paper (refs to frozen question versions with a shuffled
// option order) is stored with the attempt, the deadline is the server's,
// answers are saved one by one with a client sequence number, and the
// server submits at the deadline itself (a sweep safe on every node, plus a
// lazy submit whenever an overdue attempt is read or written).
//
// Answer keys and explanations never leave the service before submission.
package attempt

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// Store persists attempts and their items. Implemented by attemptdb; every
// method joins the transaction carried by ctx.
type Store interface {
	// Create inserts the attempt (setting its ID) and its items. A second
	// in-progress attempt of the same kind for the candidate is ErrAlreadyOpen.
	Create(ctx context.Context, a *Attempt, items []Item) error
	Get(ctx context.Context, id int64) (Attempt, error)
	// Open returns the candidate's in-progress attempt of kind (ErrNotFound if none).
	Open(ctx context.Context, candidateID int64, kind Kind) (Attempt, error)
	Items(ctx context.Context, attemptID int64) ([]Item, error)
	Item(ctx context.Context, attemptID, questionID int64) (Item, error)
	// SaveAnswer stores a on item it (the item as the caller read it) only
	// if a.Seq is higher than the stored seq and the item is not closed
	// (Close closes every item of a submitted attempt). It returns the item
	// as stored after the write and whether a was applied. Outside a
	// transaction concurrent saves share one statement and one commit (a
	// group commit) and the call returns after the commit; a full queue is
	// groupcommit.ErrBusy. The caller checks the deadline.
	SaveAnswer(ctx context.Context, it Item, a Answer, now time.Time) (Item, bool, error)
	// Close flips an in-progress attempt to submitted and closes its items
	// against later answers; false when it was not in progress (another
	// node or request got there first).
	Close(ctx context.Context, id int64, reason string, at time.Time) (bool, error)
	// SaveResult stores the sections' scores, the pass and each item's correctness.
	SaveResult(ctx context.Context, a Attempt, items []Item) error
	// Due lists in-progress attempts whose deadline is at or before now.
	Due(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// List returns a candidate's attempts of kind, newest first.
	List(ctx context.Context, candidateID int64, kind Kind, offset, limit int) ([]Attempt, int64, error)
	// Extend sets a new deadline on an attempt still in progress before
	// its deadline at now; false otherwise.
	Extend(ctx context.Context, id int64, deadline, now time.Time) (bool, error)
	// Progress counts answered and total items per attempt.
	Progress(ctx context.Context, ids []int64) (map[int64]Counts, error)
}

// Bank is what the engine needs from the question bank.
type Bank interface {
	DefaultBlueprint(ctx context.Context, kind string) (questionbank.Blueprint, error)
	AssemblePaper(ctx context.Context, blueprintID, seed int64) (questionbank.Paper, error)
	Versions(ctx context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error)
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// SubmitHook is told about every submitted attempt inside the submit
// transaction (the formal exam uses it to record results and enqueue the
// certificates through the outbox). It must only touch the database.
type SubmitHook func(ctx context.Context, a Attempt) error

// Service runs attempts.
type Service struct {
	store Store
	bank  Bank
	tx    Transactor
	clock clock.Clock
	log   *slog.Logger
	hooks []SubmitHook
	// the immutable part of attempts this node has saved answers for
	papers *papers
}

// NewService wires the engine.
func NewService(store Store, bank Bank, tx Transactor, clk clock.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, bank: bank, tx: tx, clock: clk, log: log, papers: newPapers(paperCacheSize)}
}

// OnSubmit registers a hook run inside every submit transaction.
func (s *Service) OnSubmit(h SubmitHook) { s.hooks = append(s.hooks, h) }

func randomSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

// Start assembles a paper from the blueprint and starts the clock. The
// deadline is the start plus the sum of the sections' durations.
func (s *Service) Start(ctx context.Context, spec Spec) (Attempt, error) {
	f := apperr.Fields{}
	f.Check(spec.Kind.Valid(), "kind", apperr.OneOf("mock", "formal"))
	f.Check(spec.CandidateID > 0, "candidate_id", apperr.Required())
	if err := f.Err(); err != nil {
		return Attempt{}, err
	}
	bpID := spec.BlueprintID
	if bpID == 0 {
		bp, err := s.bank.DefaultBlueprint(ctx, string(spec.Kind))
		if err != nil {
			return Attempt{}, err
		}
		bpID = bp.ID
	}
	seed := randomSeed()
	paper, err := s.bank.AssemblePaper(ctx, bpID, seed)
	if err != nil {
		return Attempt{}, err
	}
	if len(spec.Subjects) > 0 {
		paper.Sections = slices.DeleteFunc(paper.Sections, func(sec questionbank.PaperSection) bool { return !slices.Contains(spec.Subjects, sec.Subject) })
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	a := Attempt{Kind: spec.Kind, CandidateID: spec.CandidateID, Ref: spec.Ref, BlueprintID: paper.BlueprintID, Seed: paper.Seed,
		Status: StatusInProgress, StartedAt: now, Version: 1}
	var items []Item
	total := 0
	pos := 0
	for si, sec := range paper.Sections {
		a.Sections = append(a.Sections, Section{Subject: sec.Subject, DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent,
			TotalPoints: sec.TotalPoints, Count: len(sec.Questions)})
		total += sec.DurationMinutes
		for _, pq := range sec.Questions {
			pos++
			items = append(items, Item{Position: pos, Section: si, QuestionID: pq.Ref.QuestionID, Version: pq.Ref.Version,
				Points: pq.Points, OptionOrder: slices.Clone(pq.OptionOrder)})
		}
	}
	if len(items) == 0 || total <= 0 {
		return Attempt{}, questionbank.ErrBankShort.WithMessage("the blueprint gives an empty paper or no time")
	}
	// The item's type is needed to validate answers without reading the bank.
	qs, err := s.bank.Versions(ctx, refsOf(items))
	if err != nil {
		return Attempt{}, err
	}
	for i := range items {
		q, ok := qs[items[i].Ref()]
		if !ok {
			return Attempt{}, fmt.Errorf("assembled paper names %v which is not a frozen version", items[i].Ref())
		}
		items[i].Type = q.Type
	}
	a.Deadline = now.Add(time.Duration(total) * time.Minute)
	if err := s.tx.InTx(ctx, func(ctx context.Context) error { return s.store.Create(ctx, &a, items) }); err != nil {
		return Attempt{}, err
	}
	return a, nil
}

// StartMock starts the calling candidate's full mock exam on the default
// blueprint, or returns the one already in progress (a second tap, another
// phone, a reload: all resume the same attempt).
func (s *Service) StartMock(ctx context.Context) (View, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return View{}, err
	}
	if v, err := s.resumeOpen(ctx, cand); err == nil || !errors.Is(err, apperr.ErrNotFound) {
		return v, err
	}
	a, err := s.Start(ctx, Spec{Kind: KindMock, CandidateID: cand})
	if errors.Is(err, ErrAlreadyOpen) {
		return s.resumeOpen(ctx, cand) // a parallel start won
	}
	if err != nil {
		return View{}, err
	}
	return s.View(ctx, KindMock, a.ID)
}

func (s *Service) resumeOpen(ctx context.Context, cand int64) (View, error) {
	a, err := s.store.Open(ctx, cand, KindMock)
	if err != nil {
		return View{}, err
	}
	return s.View(ctx, KindMock, a.ID)
}

func candidate(ctx context.Context) (int64, error) {
	id, err := reqctx.Candidate(ctx)
	if apperr.ErrForbidden.Is(err) {
		return 0, apperr.ErrForbidden.WithMessage("only candidates sit mock exams")
	}
	return id, err
}

// load reads an attempt the caller may see: a candidate only their own
// (others' are "not found"); staff as their route allows. An attempt of
// another kind is "not found" too, so mock routes never touch a formal one. An overdue
// attempt is submitted on the way (lazy submit).
func (s *Service) load(ctx context.Context, kind Kind, id int64) (Attempt, error) {
	a, err := s.store.Get(ctx, id)
	if err != nil {
		return Attempt{}, err
	}
	if a.Kind != kind {
		return Attempt{}, apperr.ErrNotFound
	}
	if act := reqctx.ActorFrom(ctx); act == nil || (act.IsCandidate() && act.UserID != a.CandidateID) {
		return Attempt{}, apperr.ErrNotFound
	}
	if !a.Submitted() && !s.clock.Now().Before(a.Deadline) {
		if a, _, err = s.submit(ctx, a.ID, ReasonDeadline); err != nil {
			return Attempt{}, err
		}
	}
	return a, nil
}

// View returns the attempt with its questions: while in progress without
// keys, after submission with keys, explanations and correctness.
func (s *Service) View(ctx context.Context, kind Kind, id int64) (View, error) {
	a, err := s.load(ctx, kind, id)
	if err != nil {
		return View{}, err
	}
	items, err := s.store.Items(ctx, a.ID)
	if err != nil {
		return View{}, err
	}
	if !a.Submitted() {
		// The paper the candidate now answers: its first save needs no read.
		if p, known := s.papers.get(a.ID); !known || !p.deadline.Equal(a.Deadline) {
			s.papers.put(a, items)
		}
	}
	qs, err := s.bank.Versions(ctx, refsOf(items))
	if err != nil {
		return View{}, err
	}
	return s.view(a, items, qs), nil
}

func (s *Service) view(a Attempt, items []Item, qs map[questionbank.VersionRef]questionbank.Question) View {
	v := View{Attempt: a, Now: s.clock.Now().UTC(), Questions: make([]ViewQuestion, len(items))}
	for i, it := range items {
		q := qs[it.Ref()]
		vq := ViewQuestion{Item: it, Stem: q.Stem, ImageURL: q.ImageURL, Options: ordered(q.Options, it.OptionOrder)}
		if a.Submitted() {
			vq.Answer = slices.Clone(q.Answer)
			vq.Explanation = q.Explanation
		}
		v.Questions[i] = vq
	}
	return v
}

// ordered returns opts in the attempt's order; options missing from order
// (never expected) follow at the end.
func ordered(opts []questionbank.Option, order []string) []questionbank.Option {
	out := make([]questionbank.Option, 0, len(opts))
	for _, k := range order {
		for _, o := range opts {
			if o.Key == k {
				out = append(out, o)
			}
		}
	}
	for _, o := range opts {
		if !slices.Contains(order, o.Key) {
			out = append(out, o)
		}
	}
	return out
}

func refsOf(items []Item) []questionbank.VersionRef {
	refs := make([]questionbank.VersionRef, len(items))
	for i, it := range items {
		refs[i] = it.Ref()
	}
	return refs
}

// SaveAnswer stores one answer. A request whose Seq is not higher than the
// stored answer's is a retry or arrived out of order: nothing changes and
// the stored answer is returned with Applied=false. This is the one answer
// path of every attempt kind (mock and formal): durable when it returns,
// group-committed with concurrent saves (see Store.SaveAnswer).
func (s *Service) SaveAnswer(ctx context.Context, kind Kind, attemptID, questionID int64, ans Answer) (Saved, error) {
	// Fast path: the paper is known on this node, the caller owns it and
	// the deadline has not passed: validate and write, no read.
	now := s.clock.Now().UTC()
	if p, ok := s.papers.get(attemptID); ok && p.kind == kind && owns(ctx, p.candidate) && now.Before(p.deadline) {
		it, inPaper := p.item(questionID)
		if !inPaper {
			return Saved{}, ErrQuestionNotInPaper
		}
		ans.Given = normalizeKeys(ans.Given)
		if err := checkAnswer(it, ans); err != nil {
			return Saved{}, err
		}
		stored, applied, err := s.store.SaveAnswer(ctx, it, ans, now)
		if err != nil {
			return Saved{}, err
		}
		if applied {
			return Saved{Item: stored, Applied: true}, nil
		}
		// Refused (submitted, or a stale seq): the full path says which.
	}
	return s.saveAnswerSlow(ctx, kind, attemptID, questionID, ans)
}

// owns reports whether the caller may act on an attempt of candidate
// (staff callers pass, as in load).
func owns(ctx context.Context, candidate int64) bool {
	act := reqctx.ActorFrom(ctx)
	return act != nil && (!act.IsCandidate() || act.UserID == candidate)
}

func checkAnswer(it Item, ans Answer) error {
	f := apperr.Fields{}
	f.Check(ans.Seq > 0, "seq", rsnMustBeAPositiveIncreasingNumber)
	for _, k := range ans.Given {
		if !slices.Contains(it.OptionOrder, k) {
			f.Add("given", rsnNotAnOption.With("key", k))
		}
	}
	if it.Type != questionbank.TypeMultiple && len(ans.Given) > 1 {
		f.Add("given", rsnThisQuestionTakesOneAnswer)
	}
	return f.Err()
}

// saveAnswerSlow reads the attempt and the item, then writes; it also
// remembers the paper of an attempt in progress for the fast path.
func (s *Service) saveAnswerSlow(ctx context.Context, kind Kind, attemptID, questionID int64, ans Answer) (Saved, error) {
	a, err := s.load(ctx, kind, attemptID)
	if err != nil {
		return Saved{}, err
	}
	if a.Submitted() {
		s.papers.forget(attemptID)
		if a.Reason == ReasonDeadline {
			return Saved{}, ErrDeadlinePassed
		}
		return Saved{}, ErrSubmitted
	}
	if p, known := s.papers.get(attemptID); !known || !p.deadline.Equal(a.Deadline) {
		// Unknown here, or its deadline was extended since (a deadline only
		// moves later, so the copy was merely too strict): read it again.
		items, err := s.store.Items(ctx, attemptID)
		if err != nil {
			return Saved{}, err
		}
		s.papers.put(a, items)
	}
	it, err := s.store.Item(ctx, attemptID, questionID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Saved{}, ErrQuestionNotInPaper
		}
		return Saved{}, err
	}
	ans.Given = normalizeKeys(ans.Given)
	if err := checkAnswer(it, ans); err != nil {
		return Saved{}, err
	}
	now := s.clock.Now().UTC()
	changed := false
	if now.Before(a.Deadline) { // the deadline never moves: checked here, not in SQL
		if it, changed, err = s.store.SaveAnswer(ctx, it, ans, now); err != nil {
			return Saved{}, err
		}
	}
	if !changed {
		// Why not? Re-read: submitted meanwhile, deadline just passed, or a stale seq.
		a, err := s.load(ctx, kind, attemptID)
		if err != nil {
			return Saved{}, err
		}
		if a.Submitted() {
			s.papers.forget(attemptID)
			if a.Reason == ReasonDeadline {
				return Saved{}, ErrDeadlinePassed
			}
			return Saved{}, ErrSubmitted
		}
	}
	return Saved{Item: it, Applied: changed}, nil
}

// Submit ends the caller's attempt now and grades it. Submitting an already
// submitted attempt returns it unchanged.
func (s *Service) Submit(ctx context.Context, kind Kind, id int64) (View, error) {
	a, err := s.load(ctx, kind, id)
	if err != nil {
		return View{}, err
	}
	if !a.Submitted() {
		sub, claimed, err := s.submitLoaded(ctx, &a, ReasonCandidate)
		if err != nil {
			return View{}, err
		}
		if claimed {
			// This request graded it: the view from what the transaction
			// read and wrote, without reading it all again.
			return s.view(sub.attempt, sub.items, sub.qs), nil
		}
	}
	return s.View(ctx, kind, id)
}

// submitted is what a claimed submission graded.
type submitted struct {
	attempt Attempt
	items   []Item
	qs      map[questionbank.VersionRef]questionbank.Question
}

// submit closes and grades one attempt in one transaction. The conditional
// close is the claim: of two nodes (or a sweep and a request) only one
// grades; the other just reads the result.
func (s *Service) submit(ctx context.Context, id int64, reason string) (out Attempt, claimed bool, err error) {
	sub, claimed, err := s.submitAttempt(ctx, id, nil, reason)
	return sub.attempt, claimed, err
}

// submitLoaded is submit for an attempt the caller has just read (in
// progress): its row is not read again when this call's close claims it.
func (s *Service) submitLoaded(ctx context.Context, a *Attempt, reason string) (submitted, bool, error) {
	return s.submitAttempt(ctx, a.ID, a, reason)
}

func (s *Service) submitAttempt(ctx context.Context, id int64, pre *Attempt, reason string) (out submitted, claimed bool, err error) {
	// The question versions are immutable: safe to read before the
	// transaction, from the node's copy of the paper when it has one.
	var refs []questionbank.VersionRef
	if p, ok := s.papers.get(id); ok {
		refs = p.refs()
	} else {
		items, err := s.store.Items(ctx, id)
		if err != nil {
			return submitted{}, false, err
		}
		refs = refsOf(items)
	}
	qs, err := s.bank.Versions(ctx, refs)
	if err != nil {
		return submitted{}, false, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		at, err := s.closeTime(ctx, id, reason)
		if err != nil {
			return err
		}
		claimed, err = s.store.Close(ctx, id, reason, at)
		if err != nil {
			return err
		}
		var a Attempt
		if claimed && pre != nil {
			// What Close wrote over the row the caller read in progress.
			a = *pre
			a.Sections = slices.Clone(pre.Sections)
			a.Status, a.SubmittedAt, a.Reason, a.Version = StatusSubmitted, at.UTC(), reason, pre.Version+1
		} else if a, err = s.store.Get(ctx, id); err != nil {
			return err
		}
		if !claimed {
			out = submitted{attempt: a}
			return nil
		}
		// Read after closing: every answer that got in before the close is graded.
		items, err := s.store.Items(ctx, id)
		if err != nil {
			return err
		}
		grade(&a, items, qs)
		if err := s.store.SaveResult(ctx, a, items); err != nil {
			return err
		}
		for _, h := range s.hooks {
			if err := h(ctx, a); err != nil {
				return err
			}
		}
		out = submitted{attempt: a, items: items, qs: qs}
		return nil
	})
	if err == nil && claimed {
		s.papers.forget(id) // over: later saves take the full path and hear why
	}
	return out, claimed, err
}

// closeTime is when a submission counts as made: now, except that an
// attempt submitted for its deadline (by the sweep or a late read) finishes
// at the deadline, however late the sweep ran.
func (s *Service) closeTime(ctx context.Context, id int64, reason string) (time.Time, error) {
	// Millisecond precision, as stored: the response of the submitting
	// request shows the same time as every later read.
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	if reason != ReasonDeadline {
		return now, nil
	}
	a, err := s.store.Get(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if a.Deadline.Before(now) {
		return a.Deadline.UTC(), nil
	}
	return now, nil
}

// grade scores every item and section: a section passes at score >= its
// PassPercent of its points; the attempt passes when every section does.
func grade(a *Attempt, items []Item, qs map[questionbank.VersionRef]questionbank.Question) {
	for i := range a.Sections {
		a.Sections[i].Score, a.Sections[i].Correct = 0, 0
	}
	for i := range items {
		it := &items[i]
		q, ok := qs[it.Ref()]
		it.Correct = ok && it.Answered() && questionbank.Grade(q, it.Given)
		if it.Correct && it.Section < len(a.Sections) {
			a.Sections[it.Section].Score += it.Points
			a.Sections[it.Section].Correct++
		}
	}
	a.Passed = len(a.Sections) > 0
	for i := range a.Sections {
		sec := &a.Sections[i]
		sec.Passed = sec.TotalPoints > 0 && sec.Score*100 >= sec.PassPercent*sec.TotalPoints
		a.Passed = a.Passed && sec.Passed
	}
}

// SubmitDue submits every overdue attempt (at most limit per call) and
// reports how many this call graded. Safe on every node at once.
func (s *Service) SubmitDue(ctx context.Context, limit int) (int, error) {
	ids, err := s.store.Due(ctx, s.clock.Now().UTC(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		_, claimed, err := s.submit(ctx, id, ReasonDeadline)
		if err != nil {
			s.log.ErrorContext(ctx, "deadline submit failed", "attempt", id, "err", err)
			continue
		}
		if claimed {
			n++
		}
	}
	return n, nil
}

// RunSweeper submits overdue attempts every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for {
			n, err := s.SubmitDue(context.WithoutCancel(ctx), 100)
			if err != nil {
				s.log.ErrorContext(ctx, "deadline sweep failed", "err", err)
			}
			if n > 0 {
				s.log.InfoContext(ctx, "attempts submitted at their deadline", "count", n)
			}
			if n < 100 || ctx.Err() != nil {
				break
			}
		}
	}
}

// History lists the calling candidate's attempts of kind, newest first.
// Overdue ones are submitted by the sweep; here they show as they are.
func (s *Service) History(ctx context.Context, kind Kind, offset, limit int) ([]Attempt, int64, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.CandidateHistory(ctx, cand, kind, offset, limit)
}

// CandidateHistory lists one candidate's attempts (for the progress page
// and, later, staff views).
func (s *Service) CandidateHistory(ctx context.Context, candidateID int64, kind Kind, offset, limit int) ([]Attempt, int64, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return s.store.List(ctx, candidateID, kind, max(offset, 0), limit)
}

// MockRules is what a candidate reads before a mock exam starts its clock:
// per subject the time, the number of questions and the pass mark, from the
// default mock blueprint (the formal one when there is none), and the
// attempt in progress the start button would resume, if any.
type MockRules struct {
	Sections       []RuleSection
	TotalMinutes   int
	TotalQuestions int
	OpenAttemptID  int64 // 0: none; starting resumes this one
}

// RuleSection is one subject of MockRules.
type RuleSection struct {
	Subject         questionbank.Subject
	DurationMinutes int
	Questions       int
	TotalPoints     int
	PassPercent     int
	PassPoints      int // the lowest passing score: Score*100 >= PassPercent*TotalPoints
}

// MockRules returns the rules of the calling candidate's next mock exam.
func (s *Service) MockRules(ctx context.Context) (MockRules, error) {
	cand, err := candidate(ctx)
	if err != nil {
		return MockRules{}, err
	}
	bp, err := s.bank.DefaultBlueprint(ctx, string(KindMock))
	if err != nil {
		return MockRules{}, err
	}
	var r MockRules
	for _, sec := range bp.Sections {
		rs := RuleSection{Subject: sec.Subject, DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent}
		for _, it := range sec.Items {
			rs.Questions += it.Count
			rs.TotalPoints += it.Count * it.Points
		}
		rs.PassPoints = (rs.PassPercent*rs.TotalPoints + 99) / 100
		r.Sections = append(r.Sections, rs)
		r.TotalMinutes += rs.DurationMinutes
		r.TotalQuestions += rs.Questions
	}
	switch a, err := s.store.Open(ctx, cand, KindMock); {
	case err == nil:
		r.OpenAttemptID = a.ID
	case !errors.Is(err, apperr.ErrNotFound):
		return MockRules{}, err
	}
	return r, nil
}
