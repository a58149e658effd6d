// Package proctoringdb stores exam-day state in SQL: terminals, sittings
// (one per booking: checked in, refused or absent, with the terminal and
// attempt), session runs and incident notes.
//
// Uniqueness does the concurrency work: a sitting's primary key is its
// booking, so two proctors deciding at once record one decision; an active
// terminal's (room, seat) and a pending terminal's code are unique keys
// (NULL once no longer active / pending); a run's primary key is its session.
package proctoringdb

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/exam/proctoring"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

// Migrations of the exam-day tables (IDs 720-759).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 720, Name: "create exam_terminals, exam_sittings, exam_session_runs, exam_incidents", Up: func(tx *gorm.DB) error {
		// Snapshot of the rows as of this migration.
		type examTerminal struct {
			ID             int64   `gorm:"primaryKey"`
			Status         string  `gorm:"size:16;not null"`
			PendingCode    *string `gorm:"size:8;uniqueIndex:ux_exam_terminals_code"`
			CredentialHash string  `gorm:"size:64;not null;uniqueIndex:ux_exam_terminals_cred"`
			CentreID       int64   `gorm:"not null;default:0;index:ix_exam_terminals_centre"`
			RoomID         int64   `gorm:"not null;default:0;uniqueIndex:ux_exam_terminals_seat,priority:1"`
			Seat           int     `gorm:"not null;default:0"`
			ActiveSeat     *int    `gorm:"uniqueIndex:ux_exam_terminals_seat,priority:2"`
			Name           string  `gorm:"size:50;not null;default:''"`
			CreatedAt      time.Time
			EnrolledAt     *time.Time
			EnrolledBy     int64 `gorm:"not null;default:0"`
			RevokedAt      *time.Time
			LastSeenAt     *time.Time
		}
		type examSitting struct {
			BookingID     int64  `gorm:"primaryKey;autoIncrement:false"`
			SessionID     int64  `gorm:"not null;index:ix_exam_sittings_session"`
			CentreID      int64  `gorm:"not null"`
			RoomID        int64  `gorm:"not null"`
			CandidateID   int64  `gorm:"not null;index:ix_exam_sittings_cand"`
			ApplicationID int64  `gorm:"not null"`
			TicketNo      string `gorm:"size:32;not null"`
			Seat          int    `gorm:"not null"`
			Status        string `gorm:"size:16;not null"`
			Reason        string `gorm:"size:2000;not null;default:''"`
			TerminalID    int64  `gorm:"not null;default:0"`
			AttemptID     int64  `gorm:"not null;default:0;index:ix_exam_sittings_attempt"`
			Subjects      string `gorm:"size:64;not null;default:''"`
			CheckedInAt   time.Time
			CheckedInBy   int64 `gorm:"not null;default:0"`
			Version       int   `gorm:"not null;default:1"`
		}
		type examSessionRun struct {
			SessionID int64 `gorm:"primaryKey;autoIncrement:false"`
			CentreID  int64 `gorm:"not null"`
			StartedAt time.Time
			StartedBy int64 `gorm:"not null"`
			EndedAt   *time.Time
			EndedBy   int64 `gorm:"not null;default:0"`
		}
		type examIncident struct {
			ID        int64  `gorm:"primaryKey"`
			SessionID int64  `gorm:"not null;index:ix_exam_incidents_session"`
			BookingID int64  `gorm:"not null;default:0"`
			Note      string `gorm:"type:text;not null"`
			ByID      int64  `gorm:"not null"`
			At        time.Time
		}
		return sqldb.CreateTables(tx, &examTerminal{}, &examSitting{}, &examSessionRun{}, &examIncident{})
	}}, {ID: 721, Name: "exam_session_runs: changes (per-node caches of sittings and terminals follow it)", Up: func(tx *gorm.DB) error {
		type examSessionRun struct {
			Changes int64 `gorm:"not null;default:0"`
		}
		if tx.Migrator().HasColumn(&examSessionRun{}, "Changes") {
			return nil
		}
		return tx.Migrator().AddColumn(&examSessionRun{}, "Changes")
	}}}
}

