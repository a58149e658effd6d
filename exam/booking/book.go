package booking

import (
	"context"
	"crypto/rand"
	"math/big"
	"time"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
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
	cid, err := candidateID(ctx)
	if err != nil {
		return MyBooking{}, err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return MyBooking{}, err
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
	v, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return MyBooking{}, err
	}
	p, err := s.people.Person(ctx, cid)
	if err != nil {
		return MyBooking{}, err
	}
	var b Booking
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		b, err = s.take(ctx, cid, v, false, 0)
		if err != nil {
			return err
		}
		return s.confirm(ctx, b, v, p, notify.TplBookingConfirmed)
	})
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// take books a seat for cid in the caller's transaction: the conditional
// UPDATE (or the seat held for their waitlist offer), the lowest free seat
// number, the booking row.
func (s *Service) take(ctx context.Context, cid int64, v SessionView, held bool, replaces int64) (Booking, error) {
	var ok bool
	var err error
	if held {
		ok, err = s.store.TakeHeldSeat(ctx, v.ID)
	} else {
		ok, err = s.store.TakeSeat(ctx, v.ID, s.clock.Now().Add(s.cfg.Cutoff))
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
	seat, err := s.store.FreeSeatNumber(ctx, v.ID, v.RoomID)
	if err != nil {
		return Booking{}, err
	}
	ticket, err := newTicketNo(v.StartsAt.In(s.cfg.Location))
	if err != nil {
		return Booking{}, err
	}
	now := s.clock.Now()
	b := Booking{SessionID: v.ID, CandidateID: cid, SeatNumber: seat, TicketNo: ticket, Status: BookingActive, ReplacesID: replaces, CreatedAt: now, ChangedAt: now}
	if err := s.store.InsertBooking(ctx, &b); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// confirm queues the confirmation (or reschedule) SMS and the exam-eve
// reminder for a new booking.
func (s *Service) confirm(ctx context.Context, b Booking, v SessionView, p Person, tpl string) error {
	params := map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "session": s.hm(v.StartsAt) + "-" + s.hm(v.EndsAt()), "centre": v.CentreName, "address": v.CentreAddress}
	if tpl == notify.TplBookingRescheduled {
		params = map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "session": s.hm(v.StartsAt), "centre": v.CentreName}
	}
	if _, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: b.CandidateID, Template: tpl, Params: params,
		DedupeKey: "booking:" + itoa(b.ID) + ":confirmed", Urgent: true}); err != nil {
		return err
	}
	_, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: b.CandidateID, Template: notify.TplExamReminder,
		Params:    map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "time": s.hm(v.StartsAt), "centre": v.CentreName, "address": v.CentreAddress},
		DedupeKey: reminderKey(b.ID), NotBefore: s.reminderTime(v.StartsAt)})
	return err
}

// reminderKey names a booking's exam-eve reminder; a cancelled or replaced
// booking withdraws it by this key.
func reminderKey(bookingID int64) string { return "booking:" + itoa(bookingID) + ":reminder" }

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
	if err := s.notify.Withdraw(ctx, reminderKey(b.ID)); err != nil {
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
	cid, err := candidateID(ctx)
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
	cid, err := candidateID(ctx)
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
		// Take the new seat first: a full target fails before anything
		// else changed.
		if ok, err := s.store.TakeSeat(ctx, v.ID, s.clock.Now().Add(s.cfg.Cutoff)); err != nil {
			return err
		} else if !ok {
			return s.classify(v.Session)
		}
		if err := s.release(ctx, old, BookingRescheduled); err != nil {
			return err
		}
		seat, err := s.store.FreeSeatNumber(ctx, v.ID, v.RoomID)
		if err != nil {
			return err
		}
		ticket, err := newTicketNo(v.StartsAt.In(s.cfg.Location))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		b = Booking{SessionID: v.ID, CandidateID: cid, SeatNumber: seat, TicketNo: ticket, Status: BookingActive, ReplacesID: old.ID, CreatedAt: now, ChangedAt: now}
		if err := s.store.InsertBooking(ctx, &b); err != nil {
			return err
		}
		return s.confirm(ctx, b, v, p, notify.TplBookingRescheduled)
	})
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// Mine returns the calling candidate's booking (ErrNoBooking when they have
// never booked).
func (s *Service) Mine(ctx context.Context) (MyBooking, error) {
	cid, err := candidateID(ctx)
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
	cid, err := candidateID(ctx)
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
	cid, err := candidateID(ctx)
	if err != nil {
		return Person{}, err
	}
	return s.people.Person(ctx, cid)
}

// MyEligibility tells the candidate home whether booking is the next step.
func (s *Service) MyEligibility(ctx context.Context) (Eligibility, error) {
	cid, err := candidateID(ctx)
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
