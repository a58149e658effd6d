package authdb

import (
	"context"
	"encoding/base64"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/auth"
)

// migrateMFA is migration 130: one authenticator per staff user (the TOTP
// secret encrypted with the data key; last_step is the replay guard) and
// their recovery codes (keyed hashes, one use each).
func migrateMFA(tx *gorm.DB) error {
	type staffMfa struct {
		UserID      int64  `gorm:"primaryKey;autoIncrement:false"`
		SecretEnc   string `gorm:"size:255;not null"`
		ConfirmedAt *time.Time
		LastStep    int64 `gorm:"not null;default:0"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type staffMfaRecoveryCode struct {
		ID       int64  `gorm:"primaryKey"`
		UserID   int64  `gorm:"not null;uniqueIndex:ux_mfa_recovery,priority:1"`
		CodeHash string `gorm:"size:64;not null;uniqueIndex:ux_mfa_recovery,priority:2"`
		UsedAt   *time.Time
	}
	for _, t := range []struct {
		name string
		row  any
	}{{"staff_mfa", &staffMfa{}}, {"staff_mfa_recovery_codes", &staffMfaRecoveryCode{}}} {
		m := tx.Table(t.name).Migrator()
		if m.HasTable(t.name) {
			continue
		}
		if err := m.CreateTable(t.row); err != nil {
			return err
		}
	}
	return nil
}

type mfaRow struct {
	UserID      int64 `gorm:"primaryKey;autoIncrement:false"`
	SecretEnc   string
	ConfirmedAt *time.Time
	LastStep    int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (mfaRow) TableName() string { return "staff_mfa" }

type recoveryRow struct {
	ID       int64 `gorm:"primaryKey"`
	UserID   int64
	CodeHash string
	UsedAt   *time.Time
}

func (recoveryRow) TableName() string { return "staff_mfa_recovery_codes" }

var _ auth.MFAStore = (*Store)(nil)

func (s *Store) MFA(ctx context.Context, userID int64) (auth.MFA, error) {
	var r mfaRow
	if err := s.db.Conn(ctx).Where("user_id = ?", userID).Take(&r).Error; err != nil {
		return auth.MFA{}, notFound(err)
	}
	plain, err := s.pii.Decrypt(r.SecretEnc)
	if err != nil {
		return auth.MFA{}, err
	}
	key, err := base64.StdEncoding.DecodeString(plain)
	if err != nil {
		return auth.MFA{}, err
	}
	m := auth.MFA{UserID: r.UserID, Secret: key, LastStep: r.LastStep, CreatedAt: r.CreatedAt.UTC()}
	if r.ConfirmedAt != nil {
		m.ConfirmedAt = r.ConfirmedAt.UTC()
	}
	return m, nil
}

// PutPendingMFA writes an unconfirmed secret; a confirmed one is never
// overwritten (the condition of the upsert).
func (s *Store) PutPendingMFA(ctx context.Context, m auth.MFA) error {
	enc, err := s.pii.Encrypt(base64.StdEncoding.EncodeToString(m.Secret))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Where("user_id = ? AND confirmed_at IS NULL", m.UserID).Delete(&mfaRow{}).Error; err != nil {
			return err
		}
		return conn.Create(&mfaRow{UserID: m.UserID, SecretEnc: enc, CreatedAt: now, UpdatedAt: now}).Error
	})
}

func (s *Store) ConfirmMFA(ctx context.Context, userID, step int64, at time.Time) error {
	res := s.db.Conn(ctx).Model(&mfaRow{}).Where("user_id = ? AND confirmed_at IS NULL", userID).
		Updates(map[string]any{"confirmed_at": at.UTC(), "last_step": step, "updated_at": at.UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return auth.ErrMFAAlreadyEnabled
	}
	return nil
}

// UseStep is the replay guard: one conditional UPDATE, so of two nodes
// given the same code only one succeeds.
func (s *Store) UseStep(ctx context.Context, userID, step int64) (bool, error) {
	res := s.db.Conn(ctx).Model(&mfaRow{}).Where("user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", userID, step).
		Updates(map[string]any{"last_step": step, "updated_at": time.Now().UTC()})
	return res.RowsAffected == 1, res.Error
}

func (s *Store) DeleteMFA(ctx context.Context, userID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Where("user_id = ?", userID).Delete(&recoveryRow{}).Error; err != nil {
			return err
		}
		return conn.Where("user_id = ?", userID).Delete(&mfaRow{}).Error
	})
}

func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Where("user_id = ?", userID).Delete(&recoveryRow{}).Error; err != nil {
			return err
		}
		rows := make([]recoveryRow, len(hashes))
		for i, h := range hashes {
			rows[i] = recoveryRow{UserID: userID, CodeHash: h}
		}
		return conn.Create(&rows).Error
	})
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&recoveryRow{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).Update("used_at", at.UTC())
	return res.RowsAffected == 1, res.Error
}

func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&recoveryRow{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	return int(n), err
}

func (s *Store) MFAEnabled(ctx context.Context, ids []int64) (map[int64]bool, error) {
	var got []int64
	err := s.db.Conn(ctx).Model(&mfaRow{}).Where("user_id IN ? AND confirmed_at IS NOT NULL", ids).Pluck("user_id", &got).Error
	out := make(map[int64]bool, len(got))
	for _, id := range got {
		out[id] = true
	}
	return out, err
}
