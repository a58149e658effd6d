// Package bookingdb stores exam centres, rooms, seats, sessions, bookings
// and waitlists in SQL.
//
// The rules that must hold under any concurrency live in the statements:
// TakeSeat is one conditional UPDATE of the session's counter (booked +
// held < capacity), and two nullable unique keys on exam_bookings carry
// "one active booking per candidate" (active_candidate) and "one booking
// per seat" (session_id, seat_active). Nothing is kept in memory.
package bookingdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/exam/booking"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
)

type centreRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Address   string
	MapURL    string `gorm:"column:map_url"`
	Phone     string
	Notes     string
	Disabled  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (centreRow) TableName() string { return "exam_centres" }

type roomRow struct {
	ID        int64 `gorm:"primaryKey"`
	CentreID  int64
	Name      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (roomRow) TableName() string { return "exam_rooms" }

type seatRow struct {
	ID       int64 `gorm:"primaryKey"`
	RoomID   int64
	Number   int
	Disabled bool
}

func (seatRow) TableName() string { return "exam_seats" }

type sessionRow struct {
	ID              int64 `gorm:"primaryKey"`
	CentreID        int64
	RoomID          int64
	StartsAt        time.Time
	EndsAt          time.Time
	DurationMinutes int
	Capacity        int
	Booked          int
	Held            int
	Status          string
	Mode            string
	RoundID         int64
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (sessionRow) TableName() string { return "exam_sessions" }

type bookingRow struct {
	ID              int64 `gorm:"primaryKey"`
	SessionID       int64
	CandidateID     int64
	SeatNumber      int
	TicketNo        string
	Status          string
	ReplacesID      int64
	ActiveCandidate *int64
	SeatActive      *int
	CreatedAt       time.Time
	ChangedAt       time.Time
	CheckedInAt     *time.Time
}

func (bookingRow) TableName() string { return "exam_bookings" }

type waiterRow struct {
	ID           int64 `gorm:"primaryKey"`
	SessionID    int64
	CandidateID  int64
	Priority     bool
	Status       string
	OpenKey      *string
	OfferExpires *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (waiterRow) TableName() string { return "exam_waitlist" }

// Store implements booking.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

func notFound(err error) error {
	if sqldb.IsNotFound(err) {
		return apperr.ErrNotFound
	}
	return err
}

func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func tval(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// ---------------------------------------------------------------- centres

func toCentre(r centreRow) booking.Centre {
	return booking.Centre{ID: r.ID, Name: r.Name, Address: r.Address, MapURL: r.MapURL, Phone: r.Phone, Notes: r.Notes, Disabled: r.Disabled, Version: r.Version}
}

func fromCentre(c booking.Centre) centreRow {
	return centreRow{ID: c.ID, Name: c.Name, Address: c.Address, MapURL: c.MapURL, Phone: c.Phone, Notes: c.Notes, Disabled: c.Disabled, Version: c.Version}
}

func (s *Store) CreateCentre(ctx context.Context, c *booking.Centre) error {
	r := fromCentre(*c)
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	*c = toCentre(r)
	return nil
}

func (s *Store) UpdateCentre(ctx context.Context, id int64, fn func(*booking.Centre) error) (booking.Centre, error) {
	var out booking.Centre
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r centreRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		c := toCentre(r)
		if err := fn(&c); err != nil {
			return err
		}
		n := fromCentre(c)
		n.ID, n.CreatedAt = id, r.CreatedAt
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&n).Error; err != nil {
			return err
		}
		out = toCentre(n)
		return nil
	})
	return out, err
}

func (s *Store) CentreByID(ctx context.Context, id int64) (booking.Centre, error) {
	var r centreRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return booking.Centre{}, notFound(err)
	}
	return toCentre(r), nil
}

func (s *Store) ListCentres(ctx context.Context, includeDisabled bool) ([]booking.Centre, error) {
	q := s.db.Conn(ctx).Order("id")
	if !includeDisabled {
		q = q.Where("disabled = ?", false)
	}
	var rows []centreRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Centre, len(rows))
	for i, r := range rows {
		out[i] = toCentre(r)
	}
	return out, nil
}

// ---------------------------------------------------------------- rooms

