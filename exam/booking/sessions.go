package booking

import (
	"context"
	"sort"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
)

// SessionInput is one session as the editor sends it.
type SessionInput struct {
	RoomID   int64
	Date     string // "2006-01-02", bureau's zone
	Time     string // "09:00"
	Capacity int    // 0 = every open seat of the room
	Mode     string
	Version  int // for updates
}

// MaxBulkSessions bounds one bulk creation.
const MaxBulkSessions = 500

func (s *Service) localStart(date, hm string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(hm), s.cfg.Location)
	return t.UTC(), err == nil
}

func validMode(m string) bool { return m == ModeFirstCome || m == ModePreference }

// newSession checks one session against its room and the clock.
func (s *Service) newSession(ctx context.Context, room Room, start time.Time, capacity int, mode string, f apperr.Fields) Session {
	if mode == "" {
		mode = ModeFirstCome
	}
	f.Check(validMode(mode), "mode", apperr.OneOf("first_come", "preference"))
	open := room.OpenSeats()
	if capacity == 0 {
		capacity = open
	}
	f.Check(capacity >= 1 && capacity <= open, "capacity", rsn1ToTheRoomSOpen)
	f.Check(start.After(s.clock.Now()), "date", apperr.Future())
	return Session{CentreID: room.CentreID, RoomID: room.ID, StartsAt: start, Capacity: capacity, Status: SessionDraft, Mode: mode, Version: 1}
}

func (s *Service) formalMinutes(ctx context.Context) (int, error) {
	m, err := s.durations.FormalMinutes(ctx)
	if err != nil {
		return 0, err
	}
	if m <= 0 {
		return 0, apperr.New(apperr.KindNotFound, "no_blueprint", "the question bank has no formal blueprint to time the session")
	}
	return m, nil
}

// CreateSession adds a draft session; its duration is the formal
// blueprint's (audited).
func (s *Service) CreateSession(ctx context.Context, in SessionInput) (Session, error) {
	f := apperr.Fields{}
	start, ok := s.localStart(in.Date, in.Time)
	f.Check(ok, "date", rsnWantADate20060102)
	room, err := s.store.RoomByID(ctx, in.RoomID)
	if apperr.ErrNotFound.Is(err) {
		f.Add("room_id", rsnNoSuchRoom)
	} else if err != nil {
		return Session{}, err
	}
	var sess Session
	if ok && err == nil {
		sess = s.newSession(ctx, room, start, in.Capacity, in.Mode, f)
	}
	if err := f.Err(); err != nil {
		return Session{}, err
	}
	minutes, err := s.formalMinutes(ctx)
	if err != nil {
		return Session{}, err
	}
	sess.DurationMinutes = minutes
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateSession(ctx, &sess); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.create", TargetType: "exam_session", TargetID: itoa(sess.ID), After: sess})
	})
	return sess, err
}

// UpdateSession changes a session's time, capacity or mode. Time and room
// change only while it is a draft; capacity may never drop below the seats
// already taken.
func (s *Service) UpdateSession(ctx context.Context, id int64, in SessionInput) (Session, error) {
	var out Session
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Session
		sess, err := s.store.UpdateSession(ctx, id, func(x *Session) error {
			before = *x
			if in.Version != x.Version {
				return apperr.ErrVersionConflict
			}
			f := apperr.Fields{}
			room, err := s.store.RoomByID(ctx, x.RoomID)
			if err != nil {
				return err
			}
			if in.Date != "" || in.Time != "" {
				start, ok := s.localStart(in.Date, in.Time)
				f.Check(ok, "date", rsnWantADate20060102)
				if ok && !start.Equal(x.StartsAt) {
					f.Check(x.Status == SessionDraft, "date", rsnOnlyADraftSessionCanMove)
					f.Check(start.After(s.clock.Now()), "date", apperr.Future())
					x.StartsAt = start
				}
			}
			if in.Capacity != 0 {
				f.Check(in.Capacity <= room.OpenSeats(), "capacity", rsnAtMostTheRoomSOpen)
				f.Check(in.Capacity >= x.Booked+x.Held, "capacity", rsnBelowTheSeatsAlreadyBooked)
				x.Capacity = in.Capacity
			}
			if in.Mode != "" && in.Mode != x.Mode {
				f.Check(validMode(in.Mode), "mode", apperr.OneOf("first_come", "preference"))
				f.Check(x.Status == SessionDraft, "mode", rsnOnlyADraftSessionChangesIts)
				x.Mode = in.Mode
			}
			if err := f.Err(); err != nil {
				return err
			}
			x.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = sess
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.update", TargetType: "exam_session", TargetID: itoa(id), Before: before, After: sess})
	})
	return out, err
}