type terminalRow struct {
	ID             int64 `gorm:"primaryKey"`
	Status         string
	PendingCode    *string
	CredentialHash string
	CentreID       int64
	RoomID         int64
	Seat           int
	ActiveSeat     *int
	Name           string
	CreatedAt      time.Time
	EnrolledAt     *time.Time
	EnrolledBy     int64
	RevokedAt      *time.Time
	LastSeenAt     *time.Time
}

func (terminalRow) TableName() string { return "exam_terminals" }

type sittingRow struct {
	BookingID     int64 `gorm:"primaryKey;autoIncrement:false"`
	SessionID     int64
	CentreID      int64
	RoomID        int64
	CandidateID   int64
	ApplicationID int64
	TicketNo      string
	Seat          int
	Status        string
	Reason        string
	TerminalID    int64
	AttemptID     int64
	Subjects      string
	CheckedInAt   time.Time
	CheckedInBy   int64
	Version       int
}

func (sittingRow) TableName() string { return "exam_sittings" }

type runRow struct {
	SessionID int64 `gorm:"primaryKey;autoIncrement:false"`
	CentreID  int64
	StartedAt time.Time
	StartedBy int64
	EndedAt   *time.Time
	EndedBy   int64
	Changes   int64 // migration 721: bumped by every change a node may have cached
}

func (runRow) TableName() string { return "exam_session_runs" }

type incidentRow struct {
	ID        int64 `gorm:"primaryKey"`
	SessionID int64
	BookingID int64
	Note      string
	ByID      int64
	At        time.Time
}

func (incidentRow) TableName() string { return "exam_incidents" }

// Store implements proctoring.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ proctoring.Store = (*Store)(nil)

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case sqldb.IsNotFound(err):
		return apperr.ErrNotFound
	case sqldb.IsDuplicate(err):
		return apperr.ErrDuplicate
	}
	return err
}

func toTerminal(r terminalRow) proctoring.Terminal {
	t := proctoring.Terminal{ID: r.ID, Status: r.Status, CentreID: r.CentreID, RoomID: r.RoomID, Seat: r.Seat, Name: r.Name,
		CreatedAt: r.CreatedAt.UTC(), EnrolledAt: deref(r.EnrolledAt), EnrolledBy: r.EnrolledBy, RevokedAt: deref(r.RevokedAt), LastSeenAt: deref(r.LastSeenAt)}
	if r.PendingCode != nil {
		t.Code = *r.PendingCode
	}
	return t
}

func (s *Store) CreateTerminal(ctx context.Context, t *proctoring.Terminal, credentialHash string) error {
	code := t.Code
	r := terminalRow{Status: t.Status, PendingCode: &code, CredentialHash: credentialHash, CreatedAt: t.CreatedAt.UTC()}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	t.ID = r.ID
	return nil
}

func (s *Store) terminal(ctx context.Context, where string, args ...any) (proctoring.Terminal, error) {
	var r terminalRow
	if err := s.db.Conn(ctx).Where(where, args...).Take(&r).Error; err != nil {
		return proctoring.Terminal{}, translate(err)
	}
	return toTerminal(r), nil
}

func (s *Store) TerminalByCredential(ctx context.Context, h string) (proctoring.Terminal, error) {
	return s.terminal(ctx, "credential_hash = ?", h)
}

func (s *Store) TerminalByID(ctx context.Context, id int64) (proctoring.Terminal, error) {
	return s.terminal(ctx, "id = ?", id)
}

func (s *Store) PendingTerminalByCode(ctx context.Context, code string, since time.Time) (proctoring.Terminal, error) {
	return s.terminal(ctx, "pending_code = ? AND status = ? AND created_at >= ?", code, proctoring.TerminalPending, since.UTC())
}

func (s *Store) ActiveTerminalAt(ctx context.Context, roomID int64, seat int) (proctoring.Terminal, error) {
	return s.terminal(ctx, "room_id = ? AND active_seat = ?", roomID, seat)
}

