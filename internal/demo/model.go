package demo

import (
	"time"

	"taxiexam/exam/attempt"
)

// The world is what the generator builds in memory and a Sink writes: the
// rows of every table a living year touches, with ids assigned here (the
// database is empty). Times are UTC.

// Channel is a registration channel (QR code).
type Channel struct {
	ID               int64
	Code, Name, Kind string
	Weight           int // share of the online registrations
	CreatedAt        time.Time
}

// Office is an issuing window.
type Office struct {
	ID                   int64
	Name, Address, Hours string
}

// Centre is an exam centre with its rooms.
type Centre struct {
	ID                          int64
	Name, Address, Phone, Notes string
	Rooms                       []Room
}

// Room is an exam room with numbered seats 1..Seats.
type Room struct {
	ID       int64
	CentreID int64
	Name     string
	Seats    int
}

// Session is one sitting in one room.
type Session struct {
	ID              int64
	CentreID        int64
	RoomID          int64
	StartsAt        time.Time
	DurationMinutes int
	Capacity        int
	Booked          int // seats held at the close (sat + absent)
	taken           int // rows placed, for seat numbers
}

// EndsAt is when the sitting ends.
func (s Session) EndsAt() time.Time {
	return s.StartsAt.Add(time.Duration(s.DurationMinutes) * time.Minute)
}

// Platform is a ride-hailing platform of the 供需对接 list.
type Platform struct {
	Name, LicenceNo, Contact string
	DriversWanted            int
}

// Candidate is a person with a phone login and one application.
type Candidate struct {
	ID        int64
	Person    Person
	CreatedAt time.Time
}

// Application is a candidate's application with its final state.
type Application struct {
	ID          int64
	CandidateID int64
	ChannelID   int64
	Status      string
	Person      Person
	WantTaxi    bool
	WantRide    bool
	Delivery    string // post | pickup
	OfficeID    int64
	SubmitCount int
	CreatedAt   time.Time
	SubmittedAt time.Time // zero: a draft
	QueuedAt    time.Time
	DecidedAt   time.Time
	ApprovedAt  time.Time
	Checked     bool   // the police recorded the check items
	ReasonCode  string // of a rejection
	Reason      string
	UpdatedAt   time.Time
}

// Event is one line of an application's history.
type Event struct {
	ApplicationID int64
	At            time.Time
	Status        string
	ActorKind     string
	Note          string
	SMSTemplate   string
}

// Booking is a seat in a session.
type Booking struct {
	ID          int64
	SessionID   int64
	CandidateID int64
	Seat        int
	TicketNo    string
	Status      string
	ReplacesID  int64
	CreatedAt   time.Time
	ChangedAt   time.Time
	CheckedInAt time.Time
}

// Sitting is the proctor's record of a booking on exam day.
type Sitting struct {
	BookingID, SessionID, CentreID, RoomID int64
	CandidateID, ApplicationID             int64
	TicketNo                               string
	Seat                                   int
	Status                                 string // checked_in | absent
	Reason                                 string
	AttemptID                              int64
	Subjects                               []string
	At                                     time.Time
}

// Attempt is a mock or formal paper with its graded sections (the demo
// stores the scores, not the individual questions).
type Attempt struct {
	ID          int64
	Kind        string
	CandidateID int64
	Ref         string
	Seed        int64
	Sections    []attempt.Section
	StartedAt   time.Time
	Deadline    time.Time
	SubmittedAt time.Time
	Passed      bool
}

// Result is one subject's formal result.
type Result struct {
	ID                              int64
	CandidateID, ApplicationID      int64
	AttemptID, SessionID, CentreID  int64
	Subject                         string
	Score, TotalPoints, PassPercent int
	Passed                          bool
	SatAt                           time.Time
}

// Qualification is a candidate qualified by their results.
type Qualification struct {
	ID                         int64
	CandidateID, ApplicationID int64
	At                         time.Time
	NationalID, RegionalID     int64
}

// Certificate is one issued certificate version.
type Certificate struct {
	ID            int64
	CandidateID   int64
	ApplicationID int64
	Kind          string
	Version       int
	LicenceID     string
	Holder        Person
	IssuedOn      time.Time // civil date, UTC midnight
	ExpiresOn     time.Time
	Status        string
	Reason        string
	ReplacedBy    int64
	At            time.Time
}

// Delivery is the parcel of an application's certificates.
type Delivery struct {
	ID            int64
	ApplicationID int64
	CandidateID   int64
	Method        string
	Status        string
	OfficeID      int64
	Holder        Person
	Waybill       string
	CreatedAt     time.Time
	DispatchedAt  time.Time
	DeliveredAt   time.Time
	ArrivedAt     time.Time
	CollectedAt   time.Time
}

// Message is one SMS (or postal order) already sent.
type Message struct {
	Topic       string
	DedupeKey   string
	Template    string
	CandidateID int64
	Phone       string
	Params      map[string]string
	Order       any // postal orders: the order, stored as the payload
	At          time.Time
}

// PracticeSession is one practice session started.
type PracticeSession struct {
	CandidateID int64
	Mode        string
	ChapterID   int64
	Day         string
	StartedAt   time.Time
}

// HourCount is a counter of one UTC hour (practice answers, QR scans).
type HourCount struct {
	Hour       time.Time
	Key        int64 // channel id for scans
	N, Correct int64
}

// World is everything one run writes.
type World struct {
	Channels       []Channel
	Offices        []Office
	Centres        []Centre
	Sessions       []*Session
	Platforms      []Platform
	Candidates     []Candidate
	Applications   []*Application
	Events         []Event
	Bookings       []*Booking
	Sittings       []Sitting
	Attempts       []Attempt
	Results        []Result
	Qualifications []Qualification
	Certificates   []*Certificate
	Deliveries     []*Delivery
	Messages       []Message
	Practice       []PracticeSession
	Answers        []HourCount
	Scans          []HourCount
	BlueprintID    int64
	Authority      string // printed on the certificates
}

// Bank is what the generator refers to in the question bank (zero when
// the bank is empty).
type Bank struct {
	BlueprintID int64
	ChapterIDs  []int64
}
