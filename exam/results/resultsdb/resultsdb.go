// Package resultsdb stores subject results and qualifications in SQL.
//
// One result per attempt and subject is a unique key, so a retried submit
// hook cannot record a subject twice; one qualification per application is
// a unique key, so the qualified hook (and the certificates after it) runs
// exactly once.
package resultsdb

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"taxiexam/exam/results"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

// Migrations of the results tables (IDs 700-719).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 700, Name: "create exam_subject_results, exam_qualifications", Up: func(tx *gorm.DB) error {
		// Snapshot of the rows as of this migration.
		type examSubjectResult struct {
			ID            int64     `gorm:"primaryKey"`
			CandidateID   int64     `gorm:"not null;index:ix_subject_results_cand"`
			ApplicationID int64     `gorm:"not null"`
			AttemptID     int64     `gorm:"not null;uniqueIndex:ux_subject_results_attempt,priority:1"`
			SessionID     int64     `gorm:"not null;default:0;index:ix_subject_results_session"`
			CentreID      int64     `gorm:"not null;default:0;index:ix_subject_results_centre,priority:1"`
			Subject       string    `gorm:"size:16;not null;uniqueIndex:ux_subject_results_attempt,priority:2"`
			Score         int       `gorm:"not null"`
			TotalPoints   int       `gorm:"not null"`
			PassPercent   int       `gorm:"not null"`
			Passed        bool      `gorm:"not null"`
			SatAt         time.Time `gorm:"not null;index:ix_subject_results_centre,priority:2;index:ix_subject_results_sat"`
			ValidUntil    time.Time `gorm:"not null"`
		}
		type examQualification struct {
			ID            int64     `gorm:"primaryKey"`
			CandidateID   int64     `gorm:"not null;index:ix_qualifications_cand"`
			ApplicationID int64     `gorm:"not null;uniqueIndex:ux_qualifications_app"`
			QualifiedAt   time.Time `gorm:"not null"`
			NationalID    int64     `gorm:"not null"` // the subject results it rests on
			RegionalID    int64     `gorm:"not null"`
		}
		return sqldb.CreateTables(tx, &examSubjectResult{}, &examQualification{})
	}}}
}

type resultRow struct {
	ID            int64 `gorm:"primaryKey"`
	CandidateID   int64
	ApplicationID int64
	AttemptID     int64
	SessionID     int64
	CentreID      int64
	Subject       string
	Score         int
	TotalPoints   int
	PassPercent   int
	Passed        bool
	SatAt         time.Time
	ValidUntil    time.Time
}

func (resultRow) TableName() string { return "exam_subject_results" }

type qualificationRow struct {
	ID            int64 `gorm:"primaryKey"`
	CandidateID   int64
	ApplicationID int64
	QualifiedAt   time.Time
	NationalID    int64
	RegionalID    int64
}

func (qualificationRow) TableName() string { return "exam_qualifications" }

// Store implements results.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ results.Store = (*Store)(nil)

func toRow(r results.SubjectResult) resultRow {
	return resultRow{ID: r.ID, CandidateID: r.CandidateID, ApplicationID: r.ApplicationID, AttemptID: r.AttemptID, SessionID: r.SessionID,
		CentreID: r.CentreID, Subject: string(r.Subject), Score: r.Score, TotalPoints: r.TotalPoints, PassPercent: r.PassPercent,
		Passed: r.Passed, SatAt: r.SatAt.UTC(), ValidUntil: r.ValidUntil.UTC()}
}

func fromRow(r resultRow) results.SubjectResult {
	return results.SubjectResult{ID: r.ID, CandidateID: r.CandidateID, ApplicationID: r.ApplicationID, AttemptID: r.AttemptID,
		SessionID: r.SessionID, CentreID: r.CentreID, Subject: questionbank.Subject(r.Subject), Score: r.Score, TotalPoints: r.TotalPoints,
		PassPercent: r.PassPercent, Passed: r.Passed, SatAt: r.SatAt.UTC(), ValidUntil: r.ValidUntil.UTC()}
}

