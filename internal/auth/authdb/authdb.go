// Package authdb stores staff accounts, candidates and sessions in SQL.
// Candidate phone numbers are encrypted, with a blind index for look-up.
package authdb

import (
	"context"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/auth"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

type staffRow struct {
	ID           int64  `gorm:"primaryKey"`
	Username     string `gorm:"size:32;not null;uniqueIndex"`
	DisplayName  string `gorm:"size:100;not null"`
	Role         string `gorm:"size:32;not null;index"`
	CentreID     int64  `gorm:"not null;default:0"`
	OfficeID     int64  `gorm:"not null;default:0"`
	PasswordHash string `gorm:"size:255;not null"`
	FailedLogins int    `gorm:"not null;default:0"`
	Lockouts     int    `gorm:"not null;default:0"`
	LockedUntil  *time.Time
	Disabled     bool `gorm:"not null;default:false"`
	Version      int  `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// MustChangePassword: the password was set by an admin (migration 131).
	MustChangePassword bool `gorm:"not null;default:false"`
}

func (staffRow) TableName() string { return "staff_users" }

type candidateRow struct {
	ID        int64  `gorm:"primaryKey"`
	PhoneEnc  string `gorm:"size:255;not null"`
	PhoneBidx string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
}

func (candidateRow) TableName() string { return "candidates" }

type sessionRow struct {
	ID        string    `gorm:"primaryKey;size:64"`
	Kind      string    `gorm:"size:16;not null;index:idx_sessions_user"`
	UserID    int64     `gorm:"not null;index:idx_sessions_user"`
	Role      string    `gorm:"size:32;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
	RevokedAt *time.Time
	IP        string `gorm:"size:64;not null"`
	UserAgent string `gorm:"size:255;not null"`
}

func (sessionRow) TableName() string { return "sessions" }

// Migrations of the auth tables.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 100, Name: "create staff_users, candidates, sessions", Up: func(tx *gorm.DB) error {
		// Snapshot of the rows as of this migration (the live structs change).
		type staffUser struct {
			ID           int64  `gorm:"primaryKey"`
			Username     string `gorm:"size:32;not null;uniqueIndex"`
			DisplayName  string `gorm:"size:100;not null"`
			Role         string `gorm:"size:32;not null;index"`
			CentreID     int64  `gorm:"not null;default:0"`
			OfficeID     int64  `gorm:"not null;default:0"`
			PasswordHash string `gorm:"size:255;not null"`
			FailedLogins int    `gorm:"not null;default:0"`
			Lockouts     int    `gorm:"not null;default:0"`
			LockedUntil  *time.Time
			Disabled     bool `gorm:"not null;default:false"`
			Version      int  `gorm:"not null;default:1"`
			CreatedAt    time.Time
			UpdatedAt    time.Time
		}
		type candidate struct {
			ID        int64  `gorm:"primaryKey"`
			PhoneEnc  string `gorm:"size:255;not null"`
			PhoneBidx string `gorm:"size:64;not null;uniqueIndex"`
			CreatedAt time.Time
		}
		type session struct {
			ID        string    `gorm:"primaryKey;size:64"`
			Kind      string    `gorm:"size:16;not null;index:idx_sessions_user"`
			UserID    int64     `gorm:"not null;index:idx_sessions_user"`
			Role      string    `gorm:"size:32;not null"`
			CreatedAt time.Time `gorm:"not null"`
			ExpiresAt time.Time `gorm:"not null;index"`
			RevokedAt *time.Time
			IP        string `gorm:"size:64;not null"`
			UserAgent string `gorm:"size:255;not null"`
		}
		return sqldb.CreateTables(tx, &staffUser{}, &candidate{}, &session{})
	}}, {ID: 130, Name: "create staff_mfa, staff_mfa_recovery_codes (TOTP second factor)", Up: migrateMFA},
		{ID: 131, Name: "add staff_users.must_change_password (a password an admin set is changed at the first login)", Up: m131}}
}