func (s *Store) seatsOf(ctx context.Context, roomIDs ...int64) (map[int64][]booking.Seat, error) {
	var rows []seatRow
	if err := s.db.Conn(ctx).Where("room_id IN ?", roomIDs).Order("room_id, number").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]booking.Seat{}
	for _, r := range rows {
		out[r.RoomID] = append(out[r.RoomID], booking.Seat{Number: r.Number, Disabled: r.Disabled})
	}
	return out, nil
}

func (s *Store) writeSeats(ctx context.Context, roomID int64, seats []booking.Seat) error {
	if err := s.db.Conn(ctx).Where("room_id = ?", roomID).Delete(&seatRow{}).Error; err != nil {
		return err
	}
	rows := make([]seatRow, len(seats))
	for i, st := range seats {
		rows[i] = seatRow{RoomID: roomID, Number: st.Number, Disabled: st.Disabled}
	}
	if len(rows) == 0 {
		return nil
	}
	return s.db.Conn(ctx).CreateInBatches(&rows, 200).Error
}

func (s *Store) CreateRoom(ctx context.Context, r *booking.Room) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		row := roomRow{CentreID: r.CentreID, Name: r.Name, Version: r.Version}
		if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		r.ID = row.ID
		return s.writeSeats(ctx, row.ID, r.Seats)
	})
}

func (s *Store) UpdateRoom(ctx context.Context, id int64, fn func(*booking.Room) error) (booking.Room, error) {
	var out booking.Room
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var row roomRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&row, id).Error; err != nil {
			return notFound(err)
		}
		seats, err := s.seatsOf(ctx, id)
		if err != nil {
			return err
		}
		r := booking.Room{ID: row.ID, CentreID: row.CentreID, Name: row.Name, Seats: seats[id], Version: row.Version}
		if err := fn(&r); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Model(&roomRow{}).Where("id = ?", id).Updates(map[string]any{"name": r.Name, "version": r.Version, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		if err := s.writeSeats(ctx, id, r.Seats); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

func (s *Store) RoomByID(ctx context.Context, id int64) (booking.Room, error) {
	var row roomRow
	if err := s.db.Conn(ctx).Take(&row, id).Error; err != nil {
		return booking.Room{}, notFound(err)
	}
	seats, err := s.seatsOf(ctx, id)
	if err != nil {
		return booking.Room{}, err
	}
	return booking.Room{ID: row.ID, CentreID: row.CentreID, Name: row.Name, Seats: seats[id], Version: row.Version}, nil
}

func (s *Store) RoomsOf(ctx context.Context, centreID int64) ([]booking.Room, error) {
	var rows []roomRow
	if err := s.db.Conn(ctx).Where("centre_id = ?", centreID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return []booking.Room{}, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	seats, err := s.seatsOf(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]booking.Room, len(rows))
	for i, r := range rows {
		out[i] = booking.Room{ID: r.ID, CentreID: r.CentreID, Name: r.Name, Seats: seats[r.ID], Version: r.Version}
	}
	return out, nil
}

var liveStatuses = []string{string(booking.SessionPublished), string(booking.SessionCheckinOpen), string(booking.SessionInProgress)}

func (s *Store) LiveSessionsInRoom(ctx context.Context, roomID int64) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&sessionRow{}).Where("room_id = ? AND status IN ?", roomID, liveStatuses).Count(&n).Error
	return n, err
}

// ---------------------------------------------------------------- sessions

func toSession(r sessionRow) booking.Session {
	return booking.Session{ID: r.ID, CentreID: r.CentreID, RoomID: r.RoomID, StartsAt: r.StartsAt.UTC(), DurationMinutes: r.DurationMinutes,
		Capacity: r.Capacity, Booked: r.Booked, Held: r.Held, Status: booking.SessionStatus(r.Status), Mode: r.Mode, RoundID: r.RoundID,
		Version: r.Version, CreatedAt: r.CreatedAt}
}

func fromSession(v booking.Session) sessionRow {
	return sessionRow{ID: v.ID, CentreID: v.CentreID, RoomID: v.RoomID, StartsAt: v.StartsAt.UTC(), EndsAt: v.EndsAt().UTC(), DurationMinutes: v.DurationMinutes,
		Capacity: v.Capacity, Booked: v.Booked, Held: v.Held, Status: string(v.Status), Mode: v.Mode, RoundID: v.RoundID, Version: v.Version, CreatedAt: v.CreatedAt}
}

