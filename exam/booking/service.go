// Package booking is the step between the police check and the exam
// (考前自选): exam centres with rooms and numbered seats, sessions and their
// status machine, self-chosen bookings with the bureau's rules, waitlists
// with held offers, preference rounds for fair release, signed admission
// tickets, and the no-show sweep.
//
// Seats are counted by SQL, never in memory: a booking is one conditional
// UPDATE of the session's counter plus unique keys (one active booking per
// candidate, one per seat), in the transaction that writes the booking row
// and its SMS (outbox). A reschedule is cancel + book in one transaction.
//
// The package knows neither HTTP nor SQL: it declares Store, Eligibility,
// People, Notifier, Limiter, Durations, Signer, Auditor and Transactor, and
// cmd/examd plugs in bookingdb, registration, the outbox, Redis, the
// question bank, the signing keyring and the audit log.
package booking

import (
	"context"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
)

// Store persists centres, rooms, sessions, bookings, waitlists and rounds
// (bookingdb). Update* load the row for update, let fn change it and save
// it, in one transaction.
type Store interface {
	CreateCentre(ctx context.Context, c *Centre) error
	UpdateCentre(ctx context.Context, id int64, fn func(*Centre) error) (Centre, error)
	CentreByID(ctx context.Context, id int64) (Centre, error)
	ListCentres(ctx context.Context, includeDisabled bool) ([]Centre, error)

	// CreateRoom writes the room with its seats.
	CreateRoom(ctx context.Context, r *Room) error
	// UpdateRoom saves the name and replaces the seats.
	UpdateRoom(ctx context.Context, id int64, fn func(*Room) error) (Room, error)
	RoomByID(ctx context.Context, id int64) (Room, error)
	RoomsOf(ctx context.Context, centreID int64) ([]Room, error)
	// LiveSessionsInRoom counts the room's sessions not closed or cancelled.
	LiveSessionsInRoom(ctx context.Context, roomID int64) (int64, error)

	// CreateSession returns ErrSessionClash when the room already has a
	// session starting at that time.
	CreateSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id int64) (SessionView, error)
	UpdateSession(ctx context.Context, id int64, fn func(*Session) error) (Session, error)
	DeleteSession(ctx context.Context, id int64) error
	ListSessions(ctx context.Context, f SessionFilter) ([]SessionView, int64, error)
	// SessionAt reports whether the room has a session starting at t.
	SessionAt(ctx context.Context, roomID int64, t time.Time) (bool, error)

	// TakeSeat is the one conditional UPDATE that books a seat: booked+1
	// when the session is published, first-come, starts after notBefore
	// and booked+held < capacity. False: nothing changed. ordinal is the
	// session's seat counter after the update (1, 2, 3, ...; it only
	// grows): the ordinal-th open seat is the one to try first.
	TakeSeat(ctx context.Context, sessionID int64, notBefore time.Time) (ordinal int, ok bool, err error)
	// TakeHeldSeat turns a seat held for a waitlist offer into a booking.
	TakeHeldSeat(ctx context.Context, sessionID int64) (bool, error)
	// ReleaseSeat gives a booked seat back; hold=true keeps it held for a
	// waitlist offer instead of freeing it.
	ReleaseSeat(ctx context.Context, sessionID int64, hold bool) error
	// DropHeldSeat frees a held seat nobody took.
	DropHeldSeat(ctx context.Context, sessionID int64) error
	// FreeSeatNumber is the lowest open seat of the room no active booking
	// of the session holds. Callers hold the session row lock (TakeSeat).
	FreeSeatNumber(ctx context.Context, sessionID, roomID int64) (int, error)
	// OpenSeats are the numbers of the room's seats that are not
	// disabled, in order.
	OpenSeats(ctx context.Context, roomID int64) ([]int, error)

	// InsertBooking returns ErrAlreadyBooked when the candidate already
	// holds an active booking, ErrSeatTaken when another active booking
	// of the session holds its seat.
	InsertBooking(ctx context.Context, b *Booking) error
	BookingByID(ctx context.Context, id int64) (Booking, error)
	BookingByTicket(ctx context.Context, ticketNo string) (Booking, error)
	// ActiveBooking is the candidate's booking that holds a seat
	// (apperr.ErrNotFound when none).
	ActiveBooking(ctx context.Context, candidateID int64) (Booking, error)
	// LatestBooking is the candidate's most recent booking of any status.
	LatestBooking(ctx context.Context, candidateID int64) (Booking, error)
	BookingsOf(ctx context.Context, candidateID int64, limit int) ([]Booking, error)
	// SetBookingStatus moves a booking from one of from to to, only if it
	// is still in one of from (false: it was not). A status that does not
	// hold a seat frees the unique keys.
	SetBookingStatus(ctx context.Context, id int64, from []BookingStatus, to BookingStatus, at time.Time) (bool, error)
	// ReleasesSince lists when the candidate cancelled or rescheduled a
	// booking at or after since, oldest first.
	ReleasesSince(ctx context.Context, candidateID int64, since time.Time) ([]time.Time, error)
	SessionBookings(ctx context.Context, sessionID int64, statuses []BookingStatus) ([]Booking, error)
	// CloseBookings marks every booked (not checked-in) booking of the
	// session absent and every checked-in one sat.
	CloseBookings(ctx context.Context, sessionID int64, at time.Time) (absent int64, err error)
	// CancelSessionBookings moves every active booking of the session to
	// session_cancelled and returns them; the session's counters go to 0.
	CancelSessionBookings(ctx context.Context, sessionID int64, at time.Time) ([]Booking, error)
	// DueToClose lists live sessions that ended before now.
	DueToClose(ctx context.Context, now time.Time, limit int) ([]Session, error)

	// AddWaiter returns ErrAlreadyWaiting for a second open entry.
	AddWaiter(ctx context.Context, w *Waiter) error
	WaiterByID(ctx context.Context, id int64) (Waiter, error)
	OpenWaitersOf(ctx context.Context, candidateID int64) ([]Waiter, error)
	// NextWaiter is the first waiting entry of the session (priority
	// first, then joining order); ok=false when the list is empty.
	NextWaiter(ctx context.Context, sessionID int64) (w Waiter, ok bool, err error)
	// SetWaiter moves an entry from from to to (with the offer's expiry),
	// only if it is still in from.
	SetWaiter(ctx context.Context, id int64, from, to WaiterStatus, offerExpires time.Time) (bool, error)
	// WaitersAhead counts the open entries before w in its session's order.
	WaitersAhead(ctx context.Context, w Waiter) (int, error)
	// ExpiredOffers lists offers whose hold ended before now.
	ExpiredOffers(ctx context.Context, now time.Time, limit int) ([]Waiter, error)
	// CloseWaiters ends every open entry of the session (left).
	CloseWaiters(ctx context.Context, sessionID int64) error

	// DayStats counts sessions and bookings per centre and local day.
	DayStats(ctx context.Context, from, to time.Time, loc *time.Location) ([]DayStat, error)

	RoundStore
}

