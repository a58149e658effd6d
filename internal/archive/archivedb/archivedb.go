// Package archivedb stores what the archive owns: every submitted
// application form (encrypted, one row per submission) and the bulk export
// jobs; and it counts, for the retention rule's dry run, the rows of the
// other domains the rule would remove (read-only: the one place that reads
// their tables, for counts).
package archivedb

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"taxiexam/exam/registration"
	"taxiexam/internal/archive"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

// Migrations of the archive tables (IDs 850-859).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 850, Name: "create archive_form_versions, archive_exports", Up: func(tx *gorm.DB) error {
		// Snapshots of the rows as of this migration.
		type archiveFormVersion struct {
			ID            int64     `gorm:"primaryKey"`
			ApplicationID int64     `gorm:"not null;uniqueIndex:ux_archive_form_version,priority:1"`
			Version       int       `gorm:"not null;uniqueIndex:ux_archive_form_version,priority:2"`
			CandidateID   int64     `gorm:"not null;index"`
			FormEnc       string    `gorm:"type:text;not null"` // the form as JSON, encrypted with the data key
			SubmittedAt   time.Time `gorm:"not null"`
		}
		type archiveExport struct {
			ID         int64  `gorm:"primaryKey"`
			FromDay    string `gorm:"size:10;not null"`
			ToDay      string `gorm:"size:10;not null"`
			Status     string `gorm:"size:16;not null;index:ix_archive_exports_status"`
			Total      int    `gorm:"not null;default:0"`
			Done       int    `gorm:"not null;default:0"`
			Bytes      int64  `gorm:"not null;default:0"`
			Error      string `gorm:"size:500;not null;default:''"`
			CreatedBy  int64  `gorm:"not null"`
			CreatedAt  time.Time
			StartedAt  *time.Time
			FinishedAt *time.Time
			LeaseUntil *time.Time
		}
		return sqldb.CreateTables(tx, &archiveFormVersion{}, &archiveExport{})
	}}}
}

type formVersionRow struct {
	ID            int64 `gorm:"primaryKey"`
	ApplicationID int64
	Version       int
	CandidateID   int64
	FormEnc       string
	SubmittedAt   time.Time
}

func (formVersionRow) TableName() string { return "archive_form_versions" }

type exportRow struct {
	ID         int64 `gorm:"primaryKey"`
	FromDay    string
	ToDay      string
	Status     string
	Total      int
	Done       int
	Bytes      int64
	Error      string
	CreatedBy  int64
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	LeaseUntil *time.Time
}

func (exportRow) TableName() string { return "archive_exports" }

// Store implements archive.FormVersions, archive.ExportStore,
// archive.RetentionCounter and registration.FormVersions.
type Store struct {
	db  *sqldb.DB
	pii *pii.Protector
}

// New returns the store.
func New(db *sqldb.DB, p *pii.Protector) *Store { return &Store{db: db, pii: p} }

var (
	_ archive.FormVersions      = (*Store)(nil)
	_ archive.ExportStore       = (*Store)(nil)
	_ archive.RetentionCounter  = (*Store)(nil)
	_ registration.FormVersions = (*Store)(nil)
)

// Keep stores the form as submitted (registration calls it in the submit
// transaction); a repeated submission number writes nothing.
func (s *Store) Keep(ctx context.Context, a registration.Application) error {
	b, err := json.Marshal(a.Form)
	if err != nil {
		return err
	}
	enc, err := s.pii.Encrypt(string(b))
	if err != nil {
		return err
	}
	r := formVersionRow{ApplicationID: a.ID, Version: a.SubmitCount, CandidateID: a.CandidateID, FormEnc: enc, SubmittedAt: a.QueuedAt.UTC()}
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = time.Now().UTC()
	}
	return s.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
}

func (s *Store) Versions(ctx context.Context, applicationID int64) ([]archive.FormVersion, error) {
	var rows []formVersionRow
	if err := s.db.Conn(ctx).Where("application_id = ?", applicationID).Order("version").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]archive.FormVersion, 0, len(rows))
	for _, r := range rows {
		plain, err := s.pii.Decrypt(r.FormEnc)
		if err != nil {
			return nil, err
		}
		var f registration.Form
		if err := json.Unmarshal([]byte(plain), &f); err != nil {
			return nil, err
		}
		out = append(out, archive.FormVersion{ApplicationID: r.ApplicationID, Version: r.Version, SubmittedAt: r.SubmittedAt.UTC(), Form: f})
	}
	return out, nil
}

// ---------------------------------------------------------------- exports

func tval(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toExport(r exportRow) archive.Export {
	return archive.Export{ID: r.ID, From: r.FromDay, To: r.ToDay, Status: archive.ExportStatus(r.Status), Total: r.Total, Done: r.Done, Bytes: r.Bytes,
		Error: r.Error, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), StartedAt: tval(r.StartedAt), FinishedAt: tval(r.FinishedAt), LeaseUntil: tval(r.LeaseUntil)}
}