// m131Staff is staff_users' new column as of migration 131.
type m131Staff struct {
	MustChangePassword bool `gorm:"not null;default:false"`
}

func (m131Staff) TableName() string { return "staff_users" }

// m131 adds the flag; accounts made before it keep the password they have
// (false): nobody is locked out of a running system by the upgrade.
func m131(tx *gorm.DB) error {
	if tx.Migrator().HasColumn(&m131Staff{}, "MustChangePassword") {
		return nil
	}
	return tx.Migrator().AddColumn(&m131Staff{}, "MustChangePassword")
}

// Store implements auth.Store.
type Store struct {
	db  *sqldb.DB
	pii *pii.Protector
}

// New returns the store.
func New(db *sqldb.DB, p *pii.Protector) *Store { return &Store{db: db, pii: p} }

func toStaff(r staffRow) auth.StaffUser {
	u := auth.StaffUser{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Role: auth.Role(r.Role), CentreID: r.CentreID, OfficeID: r.OfficeID,
		PasswordHash: r.PasswordHash, FailedLogins: r.FailedLogins, Lockouts: r.Lockouts, Disabled: r.Disabled, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		MustChangePassword: r.MustChangePassword}
	if r.LockedUntil != nil {
		u.LockedUntil = *r.LockedUntil
	}
	return u
}

func fromStaff(u auth.StaffUser) staffRow {
	r := staffRow{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), CentreID: u.CentreID, OfficeID: u.OfficeID,
		PasswordHash: u.PasswordHash, FailedLogins: u.FailedLogins, Lockouts: u.Lockouts, Disabled: u.Disabled, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		MustChangePassword: u.MustChangePassword}
	if !u.LockedUntil.IsZero() && u.LockedUntil.Year() > 1970 {
		t := u.LockedUntil.UTC()
		r.LockedUntil = &t
	}
	return r
}

func notFound(err error) error {
	if sqldb.IsNotFound(err) {
		return apperr.ErrNotFound
	}
	return err
}

func (s *Store) CreateStaff(ctx context.Context, u *auth.StaffUser) error {
	r := fromStaff(*u)
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return auth.ErrUsernameTaken
		}
		return err
	}
	*u = toStaff(r)
	return nil
}

func (s *Store) StaffByUsername(ctx context.Context, username string) (auth.StaffUser, error) {
	var r staffRow
	if err := s.db.Conn(ctx).Where("username = ?", username).Take(&r).Error; err != nil {
		return auth.StaffUser{}, notFound(err)
	}
	return toStaff(r), nil
}

func (s *Store) StaffByID(ctx context.Context, id int64) (auth.StaffUser, error) {
	var r staffRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return auth.StaffUser{}, notFound(err)
	}
	return toStaff(r), nil
}

func (s *Store) UpdateStaff(ctx context.Context, id int64, fn func(*auth.StaffUser) error) (auth.StaffUser, error) {
	var out auth.StaffUser
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r staffRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		u := toStaff(r)
		if err := fn(&u); err != nil {
			return err
		}
		u.ID = id
		nr := fromStaff(u)
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&nr).Error; err != nil {
			return err
		}
		out = toStaff(nr)
		return nil
	})
	return out, err
}

func (s *Store) ListStaff(ctx context.Context, p auth.Page) ([]auth.StaffUser, int64, error) {
	var total int64
	q := s.db.Conn(ctx).Model(&staffRow{})
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []staffRow
	if err := q.Order("id").Offset(p.Offset).Limit(p.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]auth.StaffUser, len(rows))
	for i, r := range rows {
		out[i] = toStaff(r)
	}
	return out, total, nil
}

func (s *Store) CountActiveAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&staffRow{}).Where("role = ? AND disabled = ?", string(auth.RoleBureauAdmin), false).Count(&n).Error
	return n, err
}

