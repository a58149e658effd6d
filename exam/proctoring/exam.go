package proctoring

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"

	"taxiexam/exam/attempt"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// The candidate's side, on an enrolled terminal. Every call names the
// terminal's credential: the sitting must be bound to that terminal, so a
// candidate moved by the proctor continues only on the new one.

// Login checks a candidate in on the terminal with the admission ticket
// number and ID number and opens their exam session. It is accepted only
// from an enrolled terminal of the ticket's room, after the proctor checked
// the candidate in and started the session, before it ended, and only on
// the terminal the candidate was assigned (or moved) to.
func (s *Service) Login(ctx context.Context, terminalToken, ticketNo, idNumber, ip, userAgent string) (string, Sitting, error) {
	ticketNo, idNumber = strings.TrimSpace(ticketNo), strings.ToUpper(strings.TrimSpace(idNumber))
	f := apperr.Fields{}
	f.Check(ticketNo != "" && len(ticketNo) <= 32 && strings.Trim(ticketNo, "0123456789") == "", "ticket_no", rsnTheDigitsPrintedOnTheAdmission)
	f.Check(len(idNumber) == 18, "id_number", rsn18Characters)
	if err := f.Err(); err != nil {
		return "", Sitting{}, err
	}
	t, err := s.activeTerminal(ctx, terminalToken)
	if err != nil {
		return "", Sitting{}, err
	}
	b, err := s.Bookings.ByTicket(ctx, ticketNo)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", Sitting{}, ErrLoginFailed
	}
	if err != nil {
		return "", Sitting{}, err
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToUpper(b.IDNumber)), []byte(idNumber)) != 1 {
		return "", Sitting{}, ErrLoginFailed
	}
	v, err := s.Bookings.Session(ctx, b.SessionID)
	if err != nil {
		return "", Sitting{}, err
	}
	if v.RoomID != t.RoomID {
		return "", Sitting{}, ErrNotThisRoom
	}
	var st Sitting
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		run, err := s.run(ctx, v.ID)
		if err != nil {
			return err
		}
		if !run.EndedAt.IsZero() {
			return ErrEnded
		}
		st, err = s.Store.Sitting(ctx, b.BookingID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && st.Status != SittingCheckedIn) {
			return ErrNotCheckedIn
		}
		if err != nil {
			return err
		}
		if run.StartedAt.IsZero() {
			return ErrNotStarted
		}
		switch {
		case st.TerminalID == t.ID:
		case st.TerminalID == 0 && t.Seat == st.Seat:
			// No terminal was enrolled at the seat at check-in; this one is now.
			if err := s.terminalFree(ctx, v.ID, t.ID, st.BookingID); err != nil {
				return err
			}
			st.TerminalID = t.ID
			if err := s.Store.UpdateSitting(ctx, &st); err != nil {
				return err
			}
		default:
			return ErrWrongTerminal
		}
		return nil
	})
	if err != nil {
		return "", Sitting{}, err
	}
	token, err := s.Logins.OpenExamSession(ctx, b.CandidateID, ip, userAgent)
	return token, st, err
}

