package booking

import (
	"context"
	"log/slog"
	"time"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// WaiterView is a waitlist entry with its session.
type WaiterView struct {
	Waiter
	Session SessionView
	// Ahead is how many open entries come before this one (0 = next).
	Ahead int
}

// JoinWaitlist puts the calling candidate on a full session's waitlist. A
// candidate whose booking the bureau cancelled joins with priority. A
// candidate holding a booking elsewhere may wait too: taking the offer
// moves their booking.
func (s *Service) JoinWaitlist(ctx context.Context, sessionID int64) (Waiter, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Waiter{}, err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return Waiter{}, err
	}
	if _, err := s.eligible(ctx, cid); err != nil {
		return Waiter{}, err
	}
	v, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return Waiter{}, err
	}
	if cerr := s.classify(v.Session); cerr != ErrSessionFull {
		return Waiter{}, cerr
	}
	if v.Free() > 0 {
		return Waiter{}, ErrNotWaitlistable
	}
	if b, err := s.store.ActiveBooking(ctx, cid); err == nil && b.SessionID == sessionID {
		return Waiter{}, ErrSameSession
	}
	priority := false
	if last, err := s.store.LatestBooking(ctx, cid); err == nil {
		priority = last.Status == BookingSessionCancelled
	} else if !apperr.ErrNotFound.Is(err) {
		return Waiter{}, err
	}
	w := Waiter{SessionID: sessionID, CandidateID: cid, Priority: priority, Status: WaiterWaiting, CreatedAt: s.clock.Now()}
	if err := s.store.AddWaiter(ctx, &w); err != nil {
		return Waiter{}, err
	}
	return w, nil
}

// ownWaiter loads one of the calling candidate's entries.
func (s *Service) ownWaiter(ctx context.Context, id int64) (int64, Waiter, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return 0, Waiter{}, err
	}
	w, err := s.store.WaiterByID(ctx, id)
	if err != nil {
		return 0, Waiter{}, err
	}
	if w.CandidateID != cid {
		return 0, Waiter{}, apperr.ErrNotFound
	}
	return cid, w, nil
}

// LeaveWaitlist takes the candidate off a waitlist; a seat held for them
// goes to the next one.
func (s *Service) LeaveWaitlist(ctx context.Context, id int64) error {
	_, w, err := s.ownWaiter(ctx, id)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		for _, from := range []WaiterStatus{WaiterWaiting, WaiterOffered} {
			ok, err := s.store.SetWaiter(ctx, w.ID, from, WaiterLeft, time.Time{})
			if err != nil {
				return err
			}
			if ok && from == WaiterOffered {
				return s.freeSeat(ctx, w.SessionID, true)
			}
			if ok {
				return nil
			}
		}
		return nil // already closed
	})
}

// AcceptOffer books the seat held for the calling candidate. If they hold
// another booking it is moved (rescheduled) in the same transaction.
func (s *Service) AcceptOffer(ctx context.Context, id int64) (MyBooking, error) {
	cid, w, err := s.ownWaiter(ctx, id)
	if err != nil {
		return MyBooking{}, err
	}
	if w.Status != WaiterOffered || !s.clock.Now().Before(w.OfferExpires) {
		return MyBooking{}, ErrNoOffer
	}
	if _, err := s.eligible(ctx, cid); err != nil {
		return MyBooking{}, err
	}
	v, err := s.store.SessionByID(ctx, w.SessionID)
	if err != nil {
		return MyBooking{}, err
	}
	old, err := s.store.ActiveBooking(ctx, cid)
	hasOld := err == nil
	if err != nil && !apperr.ErrNotFound.Is(err) {
		return MyBooking{}, err
	}
	if hasOld {
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
	}
	p, err := s.people.Person(ctx, cid)
	if err != nil {
		return MyBooking{}, err
	}
	var b Booking
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.store.SetWaiter(ctx, w.ID, WaiterOffered, WaiterAccepted, time.Time{}); err != nil {
			return err
		} else if !ok {
			return ErrNoOffer
		}
		tpl := notify.TplBookingConfirmed
		var release func(ctx context.Context) (int64, error)
		if hasOld {
			tpl = notify.TplBookingRescheduled
			release = func(ctx context.Context) (int64, error) { return old.ID, s.release(ctx, old, BookingRescheduled) }
		}
		var err error
		b, err = s.take(ctx, cid, v, p, seatHeld, tpl, release)
		return err
	})
	if err != nil {
		return MyBooking{}, err
	}
	return s.myBooking(b, v), nil
}

// MyWaitlist lists the calling candidate's open waitlist entries.
func (s *Service) MyWaitlist(ctx context.Context) ([]WaiterView, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := s.store.OpenWaitersOf(ctx, cid)
	if err != nil {
		return nil, err
	}
	out := make([]WaiterView, 0, len(ws))
	for _, w := range ws {
		v, err := s.store.SessionByID(ctx, w.SessionID)
		if err != nil {
			return nil, err
		}
		ahead, err := s.store.WaitersAhead(ctx, w)
		if err != nil {
			return nil, err
		}
		out = append(out, WaiterView{Waiter: w, Session: v, Ahead: ahead})
	}
	return out, nil
}

// ExpireOffers passes every offer whose hold ran out to the next waiting
// candidate. Safe on every node: the conditional status change of each
// entry is the claim, so two nodes never pass the same seat twice.
func (s *Service) ExpireOffers(ctx context.Context) (int, error) {
	ws, err := s.store.ExpiredOffers(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range ws {
		err := s.tx.InTx(ctx, func(ctx context.Context) error {
			ok, err := s.store.SetWaiter(ctx, w.ID, WaiterOffered, WaiterExpired, time.Time{})
			if err != nil || !ok {
				return err
			}
			n++
			return s.freeSeat(ctx, w.SessionID, true)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// CloseDueSessions closes every live session that has ended and marks its
// bookings not checked in absent. Safe on every node: the status change
// (UpdateSession locks the row and re-checks) is the claim.
func (s *Service) CloseDueSessions(ctx context.Context) (int, error) {
	due, err := s.store.DueToClose(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		err := s.tx.InTx(ctx, func(ctx context.Context) error {
			closed := false
			_, err := s.store.UpdateSession(ctx, d.ID, func(x *Session) error {
				if !x.Status.Live() || x.EndsAt().After(s.clock.Now()) {
					return nil // another node closed it
				}
				x.Status, x.Version, closed = SessionClosed, x.Version+1, true
				return nil
			})
			if err != nil || !closed {
				return err
			}
			n++
			return s.closeSession(ctx, d.ID)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// RunSweeper expires waitlist offers, closes ended sessions and allocates
// preference rounds whose window ended, every interval until ctx ends (one
// on every node).
func (s *Service) RunSweeper(ctx context.Context, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, err := s.ExpireOffers(ctx); err != nil && ctx.Err() == nil {
			log.Warn("booking: expiring waitlist offers", "err", err)
		}
		if _, err := s.CloseDueSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("booking: closing sessions", "err", err)
		}
		if _, err := s.CloseRounds(ctx); err != nil && ctx.Err() == nil {
			log.Warn("booking: allocating preference rounds", "err", err)
		}
	}
}
