// Package proctoring runs exam day at a centre: terminals enrolled to
// seats, check-in of candidates by their admission ticket, the start and
// end of a session, the live seat map, proctor actions on a sitting
// (extend, move, force-submit, notes) and the candidate's formal exam on
// their terminal. The paper, its timer and answers are the attempt
// engine's (exam/attempt, kind formal); sessions, bookings and tickets are
// the booking package's, reached through the Bookings interface.
//
// Every proctor call is scoped to the proctor's own centre: a session,
// booking, sitting or terminal of another centre is "not found".
package proctoring

import (
	"time"

	questionbank "taxiexam/question-bank"
)

// Terminal statuses.
const (
	TerminalPending = "pending" // showing its enrolment code, waiting for a proctor
	TerminalActive  = "active"  // bound to a room and seat
	TerminalRevoked = "revoked" // its credential no longer works
)

// Terminal is an exam PC of a centre. Its credential is a random token kept
// by the PC (an HttpOnly cookie); the table stores only its SHA-256.
type Terminal struct {
	ID         int64
	Status     string
	Code       string // enrolment code shown on the screen while pending
	CentreID   int64  // set at enrolment
	RoomID     int64
	Seat       int
	Name       string
	CreatedAt  time.Time
	EnrolledAt time.Time
	EnrolledBy int64
	RevokedAt  time.Time
	LastSeenAt time.Time
}

// ExamSession is a sitting as booking knows it.
type ExamSession struct {
	ID              int64
	CentreID        int64
	RoomID          int64
	RoomName        string
	CentreName      string
	StartsAt        time.Time
	DurationMinutes int
	Status          string // booking's session status
}

// Room is an exam room of a centre.
type Room struct {
	ID       int64
	CentreID int64
	Name     string
	Seats    int // seats are numbered 1..Seats
}

// Booked is a candidate booked into a session, as booking knows them.
type Booked struct {
	BookingID     int64
	SessionID     int64
	CandidateID   int64
	ApplicationID int64
	TicketNo      string
	Seat          int
	Name          string
	IDNumber      string // full, for the terminal login check; never sent out
	HasPhoto      bool
	Status        string // booking's status (booked, checked_in, absent, sat...)
}

// Sitting statuses: what the proctor decided at the door.
const (
	SittingCheckedIn = "checked_in"
	SittingRefused   = "refused"
	SittingAbsent    = "absent"
)

// Sitting is a booked candidate on exam day: checked in (and then sitting
// their attempt on a terminal), refused at the door, or absent.
type Sitting struct {
	BookingID     int64
	SessionID     int64
	CentreID      int64
	RoomID        int64
	CandidateID   int64
	ApplicationID int64
	TicketNo      string
	Seat          int
	Status        string
	Reason        string // why refused or absent
	TerminalID    int64  // where the candidate sits the paper (0 = not bound yet)
	AttemptID     int64  // 0 until the first login after the start
	Subjects      []questionbank.Subject
	CheckedInAt   time.Time
	CheckedInBy   int64
	Version       int
	// RunChanges is the session run's change counter read with the sitting
	// (OpenSittingOf only): a node's cached copy is good while it is unchanged.
	RunChanges int64
}

// Run is a session's exam-day life: started and ended by a proctor.
type Run struct {
	SessionID int64
	CentreID  int64
	StartedAt time.Time
	StartedBy int64
	EndedAt   time.Time
	EndedBy   int64
}

// Started reports a session that has been started and not ended.
func (r Run) Open() bool { return !r.StartedAt.IsZero() && r.EndedAt.IsZero() }

// Incident is a proctor's note on a session (and optionally one candidate).
type Incident struct {
	ID        int64
	SessionID int64
	BookingID int64 // 0 = the whole session
	Note      string
	By        int64
	ByName    string
	At        time.Time
}

// Seat states on the live map.
const (
	StateNotArrived   = "not_arrived"
	StateRefused      = "refused"
	StateAbsent       = "absent"
	StateCheckedIn    = "checked_in"   // waiting for the start or to log in
	StateAnswering    = "answering"    // answered within IdleAfter
	StateIdle         = "idle"         // no answer for IdleAfter
	StateDisconnected = "disconnected" // the terminal has not been heard from for DisconnectedAfter
	StateSubmitted    = "submitted"
)

// SeatLine is one candidate of a session on the proctor's roster and map.
type SeatLine struct {
	BookingID      int64
	CandidateID    int64
	ApplicationID  int64
	TicketNo       string
	Seat           int
	Name           string
	IDNumberMasked string
	HasPhoto       bool
	State          string
	Reason         string
	TerminalID     int64
	TerminalSeat   int
	AttemptID      int64
	Answered       int
	Total          int
	LastAnswerAt   time.Time
	Deadline       time.Time
	Passed         bool
	Score          int // percent over the subjects sat, when submitted
	Subjects       []questionbank.Subject
}

// SeatMap is a session's live state.
type SeatMap struct {
	Session ExamSession
	Run     Run
	Now     time.Time
	Lines   []SeatLine
}

// TicketCheck is what the check-in screen shows for a scanned ticket.
type TicketCheck struct {
	Line    SeatLine
	Late    bool // past the late-entry limit: entry refused
	Session ExamSession
}
