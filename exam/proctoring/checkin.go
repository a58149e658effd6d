package proctoring

import (
	"context"
	"errors"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
)

// Today lists the sessions of the caller's centre that start today (in the
// bureau's zone). A bureau admin names the centre.
func (s *Service) Today(ctx context.Context, centreID int64) ([]ExamSession, error) {
	_, centre, err := staff(ctx)
	if err != nil {
		return nil, err
	}
	if centre != 0 {
		if centreID != 0 && centreID != centre {
			return nil, apperr.ErrNotFound
		}
		centreID = centre
	}
	if centreID == 0 {
		return nil, apperr.Invalid(apperr.Fields{"centre_id": apperr.Required()})
	}
	lt := s.Clock.Now().In(s.cfg.Location)
	from := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, s.cfg.Location)
	return s.Bookings.SessionsOf(ctx, centreID, from.UTC(), from.AddDate(0, 0, 1).UTC())
}

// ticketNo turns what the proctor scanned or typed into a ticket number: a
// QR code must carry a valid signature; a typed number is looked up as is
// (the proctor holds the paper ticket in their hand).
func (s *Service) ticketNo(code string) (string, error) {
	code = strings.TrimSpace(code)
	if strings.Contains(code, ".") {
		no, err := s.Bookings.VerifyTicket(code)
		if err != nil {
			return "", ErrTicketInvalid.WithField("code", rsnTheQrCodeSSignatureDoes)
		}
		return no, nil
	}
	if code == "" || len(code) > 32 || strings.Trim(code, "0123456789") != "" {
		return "", apperr.Invalid(apperr.Fields{"code": rsnScanTheQrCodeOrType})
	}
	return code, nil
}

// CheckTicket finds the candidate a scanned or typed ticket names, for the
// check-in screen (photo, name, masked ID, seat). A ticket of another
// session (another day, room or centre) is ErrWrongSession; nothing changes.
func (s *Service) CheckTicket(ctx context.Context, sessionID int64, code string) (TicketCheck, error) {
	v, _, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return TicketCheck{}, err
	}
	no, err := s.ticketNo(code)
	if err != nil {
		return TicketCheck{}, err
	}
	b, err := s.Bookings.ByTicket(ctx, no)
	if errors.Is(err, apperr.ErrNotFound) {
		return TicketCheck{}, apperr.ErrNotFound.WithMessage("no booking has this ticket number")
	}
	if err != nil {
		return TicketCheck{}, err
	}
	if b.SessionID != v.ID {
		return TicketCheck{}, ErrWrongSession
	}
	lines, err := s.lines(ctx, v, []Booked{b})
	if err != nil {
		return TicketCheck{}, err
	}
	return TicketCheck{Line: lines[0], Session: v, Late: s.late(v)}, nil
}

func (s *Service) late(v ExamSession) bool {
	return s.now().After(v.StartsAt.Add(s.cfg.LateEntry))
}

// Decision is the proctor's verdict at the door.
type Decision struct {
	BookingID int64
	Admit     bool   // identity confirmed: check in
	Reason    string // required when refusing
}

// Decide checks a candidate in (identity confirmed against the photo) or
// refuses them with a reason. Once decided, a booking is not decided again.
func (s *Service) Decide(ctx context.Context, sessionID int64, d Decision) (SeatLine, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return SeatLine{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if err := checkReason(d.Reason, !d.Admit); err != nil {
		return SeatLine{}, err
	}
	b, err := s.booked(ctx, v, d.BookingID)
	if err != nil {
		return SeatLine{}, err
	}
	run, err := s.run(ctx, v.ID)
	if err != nil {
		return SeatLine{}, err
	}
	if !run.EndedAt.IsZero() {
		return SeatLine{}, ErrEnded
	}
	if d.Admit && s.late(v) {
		return SeatLine{}, ErrLate
	}
	st := Sitting{BookingID: b.BookingID, SessionID: v.ID, CentreID: v.CentreID, RoomID: v.RoomID, CandidateID: b.CandidateID,
		ApplicationID: b.ApplicationID, TicketNo: b.TicketNo, Seat: b.Seat, Status: SittingCheckedIn, CheckedInAt: s.now(), CheckedInBy: by, Version: 1}
	action := "proctoring.check_in"
	if !d.Admit {
		st.Status, st.Reason, action = SittingRefused, d.Reason, "proctoring.refuse"
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if d.Admit {
			// The terminal at the booked seat, if one is enrolled; the
			// proctor can move the candidate to another one.
			if t, err := s.Store.ActiveTerminalAt(ctx, v.RoomID, b.Seat); err == nil {
				st.TerminalID = t.ID
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
		}
		if err := s.Store.CreateSitting(ctx, st); err != nil {
			if errors.Is(err, apperr.ErrDuplicate) {
				return ErrAlreadyDecided
			}
			return err
		}
		if d.Admit {
			if err := s.Bookings.CheckedIn(ctx, b.BookingID); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Entry{Action: action, TargetType: "exam_booking", TargetID: itoa(b.BookingID),
			After: map[string]any{"session_id": v.ID, "seat": b.Seat, "terminal_id": st.TerminalID, "reason": d.Reason}})
	})
	if err != nil {
		return SeatLine{}, err
	}
	lines, err := s.lines(ctx, v, []Booked{b})
	if err != nil {
		return SeatLine{}, err
	}
	return lines[0], nil
}

// MarkAbsent records that a booked candidate did not come.
func (s *Service) MarkAbsent(ctx context.Context, sessionID, bookingID int64, reason string) (SeatLine, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return SeatLine{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, false); err != nil {
		return SeatLine{}, err
	}
	b, err := s.booked(ctx, v, bookingID)
	if err != nil {
		return SeatLine{}, err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateSitting(ctx, Sitting{BookingID: b.BookingID, SessionID: v.ID, CentreID: v.CentreID, RoomID: v.RoomID,
			CandidateID: b.CandidateID, ApplicationID: b.ApplicationID, TicketNo: b.TicketNo, Seat: b.Seat, Status: SittingAbsent,
			Reason: reason, CheckedInAt: s.now(), CheckedInBy: by, Version: 1}); err != nil {
			if errors.Is(err, apperr.ErrDuplicate) {
				return ErrAlreadyDecided
			}
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.absent", TargetType: "exam_booking", TargetID: itoa(b.BookingID),
			After: map[string]any{"session_id": v.ID, "reason": reason}})
	})
	if err != nil {
		return SeatLine{}, err
	}
	lines, err := s.lines(ctx, v, []Booked{b})
	if err != nil {
		return SeatLine{}, err
	}
	return lines[0], nil
}