func (s *Store) CreateSession(ctx context.Context, v *booking.Session) error {
	r := fromSession(*v)
	r.ID = 0
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return booking.ErrSessionClash
		}
		return err
	}
	*v = toSession(r)
	return nil
}

// sessionViewRow is a session joined with its centre and room and its open
// waitlist count.
type sessionViewRow struct {
	ID              int64
	CentreID        int64
	RoomID          int64
	StartsAt        time.Time
	DurationMinutes int
	Capacity        int
	Booked          int
	Held            int
	Status          string
	Mode            string
	RoundID         int64
	Version         int
	CreatedAt       time.Time
	CentreName      string
	CentreAddress   string
	RoomName        string
	Waiting         int
}

func (s *Store) viewQuery(ctx context.Context) *gorm.DB {
	return s.db.Conn(ctx).Table("exam_sessions AS s").
		Select("s.id, s.centre_id, s.room_id, s.starts_at, s.duration_minutes, s.capacity, s.booked, s.held, s.status, s.mode, s.round_id, s.version, s.created_at, c.name AS centre_name, c.address AS centre_address, r.name AS room_name, " +
			"(SELECT COUNT(*) FROM exam_waitlist w WHERE w.session_id = s.id AND w.status IN ('waiting','offered')) AS waiting").
		Joins("JOIN exam_centres c ON c.id = s.centre_id").
		Joins("JOIN exam_rooms r ON r.id = s.room_id")
}

func toView(r sessionViewRow) booking.SessionView {
	v := booking.SessionView{Session: toSession(sessionRow{ID: r.ID, CentreID: r.CentreID, RoomID: r.RoomID, StartsAt: r.StartsAt, DurationMinutes: r.DurationMinutes,
		Capacity: r.Capacity, Booked: r.Booked, Held: r.Held, Status: r.Status, Mode: r.Mode, RoundID: r.RoundID, Version: r.Version, CreatedAt: r.CreatedAt}),
		CentreName: r.CentreName, CentreAddress: r.CentreAddress, RoomName: r.RoomName}
	v.Waiting = r.Waiting
	return v
}

func (s *Store) SessionByID(ctx context.Context, id int64) (booking.SessionView, error) {
	var r sessionViewRow
	if err := s.viewQuery(ctx).Where("s.id = ?", id).Take(&r).Error; err != nil {
		return booking.SessionView{}, notFound(err)
	}
	return toView(r), nil
}

func (s *Store) UpdateSession(ctx context.Context, id int64, fn func(*booking.Session) error) (booking.Session, error) {
	var out booking.Session
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r sessionRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		v := toSession(r)
		if err := fn(&v); err != nil {
			return err
		}
		n := fromSession(v)
		// The counters are owned by the seat statements; an edit never
		// writes them back.
		if err := s.db.Conn(ctx).Model(&sessionRow{}).Where("id = ?", id).Updates(map[string]any{
			"starts_at": n.StartsAt, "ends_at": n.EndsAt, "capacity": n.Capacity, "status": n.Status, "mode": n.Mode,
			"round_id": n.RoundID, "version": n.Version, "updated_at": time.Now().UTC(),
		}).Error; err != nil {
			if sqldb.IsDuplicate(err) {
				return booking.ErrSessionClash
			}
			return err
		}
		out = v
		return nil
	})
	return out, err
}

func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	return s.db.Conn(ctx).Where("id = ?", id).Delete(&sessionRow{}).Error
}

