package booking

import "time"

// Centre is an exam centre (考点).
type Centre struct {
	ID       int64
	Name     string
	Address  string
	MapURL   string
	Phone    string
	Notes    string // opening notes shown on the ticket (what to bring, parking...)
	Disabled bool
	Version  int
}

// Room is an exam room of a centre with its numbered seats.
type Room struct {
	ID       int64
	CentreID int64
	Name     string
	Seats    []Seat
	Version  int
}

// Seat is one numbered seat of a room; a disabled seat (broken terminal)
// is not offered.
type Seat struct {
	Number   int
	Disabled bool
}

// OpenSeats counts the seats a session in this room may offer.
func (r Room) OpenSeats() int {
	n := 0
	for _, s := range r.Seats {
		if !s.Disabled {
			n++
		}
	}
	return n
}

// SessionStatus is where a session is in its life.
//
//	draft -> published -> checkin_open -> in_progress -> closed
//	draft | published | checkin_open -> cancelled
type SessionStatus string

const (
	SessionDraft       SessionStatus = "draft"
	SessionPublished   SessionStatus = "published"
	SessionCheckinOpen SessionStatus = "checkin_open"
	SessionInProgress  SessionStatus = "in_progress"
	SessionClosed      SessionStatus = "closed"
	SessionCancelled   SessionStatus = "cancelled"
)

// sessionMoves is the status machine: the statuses each status may move to.
var sessionMoves = map[SessionStatus][]SessionStatus{
	SessionDraft:       {SessionPublished, SessionCancelled},
	SessionPublished:   {SessionCheckinOpen, SessionCancelled},
	SessionCheckinOpen: {SessionInProgress, SessionClosed, SessionCancelled},
	SessionInProgress:  {SessionClosed},
}

// CanMoveTo reports whether the status machine allows s -> to.
func (s SessionStatus) CanMoveTo(to SessionStatus) bool {
	for _, x := range sessionMoves[s] {
		if x == to {
			return true
		}
	}
	return false
}

// Live: bookings of the session still count (not closed or cancelled).
func (s SessionStatus) Live() bool {
	return s == SessionPublished || s == SessionCheckinOpen || s == SessionInProgress
}

// Release modes of a session.
const (
	ModeFirstCome  = "first_come" // bookable as soon as it is published
	ModePreference = "preference" // seats go through a preference round first
)

// Session is one sitting in one room.
type Session struct {
	ID              int64
	CentreID        int64
	RoomID          int64
	StartsAt        time.Time // UTC
	DurationMinutes int
	Capacity        int
	Booked          int // active bookings
	Held            int // seats held for a waitlist offer
	Waiting         int // candidates on the waitlist (computed on read)
	Status          SessionStatus
	Mode            string
	RoundID         int64 // preference round the session is released in (0 = none)
	Version         int
	CreatedAt       time.Time
}

// EndsAt is when the sitting ends.
func (s Session) EndsAt() time.Time {
	return s.StartsAt.Add(time.Duration(s.DurationMinutes) * time.Minute)
}

// Free is how many seats can still be booked.
func (s Session) Free() int { return max(0, s.Capacity-s.Booked-s.Held) }

// SessionView is a session with its centre and room, as lists show it.
type SessionView struct {
	Session
	CentreName    string
	CentreAddress string
	RoomName      string
}

// BookingStatus is where a booking is in its life.
type BookingStatus string

const (
	BookingActive           BookingStatus = "booked"
	BookingCancelled        BookingStatus = "cancelled"         // by the candidate
	BookingRescheduled      BookingStatus = "rescheduled"       // replaced by another booking
	BookingSessionCancelled BookingStatus = "session_cancelled" // by the bureau: priority to rebook
	BookingCheckedIn        BookingStatus = "checked_in"        // set by the proctor console
	BookingAbsent           BookingStatus = "absent"            // not checked in when the session closed
	BookingSat              BookingStatus = "sat"               // checked in and the session closed
)

// Holds: the booking holds its seat and is the candidate's one active
// booking.
func (s BookingStatus) Holds() bool { return s == BookingActive || s == BookingCheckedIn }

// Booking is a candidate's seat in a session.
type Booking struct {
	ID          int64
	SessionID   int64
	CandidateID int64
	SeatNumber  int
	TicketNo    string
	Status      BookingStatus
	// ReplacesID is the booking this one replaced (reschedule), 0 if none.
	ReplacesID  int64
	CreatedAt   time.Time
	ChangedAt   time.Time // last status change
	CheckedInAt time.Time
}

// WaiterStatus is where a waitlist entry is.
type WaiterStatus string

const (
	WaiterWaiting  WaiterStatus = "waiting"
	WaiterOffered  WaiterStatus = "offered"  // a seat is held until OfferExpires
	WaiterAccepted WaiterStatus = "accepted" // became a booking
	WaiterExpired  WaiterStatus = "expired"  // the offer ran out
	WaiterLeft     WaiterStatus = "left"     // the candidate left the list (or the session ended)
)

// Open: still on the list (waiting or holding an offer).
func (s WaiterStatus) Open() bool { return s == WaiterWaiting || s == WaiterOffered }

// Waiter is one candidate on a session's waitlist. Priority waiters (their
// booking was cancelled by the bureau) go before everyone else, then by
// joining order.
type Waiter struct {
	ID           int64
	SessionID    int64
	CandidateID  int64
	Priority     bool
	Status       WaiterStatus
	OfferExpires time.Time
	CreatedAt    time.Time
}

// Eligibility answers "may this candidate book, and for which subjects".
// Today registration answers it (approved => both subjects); the formal
// exam will answer it from subject results (retakes).
type Eligibility struct {
	MayBook  bool
	Reason   string   // why not, as an error code (not_approved...); "" when MayBook
	Subjects []string // national, regional
	// ApprovedAt orders candidates in a preference round (earlier first).
	ApprovedAt time.Time
}

// Person is what the ticket shows about the candidate.
type Person struct {
	Name          string
	IDNumber      string // full; the ticket shows it masked
	Phone         string
	ApplicationID int64 // for the photo
	HasPhoto      bool
}

// SessionFilter selects sessions for the calendar and the console.
type SessionFilter struct {
	CentreID int64
	From, To time.Time // StartsAt in [From, To)
	Statuses []SessionStatus
	Mode     string // "" = any; ModeFirstCome or ModePreference
	// Unrounded keeps only sessions not yet released in a preference round
	// (what the round form may offer).
	Unrounded bool
	Offset    int
	Limit     int
}

// BulkSessions describes a repeating pattern: every given weekday at the
// given times, between two dates, in the given rooms.
type BulkSessions struct {
	CentreID int64
	RoomIDs  []int64
	From, To string   // civil dates "2006-01-02", inclusive
	Weekdays []int    // 0 = Sunday ... 6 = Saturday
	Times    []string // "09:00", "14:30" (bureau's zone)
	Mode     string   // first_come | preference
	Publish  bool     // create them published instead of draft
	Capacity int      // 0 = every open seat of the room
}

// DayStat counts one centre's bookings of one day for the statistics.
type DayStat struct {
	CentreID int64
	Day      string // civil date in the bureau's zone
	Sessions int
	Capacity int
	Booked   int // still booked (session not closed yet)
	Sat      int
	Absent   int
}

// RosterLine is one line of a session's roster.
type RosterLine struct {
	Booking
	Person
}
