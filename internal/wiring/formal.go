package wiring

import (
	"context"
	"errors"
	"path/filepath"
	"taxiexam/exam/booking/bookingreg"
	"taxiexam/exam/registration"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/proctoring/proctoringdb"
	"taxiexam/exam/registration/photofs"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/platform/apperr"
	questionbank "taxiexam/question-bank"
)

// assembleResults wires exam/results before booking, which asks it who may
// book which subjects: subject results are recorded by the attempt
// engine's submit hook (same transaction), the result SMS goes through the
// outbox, the approved application comes from registration's store and the
// sitting of an attempt from the exam-day store.
func (a *App) assembleResults() {
	apps := registrationApplications{store: registrationdb.New(a.db, a.pii), candidates: authdb.New(a.db, a.pii)}
	a.results = results.NewService(results.Deps{Store: resultsdb.New(a.db), Applications: approvedApplications{apps},
		Sittings: attemptSittings{proctoringdb.New(a.db)}, Contacts: resultContacts{apps}, Notifier: a.outbox, Papers: a.attempts, Ledger: a.ledger, Clock: a.clock})
	a.attempts.OnSubmit(a.results.RecordAttempt)
}

// assembleExamDay wires exam/proctoring after booking: sessions, rooms,
// rosters and tickets are booking's; papers are the attempt engine's; the
// subjects to sit are results'; exam-terminal sessions are auth's.
func (a *App) assembleExamDay() error {
	photos, err := photofs.New(filepath.Join(a.cfg.DataDir, "uploads", "photos"))
	if err != nil {
		return err
	}
	apps := registrationApplications{store: registrationdb.New(a.db, a.pii), candidates: authdb.New(a.db, a.pii)}
	cfg := proctoring.DefaultConfig()
	cfg.Location = a.cfg.Location
	a.proctoring = proctoring.NewService(proctoring.Deps{
		Store:    proctoringdb.New(a.db),
		Bookings: examDayBookings{svc: a.booking, store: bookingdb.New(a.db), people: bookingreg.New(apps.store, apps.candidates), signer: a.signer},
		Attempts: a.attempts, Subjects: mustSit{a.results}, Logins: a.auth,
		Photos: applicationPhotos{apps: apps.store, dir: photos}, Audit: a.audit, Tx: a.db, Clock: a.clock,
	}, cfg)
	// The exam terminal's per-node cache of terminals and sittings follows
	// the sessions' change counters (exam/proctoring/cache.go).
	a.workers = append(a.workers, worker{name: "exam-terminal-cache", run: func(ctx context.Context) error {
		return a.proctoring.RunCache(ctx, a.log)
	}})
	return nil
}

// bookingEligibility answers booking's question from subject results: an
// approved application may book, for the subjects without a valid pass.
type bookingEligibility struct{ results *results.Service }

func (e bookingEligibility) Eligibility(ctx context.Context, cid int64) (booking.Eligibility, error) {
	el, err := e.results.Eligibility(ctx, cid, time.Time{})
	if err != nil {
		return booking.Eligibility{}, err
	}
	out := booking.Eligibility{MayBook: el.MayBook, ApprovedAt: el.ApprovedAt}
	switch el.Reason {
	case results.ReasonNoApplication:
		out.Reason = booking.ErrNotApproved.Code
	default:
		out.Reason = el.Reason
	}
	for _, s := range el.Subjects {
		out.Subjects = append(out.Subjects, string(s))
	}
	return out, nil
}

type approvedApplications struct{ apps registrationApplications }

func (a approvedApplications) ApprovedApplication(ctx context.Context, cid int64) (int64, time.Time, error) {
	app, ok, err := a.apps.approved(ctx, cid)
	if err != nil {
		return 0, time.Time{}, err
	}
	if !ok {
		return 0, time.Time{}, apperr.ErrNotFound
	}
	return app.ID, app.DecidedAt, nil
}

type resultContacts struct{ apps registrationApplications }

func (r resultContacts) Contact(ctx context.Context, cid, appID int64) (string, string, error) {
	c, err := r.apps.candidates.CandidateByID(ctx, cid)
	if err != nil {
		return "", "", err
	}
	app, err := r.apps.store.ApplicationByID(ctx, appID)
	if err != nil {
		return "", "", err
	}
	return app.Form.Name, c.Phone, nil
}

type attemptSittings struct{ store *proctoringdb.Store }

func (s attemptSittings) Sitting(ctx context.Context, attemptID int64) (results.Sitting, error) {
	st, err := s.store.SittingByAttempt(ctx, attemptID)
	if err != nil {
		return results.Sitting{}, err
	}
	return results.Sitting{ApplicationID: st.ApplicationID, SessionID: st.SessionID, CentreID: st.CentreID}, nil
}

type mustSit struct{ results *results.Service }

func (m mustSit) MustSit(ctx context.Context, cid int64, at time.Time) ([]questionbank.Subject, error) {
	el, err := m.results.Eligibility(ctx, cid, at)
	return el.Subjects, err
}

type applicationPhotos struct {
	apps *registrationdb.Store
	dir  *photofs.Dir
}

func (p applicationPhotos) Photo(ctx context.Context, appID int64) ([]byte, string, error) {
	app, err := p.apps.ApplicationByID(ctx, appID)
	if err != nil {
		return nil, "", err
	}
	if app.PhotoKey == "" {
		return nil, "", apperr.ErrNotFound
	}
	b, err := p.dir.Open(ctx, app.PhotoKey)
	return b, app.PhotoType, err
}

