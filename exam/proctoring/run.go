package proctoring

import (
	"context"
	"errors"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// Start opens the session: from now on checked-in candidates can log in on
// their terminals, and each gets the full time from their first login.
func (s *Service) Start(ctx context.Context, sessionID int64) (Run, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return Run{}, err
	}
	r := Run{SessionID: v.ID, CentreID: v.CentreID, StartedAt: s.now(), StartedBy: by}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.StartRun(ctx, r); err != nil {
			if errors.Is(err, apperr.ErrDuplicate) {
				return ErrAlreadyStarted
			}
			return err
		}
		if err := s.Bookings.Started(ctx, v.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.session.start", TargetType: "exam_session", TargetID: itoa(v.ID), After: r})
	})
	return r, err
}

// End closes the session: every attempt still open is submitted now,
// every booked candidate never decided at the door is marked absent, and
// booking is told. Ending twice is ErrEnded.
func (s *Service) End(ctx context.Context, sessionID int64, reason string) (SeatMap, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return SeatMap{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, false); err != nil {
		return SeatMap{}, err
	}
	roster, err := s.Bookings.Roster(ctx, v.ID)
	if err != nil {
		return SeatMap{}, err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		run, err := s.run(ctx, v.ID)
		if err != nil {
			return err
		}
		if run.StartedAt.IsZero() {
			// Ending a session that never started (nobody came): record a start too.
			if err := s.Store.StartRun(ctx, Run{SessionID: v.ID, CentreID: v.CentreID, StartedAt: s.now(), StartedBy: by}); err != nil {
				return err
			}
		}
		ended, err := s.Store.EndRun(ctx, v.ID, by, s.now())
		if err != nil {
			return err
		}
		if !ended {
			return ErrEnded
		}
		sittings, err := s.Store.SittingsOf(ctx, v.ID)
		if err != nil {
			return err
		}
		decided := map[int64]bool{}
		submitted := 0
		for _, st := range sittings {
			decided[st.BookingID] = true
			if st.AttemptID == 0 {
				continue
			}
			a, err := s.Attempts.Get(ctx, st.AttemptID)
			if err != nil {
				return err
			}
			if !a.Submitted() {
				if _, err := s.Attempts.ForceSubmit(ctx, st.AttemptID); err != nil {
					return err
				}
				submitted++
			}
		}
		absent := 0
		for _, b := range roster {
			if decided[b.BookingID] {
				continue
			}
			if err := s.Store.CreateSitting(ctx, Sitting{BookingID: b.BookingID, SessionID: v.ID, CentreID: v.CentreID, RoomID: v.RoomID,
				CandidateID: b.CandidateID, ApplicationID: b.ApplicationID, TicketNo: b.TicketNo, Seat: b.Seat, Status: SittingAbsent,
				Reason: "not checked in when the session ended", CheckedInAt: s.now(), CheckedInBy: by, Version: 1}); err != nil {
				return err
			}
			absent++
		}
		if err := s.Bookings.Closed(ctx, v.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.session.end", TargetType: "exam_session", TargetID: itoa(v.ID),
			After: map[string]any{"reason": reason, "auto_submitted": submitted, "marked_absent": absent}})
	})
	s.cache.forgetSession(v.ID) // other nodes: at their next poll (EndRun bumped the counter)
	if err != nil {
		return SeatMap{}, err
	}
	return s.SeatMap(ctx, sessionID)
}

// Extend gives one candidate more time (e.g. after a terminal failure),
// with the reason on the audit log.
func (s *Service) Extend(ctx context.Context, sessionID, bookingID int64, minutes int, reason string) (SeatLine, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return SeatLine{}, err
	}
	v, st, _, err := s.ownSitting(ctx, sessionID, bookingID)
	if err != nil {
		return SeatLine{}, err
	}
	if st.AttemptID == 0 {
		return SeatLine{}, ErrNoAttempt
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Attempts.Get(ctx, st.AttemptID)
		if err != nil {
			return err
		}
		a, err := s.Attempts.Extend(ctx, st.AttemptID, time.Duration(minutes)*time.Minute)
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.extend", TargetType: "exam_attempt", TargetID: itoa(a.ID),
			Before: map[string]any{"deadline": before.Deadline}, After: map[string]any{"deadline": a.Deadline, "minutes": minutes, "reason": reason}})
	})
	if err != nil {
		return SeatLine{}, err
	}
	return s.line(ctx, v, bookingID)
}