func (s *Store) CandidateByPhone(ctx context.Context, phone string, create bool) (auth.Candidate, error) {
	bidx := s.pii.BlindIndex("phone", phone)
	var r candidateRow
	err := s.db.Conn(ctx).Where("phone_bidx = ?", bidx).Take(&r).Error
	if err == nil {
		return s.toCandidate(r)
	}
	if !sqldb.IsNotFound(err) || !create {
		return auth.Candidate{}, notFound(err)
	}
	enc, err := s.pii.Encrypt(phone)
	if err != nil {
		return auth.Candidate{}, err
	}
	r = candidateRow{PhoneEnc: enc, PhoneBidx: bidx}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) { // created by a parallel login
			return s.CandidateByPhone(ctx, phone, false)
		}
		return auth.Candidate{}, err
	}
	return s.toCandidate(r)
}

func (s *Store) CandidateByID(ctx context.Context, id int64) (auth.Candidate, error) {
	var r candidateRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return auth.Candidate{}, notFound(err)
	}
	return s.toCandidate(r)
}

func (s *Store) toCandidate(r candidateRow) (auth.Candidate, error) {
	phone, err := s.pii.Decrypt(r.PhoneEnc)
	if err != nil {
		return auth.Candidate{}, err
	}
	return auth.Candidate{ID: r.ID, Phone: phone, CreatedAt: r.CreatedAt}, nil
}

func (s *Store) CreateSession(ctx context.Context, x auth.Session) error {
	r := sessionRow{ID: x.ID, Kind: x.Kind, UserID: x.UserID, Role: string(x.Role), CreatedAt: x.CreatedAt.UTC(), ExpiresAt: x.ExpiresAt.UTC(), IP: x.IP, UserAgent: x.UserAgent}
	return s.db.Conn(ctx).Create(&r).Error
}

func toSession(r sessionRow) auth.Session {
	x := auth.Session{ID: r.ID, Kind: r.Kind, UserID: r.UserID, Role: auth.Role(r.Role), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, IP: r.IP, UserAgent: r.UserAgent}
	if r.RevokedAt != nil {
		x.RevokedAt = *r.RevokedAt
	}
	return x
}

func (s *Store) SessionByID(ctx context.Context, id string) (auth.Session, error) {
	var r sessionRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return auth.Session{}, notFound(err)
	}
	return toSession(r), nil
}

func (s *Store) RevokeSession(ctx context.Context, id string, at time.Time) error {
	return s.db.Conn(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC()).Error
}

func (s *Store) RevokeUserSessions(ctx context.Context, kind string, userID int64, at time.Time) error {
	return s.db.Conn(ctx).Model(&sessionRow{}).Where("kind = ? AND user_id = ? AND revoked_at IS NULL", kind, userID).Update("revoked_at", at.UTC()).Error
}

func (s *Store) RevokeOtherSessions(ctx context.Context, kind string, userID int64, keep string, at time.Time) error {
	return s.db.Conn(ctx).Model(&sessionRow{}).Where("kind = ? AND user_id = ? AND id <> ? AND revoked_at IS NULL", kind, userID, keep).Update("revoked_at", at.UTC()).Error
}

func (s *Store) UnexpiredSessionIDs(ctx context.Context, kind string, userID int64, now time.Time) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&sessionRow{}).Where("kind = ? AND user_id = ? AND expires_at > ?", kind, userID, now.UTC()).Pluck("id", &ids).Error
	return ids, err
}

func (s *Store) ListSessions(ctx context.Context, kind string, userID int64) ([]auth.Session, error) {
	var rows []sessionRow
	if err := s.db.Conn(ctx).Where("kind = ? AND user_id = ?", kind, userID).Order("created_at DESC").Limit(100).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]auth.Session, len(rows))
	for i, r := range rows {
		out[i] = toSession(r)
	}
	return out, nil
}