// examDayBookings is booking as exam day sees it. Reads go through
// booking's service where it has them and its store otherwise; status
// changes go through the service (its status machine and audit).
type examDayBookings struct {
	svc    *booking.Service
	store  *bookingdb.Store
	people booking.People
	signer booking.Signer
}

func examSession(v booking.SessionView) proctoring.ExamSession {
	return proctoring.ExamSession{ID: v.ID, CentreID: v.CentreID, RoomID: v.RoomID, RoomName: v.RoomName, CentreName: v.CentreName,
		StartsAt: v.StartsAt, DurationMinutes: v.DurationMinutes, Status: string(v.Status)}
}

func (b examDayBookings) Session(ctx context.Context, id int64) (proctoring.ExamSession, error) {
	v, err := b.svc.Session(ctx, id)
	return examSession(v), err
}

func (b examDayBookings) SessionsOf(ctx context.Context, centreID int64, from, to time.Time) ([]proctoring.ExamSession, error) {
	list, _, err := b.svc.Sessions(ctx, booking.SessionFilter{CentreID: centreID, From: from, To: to, Limit: 200,
		Statuses: []booking.SessionStatus{booking.SessionPublished, booking.SessionCheckinOpen, booking.SessionInProgress, booking.SessionClosed}})
	out := make([]proctoring.ExamSession, len(list))
	for i, v := range list {
		out[i] = examSession(v)
	}
	return out, err
}

func examRoom(r booking.Room) proctoring.Room {
	seats := 0
	for _, s := range r.Seats {
		seats = max(seats, s.Number)
	}
	return proctoring.Room{ID: r.ID, CentreID: r.CentreID, Name: r.Name, Seats: seats}
}

func (b examDayBookings) Room(ctx context.Context, id int64) (proctoring.Room, error) {
	r, err := b.store.RoomByID(ctx, id)
	return examRoom(r), err
}

func (b examDayBookings) Rooms(ctx context.Context, centreID int64) ([]proctoring.Room, error) {
	list, err := b.svc.Rooms(ctx, centreID)
	out := make([]proctoring.Room, len(list))
	for i, r := range list {
		out[i] = examRoom(r)
	}
	return out, err
}

// onExamDay: the bookings that take part in a session (not cancelled or moved away).
var onExamDay = []booking.BookingStatus{booking.BookingActive, booking.BookingCheckedIn, booking.BookingAbsent, booking.BookingSat}

func (b examDayBookings) booked(ctx context.Context, x booking.Booking) (proctoring.Booked, error) {
	p, err := b.people.Person(ctx, x.CandidateID)
	if err != nil {
		return proctoring.Booked{}, err
	}
	return proctoring.Booked{BookingID: x.ID, SessionID: x.SessionID, CandidateID: x.CandidateID, ApplicationID: p.ApplicationID,
		TicketNo: x.TicketNo, Seat: x.SeatNumber, Name: p.Name, IDNumber: p.IDNumber, HasPhoto: p.HasPhoto, Status: string(x.Status)}, nil
}

func (b examDayBookings) Roster(ctx context.Context, sessionID int64) ([]proctoring.Booked, error) {
	list, err := b.store.SessionBookings(ctx, sessionID, onExamDay)
	if err != nil {
		return nil, err
	}
	out := make([]proctoring.Booked, 0, len(list))
	for _, x := range list {
		bk, err := b.booked(ctx, x)
		if err != nil {
			return nil, err
		}
		out = append(out, bk)
	}
	return out, nil
}

func (b examDayBookings) ByTicket(ctx context.Context, no string) (proctoring.Booked, error) {
	x, err := b.store.BookingByTicket(ctx, no)
	if err != nil {
		return proctoring.Booked{}, err
	}
	for _, st := range onExamDay {
		if x.Status == st {
			return b.booked(ctx, x)
		}
	}
	return proctoring.Booked{}, apperr.ErrNotFound // cancelled or moved: the ticket no longer names a seat
}

func (b examDayBookings) VerifyTicket(code string) (string, error) {
	return booking.VerifyTicket(b.signer, code)
}

func (b examDayBookings) CheckedIn(ctx context.Context, bookingID int64) error {
	return b.svc.CheckIn(ctx, bookingID)
}

// Started moves the session to in progress (through check-in open when a
// proctor starts straight from published).
func (b examDayBookings) Started(ctx context.Context, sessionID int64) error {
	v, err := b.svc.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	if v.Status == booking.SessionPublished {
		if _, err := b.svc.SetSessionStatus(ctx, sessionID, booking.SessionCheckinOpen, 0); err != nil {
			return err
		}
		v.Status = booking.SessionCheckinOpen
	}
	if v.Status == booking.SessionCheckinOpen {
		_, err = b.svc.SetSessionStatus(ctx, sessionID, booking.SessionInProgress, 0)
	}
	return err
}

// Closed closes the session unless booking's sweeper already did at its end time.
func (b examDayBookings) Closed(ctx context.Context, sessionID int64) error {
	v, err := b.svc.Session(ctx, sessionID)
	if err != nil || !v.Status.Live() {
		return err
	}
	_, err = b.svc.SetSessionStatus(ctx, sessionID, booking.SessionClosed, 0)
	if errors.Is(err, booking.ErrBadTransition) {
		return nil
	}
	return err
}

// registrationApplications answers the formal exam's "which application
// is approved" from the registration package's own store.
type registrationApplications struct {
	store      *registrationdb.Store
	candidates *authdb.Store
}

func (r registrationApplications) approved(ctx context.Context, cid int64) (registration.Application, bool, error) {
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
