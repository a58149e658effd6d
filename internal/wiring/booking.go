package wiring

import (
	"context"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/exam/booking/bookingreg"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/apperr"
	questionbank "taxiexam/question-bank"
)

// assembleBooking wires exam/booking after registration and results:
// eligibility is the formal exam's (exam/results: the approved application
// and the subjects without a valid pass), the ticket's person comes from the
// candidate's approved application, seats
// are counted in SQL, SMS go through the outbox, rate limits through Redis,
// the sitting's length is the formal blueprint's, tickets are signed with
// the signing keyring. Auth then checks staff centre and office bindings
// against the real centres and offices. The sweeper (offers expiring,
// sessions closing, no-shows) runs on every node.
func (a *App) assembleBooking() error {
	cfg := a.cfg.Booking
	reminder, _ := time.Parse("15:04", cfg.ReminderAt) // validated by configs
	offices := registrationdb.New(a.db, a.pii)
	apps := bookingreg.New(offices, authdb.New(a.db, a.pii))
	store := bookingdb.New(a.db)
	a.booking = booking.NewService(booking.Deps{
		// Eligibility is the formal exam's (subject results: retakes sit only the failed subject).
		Store: store, Eligibility: bookingEligibility{a.results}, People: apps, Notifier: a.outbox,
		Limiter: redisLimiter{authkv.New(a.redis)}, Durations: formalBlueprint{a.bank},
		Signer: a.signer, Audit: a.audit, Tx: a.db, Clock: a.clock,
	}, booking.Config{
		Location: a.cfg.Location, Cutoff: cfg.Cutoff, MaxReleases: cfg.MaxCancellations, ReleaseWindow: cfg.CancellationWindow,
		CoolingOff: cfg.CoolingOff, OfferHold: cfg.OfferHold, ReminderAt: time.Duration(reminder.Hour())*time.Hour + time.Duration(reminder.Minute())*time.Minute,
		PerCandidatePerMinute: cfg.PerCandidatePerMinute, PerIPPerMinute: cfg.PerIPPerMinute, Bring: cfg.Bring, PublicURL: a.cfg.Server.PublicURL,
	})
	a.auth.WithReferences(staffReferences{centres: a.booking, offices: offices})
	a.workers = append(a.workers, worker{name: "booking-sweep", run: func(ctx context.Context) error {
		return a.booking.RunSweeper(ctx, cfg.SweepInterval, a.log)
	}})
	return nil
}

// formalBlueprint times a sitting: the sections of the default formal
// blueprint, back to back.
type formalBlueprint struct{ bank *questionbank.Service }

func (f formalBlueprint) FormalMinutes(ctx context.Context) (int, error) {
	bp, err := f.bank.DefaultBlueprint(ctx, questionbank.KindFormal)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range bp.Sections {
		n += s.DurationMinutes
	}
	return n, nil
}

// redisLimiter is auth's Redis fixed-window limiter (the SMS code limits)
// with booking's one-rule signature.
type redisLimiter struct{ l *authkv.Limiter }

func (r redisLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	return r.l.Allow(ctx, []auth.Rule{{Key: key, Limit: limit, Window: window}})
}

// staffReferences answers auth's "does this centre / office exist".
type staffReferences struct {
	centres *booking.Service
	offices *registrationdb.Store
}

func (s staffReferences) CentreExists(ctx context.Context, id int64) (bool, error) {
	return s.centres.CentreExists(ctx, id)
}

func (s staffReferences) OfficeExists(ctx context.Context, id int64) (bool, error) {
	_, err := s.offices.OfficeByID(ctx, id)
	if apperr.ErrNotFound.Is(err) {
		return false, nil
	}
	return err == nil, err
}