func (s *Store) ListSessions(ctx context.Context, f booking.SessionFilter) ([]booking.SessionView, int64, error) {
	q := s.db.Conn(ctx).Table("exam_sessions AS s")
	apply := func(q *gorm.DB) *gorm.DB {
		if f.CentreID != 0 {
			q = q.Where("s.centre_id = ?", f.CentreID)
		}
		if !f.From.IsZero() {
			q = q.Where("s.starts_at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("s.starts_at < ?", f.To.UTC())
		}
		if len(f.Statuses) > 0 {
			q = q.Where("s.status IN ?", f.Statuses)
		}
		if f.Mode != "" {
			q = q.Where("s.mode = ?", f.Mode)
		}
		if f.Unrounded {
			q = q.Where("s.round_id = 0")
		}
		return q
	}
	var total int64
	if err := apply(q).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows []sessionViewRow
	if err := apply(s.viewQuery(ctx)).Order("s.starts_at, s.room_id").Offset(f.Offset).Limit(limit).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]booking.SessionView, len(rows))
	for i, r := range rows {
		out[i] = toView(r)
	}
	return out, total, nil
}

func (s *Store) SessionAt(ctx context.Context, roomID int64, t time.Time) (bool, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&sessionRow{}).Where("room_id = ? AND starts_at = ?", roomID, t.UTC()).Count(&n).Error
	return n > 0, err
}

// TakeSeat is the booking statement. On InnoDB the updated row stays
// locked until the transaction ends, so the booking insert that follows
// is serialised per session. The new seat_seq comes back in the same
// round trip: MySQL's LAST_INSERT_ID(expr) rides in the OK packet,
// SQLite has RETURNING.
func (s *Store) TakeSeat(ctx context.Context, sessionID int64, notBefore time.Time) (int, bool, error) {
	const update = "UPDATE exam_sessions SET booked = booked + 1, seat_seq = %s WHERE id = ? AND status = ? AND mode = ? AND starts_at > ? AND booked + held < capacity"
	args := []any{sessionID, booking.SessionPublished, booking.ModeFirstCome, notBefore.UTC()}
	pool := s.db.Conn(ctx).Statement.ConnPool
	if s.db.Dialect() == sqldb.MySQL {
		res, err := pool.ExecContext(ctx, fmt.Sprintf(update, "LAST_INSERT_ID(seat_seq + 1)"), args...)
		if err != nil {
			return 0, false, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return 0, false, err
		}
		seq, err := res.LastInsertId()
		return int(seq), err == nil, err
	}
	var seq int
	err := pool.QueryRowContext(ctx, fmt.Sprintf(update, "seat_seq + 1")+" RETURNING seat_seq", args...).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return seq, err == nil, err
}

func (s *Store) OpenSeats(ctx context.Context, roomID int64) ([]int, error) {
	var out []int
	err := s.db.Conn(ctx).Model(&seatRow{}).Where("room_id = ? AND disabled = ?", roomID, false).Order("number").Pluck("number", &out).Error
	return out, err
}

func (s *Store) TakeHeldSeat(ctx context.Context, sessionID int64) (bool, error) {
	res := s.db.Conn(ctx).Exec("UPDATE exam_sessions SET booked = booked + 1, held = held - 1 WHERE id = ? AND held > 0 AND status IN ?", sessionID, liveStatuses)
	return res.RowsAffected == 1, res.Error
}

func (s *Store) ReleaseSeat(ctx context.Context, sessionID int64, hold bool) error {
	set := "booked = booked - 1"
	if hold {
		set += ", held = held + 1"
	}
	res := s.db.Conn(ctx).Exec("UPDATE exam_sessions SET "+set+" WHERE id = ? AND booked > 0", sessionID)
	if res.Error == nil && res.RowsAffected != 1 {
		return fmt.Errorf("bookingdb: session %d has no booked seat to release", sessionID)
	}
	return res.Error
}

func (s *Store) DropHeldSeat(ctx context.Context, sessionID int64) error {
	return s.db.Conn(ctx).Exec("UPDATE exam_sessions SET held = held - 1 WHERE id = ? AND held > 0", sessionID).Error
}

func (s *Store) FreeSeatNumber(ctx context.Context, sessionID, roomID int64) (int, error) {
	var n sql.NullInt64
	err := s.db.Conn(ctx).Raw("SELECT MIN(st.number) FROM exam_seats st WHERE st.room_id = ? AND st.disabled = ? AND NOT EXISTS "+
		"(SELECT 1 FROM exam_bookings b WHERE b.session_id = ? AND b.seat_active = st.number)", roomID, false, sessionID).Scan(&n).Error
	if err != nil {
		return 0, err
	}
	if !n.Valid {
		return 0, booking.ErrSessionFull
	}
	return int(n.Int64), nil
}

