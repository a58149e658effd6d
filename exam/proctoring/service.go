package proctoring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// Store persists terminals, sittings, runs and incidents (proctoringdb).
// Every method joins the transaction carried by ctx.
type Store interface {
	// CreateTerminal inserts a pending terminal with its credential hash;
	// a clash of the enrolment code among pending terminals is apperr.ErrDuplicate.
	CreateTerminal(ctx context.Context, t *Terminal, credentialHash string) error
	TerminalByCredential(ctx context.Context, credentialHash string) (Terminal, error)
	TerminalByID(ctx context.Context, id int64) (Terminal, error)
	PendingTerminalByCode(ctx context.Context, code string, since time.Time) (Terminal, error)
	// ActiveTerminalAt finds the active terminal at a room's seat.
	ActiveTerminalAt(ctx context.Context, roomID int64, seat int) (Terminal, error)
	// UpdateTerminal saves status, binding and revocation (a duplicate
	// active seat is apperr.ErrDuplicate).
	UpdateTerminal(ctx context.Context, t Terminal) error
	// SeenTerminal notes that the terminal called, at most every few seconds.
	SeenTerminal(ctx context.Context, id int64, at time.Time) error
	// SeenTerminals is SeenTerminal for many terminals in one statement
	// (a node's buffer of terminals heard from since its last flush).
	SeenTerminals(ctx context.Context, ids []int64, at time.Time) error
	Terminals(ctx context.Context, centreID int64) ([]Terminal, error)

	// CreateSitting inserts the sitting of a booking (apperr.ErrDuplicate if it has one).
	CreateSitting(ctx context.Context, s Sitting) error
	Sitting(ctx context.Context, bookingID int64) (Sitting, error)
	SittingByAttempt(ctx context.Context, attemptID int64) (Sitting, error)
	// OpenSittingOf is the candidate's checked-in sitting of a session
	// started and not ended, with its run's change counter (RunChanges)
	// read in the same statement.
	OpenSittingOf(ctx context.Context, candidateID int64) (Sitting, error)
	SittingsOf(ctx context.Context, sessionID int64) ([]Sitting, error)
	// UpdateSitting saves the sitting if its version is unchanged
	// (apperr.ErrVersionConflict otherwise) and bumps the version.
	UpdateSitting(ctx context.Context, s *Sitting) error

	// StartRun records the start; apperr.ErrDuplicate when already started.
	StartRun(ctx context.Context, r Run) error
	Run(ctx context.Context, sessionID int64) (Run, error)
	// EndRun records the end; false when it had ended already.
	EndRun(ctx context.Context, sessionID int64, by int64, at time.Time) (bool, error)
	// RunChanges reads the change counters of the sessions' runs. The store
	// bumps a run's counter with every change a node may hold in its cache:
	// any sitting update of the session (a move, the terminal bound at
	// login, the attempt started), the end, the revocation of a terminal of
	// the centre.
	RunChanges(ctx context.Context, sessionIDs []int64) (map[int64]int64, error)

	AddIncident(ctx context.Context, i *Incident) error
	Incidents(ctx context.Context, sessionID int64) ([]Incident, error)
}

// Bookings is what exam day needs from booking: sessions, rooms, the
// booked candidates and the ticket signature; and it tells booking about
// check-ins and the end of a session so its own statuses follow.
type Bookings interface {
	Session(ctx context.Context, id int64) (ExamSession, error)
	// SessionsOf lists a centre's sessions starting in [from, to).
	SessionsOf(ctx context.Context, centreID int64, from, to time.Time) ([]ExamSession, error)
	Room(ctx context.Context, id int64) (Room, error)
	Rooms(ctx context.Context, centreID int64) ([]Room, error)
	Roster(ctx context.Context, sessionID int64) ([]Booked, error)
	// ByTicket finds the booking a ticket number names (apperr.ErrNotFound if none).
	ByTicket(ctx context.Context, ticketNo string) (Booked, error)
	// VerifyTicket checks a scanned QR code's signature and returns its ticket number.
	VerifyTicket(code string) (string, error)
	CheckedIn(ctx context.Context, bookingID int64) error
	// Started and Closed move the session's status (closing marks who never
	// came absent and who sat as sat).
	Started(ctx context.Context, sessionID int64) error
	Closed(ctx context.Context, sessionID int64) error
}