// DeleteSession removes a draft session (nobody can have booked it).
func (s *Service) DeleteSession(ctx context.Context, id int64) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		v, err := s.store.SessionByID(ctx, id)
		if err != nil {
			return err
		}
		if v.Status != SessionDraft {
			return ErrSessionHasBookings.WithMessage("only a draft session can be deleted; cancel it instead")
		}
		if err := s.store.DeleteSession(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.delete", TargetType: "exam_session", TargetID: itoa(id), Before: v.Session})
	})
}

// SetSessionStatus moves a session along its status machine (publish, open
// check-in, start, close). Cancelling goes through CancelSession; closing
// marks every booking not checked in absent.
func (s *Service) SetSessionStatus(ctx context.Context, id int64, to SessionStatus, version int) (Session, error) {
	if to == SessionCancelled {
		return s.CancelSession(ctx, id, version, "")
	}
	var out Session
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var from SessionStatus
		sess, err := s.store.UpdateSession(ctx, id, func(x *Session) error {
			if version != 0 && version != x.Version {
				return apperr.ErrVersionConflict
			}
			if !x.Status.CanMoveTo(to) {
				return ErrBadTransition
			}
			from = x.Status
			x.Status, x.Version = to, x.Version+1
			return nil
		})
		if err != nil {
			return err
		}
		if to == SessionClosed {
			if err := s.closeSession(ctx, id); err != nil {
				return err
			}
		}
		out = sess
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.status", TargetType: "exam_session", TargetID: itoa(id),
			Before: map[string]any{"status": from}, After: map[string]any{"status": to}})
	})
	return out, err
}

// closeSession marks no-shows absent and ends the waitlist; the caller has
// moved the session to closed in the same transaction.
func (s *Service) closeSession(ctx context.Context, id int64) error {
	if _, err := s.store.CloseBookings(ctx, id, s.clock.Now()); err != nil {
		return err
	}
	return s.store.CloseWaiters(ctx, id)
}

// CancelSession is the bureau cancelling a session: every booked candidate
// gets an SMS and priority to rebook (first on any waitlist, first in a
// preference round), their reminders are withdrawn, the waitlist ends.
func (s *Service) CancelSession(ctx context.Context, id int64, version int, reason string) (Session, error) {
	var out Session
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		sess, err := s.store.UpdateSession(ctx, id, func(x *Session) error {
			if version != 0 && version != x.Version {
				return apperr.ErrVersionConflict
			}
			if !x.Status.CanMoveTo(SessionCancelled) {
				return ErrBadTransition
			}
			x.Status, x.Version = SessionCancelled, x.Version+1
			return nil
		})
		if err != nil {
			return err
		}
		v, err := s.store.SessionByID(ctx, id)
		if err != nil {
			return err
		}
		cancelled, err := s.store.CancelSessionBookings(ctx, id, s.clock.Now())
		if err != nil {
			return err
		}
		for _, b := range cancelled {
			if err := s.notify.Withdraw(ctx, reminderKey(b.TicketNo)); err != nil {
				return err
			}
			p, err := s.people.Person(ctx, b.CandidateID)
			if err != nil {
				return err
			}
			if _, err := s.notify.EnqueueSMS(ctx, notify.SMS{Phone: p.Phone, CandidateID: b.CandidateID, Template: notify.TplSessionCancelled,
				Params:    map[string]string{"name": p.Name, "date": s.day(v.StartsAt), "time": s.hm(v.StartsAt), "centre": v.CentreName},
				DedupeKey: "booking:" + itoa(b.ID) + ":session-cancelled", Urgent: true}); err != nil {
				return err
			}
		}
		if err := s.store.CloseWaiters(ctx, id); err != nil {
			return err
		}
		out = sess
		out.Booked, out.Held = 0, 0
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.cancel", TargetType: "exam_session", TargetID: itoa(id),
			After: map[string]any{"reason": strings.TrimSpace(reason), "bookings_cancelled": len(cancelled)}})
	})
	return out, err
}

// Session returns one session with its centre and room.
func (s *Service) Session(ctx context.Context, id int64) (SessionView, error) {
	return s.store.SessionByID(ctx, id)
}

// Sessions lists sessions for the console (every status).
func (s *Service) Sessions(ctx context.Context, f SessionFilter) ([]SessionView, int64, error) {
	return s.store.ListSessions(ctx, f)
}

// Calendar lists the sessions a candidate can see: published (and those
// whose check-in opened, for the record), from now on.
func (s *Service) Calendar(ctx context.Context, centreID int64, from, to time.Time) ([]SessionView, error) {
	now := s.clock.Now()
	if from.Before(now) {
		from = now
	}
	if to.IsZero() || to.After(from.AddDate(0, 3, 0)) {
		to = from.AddDate(0, 3, 0)
	}
	out, _, err := s.store.ListSessions(ctx, SessionFilter{CentreID: centreID, From: from, To: to,
		Statuses: []SessionStatus{SessionPublished}, Limit: 1000})
	return out, err
}

