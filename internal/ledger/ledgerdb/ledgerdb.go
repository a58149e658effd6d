// Package ledgerdb stores the hash chain in SQL.
//
// Events arrive in ledger_pending_events, inserted by the business transaction
// (an auto-increment key, no shared row: submissions never wait for each
// other). Chaining them locks ledger_heads' one row, the chain's end
// (SELECT ... FOR UPDATE on MySQL; SQLite's transactions hold the write
// lock from BEGIN), so chainers on every node are serialized by the
// database; it claims committed pending rows with SKIP LOCKED at READ
// COMMITTED, so it neither waits for nor blocks a business transaction.
// The entry's seq is the primary key, a second guard against two entries
// with one number.
package ledgerdb

import (
	"context"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/ledger"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
)

// Migrations of the ledger tables (IDs 860-869).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 860, Name: "create ledger_entries, ledger_heads, ledger_checkpoints", Up: func(tx *gorm.DB) error {
		// Snapshot of the rows as of this migration.
		type ledgerEntry struct {
			Seq      int64     `gorm:"primaryKey;autoIncrement:false"`
			PrevHash string    `gorm:"size:64;not null"`
			Hash     string    `gorm:"size:64;not null"`
			Kind     string    `gorm:"size:32;not null"`
			Subject  string    `gorm:"size:64;not null;index:ix_ledger_subject"`
			At       time.Time `gorm:"not null"`
			Payload  string    `gorm:"type:text;not null"`
		}
		type ledgerHead struct {
			ID   int    `gorm:"primaryKey;autoIncrement:false"`
			Seq  int64  `gorm:"not null"`
			Hash string `gorm:"size:64;not null"`
		}
		type ledgerCheckpoint struct {
			ID        int64     `gorm:"primaryKey"`
			Seq       int64     `gorm:"not null;uniqueIndex:ux_ledger_checkpoint_seq"`
			Hash      string    `gorm:"size:64;not null"`
			At        time.Time `gorm:"not null"`
			KeyID     string    `gorm:"size:32;not null"`
			Signature string    `gorm:"size:255;not null"`
		}
		if err := sqldb.CreateTables(tx, &ledgerEntry{}, &ledgerHead{}, &ledgerCheckpoint{}); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&ledgerHead{}).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		return tx.Create(&ledgerHead{ID: 1, Seq: 0, Hash: ledger.GenesisHash}).Error
	}}, {ID: 861, Name: "create ledger_pending_events (events recorded, not yet chained)", Up: func(tx *gorm.DB) error {
		type ledgerPendingEvent struct {
			ID       int64     `gorm:"primaryKey"`
			Kind     string    `gorm:"size:32;not null"`
			Subject  string    `gorm:"size:64;not null;index:ix_ledger_pending_events_subject"`
			At       time.Time `gorm:"not null"`
			Payload  string    `gorm:"type:text;not null"`
			QueuedAt time.Time `gorm:"not null"`
		}
		return sqldb.CreateTables(tx, &ledgerPendingEvent{})
	}}}
}

type entryRow struct {
	Seq      int64 `gorm:"primaryKey;autoIncrement:false"`
	PrevHash string
	Hash     string
	Kind     string
	Subject  string
	At       time.Time
	Payload  string
}

func (entryRow) TableName() string { return "ledger_entries" }

type pendingRow struct {
	ID       int64 `gorm:"primaryKey"`
	Kind     string
	Subject  string
	At       time.Time
	Payload  string
	QueuedAt time.Time
}

func (pendingRow) TableName() string { return "ledger_pending_events" }

type headRow struct {
	ID   int `gorm:"primaryKey;autoIncrement:false"`
	Seq  int64
	Hash string
}

func (headRow) TableName() string { return "ledger_heads" }

type checkpointRow struct {
	ID        int64 `gorm:"primaryKey"`
	Seq       int64
	Hash      string
	At        time.Time
	KeyID     string
	Signature string
}

func (checkpointRow) TableName() string { return "ledger_checkpoints" }

// Store implements ledger.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ ledger.Store = (*Store)(nil)

func toEntry(r entryRow) ledger.Entry {
	return ledger.Entry{Seq: r.Seq, PrevHash: r.PrevHash, Hash: r.Hash, Kind: ledger.Kind(r.Kind), Subject: r.Subject, At: r.At.UTC(), Payload: r.Payload}
}

func toEntries(rows []entryRow) []ledger.Entry {
	out := make([]ledger.Entry, len(rows))
	for i, r := range rows {
		out[i] = toEntry(r)
	}
	return out
}

func toPending(rows []pendingRow) []ledger.Pending {
	out := make([]ledger.Pending, len(rows))
	for i, r := range rows {
		out[i] = ledger.Pending{ID: r.ID, Kind: ledger.Kind(r.Kind), Subject: r.Subject, At: r.At.UTC(), Payload: r.Payload, QueuedAt: r.QueuedAt.UTC()}
	}
	return out
}

func toCheckpoint(r checkpointRow) ledger.Checkpoint {
	return ledger.Checkpoint{ID: r.ID, Seq: r.Seq, Hash: r.Hash, At: r.At.UTC(), KeyID: r.KeyID, Signature: r.Signature}
}