// Attempts is the attempt engine (exam/attempt) for kind formal.
type Attempts interface {
	Start(ctx context.Context, spec attempt.Spec) (attempt.Attempt, error)
	Get(ctx context.Context, id int64) (attempt.Attempt, error)
	View(ctx context.Context, kind attempt.Kind, id int64) (attempt.View, error)
	SaveAnswer(ctx context.Context, kind attempt.Kind, attemptID, questionID int64, a attempt.Answer) (attempt.Saved, error)
	Submit(ctx context.Context, kind attempt.Kind, id int64) (attempt.View, error)
	Extend(ctx context.Context, id int64, by time.Duration) (attempt.Attempt, error)
	ForceSubmit(ctx context.Context, id int64) (attempt.Attempt, error)
	Progress(ctx context.Context, ids []int64) (map[int64]attempt.Counts, error)
}

// Subjects says which subjects a candidate must sit (exam/results).
type Subjects interface {
	MustSit(ctx context.Context, candidateID int64, at time.Time) ([]questionbank.Subject, error)
}

// Logins opens the exam-terminal session of a candidate whose ticket and
// ID number were checked here (internal/auth).
type Logins interface {
	OpenExamSession(ctx context.Context, candidateID int64, ip, userAgent string) (token string, err error)
}

// Photos reads an application's registration photo.
type Photos interface {
	Photo(ctx context.Context, applicationID int64) ([]byte, string, error)
}

// Auditor records staff actions inside their transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config holds the exam-day rules.
type Config struct {
	Location *time.Location
	// LateEntry: no entry this long after the session's start.
	LateEntry time.Duration
	// IdleAfter: a candidate with no answer for this long shows as idle.
	IdleAfter time.Duration
	// DisconnectedAfter: a terminal not heard from for this long shows as disconnected.
	DisconnectedAfter time.Duration
	// EnrolmentTTL: how long an enrolment code waits for a proctor.
	EnrolmentTTL time.Duration
}

// DefaultConfig is the embedded default.
func DefaultConfig() Config {
	return Config{Location: time.UTC, LateEntry: 15 * time.Minute, IdleAfter: 10 * time.Minute, DisconnectedAfter: 45 * time.Second, EnrolmentTTL: 30 * time.Minute}
}

// Deps are the collaborators of the service.
type Deps struct {
	Store    Store
	Bookings Bookings
	Attempts Attempts
	Subjects Subjects
	Logins   Logins
	Photos   Photos
	Audit    Auditor
	Tx       Transactor
	Clock    clock.Clock
}

// Service is exam day.
type Service struct {
	Deps
	cfg   Config
	cache *nodeCache
}

// NewService wires exam day.
func NewService(d Deps, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{Deps: d, cfg: cfg, cache: newNodeCache(cacheSize, cfg.DisconnectedAfter/3)}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func hashCredential(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// staff is the calling proctor or bureau admin. A proctor is bound to one
// centre; a bureau admin may see every centre (centre 0).
func staff(ctx context.Context) (id, centre int64, err error) {
	a, err := reqctx.Staff(ctx, reqctx.RoleProctor, reqctx.RoleBureauAdmin)
	if err != nil {
		return 0, 0, err
	}
	centre, err = a.Centre()
	return a.UserID, centre, err
}

// ownSession loads a session of the caller's centre; another centre's is
// "not found", so guessing ids reveals nothing.
func (s *Service) ownSession(ctx context.Context, sessionID int64) (ExamSession, int64, error) {
	by, centre, err := staff(ctx)
	if err != nil {
		return ExamSession{}, 0, err
	}
	v, err := s.Bookings.Session(ctx, sessionID)
	if err != nil {
		return ExamSession{}, 0, err
	}
	if centre != 0 && v.CentreID != centre {
		return ExamSession{}, 0, apperr.ErrNotFound
	}
	return v, by, nil
}

// ownSitting loads a sitting of a session of the caller's centre.
func (s *Service) ownSitting(ctx context.Context, sessionID, bookingID int64) (ExamSession, Sitting, int64, error) {
	v, by, err := s.ownSession(ctx, sessionID)
	if err != nil {
		return ExamSession{}, Sitting{}, 0, err
	}
	st, err := s.Store.Sitting(ctx, bookingID)
	if err != nil {
		return ExamSession{}, Sitting{}, 0, err
	}
	if st.SessionID != v.ID {
		return ExamSession{}, Sitting{}, 0, apperr.ErrNotFound
	}
	return v, st, by, nil
}

func checkReason(reason string, required bool) error {
	n := len([]rune(reason))
	if required && n == 0 {
		return apperr.Invalid(apperr.Fields{"reason": apperr.Required()})
	}
	if n > 500 {
		return apperr.Invalid(apperr.Fields{"reason": apperr.MaxChars(500)})
	}
	return nil
}
