package booking

import (
	"context"
	"crypto/rand"
	"math/big"
	"time"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// MyBooking is the candidate's current booking with its session, or the
// booking that ended most recently (absent, sat, cancelled by the bureau).
type MyBooking struct {
	Booking Booking
	Session SessionView
	Ticket  string // QR payload, only while the booking holds a seat
}

// eligible asks whether the candidate may book at all now.
func (s *Service) eligible(ctx context.Context, cid int64) (Eligibility, error) {
	e, err := s.elig.Eligibility(ctx, cid)
	if err != nil {
		return Eligibility{}, err
	}
	if !e.MayBook {
		if e.Reason == ErrNotApproved.Code || e.Reason == "" {
			return e, ErrNotApproved
		}
		return e, ErrNotEligible.WithMessage("this candidate may not book now: %s", e.Reason)
	}
	return e, nil
}

// coolingOff refuses a new booking while the candidate waits after too
// many cancellations and reschedules (stops seat trading).
func (s *Service) coolingOff(ctx context.Context, cid int64) error {
	if s.cfg.MaxReleases <= 0 {
		return nil
	}
	now := s.clock.Now()
	times, err := s.store.ReleasesSince(ctx, cid, now.Add(-s.cfg.ReleaseWindow))
	if err != nil {
		return err
	}
	if len(times) < s.cfg.MaxReleases {
		return nil
	}
	until := times[len(times)-1].Add(s.cfg.CoolingOff)
	if now.Before(until) {
		return ErrCoolingOff.WithMessage("too many cancellations recently; you may book again from %s", s.day(until))
	}
	return nil
}

// classify explains why TakeSeat changed nothing.
func (s *Service) classify(v Session) error {
	switch {
	case v.Status != SessionPublished:
		return ErrSessionNotOpen
	case v.Mode != ModeFirstCome:
		return ErrPreferenceRound
	case !v.StartsAt.After(s.clock.Now().Add(s.cfg.Cutoff)):
		return ErrSessionPast
	default:
		return ErrSessionFull
	}
}

// Book gives the calling candidate a seat in the session.
func (s *Service) Book(ctx context.Context, sessionID int64) (MyBooking, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return MyBooking{}, err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	// A session that is full or closed by this read is refused without
	// taking its row lock: in a stampede most requests end here once the
	// seats are gone. The conditional UPDATE still decides every seat.
	v, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return MyBooking{}, err
	}
	if !s.Bookable(v.Session) || v.Free() == 0 {
		return MyBooking{}, s.classify(v.Session)
	}
	if _, err := s.eligible(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	if err := s.coolingOff(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	// A read before the transaction answers a repeated booking without
	// taking the session's row lock; the unique key is what guarantees it.
	if _, err := s.store.ActiveBooking(ctx, cid); err == nil {
		return MyBooking{}, ErrAlreadyBooked
	} else if !apperr.ErrNotFound.Is(err) {
		return MyBooking{}, err
	}
	p, err := s.people.Person(ctx, cid)
	if err != nil {
		return MyBooking{}, err
	}
	var b Booking
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		b, err = s.take(ctx, cid, v, p, seatFromPool, notify.TplBookingConfirmed, nil)
		return err
	})
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// Where take finds the seat.
const (
	seatFromPool = false // the conditional UPDATE on the free seats
	seatHeld     = true  // the seat held for the candidate's waitlist offer
)

// take books a seat for cid in the caller's transaction. The SMS go into
// the outbox first (keyed by the new ticket number) and the room's seats
// are read, so the session's row lock, taken by the seat statement, is
// held only for the booking insert: every booker of the session waits on
// that lock. The seat is the one the session's seat counter names (no
// search under the lock); only when that one is taken (a seat freed by a
// cancellation and given out again, a held seat, a seat map edited after
// bookings) or the counter has passed the room's seats does the lowest
// free seat get looked up. The unique key (session, seat) decides either
// way.
// release, if set, ends the candidate's old booking once the new seat is
// taken (a reschedule or an accepted offer) and returns its id.
func (s *Service) take(ctx context.Context, cid int64, v SessionView, p Person, held bool, tpl string, release func(ctx context.Context) (int64, error)) (Booking, error) {
	ticket, err := newTicketNo(v.StartsAt.In(s.cfg.Location))
	if err != nil {
		return Booking{}, err
	}
	if err := s.confirm(ctx, ticket, cid, v, p, tpl); err != nil {
		return Booking{}, err
	}
	seats, err := s.store.OpenSeats(ctx, v.RoomID)
	if err != nil {
		return Booking{}, err
	}
	var ok bool
	ordinal := 0 // a held seat comes with no counter: look it up
	if held {
		ok, err = s.store.TakeHeldSeat(ctx, v.ID)
	} else {
		ordinal, ok, err = s.store.TakeSeat(ctx, v.ID, s.clock.Now().Add(s.cfg.Cutoff))
	}
	if err != nil {
		return Booking{}, err
	}
	if !ok {
		if held {
			return Booking{}, ErrNoOffer
		}
		return Booking{}, s.classify(v.Session)
	}
	var replaces int64
	if release != nil {
		if replaces, err = release(ctx); err != nil {
			return Booking{}, err
		}
	}
	now := s.clock.Now()
	b := Booking{SessionID: v.ID, CandidateID: cid, TicketNo: ticket, Status: BookingActive, ReplacesID: replaces, CreatedAt: now, ChangedAt: now}
	if ordinal >= 1 && ordinal <= len(seats) {
		b.SeatNumber = seats[ordinal-1]
		err := s.store.InsertBooking(ctx, &b)
		if !ErrSeatTaken.Is(err) {
			return b, err
		}
	}
	if b.SeatNumber, err = s.store.FreeSeatNumber(ctx, v.ID, v.RoomID); err != nil {
		return Booking{}, err
	}
	if err := s.store.InsertBooking(ctx, &b); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// confirm queues the confirmation (or reschedule) SMS and the exam-eve
// reminder of a new booking, named by its ticket number.
func (s *Service) confirm(ctx context.Context, ticket string, cid int64, v SessionView, p Person, tpl string) error {
	params := map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "session": s.hm(v.StartsAt) + "-" + s.hm(v.EndsAt()), "centre": v.CentreName, "address": v.CentreAddress}
	if tpl == notify.TplBookingRescheduled {
		params = map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "session": s.hm(v.StartsAt), "centre": v.CentreName}
	}
	if _, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: cid, Template: tpl, Params: params,
		DedupeKey: "ticket:" + ticket + ":confirmed", Urgent: true}); err != nil {
		return err
	}
	_, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: cid, Template: notify.TplExamReminder,
		Params:    map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "time": s.hm(v.StartsAt), "centre": v.CentreName, "address": v.CentreAddress},
		DedupeKey: reminderKey(ticket), NotBefore: s.reminderTime(v.StartsAt)})
	return err
}

