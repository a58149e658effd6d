// Package auditdb stores the audit log in SQL.
package auditdb

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/sqldb"
)

type auditRow struct {
	ID         int64     `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    int64     `gorm:"not null;index:idx_audit_actor"`
	ActorKind  string    `gorm:"size:16;not null;index:idx_audit_actor"`
	ActorRole  string    `gorm:"size:32;not null"`
	ActorName  string    `gorm:"size:64;not null"`
	Action     string    `gorm:"size:64;not null;index"`
	TargetType string    `gorm:"size:64;not null;index:idx_audit_target"`
	TargetID   string    `gorm:"size:64;not null;index:idx_audit_target"`
	IP         string    `gorm:"size:64;not null"`
	RequestID  string    `gorm:"size:64;not null"`
	Before     string    `gorm:"type:text"`
	After      string    `gorm:"type:text"`
}

func (auditRow) TableName() string { return "audit_log" }

// Migrations of the audit log.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 110, Name: "create audit_log", Up: func(tx *gorm.DB) error {
		// Snapshot of the row as of this migration (the live struct changes).
		type auditLog struct {
			ID         int64     `gorm:"primaryKey"`
			At         time.Time `gorm:"not null;index"`
			ActorID    int64     `gorm:"not null;index:idx_audit_actor"`
			ActorKind  string    `gorm:"size:16;not null;index:idx_audit_actor"`
			ActorRole  string    `gorm:"size:32;not null"`
			ActorName  string    `gorm:"size:64;not null"`
			Action     string    `gorm:"size:64;not null;index"`
			TargetType string    `gorm:"size:64;not null;index:idx_audit_target"`
			TargetID   string    `gorm:"size:64;not null;index:idx_audit_target"`
			IP         string    `gorm:"size:64;not null"`
			RequestID  string    `gorm:"size:64;not null"`
			Before     string    `gorm:"type:text"`
			After      string    `gorm:"type:text"`
		}
		// The table is named audit_log, not GORM's plural of the type.
		m := tx.Table("audit_log").Migrator()
		if m.HasTable("audit_log") {
			return nil
		}
		return m.CreateTable(&auditLog{})
	}}}
}

// Store implements audit.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

func (s *Store) Append(ctx context.Context, r *audit.Record) error {
	row := auditRow(*r)
	if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	r.ID = row.ID
	return nil
}

func (s *Store) List(ctx context.Context, f audit.Filter) ([]audit.Record, int64, error) {
	q := s.db.Conn(ctx).Model(&auditRow{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if len(f.Targets) > 0 {
		byType := map[string][]string{}
		var types []string
		for _, t := range f.Targets {
			if byType[t.Type] == nil {
				types = append(types, t.Type)
			}
			byType[t.Type] = append(byType[t.Type], t.ID)
		}
		var conds []string
		var args []any
		for _, typ := range types {
			conds = append(conds, "(target_type = ? AND target_id IN ?)")
			args = append(args, typ, byType[typ])
		}
		q = q.Where(strings.Join(conds, " OR "), args...)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []auditRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]audit.Record, len(rows))
	for i, r := range rows {
		out[i] = audit.Record(r)
	}
	return out, total, nil
}