// mySitting is the calling exam candidate's open sitting, checked against
// the terminal they call from. While the node's cache runs (cache.go) a
// candidate seen before costs no SQL here.
func (s *Service) mySitting(ctx context.Context, terminalToken string) (Sitting, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return Sitting{}, apperr.ErrUnauthenticated
	}
	if !a.IsCandidate() || !a.Is(reqctx.RoleExamCandidate) {
		return Sitting{}, ErrNotAnExamTerminal
	}
	if terminalToken == "" {
		return Sitting{}, ErrTerminalNotEnrolled
	}
	cred := hashCredential(terminalToken)
	now := s.now()
	if e, ok := s.cache.get(a.UserID, cred, now); ok {
		return e.sitting, nil
	}
	// The sitting (with its run's change counter) before the terminal: a
	// revocation committed after this read bumps the counter past the one
	// cached, so a cached pair is never older than its counter says.
	st, serr := s.Store.OpenSittingOf(ctx, a.UserID)
	t, err := s.activeTerminal(ctx, terminalToken)
	if err != nil {
		return Sitting{}, err
	}
	if errors.Is(serr, apperr.ErrNotFound) {
		return Sitting{}, ErrEnded // the session ended (or was never open): nothing to sit
	}
	if serr != nil {
		return Sitting{}, serr
	}
	if st.TerminalID != t.ID {
		return Sitting{}, ErrWrongTerminal
	}
	if st.AttemptID != 0 { // complete: only a proctor's action changes it now
		s.cache.put(a.UserID, seated{credential: cred, terminal: t, sitting: st}, now)
	}
	return st, nil
}

// Paper returns the candidate's formal paper, starting it on the first call
// after the session started: the subjects still to pass (exam/results),
// a fresh seed (own question and option order), the full time from now.
// Reloading, another node, or a move to another terminal resume the same
// attempt. Keys are not included until it is submitted.
func (s *Service) Paper(ctx context.Context, terminalToken string) (attempt.View, error) {
	st, err := s.mySitting(ctx, terminalToken)
	if err != nil {
		return attempt.View{}, err
	}
	if st.AttemptID == 0 {
		if st, err = s.startAttempt(ctx, st); err != nil {
			return attempt.View{}, err
		}
	}
	return s.Attempts.View(ctx, attempt.KindFormal, st.AttemptID)
}

func (s *Service) startAttempt(ctx context.Context, st Sitting) (Sitting, error) {
	subjects, err := s.Subjects.MustSit(ctx, st.CandidateID, s.now())
	if err != nil {
		return Sitting{}, err
	}
	if len(subjects) == 0 {
		return Sitting{}, apperr.New(apperr.KindConflict, "nothing_to_sit", "every subject is already passed and valid")
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.Sitting(ctx, st.BookingID)
		if err != nil {
			return err
		}
		if cur.AttemptID != 0 {
			st = cur // another request started it
			return nil
		}
		a, err := s.Attempts.Start(ctx, attempt.Spec{Kind: attempt.KindFormal, CandidateID: st.CandidateID, Ref: "booking:" + itoa(st.BookingID), Subjects: subjects})
		if err != nil {
			return err
		}
		cur.AttemptID, cur.Subjects = a.ID, subjects
		if err := s.Store.UpdateSitting(ctx, &cur); err != nil {
			return err
		}
		st = cur
		return nil
	})
	if errors.Is(err, apperr.ErrVersionConflict) || errors.Is(err, attempt.ErrAlreadyOpen) {
		// A parallel first call won; read what it stored.
		return s.Store.Sitting(ctx, st.BookingID)
	}
	return st, err
}

// Answer saves one answer through the attempt engine (newest seq wins; a
// question not on the paper, after the deadline or after submission is refused).
func (s *Service) Answer(ctx context.Context, terminalToken string, questionID int64, ans attempt.Answer) (attempt.Saved, error) {
	st, err := s.mySitting(ctx, terminalToken)
	if err != nil {
		return attempt.Saved{}, err
	}
	if st.AttemptID == 0 {
		return attempt.Saved{}, ErrNoAttempt
	}
	return s.Attempts.SaveAnswer(ctx, attempt.KindFormal, st.AttemptID, questionID, ans)
}

// Submit ends the candidate's paper; repeating it returns the same result.
func (s *Service) Submit(ctx context.Context, terminalToken string) (attempt.View, error) {
	st, err := s.mySitting(ctx, terminalToken)
	if err != nil {
		return attempt.View{}, err
	}
	if st.AttemptID == 0 {
		return attempt.View{}, ErrNoAttempt
	}
	return s.Attempts.Submit(ctx, attempt.KindFormal, st.AttemptID)
}