func fromRows(rows []resultRow) []results.SubjectResult {
	out := make([]results.SubjectResult, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out
}

func (s *Store) AddResults(ctx context.Context, rs []results.SubjectResult) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]resultRow, len(rs))
	for i, r := range rs {
		rows[i] = toRow(r)
	}
	if err := s.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return err
	}
	for i := range rs {
		rs[i].ID = rows[i].ID
	}
	return nil
}

func (s *Store) CandidateResults(ctx context.Context, candidateID int64) ([]results.SubjectResult, error) {
	var rows []resultRow
	err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Order("sat_at DESC, id DESC").Find(&rows).Error
	return fromRows(rows), err
}

func (s *Store) AttemptResults(ctx context.Context, attemptID int64) ([]results.SubjectResult, error) {
	var rows []resultRow
	err := s.db.Conn(ctx).Where("attempt_id = ?", attemptID).Order("id").Find(&rows).Error
	return fromRows(rows), err
}

func (s *Store) AddQualification(ctx context.Context, q results.Qualification) (bool, error) {
	r := qualificationRow{CandidateID: q.CandidateID, ApplicationID: q.ApplicationID, QualifiedAt: q.QualifiedAt.UTC()}
	for _, x := range q.Results {
		switch x.Subject {
		case questionbank.SubjectNational:
			r.NationalID = x.ID
		case questionbank.SubjectRegional:
			r.RegionalID = x.ID
		}
	}
	// A duplicate key is the answer "already qualified"; on MySQL and SQLite
	// it fails only the statement, not the transaction.
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (s *Store) Qualification(ctx context.Context, applicationID int64) (results.Qualification, error) {
	conn := s.db.Conn(ctx)
	var r qualificationRow
	if err := conn.Where("application_id = ?", applicationID).Take(&r).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return results.Qualification{}, apperr.ErrNotFound
		}
		return results.Qualification{}, err
	}
	var rows []resultRow
	if err := conn.Where("id IN ?", []int64{r.NationalID, r.RegionalID}).Order("subject").Find(&rows).Error; err != nil {
		return results.Qualification{}, err
	}
	return results.Qualification{CandidateID: r.CandidateID, ApplicationID: r.ApplicationID, QualifiedAt: r.QualifiedAt.UTC(), Results: fromRows(rows)}, nil
}

func (s *Store) filtered(ctx context.Context, f results.Filter) *gorm.DB {
	q := s.db.Conn(ctx).Model(&resultRow{})
	if f.CentreID != 0 {
		q = q.Where("centre_id = ?", f.CentreID)
	}
	if f.SessionID != 0 {
		q = q.Where("session_id = ?", f.SessionID)
	}
	if f.CandidateID != 0 {
		q = q.Where("candidate_id = ?", f.CandidateID)
	}
	if !f.From.IsZero() {
		q = q.Where("sat_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("sat_at < ?", f.To.UTC())
	}
	return q
}

func (s *Store) Search(ctx context.Context, f results.Filter) ([]results.SubjectResult, int64, error) {
	var total int64
	if err := s.filtered(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []resultRow
	if err := s.filtered(ctx, f).Order("sat_at DESC, id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	return fromRows(rows), total, nil
}

func (s *Store) Stats(ctx context.Context, f results.Filter) ([]results.SubjectStat, error) {
	var rows []struct {
		Subject string
		Sat     int64
		Passed  int64
	}
	err := s.filtered(ctx, f).Select("subject, COUNT(*) AS sat, SUM(CASE WHEN passed THEN 1 ELSE 0 END) AS passed").
		Group("subject").Scan(&rows).Error
	out := make([]results.SubjectStat, len(rows))
	for i, r := range rows {
		out[i] = results.SubjectStat{Subject: questionbank.Subject(r.Subject), Sat: r.Sat, Passed: r.Passed}
	}
	return out, err
}

// ResultsByIDs reads many results at once, by id (ledger verification).
func (s *Store) ResultsByIDs(ctx context.Context, ids []int64) (map[int64]results.SubjectResult, error) {
	var rows []resultRow
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]results.SubjectResult, len(rows))
	for _, r := range rows {
		out[r.ID] = fromRow(r)
	}
	return out, nil
}

// ResultIDs lists result ids above afterID, ascending.
func (s *Store) ResultIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&resultRow{}).Where("id > ?", afterID).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}