// reminderKey names a booking's exam-eve reminder; a cancelled or replaced
// booking withdraws it by this key.
func reminderKey(ticketNo string) string { return "ticket:" + ticketNo + ":reminder" }

// reminderTime is ReminderAt on the local day before the session.
func (s *Service) reminderTime(start time.Time) time.Time {
	l := start.In(s.cfg.Location)
	eve := time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, s.cfg.Location)
	return eve.Add(s.cfg.ReminderAt).UTC()
}

// release ends an active booking (cancel or reschedule) in the caller's
// transaction: the status change is the claim, the seat goes to the first
// waitlisted candidate (held) or back to the pool, the reminder is
// withdrawn.
func (s *Service) release(ctx context.Context, b Booking, to BookingStatus) error {
	ok, err := s.store.SetBookingStatus(ctx, b.ID, []BookingStatus{BookingActive}, to, s.clock.Now())
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoBooking
	}
	if err := s.notify.Withdraw(ctx, reminderKey(b.TicketNo)); err != nil {
		return err
	}
	return s.freeSeat(ctx, b.SessionID, false)
}

// freeSeat hands a seat that just came free (booked, or held=true: held for
// an offer that ended) to the next waitlisted candidate, or frees it.
func (s *Service) freeSeat(ctx context.Context, sessionID int64, held bool) error {
	w, ok, err := s.store.NextWaiter(ctx, sessionID)
	if err != nil {
		return err
	}
	if !ok {
		if held {
			return s.store.DropHeldSeat(ctx, sessionID)
		}
		return s.store.ReleaseSeat(ctx, sessionID, false)
	}
	if !held {
		if err := s.store.ReleaseSeat(ctx, sessionID, true); err != nil {
			return err
		}
	}
	expires := s.clock.Now().Add(s.cfg.OfferHold)
	if ok, err := s.store.SetWaiter(ctx, w.ID, WaiterWaiting, WaiterOffered, expires); err != nil || !ok {
		if err == nil {
			err = apperr.ErrVersionConflict // the entry moved under our lock: retry the whole change
		}
		return err
	}
	v, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	p, err := s.people.Person(ctx, w.CandidateID)
	if err != nil {
		return err
	}
	_, err = s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: w.CandidateID, Template: notify.TplWaitlistOffer,
		Params: map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "time": s.hm(v.StartsAt), "centre": v.CentreName,
			"until": expires.In(s.cfg.Location).Format("01-02 15:04")},
		DedupeKey: "waitlist:" + itoa(w.ID) + ":offer", Urgent: true})
	return err
}

