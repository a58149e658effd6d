// Package bookingreg answers booking's two questions about a candidate from
// the registration package's own store: may they book (an approved
// application may book both subjects) and what their ticket shows (name,
// ID number, phone, photo). The formal exam will replace Eligibility with
// one read from subject results (retakes); People stays.
package bookingreg

import (
	"context"

	"taxiexam/exam/booking"
	"taxiexam/exam/registration"
	"taxiexam/internal/auth"
	questionbank "taxiexam/question-bank"
)

// ApplicationStore is the part of registration's store this adapter reads.
type ApplicationStore interface {
	ApplicationsOf(ctx context.Context, candidateID int64) ([]registration.Application, error)
}

// CandidateStore is the part of auth's store this adapter reads.
type CandidateStore interface {
	CandidateByID(ctx context.Context, id int64) (auth.Candidate, error)
}

// Applications implements booking.EligibilityChecker and booking.People.
type Applications struct {
	store      ApplicationStore
	candidates CandidateStore
}

// New returns the adapter.
func New(store ApplicationStore, candidates CandidateStore) Applications {
	return Applications{store: store, candidates: candidates}
}

func (r Applications) approved(ctx context.Context, cid int64) (registration.Application, bool, error) {
	apps, err := r.store.ApplicationsOf(ctx, cid)
	if err != nil {
		return registration.Application{}, false, err
	}
	for _, a := range apps {
		if a.Status == registration.StatusApproved {
			return a, true, nil
		}
	}
	return registration.Application{}, false, nil
}

// Eligibility: an approved application may book both subjects; priority in
// a preference round follows the approval time.
func (r Applications) Eligibility(ctx context.Context, cid int64) (booking.Eligibility, error) {
	a, ok, err := r.approved(ctx, cid)
	if err != nil || !ok {
		return booking.Eligibility{Reason: booking.ErrNotApproved.Code}, err
	}
	return booking.Eligibility{MayBook: true, ApprovedAt: a.DecidedAt,
		Subjects: []string{string(questionbank.SubjectNational), string(questionbank.SubjectRegional)}}, nil
}

// Person is the approved application's name and ID number with the
// candidate's verified phone.
func (r Applications) Person(ctx context.Context, cid int64) (booking.Person, error) {
	c, err := r.candidates.CandidateByID(ctx, cid)
	if err != nil {
		return booking.Person{}, err
	}
	a, ok, err := r.approved(ctx, cid)
	if err != nil {
		return booking.Person{}, err
	}
	if !ok {
		return booking.Person{}, booking.ErrNotApproved
	}
	return booking.Person{Name: a.Form.Name, IDNumber: a.Form.IDNumber, Phone: c.Phone, ApplicationID: a.ID, HasPhoto: a.PhotoKey != ""}, nil
}

var (
	_ booking.EligibilityChecker = Applications{}
	_ booking.People             = Applications{}
)