// EligibilityChecker answers "may this candidate book, and for which
// subjects" (registration today, the formal exam's subject results later).
type EligibilityChecker interface {
	Eligibility(ctx context.Context, candidateID int64) (Eligibility, error)
}

// People gives what a ticket and an SMS show about a candidate.
type People interface {
	Person(ctx context.Context, candidateID int64) (Person, error)
}

// Notifier queues SMS through the outbox in the caller's transaction and
// withdraws a scheduled one that must no longer go out (an old reminder).
type Notifier interface {
	EnqueueSMS(ctx context.Context, m notify.SMS) (int64, error)
	Withdraw(ctx context.Context, dedupeKey string) error
}

// Limiter is the cross-node rate limiter (Redis): at most limit events per
// window for key; retryAfter is set when refused.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Durations gives the length of a formal sitting from the question bank's
// formal blueprint.
type Durations interface {
	FormalMinutes(ctx context.Context) (int, error)
}

// Signer signs and verifies ticket codes (internal/platform/signing).
type Signer interface {
	Sign(msg []byte) (keyID string, sig []byte)
	Verify(keyID string, msg, sig []byte) error
}

// Auditor records staff actions inside their transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config holds the bureau's booking rules.
type Config struct {
	Location *time.Location
	// Cutoff: booking, rescheduling and cancelling close this long before
	// the session starts.
	Cutoff time.Duration
	// MaxReleases cancellations or reschedules within ReleaseWindow make
	// the candidate wait CoolingOff after the last one before booking again.
	MaxReleases   int
	ReleaseWindow time.Duration
	CoolingOff    time.Duration
	// OfferHold is how long a freed seat is held for a waitlisted candidate.
	OfferHold time.Duration
	// ReminderAt is the local time of day, on the day before the session,
	// when the exam-eve reminder goes out.
	ReminderAt time.Duration
	// Rate limits of booking writes (per candidate and per client IP).
	PerCandidatePerMinute int
	PerIPPerMinute        int
	// Bring is what the ticket tells the candidate to bring.
	Bring string
	// PublicURL is where SMS links point (the waitlist offer).
	PublicURL string
}

