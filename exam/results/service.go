package results

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// Store persists subject results and qualifications (resultsdb). Every
// method joins the transaction carried by ctx.
type Store interface {
	// AddResults inserts the results of one attempt (setting their IDs); an
	// attempt's subject is recorded once (a second insert is a no-op).
	AddResults(ctx context.Context, rs []SubjectResult) error
	// CandidateResults lists every result of a candidate, newest first.
	CandidateResults(ctx context.Context, candidateID int64) ([]SubjectResult, error)
	// AttemptResults lists the results of one attempt.
	AttemptResults(ctx context.Context, attemptID int64) ([]SubjectResult, error)
	// AddQualification records q; false when the application already has one.
	AddQualification(ctx context.Context, q Qualification) (bool, error)
	// Qualification of an application (apperr.ErrNotFound if none).
	Qualification(ctx context.Context, applicationID int64) (Qualification, error)
	Search(ctx context.Context, f Filter) ([]SubjectResult, int64, error)
	Stats(ctx context.Context, f Filter) ([]SubjectStat, error)
}

// Applications finds a candidate's approved application (registration).
type Applications interface {
	// ApprovedApplication returns the id of the candidate's approved
	// application and when it was approved, apperr.ErrNotFound if there is none.
	ApprovedApplication(ctx context.Context, candidateID int64) (id int64, approvedAt time.Time, err error)
}

// Sittings tells which booking a formal attempt belongs to (proctoring).
type Sittings interface {
	Sitting(ctx context.Context, attemptID int64) (Sitting, error)
}

// Contacts gives the name on an application and the candidate's phone, for
// the result SMS.
type Contacts interface {
	Contact(ctx context.Context, candidateID, applicationID int64) (name, phone string, err error)
}

// Notifier queues SMS through the outbox in the caller's transaction.
type Notifier interface {
	EnqueueSMS(ctx context.Context, m notify.SMS) (int64, error)
}

// Papers re-reads a stored attempt (exam/attempt): the same questions at
// their frozen versions, in the same order, with the answers given and,
// once submitted, the key.
type Papers interface {
	View(ctx context.Context, kind attempt.Kind, id int64) (attempt.View, error)
}

// Ledger appends each formal result to the tamper-evident ledger
// (internal/ledger) in the caller's transaction.
type Ledger interface {
	RecordResult(ctx context.Context, r SubjectResult) error
}

// Deps are the collaborators of the service.
type Deps struct {
	Store        Store
	Applications Applications
	Sittings     Sittings
	Contacts     Contacts
	Notifier     Notifier
	Papers       Papers
	Ledger       Ledger // nil: no ledger (tests of other packages)
	Clock        clock.Clock
}

// Service records results and answers eligibility.
type Service struct {
	store    Store
	apps     Applications
	sittings Sittings
	contacts Contacts
	notify   Notifier
	papers   Papers
	ledger   Ledger
	clock    clock.Clock
	hooks    []QualifiedHook
}

// NewService wires the package.
func NewService(d Deps) *Service {
	return &Service{store: d.Store, apps: d.Applications, sittings: d.Sittings, contacts: d.Contacts, notify: d.Notifier, papers: d.Papers, ledger: d.Ledger, clock: d.Clock}
}

// OnQualified registers a hook run once per application, inside the submit
// transaction that completed the qualification.
func (s *Service) OnQualified(h QualifiedHook) { s.hooks = append(s.hooks, h) }