// changeable: the candidate may still cancel or move this booking.
func (s *Service) changeable(v Session) error {
	if !v.StartsAt.After(s.clock.Now().Add(s.cfg.Cutoff)) {
		return ErrCutoffPassed
	}
	return nil
}

// Cancel ends the calling candidate's booking (counts towards the
// cooling-off rule).
func (s *Service) Cancel(ctx context.Context) error {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return err
	}
	b, err := s.store.ActiveBooking(ctx, cid)
	if apperr.ErrNotFound.Is(err) {
		return ErrNoBooking
	} else if err != nil {
		return err
	}
	if b.Status != BookingActive {
		return ErrCutoffPassed // checked in already
	}
	v, err := s.store.SessionByID(ctx, b.SessionID)
	if err != nil {
		return err
	}
	if err := s.changeable(v.Session); err != nil {
		return err
	}
	p, err := s.people.Person(ctx, cid)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.release(ctx, b, BookingCancelled); err != nil {
			return err
		}
		_, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: cid, Template: notify.TplBookingCancelled,
			Params:    map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "time": s.hm(v.StartsAt), "centre": v.CentreName},
			DedupeKey: "booking:" + itoa(b.ID) + ":cancelled", Urgent: true})
		return err
	})
}

// Reschedule moves the calling candidate's booking to another session:
// cancel + book in one transaction, so either both happen or neither (a
// full target leaves the old booking as it was).
func (s *Service) Reschedule(ctx context.Context, toSessionID int64) (MyBooking, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return MyBooking{}, err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	if _, err := s.eligible(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	old, err := s.store.ActiveBooking(ctx, cid)
	if apperr.ErrNotFound.Is(err) {
		return MyBooking{}, ErrNoBooking
	} else if err != nil {
		return MyBooking{}, err
	}
	if old.SessionID == toSessionID {
		return MyBooking{}, ErrSameSession
	}
	if old.Status != BookingActive {
		return MyBooking{}, ErrCutoffPassed
	}
	ov, err := s.store.SessionByID(ctx, old.SessionID)
	if err != nil {
		return MyBooking{}, err
	}
	if err := s.changeable(ov.Session); err != nil {
		return MyBooking{}, err
	}
	if err := s.coolingOff(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	v, err := s.store.SessionByID(ctx, toSessionID)
	if err != nil {
		return MyBooking{}, err
	}
	p, err := s.people.Person(ctx, cid)
	if err != nil {
		return MyBooking{}, err
	}
	var b Booking
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		// The new seat first: a full target fails before the old booking
		// changed.
		var err error
		b, err = s.take(ctx, cid, v, p, seatFromPool, notify.TplBookingRescheduled, func(ctx context.Context) (int64, error) {
			return old.ID, s.release(ctx, old, BookingRescheduled)
		})
		return err
	})
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// Mine returns the calling candidate's booking (ErrNoBooking when they have
// never booked).
func (s *Service) Mine(ctx context.Context) (MyBooking, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return MyBooking{}, err
	}
	b, err := s.store.ActiveBooking(ctx, cid)
	if apperr.ErrNotFound.Is(err) {
		b, err = s.store.LatestBooking(ctx, cid)
	}
	if apperr.ErrNotFound.Is(err) {
		return MyBooking{}, ErrNoBooking
	} else if err != nil {
		return MyBooking{}, err
	}
	v, err := s.store.SessionByID(ctx, b.SessionID)
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// History lists the candidate's bookings, newest first.
func (s *Service) History(ctx context.Context) ([]Booking, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.BookingsOf(ctx, cid, 50)
}

func (s *Service) myBooking(b Booking, v SessionView) MyBooking {
	m := MyBooking{Booking: b, Session: v}
	if b.Status.Holds() {
		m.Ticket = s.TicketCode(b.TicketNo)
	}
	return m
}

// Person is what the ticket shows about the calling candidate.
func (s *Service) Person(ctx context.Context) (Person, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Person{}, err
	}
	return s.people.Person(ctx, cid)
}

// MyEligibility tells the candidate home whether booking is the next step.
func (s *Service) MyEligibility(ctx context.Context) (Eligibility, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Eligibility{}, err
	}
	return s.elig.Eligibility(ctx, cid)
}

// ticketDigits is the random part of a ticket number: unique by key, and a
// cancelled ticket's number never comes back for someone else.
const ticketDigits = 8

// newTicketNo is the session's local date and random digits: 20261208 + 8.
func newTicketNo(localStart time.Time) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", err
	}
	d := n.String()
	for len(d) < ticketDigits {
		d = "0" + d
	}
	return localStart.Format("20060102") + d, nil
}