// Service implements booking.
type Service struct {
	store     Store
	elig      EligibilityChecker
	people    People
	notify    Notifier
	limit     Limiter
	durations Durations
	signer    Signer
	audit     Auditor
	tx        Transactor
	clock     clock.Clock
	cfg       Config
}

// Deps are the collaborators of the service.
type Deps struct {
	Store       Store
	Eligibility EligibilityChecker
	People      People
	Notifier    Notifier
	Limiter     Limiter
	Durations   Durations
	Signer      Signer
	Audit       Auditor
	Tx          Transactor
	Clock       clock.Clock
}

// DefaultConfig is the rule set of the issue (24 h, 3 in 90 days, 7 days).
func DefaultConfig() Config {
	return Config{Location: time.UTC, Cutoff: 24 * time.Hour, MaxReleases: 3, ReleaseWindow: 90 * 24 * time.Hour,
		CoolingOff: 7 * 24 * time.Hour, OfferHold: 2 * time.Hour, ReminderAt: 18 * time.Hour,
		PerCandidatePerMinute: 20, PerIPPerMinute: 600, Bring: "身份证原件"}
}

// NewService wires the service.
func NewService(d Deps, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	return &Service{store: d.Store, elig: d.Eligibility, people: d.People, notify: d.Notifier, limit: d.Limiter,
		durations: d.Durations, signer: d.Signer, audit: d.Audit, tx: d.Tx, clock: d.Clock, cfg: cfg}
}

// Rules are the booking rules as the candidate sees them before confirming.
type Rules struct {
	CutoffHours       int
	MaxReleases       int
	ReleaseWindowDays int
	CoolingOffDays    int
	OfferHoldMinutes  int
	Bring             string
}

// Rules returns the configured rules.
func (s *Service) Rules() Rules {
	return Rules{CutoffHours: int(s.cfg.Cutoff / time.Hour), MaxReleases: s.cfg.MaxReleases,
		ReleaseWindowDays: int(s.cfg.ReleaseWindow / (24 * time.Hour)), CoolingOffDays: int(s.cfg.CoolingOff / (24 * time.Hour)),
		OfferHoldMinutes: int(s.cfg.OfferHold / time.Minute), Bring: s.cfg.Bring}
}

// Location is the bureau's zone.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// rateLimit counts one booking write against the candidate's and the
// client IP's limits (Redis, so they hold across nodes).
func (s *Service) rateLimit(ctx context.Context, cid int64) error {
	if s.limit == nil {
		return nil
	}
	check := func(key string, n int) error {
		if n <= 0 {
			return nil
		}
		ok, retry, err := s.limit.Allow(ctx, key, n, time.Minute)
		if err != nil {
			return err
		}
		if !ok {
			return ErrRateLimited.WithRetryAfter(max(1, int(retry.Seconds()+0.5)))
		}
		return nil
	}
	if err := check("booking:cand:"+itoa(cid), s.cfg.PerCandidatePerMinute); err != nil {
		return err
	}
	if ip := reqctx.From(ctx).ClientIP; ip != "" {
		return check("booking:ip:"+ip, s.cfg.PerIPPerMinute)
	}
	return nil
}