// RecordAttempt is the attempt engine's submit hook: for a formal attempt
// it stores one result per subject sat, sends the result SMS and, when every
// subject now has a valid pass, records the qualification and runs the
// qualified hooks. It runs inside the submit transaction, so all of it
// commits with the submission or not at all.
func (s *Service) RecordAttempt(ctx context.Context, a attempt.Attempt) error {
	if a.Kind != attempt.KindFormal {
		return nil
	}
	sit, err := s.sittings.Sitting(ctx, a.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return ErrNoSitting.WithMessage("formal attempt %d has no sitting", a.ID)
	}
	if err != nil {
		return err
	}
	satAt := a.SubmittedAt.UTC()
	rs := make([]SubjectResult, 0, len(a.Sections))
	for _, sec := range a.Sections {
		rs = append(rs, SubjectResult{CandidateID: a.CandidateID, ApplicationID: sit.ApplicationID, AttemptID: a.ID,
			SessionID: sit.SessionID, CentreID: sit.CentreID, Subject: sec.Subject, Score: sec.Score, TotalPoints: sec.TotalPoints,
			PassPercent: sec.PassPercent, Passed: sec.Passed, SatAt: satAt, ValidUntil: ValidUntil(satAt)})
	}
	if err := s.store.AddResults(ctx, rs); err != nil {
		return err
	}
	all, err := s.store.CandidateResults(ctx, a.CandidateID)
	if err != nil {
		return err
	}
	passes := validPasses(all, satAt)
	qualified := len(missing(passes)) == 0
	if err := s.sendResult(ctx, a, sit, rs, qualified); err != nil {
		return err
	}
	// The scores enter the ledger in the submit transaction: a result
	// exists only with its record (a pending row, linked into the chain by
	// the ledger's worker; no lock shared with other submissions).
	if s.ledger != nil {
		for _, r := range rs {
			if r.ID == 0 {
				continue // recorded before (a repeated hook)
			}
			if err := s.ledger.RecordResult(ctx, r); err != nil {
				return err
			}
		}
	}
	if !qualified {
		return nil
	}
	q := Qualification{CandidateID: a.CandidateID, ApplicationID: sit.ApplicationID, QualifiedAt: satAt}
	for _, subj := range questionbank.Subjects {
		q.Results = append(q.Results, passes[subj])
	}
	added, err := s.store.AddQualification(ctx, q)
	if err != nil || !added {
		return err
	}
	for _, h := range s.hooks {
		if err := h(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sendResult(ctx context.Context, a attempt.Attempt, sit Sitting, rs []SubjectResult, qualified bool) error {
	name, phone, err := s.contacts.Contact(ctx, a.CandidateID, sit.ApplicationID)
	if err != nil {
		return fmt.Errorf("result sms for attempt %d: %w", a.ID, err)
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		verdict := "不合格"
		if r.Passed {
			verdict = "合格"
		}
		parts[i] = fmt.Sprintf("%s%d分%s", SubjectName(r.Subject), r.Percent(), verdict)
	}
	result := "未全部合格，可在成绩有效期内预约补考不合格科目"
	if qualified {
		result = "全部科目合格，证件将自动发放"
	}
	_, err = s.notify.EnqueueSMS(ctx, notify.SMS{Phone: phone, Template: notify.TplResult, CandidateID: a.CandidateID,
		Params:    map[string]string{"name": name, "scores": strings.Join(parts, "，"), "result": result},
		DedupeKey: fmt.Sprintf("attempt:%d:result", a.ID)})
	return err
}

// SubjectName is the subject as printed on results.
func SubjectName(s questionbank.Subject) string {
	if s == questionbank.SubjectRegional {
		return "区域科目"
	}
	return "全国公共科目"
}

// validPasses picks, per subject, the pass that stays valid longest among
// those valid at t.
func validPasses(all []SubjectResult, t time.Time) map[questionbank.Subject]SubjectResult {
	out := map[questionbank.Subject]SubjectResult{}
	for _, r := range all {
		if !r.ValidAt(t) {
			continue
		}
		if cur, ok := out[r.Subject]; !ok || r.ValidUntil.After(cur.ValidUntil) {
			out[r.Subject] = r
		}
	}
	return out
}

// missing lists the subjects without a valid pass, in exam order.
func missing(passes map[questionbank.Subject]SubjectResult) []questionbank.Subject {
	var out []questionbank.Subject
	for _, subj := range questionbank.Subjects {
		if _, ok := passes[subj]; !ok {
			out = append(out, subj)
		}
	}
	return out
}

// Eligibility says whether the candidate may book a formal exam now and
// which subjects the paper must hold: an approved application is needed,
// and every subject without a pass still valid at the exam date is to sit.
// at is the date of the sitting being booked (zero = now): a pass that
// expires before the exam does not count.
func (s *Service) Eligibility(ctx context.Context, candidateID int64, at time.Time) (Eligibility, error) {
	if at.IsZero() {
		at = s.clock.Now()
	}
	appID, approvedAt, err := s.apps.ApprovedApplication(ctx, candidateID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Eligibility{Reason: ReasonNoApplication}, nil
	}
	if err != nil {
		return Eligibility{}, err
	}
	if _, err := s.store.Qualification(ctx, appID); err == nil {
		return Eligibility{Reason: ReasonQualified, ApplicationID: appID, ApprovedAt: approvedAt}, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Eligibility{}, err
	}
	all, err := s.store.CandidateResults(ctx, candidateID)
	if err != nil {
		return Eligibility{}, err
	}
	subjects := missing(validPasses(all, at.UTC()))
	if len(subjects) == 0 {
		// Passed everything but not recorded as qualified on this
		// application (passes carried from an earlier application).
		return Eligibility{Reason: ReasonQualified, ApplicationID: appID, ApprovedAt: approvedAt}, nil
	}
	return Eligibility{MayBook: true, ApplicationID: appID, ApprovedAt: approvedAt, Subjects: subjects}, nil
}

// History lists a candidate's subject results, newest first, as the
// caller may see them (a proctor: those sat at their centre).
func (s *Service) History(ctx context.Context, candidateID int64) ([]SubjectResult, error) {
	all, err := s.store.CandidateResults(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	if a := reqctx.ActorFrom(ctx); a.Is(reqctx.RoleProctor) {
		all = slices.DeleteFunc(all, func(r SubjectResult) bool { return r.CentreID != a.CentreID })
	}
	return all, nil
}

// scope narrows f to what the caller may see: staff of the bureau all
// results, a proctor those of their own centre (asking for another centre
// is "not found", as if it had none).
func scope(ctx context.Context, f *Filter) error {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return apperr.ErrUnauthenticated
	}
	centre, err := a.Centre()
	if err != nil || centre == 0 {
		return err
	}
	if f.CentreID != 0 && f.CentreID != centre {
		return apperr.ErrNotFound
	}
	f.CentreID = centre
	return nil
}

// OfAttempt lists the subject results of one attempt the caller may see
// (a proctor: sat at their centre; otherwise "not found").
func (s *Service) OfAttempt(ctx context.Context, attemptID int64) ([]SubjectResult, error) {
	var f Filter
	if err := scope(ctx, &f); err != nil {
		return nil, err
	}
	rs, err := s.store.AttemptResults(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || (f.CentreID != 0 && rs[0].CentreID != f.CentreID) {
		return nil, apperr.ErrNotFound
	}
	return rs, nil
}

// Appeal re-renders the exact paper of a graded formal attempt from what
// is stored: questions at their frozen versions, in the candidate's order
// and option order, the answers given, the key and the subject results.
func (s *Service) Appeal(ctx context.Context, attemptID int64) (attempt.View, []SubjectResult, error) {
	rs, err := s.OfAttempt(ctx, attemptID)
	if err != nil {
		return attempt.View{}, nil, err
	}
	v, err := s.papers.View(ctx, attempt.KindFormal, attemptID)
	return v, rs, err
}

// Search lists results for the scores console. A proctor sees only the
// results sat at their own centre, whatever the filter asks.
func (s *Service) Search(ctx context.Context, f Filter) ([]SubjectResult, int64, error) {
	if err := scope(ctx, &f); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	return s.store.Search(ctx, f)
}

// Stats gives the pass rate per subject of the results f selects.
func (s *Service) Stats(ctx context.Context, f Filter) ([]SubjectStat, error) {
	if err := scope(ctx, &f); err != nil {
		return nil, err
	}
	stats, err := s.store.Stats(ctx, f)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(stats, func(a, b SubjectStat) int { return strings.Compare(string(a.Subject), string(b.Subject)) })
	return stats, nil
}