// Move puts a checked-in candidate on another enrolled terminal of the
// room (mid-exam too: the attempt and every saved answer stay; the old
// terminal is refused from now on).
func (s *Service) Move(ctx context.Context, sessionID, bookingID, terminalID int64, reason string) (SeatLine, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return SeatLine{}, err
	}
	v, st, _, err := s.ownSitting(ctx, sessionID, bookingID)
	if err != nil {
		return SeatLine{}, err
	}
	if st.Status != SittingCheckedIn {
		return SeatLine{}, ErrNotCheckedIn
	}
	t, err := s.Store.TerminalByID(ctx, terminalID)
	if err != nil || t.Status != TerminalActive || t.RoomID != v.RoomID {
		return SeatLine{}, apperr.ErrNotFound.WithField("terminal_id", rsnNoEnrolledTerminalOfThisRoom)
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.Store.Sitting(ctx, bookingID)
		if err != nil {
			return err
		}
		if err := s.terminalFree(ctx, v.ID, t.ID, bookingID); err != nil {
			return err
		}
		from := st.TerminalID
		st.TerminalID = t.ID
		if err := s.Store.UpdateSitting(ctx, &st); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.move", TargetType: "exam_booking", TargetID: itoa(bookingID),
			Before: map[string]any{"terminal_id": from}, After: map[string]any{"terminal_id": t.ID, "seat": t.Seat, "reason": reason}})
	})
	s.cache.forgetSession(v.ID) // the old terminal is refused here at once, elsewhere at the next poll
	if err != nil {
		return SeatLine{}, err
	}
	return s.line(ctx, v, bookingID)
}

// terminalFree refuses a terminal another candidate of the session sits at.
func (s *Service) terminalFree(ctx context.Context, sessionID, terminalID, bookingID int64) error {
	sittings, err := s.Store.SittingsOf(ctx, sessionID)
	if err != nil {
		return err
	}
	for _, o := range sittings {
		if o.BookingID != bookingID && o.TerminalID == terminalID && o.Status == SittingCheckedIn {
			return ErrSeatTaken.WithMessage("another candidate sits at this terminal").WithField("terminal_id", rsnTaken)
		}
	}
	return nil
}

// ForceSubmit ends one candidate's paper now, with the reason audited.
func (s *Service) ForceSubmit(ctx context.Context, sessionID, bookingID int64, reason string) (SeatLine, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return SeatLine{}, err
	}
	v, st, _, err := s.ownSitting(ctx, sessionID, bookingID)
	if err != nil {
		return SeatLine{}, err
	}
	if st.AttemptID == 0 {
		return SeatLine{}, ErrNoAttempt
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.Attempts.ForceSubmit(ctx, st.AttemptID)
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.force_submit", TargetType: "exam_attempt", TargetID: itoa(a.ID),
			After: map[string]any{"reason": reason, "submitted_at": a.SubmittedAt, "submit_reason": a.Reason}})
	})
	if err != nil {
		return SeatLine{}, err
	}
	return s.line(ctx, v, bookingID)
}

// Note adds an incident note to the session (optionally about one booking).
func (s *Service) Note(ctx context.Context, sessionID, bookingID int64, note string) (Incident, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return Incident{}, err
	}
	note = strings.TrimSpace(note)
	f := apperr.Fields{}
	f.Check(note != "", "note", apperr.Required())
	f.Check(len([]rune(note)) <= 2000, "note", apperr.MaxChars(2000))
	if err := f.Err(); err != nil {
		return Incident{}, err
	}
	if bookingID != 0 {
		if _, err := s.booked(ctx, v, bookingID); err != nil {
			return Incident{}, apperr.ErrNotFound.WithField("booking_id", rsnNotBookedInThisSession)
		}
	}
	in := Incident{SessionID: v.ID, BookingID: bookingID, Note: note, By: by, At: s.now()}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddIncident(ctx, &in); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.incident", TargetType: "exam_session", TargetID: itoa(v.ID), After: in})
	})
	return in, err
}

// Incidents lists a session's notes, oldest first.
func (s *Service) Incidents(ctx context.Context, sessionID int64) ([]Incident, error) {
	v, _, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	return s.Store.Incidents(ctx, v.ID)
}

func (s *Service) line(ctx context.Context, v ExamSession, bookingID int64) (SeatLine, error) {
	b, err := s.booked(ctx, v, bookingID)
	if err != nil {
		return SeatLine{}, err
	}
	lines, err := s.lines(ctx, v, []Booked{b})
	if err != nil {
		return SeatLine{}, err
	}
	return lines[0], nil
}