// Bookable reports whether a session can be booked first-come now.
func (s *Service) Bookable(v Session) bool {
	return v.Status == SessionPublished && v.Mode == ModeFirstCome && v.StartsAt.After(s.clock.Now().Add(s.cfg.Cutoff))
}

// BulkItem is one session a bulk creation would make; Clash marks a room
// that already has a session at that time (it is skipped).
type BulkItem struct {
	Session
	RoomName string
	Clash    bool
}

// PreviewBulk expands the pattern without writing anything.
func (s *Service) PreviewBulk(ctx context.Context, in BulkSessions) ([]BulkItem, error) {
	f := apperr.Fields{}
	from, err1 := time.ParseInLocation("2006-01-02", in.From, s.cfg.Location)
	to, err2 := time.ParseInLocation("2006-01-02", in.To, s.cfg.Location)
	f.Check(err1 == nil, "from", apperr.Date())
	f.Check(err2 == nil, "to", apperr.Date())
	if err1 == nil && err2 == nil {
		f.Check(!to.Before(from) && to.Sub(from) <= 366*24*time.Hour, "to", rsnOnOrAfterFromWithinA)
	}
	f.Check(len(in.RoomIDs) > 0, "room_ids", rsnPickAtLeastOneRoom)
	f.Check(len(in.Weekdays) > 0, "weekdays", rsnPickAtLeastOneWeekday)
	days := map[time.Weekday]bool{}
	for _, d := range in.Weekdays {
		f.Check(d >= 0 && d <= 6, "weekdays", rsn0SundayTo6Saturday)
		days[time.Weekday(d)] = true
	}
	f.Check(len(in.Times) > 0, "times", rsnAtLeastOneStartTime)
	for _, hm := range in.Times {
		_, err := time.Parse("15:04", hm)
		f.Check(err == nil, "times", rsnWant1504)
	}
	rooms := make([]Room, 0, len(in.RoomIDs))
	for _, id := range in.RoomIDs {
		r, err := s.store.RoomByID(ctx, id)
		if apperr.ErrNotFound.Is(err) || (err == nil && r.CentreID != in.CentreID) {
			f.Add("room_ids", rsnEveryRoomMustBelongToThe)
			continue
		} else if err != nil {
			return nil, err
		}
		rooms = append(rooms, r)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	minutes, err := s.formalMinutes(ctx)
	if err != nil {
		return nil, err
	}
	times := append([]string(nil), in.Times...)
	sort.Strings(times)
	var out []BulkItem
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if !days[d.Weekday()] {
			continue
		}
		for _, hm := range times {
			start, _ := s.localStart(d.Format("2006-01-02"), hm)
			for _, r := range rooms {
				sess := s.newSession(ctx, r, start, in.Capacity, in.Mode, f)
				sess.DurationMinutes = minutes
				if in.Publish {
					sess.Status = SessionPublished
				}
				clash, err := s.store.SessionAt(ctx, r.ID, start)
				if err != nil {
					return nil, err
				}
				out = append(out, BulkItem{Session: sess, RoomName: r.Name, Clash: clash})
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.Invalid(apperr.Fields{"weekdays": rsnNoDateInTheRangeFalls})
	}
	if len(out) > MaxBulkSessions {
		return nil, apperr.Invalid(apperr.Fields{"to": rsnMoreThan500SessionsAtOnce})
	}
	return out, nil
}

// CreateBulk makes every session of the preview (clashes skipped) in one
// transaction (audited).
func (s *Service) CreateBulk(ctx context.Context, in BulkSessions) ([]Session, error) {
	items, err := s.PreviewBulk(ctx, in)
	if err != nil {
		return nil, err
	}
	var out []Session
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		for _, it := range items {
			if it.Clash {
				continue
			}
			sess := it.Session
			if err := s.store.CreateSession(ctx, &sess); err != nil {
				return err
			}
			out = append(out, sess)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.session.bulk_create", TargetType: "exam_centre", TargetID: itoa(in.CentreID),
			After: map[string]any{"pattern": in, "created": len(out)}})
	})
	return out, err
}

// DayStats counts sessions, bookings, sittings and absences per centre and
// day (the statistics read this).
func (s *Service) DayStats(ctx context.Context, from, to time.Time) ([]DayStat, error) {
	return s.store.DayStats(ctx, from, to, s.cfg.Location)
}

func (s *Service) day(t time.Time) string { return t.In(s.cfg.Location).Format("2006-01-02") }
func (s *Service) hm(t time.Time) string  { return t.In(s.cfg.Location).Format("15:04") }