// ---------------------------------------------------------------- bookings

func toBooking(r bookingRow) booking.Booking {
	return booking.Booking{ID: r.ID, SessionID: r.SessionID, CandidateID: r.CandidateID, SeatNumber: r.SeatNumber, TicketNo: r.TicketNo,
		Status: booking.BookingStatus(r.Status), ReplacesID: r.ReplacesID, CreatedAt: r.CreatedAt.UTC(), ChangedAt: r.ChangedAt.UTC(), CheckedInAt: tval(r.CheckedInAt)}
}

func (s *Store) InsertBooking(ctx context.Context, b *booking.Booking) error {
	r := bookingRow{SessionID: b.SessionID, CandidateID: b.CandidateID, SeatNumber: b.SeatNumber, TicketNo: b.TicketNo, Status: string(b.Status),
		ReplacesID: b.ReplacesID, CreatedAt: b.CreatedAt.UTC(), ChangedAt: b.ChangedAt.UTC(), CheckedInAt: tptr(b.CheckedInAt)}
	if b.Status.Holds() {
		cid, seat := b.CandidateID, b.SeatNumber
		r.ActiveCandidate, r.SeatActive = &cid, &seat
	}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			// MySQL names the key (uq_exam_bookings_seat), SQLite the
			// columns (exam_bookings.session_id, exam_bookings.seat_active).
			if msg := err.Error(); strings.Contains(msg, "bookings_seat") || strings.Contains(msg, "seat_active") {
				return booking.ErrSeatTaken
			}
			return booking.ErrAlreadyBooked
		}
		return err
	}
	*b = toBooking(r)
	return nil
}

func (s *Store) BookingByID(ctx context.Context, id int64) (booking.Booking, error) {
	var r bookingRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return booking.Booking{}, notFound(err)
	}
	return toBooking(r), nil
}

func (s *Store) BookingByTicket(ctx context.Context, ticketNo string) (booking.Booking, error) {
	var r bookingRow
	if err := s.db.Conn(ctx).Where("ticket_no = ?", ticketNo).Take(&r).Error; err != nil {
		return booking.Booking{}, notFound(err)
	}
	return toBooking(r), nil
}

func (s *Store) ActiveBooking(ctx context.Context, candidateID int64) (booking.Booking, error) {
	var r bookingRow
	if err := s.db.Conn(ctx).Where("active_candidate = ?", candidateID).Take(&r).Error; err != nil {
		return booking.Booking{}, notFound(err)
	}
	return toBooking(r), nil
}

func (s *Store) LatestBooking(ctx context.Context, candidateID int64) (booking.Booking, error) {
	var r bookingRow
	if err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Order("id DESC").Take(&r).Error; err != nil {
		return booking.Booking{}, notFound(err)
	}
	return toBooking(r), nil
}

func (s *Store) BookingsOf(ctx context.Context, candidateID int64, limit int) ([]booking.Booking, error) {
	var rows []bookingRow
	if err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Booking, len(rows))
	for i, r := range rows {
		out[i] = toBooking(r)
	}
	return out, nil
}

func (s *Store) SetBookingStatus(ctx context.Context, id int64, from []booking.BookingStatus, to booking.BookingStatus, at time.Time) (bool, error) {
	set := map[string]any{"status": to, "changed_at": at.UTC()}
	if !to.Holds() {
		set["active_candidate"], set["seat_active"] = nil, nil
	}
	if to == booking.BookingCheckedIn {
		set["checked_in_at"] = at.UTC()
	}
	res := s.db.Conn(ctx).Model(&bookingRow{}).Where("id = ? AND status IN ?", id, from).Updates(set)
	return res.RowsAffected == 1, res.Error
}

func (s *Store) ReleasesSince(ctx context.Context, candidateID int64, since time.Time) ([]time.Time, error) {
	var ts []time.Time
	err := s.db.Conn(ctx).Model(&bookingRow{}).Where("candidate_id = ? AND status IN ? AND changed_at >= ?", candidateID,
		[]booking.BookingStatus{booking.BookingCancelled, booking.BookingRescheduled}, since.UTC()).Order("changed_at").Pluck("changed_at", &ts).Error
	return ts, err
}