// booked finds a booking of the session on its roster.
func (s *Service) booked(ctx context.Context, v ExamSession, bookingID int64) (Booked, error) {
	roster, err := s.Bookings.Roster(ctx, v.ID)
	if err != nil {
		return Booked{}, err
	}
	for _, b := range roster {
		if b.BookingID == bookingID {
			return b, nil
		}
	}
	return Booked{}, apperr.ErrNotFound
}

func (s *Service) run(ctx context.Context, sessionID int64) (Run, error) {
	r, err := s.Store.Run(ctx, sessionID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Run{SessionID: sessionID}, nil
	}
	return r, err
}

// Photo returns the registration photo of a booked candidate, for the
// comparison at the door.
func (s *Service) Photo(ctx context.Context, sessionID, bookingID int64) ([]byte, string, error) {
	v, _, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return nil, "", err
	}
	b, err := s.booked(ctx, v, bookingID)
	if err != nil {
		return nil, "", err
	}
	if !b.HasPhoto {
		return nil, "", apperr.ErrNotFound
	}
	return s.Photos.Photo(ctx, b.ApplicationID)
}

// SeatMap is the live state of every booked candidate of a session: one
// query of the sittings and one of the attempts' progress, so any node
// answers the same.
func (s *Service) SeatMap(ctx context.Context, sessionID int64) (SeatMap, error) {
	v, _, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return SeatMap{}, err
	}
	roster, err := s.Bookings.Roster(ctx, v.ID)
	if err != nil {
		return SeatMap{}, err
	}
	run, err := s.run(ctx, v.ID)
	if err != nil {
		return SeatMap{}, err
	}
	lines, err := s.lines(ctx, v, roster)
	if err != nil {
		return SeatMap{}, err
	}
	return SeatMap{Session: v, Run: run, Now: s.now(), Lines: lines}, nil
}

// lines joins booked candidates with their sittings, terminals and attempts.
func (s *Service) lines(ctx context.Context, v ExamSession, booked []Booked) ([]SeatLine, error) {
	sittings, err := s.Store.SittingsOf(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	bySitting := map[int64]Sitting{}
	var attemptIDs []int64
	for _, st := range sittings {
		bySitting[st.BookingID] = st
		if st.AttemptID != 0 {
			attemptIDs = append(attemptIDs, st.AttemptID)
		}
	}
	progress, err := s.Attempts.Progress(ctx, attemptIDs)
	if err != nil {
		return nil, err
	}
	terms := map[int64]Terminal{}
	now := s.now()
	out := make([]SeatLine, 0, len(booked))
	for _, b := range booked {
		l := SeatLine{BookingID: b.BookingID, CandidateID: b.CandidateID, ApplicationID: b.ApplicationID, TicketNo: b.TicketNo, Seat: b.Seat,
			Name: b.Name, IDNumberMasked: pii.MaskIDNumber(b.IDNumber), HasPhoto: b.HasPhoto, State: StateNotArrived}
		st, ok := bySitting[b.BookingID]
		if ok {
			l.Reason, l.TerminalID, l.AttemptID, l.Subjects = st.Reason, st.TerminalID, st.AttemptID, st.Subjects
			switch st.Status {
			case SittingRefused:
				l.State = StateRefused
			case SittingAbsent:
				l.State = StateAbsent
			default:
				l.State = StateCheckedIn
			}
		}
		if l.TerminalID != 0 {
			t, seen := terms[l.TerminalID]
			if !seen {
				if t, err = s.Store.TerminalByID(ctx, l.TerminalID); err != nil {
					return nil, err
				}
				terms[l.TerminalID] = t
			}
			l.TerminalSeat = t.Seat
		}
		if l.AttemptID != 0 {
			a, err := s.Attempts.Get(ctx, l.AttemptID)
			if err != nil {
				return nil, err
			}
			p := progress[l.AttemptID]
			l.Answered, l.Total, l.LastAnswerAt, l.Deadline = p.Answered, p.Total, p.LastAnswer, a.Deadline
			switch {
			case a.Submitted():
				l.State, l.Passed = StateSubmitted, a.Passed
				got, total := 0, 0
				for _, sec := range a.Sections {
					got, total = got+sec.Score, total+sec.TotalPoints
				}
				if total > 0 {
					l.Score = got * 100 / total
				}
			case now.Sub(terms[l.TerminalID].LastSeenAt) > s.cfg.DisconnectedAfter:
				l.State = StateDisconnected
			case now.Sub(latest(p.LastAnswer, a.StartedAt)) > s.cfg.IdleAfter:
				l.State = StateIdle
			default:
				l.State = StateAnswering
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