func (s *Store) UpdateTerminal(ctx context.Context, t proctoring.Terminal) error {
	var code *string
	var activeSeat *int
	switch t.Status {
	case proctoring.TerminalPending:
		code = &t.Code
	case proctoring.TerminalActive:
		activeSeat = &t.Seat
	}
	err := s.db.Conn(ctx).Model(&terminalRow{}).Where("id = ?", t.ID).Updates(map[string]any{
		"status": t.Status, "pending_code": code, "centre_id": t.CentreID, "room_id": t.RoomID, "seat": t.Seat, "active_seat": activeSeat,
		"name": t.Name, "enrolled_at": timePtr(t.EnrolledAt), "enrolled_by": t.EnrolledBy, "revoked_at": timePtr(t.RevokedAt)}).Error
	if err != nil {
		return translate(err)
	}
	if t.Status == proctoring.TerminalRevoked && t.CentreID != 0 {
		// A node may hold the terminal as active for a sitting of one of
		// the centre's open sessions: their change counters tell it.
		return s.db.Conn(ctx).Model(&runRow{}).Where("centre_id = ? AND ended_at IS NULL", t.CentreID).
			Update("changes", gorm.Expr("changes + 1")).Error
	}
	return nil
}

func (s *Store) SeenTerminal(ctx context.Context, id int64, at time.Time) error {
	return s.db.Conn(ctx).Model(&terminalRow{}).Where("id = ?", id).Update("last_seen_at", at.UTC()).Error
}

func (s *Store) SeenTerminals(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return s.db.Conn(ctx).Model(&terminalRow{}).Where("id IN ? AND (last_seen_at IS NULL OR last_seen_at < ?)", ids, at.UTC()).
		Update("last_seen_at", at.UTC()).Error
}

func (s *Store) Terminals(ctx context.Context, centreID int64) ([]proctoring.Terminal, error) {
	q := s.db.Conn(ctx).Where("status = ?", proctoring.TerminalActive)
	if centreID != 0 {
		q = q.Where("centre_id = ?", centreID)
	}
	var rows []terminalRow
	if err := q.Order("room_id, seat").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]proctoring.Terminal, len(rows))
	for i, r := range rows {
		out[i] = toTerminal(r)
	}
	return out, nil
}

func joinSubjects(s []questionbank.Subject) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

func splitSubjects(s string) []questionbank.Subject {
	if s == "" {
		return nil
	}
	var out []questionbank.Subject
	for _, p := range strings.Split(s, ",") {
		out = append(out, questionbank.Subject(p))
	}
	return out
}

func toSittingRow(s proctoring.Sitting) sittingRow {
	return sittingRow{BookingID: s.BookingID, SessionID: s.SessionID, CentreID: s.CentreID, RoomID: s.RoomID, CandidateID: s.CandidateID,
		ApplicationID: s.ApplicationID, TicketNo: s.TicketNo, Seat: s.Seat, Status: s.Status, Reason: s.Reason, TerminalID: s.TerminalID,
		AttemptID: s.AttemptID, Subjects: joinSubjects(s.Subjects), CheckedInAt: s.CheckedInAt.UTC(), CheckedInBy: s.CheckedInBy, Version: s.Version}
}

func toSitting(r sittingRow) proctoring.Sitting {
	return proctoring.Sitting{BookingID: r.BookingID, SessionID: r.SessionID, CentreID: r.CentreID, RoomID: r.RoomID, CandidateID: r.CandidateID,
		ApplicationID: r.ApplicationID, TicketNo: r.TicketNo, Seat: r.Seat, Status: r.Status, Reason: r.Reason, TerminalID: r.TerminalID,
		AttemptID: r.AttemptID, Subjects: splitSubjects(r.Subjects), CheckedInAt: r.CheckedInAt.UTC(), CheckedInBy: r.CheckedInBy, Version: r.Version}
}

func (s *Store) CreateSitting(ctx context.Context, st proctoring.Sitting) error {
	r := toSittingRow(st)
	return translate(s.db.Conn(ctx).Create(&r).Error)
}

func (s *Store) sitting(ctx context.Context, where string, args ...any) (proctoring.Sitting, error) {
	var r sittingRow
	if err := s.db.Conn(ctx).Where(where, args...).Take(&r).Error; err != nil {
		return proctoring.Sitting{}, translate(err)
	}
	return toSitting(r), nil
}

func (s *Store) Sitting(ctx context.Context, bookingID int64) (proctoring.Sitting, error) {
	return s.sitting(ctx, "booking_id = ?", bookingID)
}

func (s *Store) SittingByAttempt(ctx context.Context, attemptID int64) (proctoring.Sitting, error) {
	return s.sitting(ctx, "attempt_id = ?", attemptID)
}