func (s *Store) head(ctx context.Context, lock bool) (ledger.Head, error) {
	q := s.db.Conn(ctx).Where("id = 1")
	if lock {
		q = s.db.ForUpdate(q)
	}
	var r headRow
	if err := q.Take(&r).Error; err != nil {
		return ledger.Head{}, err
	}
	return ledger.Head{Seq: r.Seq, Hash: r.Hash}, nil
}

func (s *Store) LockHead(ctx context.Context) (ledger.Head, error) { return s.head(ctx, true) }

func (s *Store) Head(ctx context.Context) (ledger.Head, error) { return s.head(ctx, false) }

func (s *Store) AddPending(ctx context.Context, p ledger.Pending) error {
	r := pendingRow{Kind: string(p.Kind), Subject: p.Subject, At: p.At.UTC(), Payload: p.Payload, QueuedAt: p.QueuedAt.UTC()}
	return s.db.Conn(ctx).Create(&r).Error
}

func (s *Store) ClaimPending(ctx context.Context, limit int) ([]ledger.Pending, error) {
	var rows []pendingRow
	err := s.db.SkipLocked(s.db.Conn(ctx).Order("id").Limit(limit)).Find(&rows).Error
	return toPending(rows), err
}

func (s *Store) Pending(ctx context.Context, afterID int64, limit int) ([]ledger.Pending, error) {
	var rows []pendingRow
	err := s.db.Conn(ctx).Where("id > ?", afterID).Order("id").Limit(limit).Find(&rows).Error
	return toPending(rows), err
}

func (s *Store) PendingOf(ctx context.Context, subjects []string) ([]ledger.Pending, error) {
	var rows []pendingRow
	err := s.db.Conn(ctx).Where("subject IN ?", subjects).Order("id").Find(&rows).Error
	return toPending(rows), err
}

func (s *Store) Link(ctx context.Context, entries []ledger.Entry, chained []int64) error {
	if len(entries) == 0 {
		return nil
	}
	conn := s.db.Conn(ctx)
	rows := make([]entryRow, len(entries))
	for i, e := range entries {
		rows[i] = entryRow{Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash, Kind: string(e.Kind), Subject: e.Subject, At: e.At.UTC(), Payload: e.Payload}
	}
	if err := conn.CreateInBatches(rows, 200).Error; err != nil {
		return err
	}
	// Only from the head the first entry links to: the lock makes it so;
	// the condition makes a caller that skipped the lock fail loudly.
	last := entries[len(entries)-1]
	res := conn.Model(&headRow{}).Where("id = 1 AND seq = ?", entries[0].Seq-1).Updates(map[string]any{"seq": last.Seq, "hash": last.Hash})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.ErrVersionConflict
	}
	if len(chained) == 0 {
		return nil
	}
	return conn.Where("id IN ?", chained).Delete(&pendingRow{}).Error
}

func (s *Store) Entries(ctx context.Context, afterSeq, upTo int64, limit int) ([]ledger.Entry, error) {
	var rows []entryRow
	err := s.db.Conn(ctx).Where("seq > ? AND seq <= ?", afterSeq, upTo).Order("seq").Limit(limit).Find(&rows).Error
	return toEntries(rows), err
}

func (s *Store) EntriesOf(ctx context.Context, subjects []string) ([]ledger.Entry, error) {
	var rows []entryRow
	err := s.db.Conn(ctx).Where("subject IN ?", subjects).Order("seq").Find(&rows).Error
	return toEntries(rows), err
}

func (s *Store) Recent(ctx context.Context, p ledger.Page) ([]ledger.Entry, int64, error) {
	h, err := s.Head(ctx)
	if err != nil {
		return nil, 0, err
	}
	var rows []entryRow
	err = s.db.Conn(ctx).Order("seq DESC").Offset(p.Offset).Limit(p.Limit).Find(&rows).Error
	return toEntries(rows), h.Seq, err
}

func (s *Store) AddCheckpoint(ctx context.Context, c *ledger.Checkpoint) (bool, error) {
	r := checkpointRow{Seq: c.Seq, Hash: c.Hash, At: c.At.UTC(), KeyID: c.KeyID, Signature: c.Signature}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return false, nil
		}
		return false, err
	}
	c.ID = r.ID
	return true, nil
}

func (s *Store) Checkpoints(ctx context.Context, p ledger.Page) ([]ledger.Checkpoint, int64, error) {
	var total int64
	if err := s.db.Conn(ctx).Model(&checkpointRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []checkpointRow
	if err := s.db.Conn(ctx).Order("seq DESC").Offset(p.Offset).Limit(p.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]ledger.Checkpoint, len(rows))
	for i, r := range rows {
		out[i] = toCheckpoint(r)
	}
	return out, total, nil
}

func (s *Store) CheckpointByID(ctx context.Context, id int64) (ledger.Checkpoint, error) {
	var r checkpointRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return ledger.Checkpoint{}, apperr.ErrNotFound
		}
		return ledger.Checkpoint{}, err
	}
	return toCheckpoint(r), nil
}

func (s *Store) LatestCheckpoint(ctx context.Context) (ledger.Checkpoint, error) {
	var r checkpointRow
	if err := s.db.Conn(ctx).Order("seq DESC").Take(&r).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return ledger.Checkpoint{}, apperr.ErrNotFound
		}
		return ledger.Checkpoint{}, err
	}
	return toCheckpoint(r), nil
}