func (s *Store) SessionBookings(ctx context.Context, sessionID int64, statuses []booking.BookingStatus) ([]booking.Booking, error) {
	q := s.db.Conn(ctx).Where("session_id = ?", sessionID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var rows []bookingRow
	if err := q.Order("seat_number, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Booking, len(rows))
	for i, r := range rows {
		out[i] = toBooking(r)
	}
	return out, nil
}

func (s *Store) CloseBookings(ctx context.Context, sessionID int64, at time.Time) (int64, error) {
	c := s.db.Conn(ctx)
	res := c.Model(&bookingRow{}).Where("session_id = ? AND status = ?", sessionID, booking.BookingActive).
		Updates(map[string]any{"status": booking.BookingAbsent, "changed_at": at.UTC(), "active_candidate": nil, "seat_active": nil})
	if res.Error != nil {
		return 0, res.Error
	}
	if err := c.Model(&bookingRow{}).Where("session_id = ? AND status = ?", sessionID, booking.BookingCheckedIn).
		Updates(map[string]any{"status": booking.BookingSat, "changed_at": at.UTC(), "active_candidate": nil, "seat_active": nil}).Error; err != nil {
		return 0, err
	}
	return res.RowsAffected, nil
}

func (s *Store) CancelSessionBookings(ctx context.Context, sessionID int64, at time.Time) ([]booking.Booking, error) {
	var rows []bookingRow
	c := s.db.Conn(ctx)
	if err := s.db.ForUpdate(c.Where("session_id = ? AND status IN ?", sessionID, []booking.BookingStatus{booking.BookingActive, booking.BookingCheckedIn})).
		Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		if err := c.Model(&bookingRow{}).Where("session_id = ? AND status IN ?", sessionID, []booking.BookingStatus{booking.BookingActive, booking.BookingCheckedIn}).
			Updates(map[string]any{"status": booking.BookingSessionCancelled, "changed_at": at.UTC(), "active_candidate": nil, "seat_active": nil}).Error; err != nil {
			return nil, err
		}
	}
	if err := c.Exec("UPDATE exam_sessions SET booked = 0, held = 0 WHERE id = ?", sessionID).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Booking, len(rows))
	for i, r := range rows {
		r.Status = string(booking.BookingSessionCancelled)
		out[i] = toBooking(r)
	}
	return out, nil
}

func (s *Store) DueToClose(ctx context.Context, now time.Time, limit int) ([]booking.Session, error) {
	var rows []sessionRow
	if err := s.db.Conn(ctx).Where("status IN ? AND ends_at < ?", liveStatuses, now.UTC()).Order("ends_at").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Session, len(rows))
	for i, r := range rows {
		out[i] = toSession(r)
	}
	return out, nil
}

// ---------------------------------------------------------------- waitlist

func toWaiter(r waiterRow) booking.Waiter {
	return booking.Waiter{ID: r.ID, SessionID: r.SessionID, CandidateID: r.CandidateID, Priority: r.Priority, Status: booking.WaiterStatus(r.Status),
		OfferExpires: tval(r.OfferExpires), CreatedAt: r.CreatedAt.UTC()}
}

func openKey(sessionID, candidateID int64) *string {
	k := fmt.Sprintf("%d:%d", sessionID, candidateID)
	return &k
}

func (s *Store) AddWaiter(ctx context.Context, w *booking.Waiter) error {
	r := waiterRow{SessionID: w.SessionID, CandidateID: w.CandidateID, Priority: w.Priority, Status: string(w.Status),
		OpenKey: openKey(w.SessionID, w.CandidateID), CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.CreatedAt.UTC()}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return booking.ErrAlreadyWaiting
		}
		return err
	}
	*w = toWaiter(r)
	return nil
}

func (s *Store) WaiterByID(ctx context.Context, id int64) (booking.Waiter, error) {
	var r waiterRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return booking.Waiter{}, notFound(err)
	}
	return toWaiter(r), nil
}

var openWaiter = []string{string(booking.WaiterWaiting), string(booking.WaiterOffered)}