func (s *Store) OpenSittingOf(ctx context.Context, candidateID int64) (proctoring.Sitting, error) {
	var r struct {
		Row        sittingRow `gorm:"embedded"`
		RunChanges int64
	}
	// One statement: the sitting and its run's change counter are one snapshot.
	err := s.db.Conn(ctx).Table("exam_sittings AS s").Select("s.*, r.changes AS run_changes").
		Joins("JOIN exam_session_runs r ON r.session_id = s.session_id AND r.ended_at IS NULL").
		Where("s.candidate_id = ? AND s.status = ?", candidateID, proctoring.SittingCheckedIn).
		Order("s.checked_in_at DESC").Take(&r).Error
	if err != nil {
		return proctoring.Sitting{}, translate(err)
	}
	st := toSitting(r.Row)
	st.RunChanges = r.RunChanges
	return st, nil
}

func (s *Store) SittingsOf(ctx context.Context, sessionID int64) ([]proctoring.Sitting, error) {
	var rows []sittingRow
	if err := s.db.Conn(ctx).Where("session_id = ?", sessionID).Order("seat").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]proctoring.Sitting, len(rows))
	for i, r := range rows {
		out[i] = toSitting(r)
	}
	return out, nil
}

func (s *Store) UpdateSitting(ctx context.Context, st *proctoring.Sitting) error {
	res := s.db.Conn(ctx).Model(&sittingRow{}).Where("booking_id = ? AND version = ?", st.BookingID, st.Version).Updates(map[string]any{
		"status": st.Status, "reason": st.Reason, "terminal_id": st.TerminalID, "attempt_id": st.AttemptID,
		"subjects": joinSubjects(st.Subjects), "version": st.Version + 1})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.ErrVersionConflict
	}
	st.Version++
	// Every node's cached copy of the session's sittings is dropped at its next poll.
	return s.db.Conn(ctx).Model(&runRow{}).Where("session_id = ?", st.SessionID).Update("changes", gorm.Expr("changes + 1")).Error
}

func (s *Store) StartRun(ctx context.Context, r proctoring.Run) error {
	row := runRow{SessionID: r.SessionID, CentreID: r.CentreID, StartedAt: r.StartedAt.UTC(), StartedBy: r.StartedBy}
	return translate(s.db.Conn(ctx).Create(&row).Error)
}

func (s *Store) Run(ctx context.Context, sessionID int64) (proctoring.Run, error) {
	var r runRow
	if err := s.db.Conn(ctx).Take(&r, "session_id = ?", sessionID).Error; err != nil {
		return proctoring.Run{}, translate(err)
	}
	return proctoring.Run{SessionID: r.SessionID, CentreID: r.CentreID, StartedAt: r.StartedAt.UTC(), StartedBy: r.StartedBy,
		EndedAt: deref(r.EndedAt), EndedBy: r.EndedBy}, nil
}

func (s *Store) EndRun(ctx context.Context, sessionID int64, by int64, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&runRow{}).Where("session_id = ? AND ended_at IS NULL", sessionID).
		Updates(map[string]any{"ended_at": at.UTC(), "ended_by": by, "changes": gorm.Expr("changes + 1")})
	return res.RowsAffected == 1, res.Error
}

func (s *Store) RunChanges(ctx context.Context, sessionIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(sessionIDs))
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID int64
		Changes   int64
	}
	if err := s.db.Conn(ctx).Model(&runRow{}).Select("session_id, changes").Where("session_id IN ?", sessionIDs).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.SessionID] = r.Changes
	}
	return out, nil
}

func (s *Store) AddIncident(ctx context.Context, in *proctoring.Incident) error {
	r := incidentRow{SessionID: in.SessionID, BookingID: in.BookingID, Note: in.Note, ByID: in.By, At: in.At.UTC()}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	in.ID = r.ID
	return nil
}

func (s *Store) Incidents(ctx context.Context, sessionID int64) ([]proctoring.Incident, error) {
	var rows []incidentRow
	if err := s.db.Conn(ctx).Where("session_id = ?", sessionID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]proctoring.Incident, len(rows))
	for i, r := range rows {
		out[i] = proctoring.Incident{ID: r.ID, SessionID: r.SessionID, BookingID: r.BookingID, Note: r.Note, By: r.ByID, At: r.At.UTC()}
	}
	return out, nil
}