func (s *Store) CreateExport(ctx context.Context, e *archive.Export) error {
	r := exportRow{FromDay: e.From, ToDay: e.To, Status: string(e.Status), CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt.UTC()}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

func (s *Store) ExportByID(ctx context.Context, id int64) (archive.Export, error) {
	var r exportRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return archive.Export{}, apperr.ErrNotFound
		}
		return archive.Export{}, err
	}
	return toExport(r), nil
}

func (s *Store) ListExports(ctx context.Context, offset, limit int) ([]archive.Export, int64, error) {
	var total int64
	if err := s.db.Conn(ctx).Model(&exportRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []exportRow
	if err := s.db.Conn(ctx).Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]archive.Export, len(rows))
	for i, r := range rows {
		out[i] = toExport(r)
	}
	return out, total, nil
}

func (s *Store) DueExports(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&exportRow{}).Where("status = ? OR (status = ? AND lease_until < ?)", archive.ExportQueued, archive.ExportRunning, now.UTC()).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// ClaimExport is the conditional UPDATE that makes one node the builder.
func (s *Store) ClaimExport(ctx context.Context, id int64, now, leaseUntil time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&exportRow{}).
		Where("id = ? AND (status = ? OR (status = ? AND lease_until < ?))", id, archive.ExportQueued, archive.ExportRunning, now.UTC()).
		Updates(map[string]any{"status": archive.ExportRunning, "started_at": now.UTC(), "lease_until": leaseUntil.UTC(), "done": 0})
	return res.RowsAffected == 1, res.Error
}

func (s *Store) Progress(ctx context.Context, id int64, total, done int, leaseUntil time.Time) error {
	return s.db.Conn(ctx).Model(&exportRow{}).Where("id = ? AND status = ?", id, archive.ExportRunning).
		Updates(map[string]any{"total": total, "done": done, "lease_until": leaseUntil.UTC()}).Error
}

func (s *Store) FinishExport(ctx context.Context, id int64, status archive.ExportStatus, bytes int64, errText string, at time.Time) error {
	if len(errText) > 500 {
		errText = errText[:500]
	}
	return s.db.Conn(ctx).Model(&exportRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "bytes": bytes, "error": errText, "finished_at": at.UTC(), "lease_until": nil}).Error
}

// ---------------------------------------------------------------- retention counts

// Count fills line with how many rows the rule would remove, reading the
// other domains' tables (counts only; nothing is changed).
func (s *Store) Count(ctx context.Context, rule archive.RetentionRule, line *archive.RetentionLine) error {
	conn := s.db.Conn(ctx)
	cutoff := line.Cutoff.UTC()
	var agg struct {
		N        int64
		Subjects int64
		Oldest   *string // MIN of a time column: a string on SQLite
	}
	var err error
	switch rule.What {
	case archive.RetainMessages:
		err = conn.Raw(`SELECT COUNT(*) AS n, COUNT(DISTINCT NULLIF(candidate_id, 0)) AS subjects, MIN(created_at) AS oldest FROM notify_outbox WHERE created_at < ?`, cutoff).Scan(&agg).Error
	case archive.RetainPractice:
		err = conn.Raw(`SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(subjects), 0) AS subjects, MIN(oldest) AS oldest FROM (
			SELECT COUNT(*) AS n, COUNT(DISTINCT candidate_id) AS subjects, MIN(last_at) AS oldest FROM practice_records WHERE last_at < ?
			UNION ALL
			SELECT COUNT(*) AS n, COUNT(DISTINCT candidate_id) AS subjects, MIN(started_at) AS oldest FROM exam_attempts WHERE kind = 'mock' AND started_at < ?) t`, cutoff, cutoff).Scan(&agg).Error
	case archive.RetainUnqualified:
		err = conn.Raw(`SELECT COUNT(*) AS n, COUNT(DISTINCT a.candidate_id) AS subjects, MIN(a.updated_at) AS oldest FROM applications a
			WHERE a.updated_at < ? AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.application_id = a.id)`, cutoff).Scan(&agg).Error
	case archive.RetainCertHolders:
		err = conn.Raw(`SELECT COUNT(*) AS n, COUNT(*) AS subjects, MIN(last_expiry) AS oldest FROM (
			SELECT candidate_id, MAX(expires_on) AS last_expiry FROM certificates GROUP BY candidate_id HAVING MAX(expires_on) < ?) t`, cutoff).Scan(&agg).Error
	case archive.RetainAuditLog:
		err = conn.Raw(`SELECT COUNT(*) AS n, 0 AS subjects, MIN(at) AS oldest FROM audit_log WHERE at < ?`, cutoff).Scan(&agg).Error
	}
	if err != nil {
		return err
	}
	line.Records, line.Subjects = agg.N, agg.Subjects
	if agg.Oldest != nil {
		line.Oldest = parseTime(*agg.Oldest)
	}
	return nil
}

// parseTime reads a time as either database renders it in an aggregate.
func parseTime(v string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