func (s *Store) OpenWaitersOf(ctx context.Context, candidateID int64) ([]booking.Waiter, error) {
	var rows []waiterRow
	if err := s.db.Conn(ctx).Where("candidate_id = ? AND status IN ?", candidateID, openWaiter).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Waiter, len(rows))
	for i, r := range rows {
		out[i] = toWaiter(r)
	}
	return out, nil
}

func (s *Store) NextWaiter(ctx context.Context, sessionID int64) (booking.Waiter, bool, error) {
	var r waiterRow
	err := s.db.ForUpdate(s.db.Conn(ctx).Where("session_id = ? AND status = ?", sessionID, booking.WaiterWaiting)).
		Order("priority DESC, id").Take(&r).Error
	if sqldb.IsNotFound(err) {
		return booking.Waiter{}, false, nil
	}
	if err != nil {
		return booking.Waiter{}, false, err
	}
	return toWaiter(r), true, nil
}

func (s *Store) WaitersAhead(ctx context.Context, w booking.Waiter) (int, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&waiterRow{}).Where("session_id = ? AND status IN ? AND (priority > ? OR (priority = ? AND id < ?))",
		w.SessionID, openWaiter, w.Priority, w.Priority, w.ID).Count(&n).Error
	return int(n), err
}

func (s *Store) SetWaiter(ctx context.Context, id int64, from, to booking.WaiterStatus, offerExpires time.Time) (bool, error) {
	set := map[string]any{"status": to, "offer_expires": tptr(offerExpires), "updated_at": time.Now().UTC()}
	if !to.Open() {
		set["open_key"] = nil
	}
	res := s.db.Conn(ctx).Model(&waiterRow{}).Where("id = ? AND status = ?", id, from).Updates(set)
	return res.RowsAffected == 1, res.Error
}

func (s *Store) ExpiredOffers(ctx context.Context, now time.Time, limit int) ([]booking.Waiter, error) {
	var rows []waiterRow
	if err := s.db.Conn(ctx).Where("status = ? AND offer_expires < ?", booking.WaiterOffered, now.UTC()).Order("offer_expires").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Waiter, len(rows))
	for i, r := range rows {
		out[i] = toWaiter(r)
	}
	return out, nil
}

func (s *Store) CloseWaiters(ctx context.Context, sessionID int64) error {
	return s.db.Conn(ctx).Model(&waiterRow{}).Where("session_id = ? AND status IN ?", sessionID, openWaiter).
		Updates(map[string]any{"status": booking.WaiterLeft, "open_key": nil, "updated_at": time.Now().UTC()}).Error
}

// ---------------------------------------------------------------- statistics

func (s *Store) DayStats(ctx context.Context, from, to time.Time, loc *time.Location) ([]booking.DayStat, error) {
	var rows []struct {
		ID       int64
		CentreID int64
		StartsAt time.Time
		Capacity int
		Status   sql.NullString
		N        int
	}
	err := s.db.Conn(ctx).Table("exam_sessions AS s").
		Select("s.id, s.centre_id, s.starts_at, s.capacity, b.status, COUNT(b.id) AS n").
		Joins("LEFT JOIN exam_bookings b ON b.session_id = s.id").
		Where("s.starts_at >= ? AND s.starts_at < ? AND s.status <> ?", from.UTC(), to.UTC(), booking.SessionCancelled).
		Group("s.id, s.centre_id, s.starts_at, s.capacity, b.status").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	type key struct {
		centre int64
		day    string
	}
	acc := map[key]*booking.DayStat{}
	seen := map[int64]bool{}
	for _, r := range rows {
		k := key{r.CentreID, r.StartsAt.In(loc).Format("2006-01-02")}
		d := acc[k]
		if d == nil {
			d = &booking.DayStat{CentreID: k.centre, Day: k.day}
			acc[k] = d
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			d.Sessions++
			d.Capacity += r.Capacity
		}
		switch booking.BookingStatus(r.Status.String) {
		case booking.BookingActive, booking.BookingCheckedIn:
			d.Booked += r.N
		case booking.BookingSat:
			d.Sat += r.N
		case booking.BookingAbsent:
			d.Absent += r.N
		}
	}
	out := make([]booking.DayStat, 0, len(acc))
	for _, d := range acc {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].CentreID < out[j].CentreID
	})
	return out, nil
}

var _ booking.Store = (*Store)(nil)
