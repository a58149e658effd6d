package bookingdb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the booking tables (IDs 650-699). Each Up declares its own
// snapshot of the rows, never the live structs.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 650, Name: "create exam centres, rooms, seats, sessions, bookings, waitlist", Up: m650},
		{ID: 651, Name: "create preference rounds, their choices and allocations", Up: m651},
		{ID: 652, Name: "exam_sessions.seat_seq: the seat counter names each booking's seat", Up: m652},
	}
}

type m650Centre struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:100;not null"`
	Address   string `gorm:"size:300;not null"`
	MapURL    string `gorm:"column:map_url;size:500;not null;default:''"`
	Phone     string `gorm:"size:20;not null;default:''"`
	Notes     string `gorm:"type:text"`
	Disabled  bool   `gorm:"not null;default:false"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}
type m650Room struct {
	ID        int64  `gorm:"primaryKey"`
	CentreID  int64  `gorm:"not null;index:idx_exam_rooms_centre"`
	Name      string `gorm:"size:50;not null"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}
type m650Seat struct {
	ID       int64 `gorm:"primaryKey"`
	RoomID   int64 `gorm:"not null;uniqueIndex:uq_exam_seats_room_number,priority:1"`
	Number   int   `gorm:"not null;uniqueIndex:uq_exam_seats_room_number,priority:2"`
	Disabled bool  `gorm:"not null;default:false"`
}
type m650Session struct {
	ID              int64     `gorm:"primaryKey"`
	CentreID        int64     `gorm:"not null;index:idx_exam_sessions_centre_start,priority:1"`
	RoomID          int64     `gorm:"not null;uniqueIndex:uq_exam_sessions_room_start,priority:1"`
	StartsAt        time.Time `gorm:"not null;uniqueIndex:uq_exam_sessions_room_start,priority:2;index:idx_exam_sessions_centre_start,priority:2;index:idx_exam_sessions_start"`
	EndsAt          time.Time `gorm:"not null;index:idx_exam_sessions_status_end,priority:2"`
	DurationMinutes int       `gorm:"not null"`
	Capacity        int       `gorm:"not null"`
	Booked          int       `gorm:"not null;default:0"`
	Held            int       `gorm:"not null;default:0"`
	Status          string    `gorm:"size:16;not null;index:idx_exam_sessions_status_end,priority:1"`
	Mode            string    `gorm:"size:16;not null;default:'first_come'"`
	RoundID         int64     `gorm:"not null;default:0;index:idx_exam_sessions_round"`
	Version         int       `gorm:"not null;default:1"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}
type m650Booking struct {
	ID          int64  `gorm:"primaryKey"`
	SessionID   int64  `gorm:"not null;index:idx_exam_bookings_session_status,priority:1;uniqueIndex:uq_exam_bookings_seat,priority:1"`
	CandidateID int64  `gorm:"not null;index:idx_exam_bookings_candidate"`
	SeatNumber  int    `gorm:"not null"`
	TicketNo    string `gorm:"size:20;not null;uniqueIndex:uq_exam_bookings_ticket"`
	Status      string `gorm:"size:20;not null;index:idx_exam_bookings_session_status,priority:2"`
	ReplacesID  int64  `gorm:"not null;default:0"`
	// ActiveCandidate and SeatActive are set while the booking holds its
	// seat (NULL otherwise): one active booking per candidate, one per seat.
	ActiveCandidate *int64 `gorm:"uniqueIndex:uq_exam_bookings_active_candidate"`
	SeatActive      *int   `gorm:"uniqueIndex:uq_exam_bookings_seat,priority:2"`
	CreatedAt       time.Time
	ChangedAt       time.Time `gorm:"not null"`
	CheckedInAt     *time.Time
}
type m650Waiter struct {
	ID           int64      `gorm:"primaryKey"`
	SessionID    int64      `gorm:"not null;index:idx_exam_waitlist_order,priority:1"`
	CandidateID  int64      `gorm:"not null;index:idx_exam_waitlist_candidate"`
	Priority     bool       `gorm:"not null;default:false"`
	Status       string     `gorm:"size:16;not null;index:idx_exam_waitlist_order,priority:2;index:idx_exam_waitlist_expiry,priority:1"`
	OpenKey      *string    `gorm:"size:40;uniqueIndex:uq_exam_waitlist_open"`
	OfferExpires *time.Time `gorm:"index:idx_exam_waitlist_expiry,priority:2"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m650Centre) TableName() string  { return "exam_centres" }
func (m650Room) TableName() string    { return "exam_rooms" }
func (m650Seat) TableName() string    { return "exam_seats" }
func (m650Session) TableName() string { return "exam_sessions" }
func (m650Booking) TableName() string { return "exam_bookings" }
func (m650Waiter) TableName() string  { return "exam_waitlist" }

func m650(tx *gorm.DB) error {
	return sqldb.CreateTables(tx, &m650Centre{}, &m650Room{}, &m650Seat{}, &m650Session{}, &m650Booking{}, &m650Waiter{})
}

type m651Round struct {
	ID          int64     `gorm:"primaryKey"`
	Name        string    `gorm:"size:100;not null"`
	ClosesAt    time.Time `gorm:"not null;index:idx_booking_rounds_due,priority:2"`
	Seed        string    `gorm:"size:64;not null"`
	Status      string    `gorm:"size:16;not null;index:idx_booking_rounds_due,priority:1"`
	AllocatedAt *time.Time
	Assigned    int `gorm:"not null;default:0"`
	Unassigned  int `gorm:"not null;default:0"`
	CreatedAt   time.Time
}
type m651Choice struct {
	ID          int64 `gorm:"primaryKey"`
	RoundID     int64 `gorm:"not null;uniqueIndex:uq_booking_round_choices,priority:1"`
	CandidateID int64 `gorm:"not null;uniqueIndex:uq_booking_round_choices,priority:2"`
	Rank        int   `gorm:"not null;uniqueIndex:uq_booking_round_choices,priority:3"`
	SessionID   int64 `gorm:"not null"`
	SubmittedAt time.Time
}
type m651Assignment struct {
	ID          int64 `gorm:"primaryKey"`
	RoundID     int64 `gorm:"not null;uniqueIndex:uq_booking_round_results,priority:1"`
	CandidateID int64 `gorm:"not null;uniqueIndex:uq_booking_round_results,priority:2"`
	SessionID   int64 `gorm:"not null;default:0"`
	Rank        int   `gorm:"not null;default:0"`
	Position    int   `gorm:"not null"` // order in the allocation pass
}

func (m651Round) TableName() string      { return "booking_rounds" }
func (m651Choice) TableName() string     { return "booking_round_choices" }
func (m651Assignment) TableName() string { return "booking_round_results" }

func m651(tx *gorm.DB) error {
	return sqldb.CreateTables(tx, &m651Round{}, &m651Choice{}, &m651Assignment{})
}

// m652Session adds seat_seq: how many seats TakeSeat has handed out. The
// seat_seq-th open seat is a new booking's first try, so the seat is named
// without a search under the session's row lock. Sessions booked before
// start at 0: their first tries meet taken seats and fall back to the
// lowest free one, which is always correct (the unique key decides).
type m652Session struct {
	SeatSeq int `gorm:"not null;default:0"`
}

func (m652Session) TableName() string { return "exam_sessions" }

func m652(tx *gorm.DB) error {
	if tx.Migrator().HasColumn(&m652Session{}, "SeatSeq") {
		return nil
	}
	return tx.Migrator().AddColumn(&m652Session{}, "SeatSeq")
}
