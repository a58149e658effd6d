package sqldb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Migration is one numbered schema change. Up must work on MySQL and SQLite;
// it declares its own snapshot row structs (never the live ones, which keep
// changing) or uses tx.Migrator().
//
// ID ranges keep parallel work from colliding: 100 platform/auth/audit,
// 200 notify, 300 question bank, 400 practice/mock, 500 registration,
// 600 certificates, 700 formal exam, 800 statistics.
type Migration struct {
	ID   int
	Name string
	Up   func(tx *gorm.DB) error
}

type schemaMigration struct {
	ID        int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:200;not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies, in ID order, every migration not yet recorded. On MySQL a
// named lock keeps two starting nodes from migrating at once.
func (d *DB) Migrate(ctx context.Context, migrations []Migration) (applied []int, err error) {
	sorted := append([]Migration(nil), migrations...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("migration id %d used twice (%s, %s)", sorted[i].ID, sorted[i-1].Name, sorted[i].Name)
		}
	}

	conn := d.gorm.WithContext(ctx)
	if d.dialect == MySQL {
		// GET_LOCK is per connection: pin one.
		sqlDB, err := d.gorm.DB()
		if err != nil {
			return nil, err
		}
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		var got int
		if err := c.QueryRowContext(ctx, "SELECT GET_LOCK('examd_migrate', 60)").Scan(&got); err != nil || got != 1 {
			return nil, fmt.Errorf("migration lock not acquired: %v", err)
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('examd_migrate')") //nolint:errcheck
	}

	if err := conn.AutoMigrate(&schemaMigration{}); err != nil {
		return nil, fmt.Errorf("schema_migrations: %w", err)
	}
	var done []int
	if err := conn.Model(&schemaMigration{}).Pluck("id", &done).Error; err != nil {
		return nil, err
	}
	have := make(map[int]bool, len(done))
	for _, id := range done {
		have[id] = true
	}
	for _, m := range sorted {
		if have[m.ID] {
			continue
		}
		// MySQL commits DDL implicitly; the record is written right after
		// so a crash in between re-runs a migration whose CreateTable is a
		// no-op on an existing table (Up functions are written to be re-runnable).
		if err := conn.Transaction(func(tx *gorm.DB) error {
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{ID: m.ID, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		}); err != nil {
			return applied, fmt.Errorf("migration %d %s: %w", m.ID, m.Name, err)
		}
		applied = append(applied, m.ID)
	}
	return applied, nil
}

// CreateTables creates each table that does not exist yet: the body of most
// first migrations.
func CreateTables(tx *gorm.DB, rows ...any) error {
	for _, r := range rows {
		if tx.Migrator().HasTable(r) {
			continue
		}
		if err := tx.Migrator().CreateTable(r); err != nil {
			return err
		}
	}
	return nil
}
