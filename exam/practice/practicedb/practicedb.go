// Package practicedb stores practice records, sequential positions and
// practice sessions in SQL. An answer is one upsert whose SET clause
// computes the streak and the wrong-answer book from the stored row, so
// parallel answers from two phones never lose an update.
package practicedb

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/exam/practice"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

type recordRow struct {
	CandidateID int64  `gorm:"primaryKey;autoIncrement:false;index:ix_practice_records_chapter,priority:1"`
	QuestionID  int64  `gorm:"primaryKey;autoIncrement:false"`
	ChapterID   int64  `gorm:"not null;index:ix_practice_records_chapter,priority:2"`
	Subject     string `gorm:"size:16;not null"`
	Attempts    int    `gorm:"not null;default:0"`
	Rights      int    `gorm:"not null;default:0"`
	Streak      int    `gorm:"not null;default:0"`
	WrongBook   bool   `gorm:"not null;default:false"`
	Favourite   bool   `gorm:"not null;default:false"`
	LastCorrect bool   `gorm:"not null;default:false"`
	LastGiven   string `gorm:"size:32;not null;default:''"`
	LastAt      *time.Time
	FavAt       *time.Time
}

func (recordRow) TableName() string { return "practice_records" }

type positionRow struct {
	CandidateID int64 `gorm:"primaryKey;autoIncrement:false"`
	ChapterID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Position    int   `gorm:"not null"`
	UpdatedAt   time.Time
}

func (positionRow) TableName() string { return "practice_positions" }

type sessionRow struct {
	ID          int64  `gorm:"primaryKey"`
	CandidateID int64  `gorm:"not null;index"`
	Mode        string `gorm:"size:16;not null"`
	ChapterID   int64  `gorm:"not null;default:0"`
	Day         string `gorm:"size:10;not null;index"`
	StartedAt   time.Time
}

func (sessionRow) TableName() string { return "practice_sessions" }

// Migrations of the practice tables (IDs 450-499).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 450, Name: "create practice_records, practice_positions, practice_sessions", Up: func(tx *gorm.DB) error {
		type practiceRecord struct {
			CandidateID int64  `gorm:"primaryKey;autoIncrement:false;index:ix_practice_records_chapter,priority:1"`
			QuestionID  int64  `gorm:"primaryKey;autoIncrement:false"`
			ChapterID   int64  `gorm:"not null;index:ix_practice_records_chapter,priority:2"`
			Subject     string `gorm:"size:16;not null"`
			Attempts    int    `gorm:"not null;default:0"`
			Rights      int    `gorm:"not null;default:0"`
			Streak      int    `gorm:"not null;default:0"`
			WrongBook   bool   `gorm:"not null;default:false"`
			Favourite   bool   `gorm:"not null;default:false"`
			LastCorrect bool   `gorm:"not null;default:false"`
			LastGiven   string `gorm:"size:32;not null;default:''"`
			LastAt      *time.Time
			FavAt       *time.Time
		}
		type practicePosition struct {
			CandidateID int64 `gorm:"primaryKey;autoIncrement:false"`
			ChapterID   int64 `gorm:"primaryKey;autoIncrement:false"`
			Position    int   `gorm:"not null"`
			UpdatedAt   time.Time
		}
		type practiceSession struct {
			ID          int64  `gorm:"primaryKey"`
			CandidateID int64  `gorm:"not null;index"`
			Mode        string `gorm:"size:16;not null"`
			ChapterID   int64  `gorm:"not null;default:0"`
			Day         string `gorm:"size:10;not null;index"`
			StartedAt   time.Time
		}
		return sqldb.CreateTables(tx, &practiceRecord{}, &practicePosition{}, &practiceSession{})
	}}}
}

// Store implements practice.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ practice.Store = (*Store)(nil)

func toRecord(r recordRow) practice.Record {
	out := practice.Record{CandidateID: r.CandidateID, QuestionID: r.QuestionID, ChapterID: r.ChapterID, Subject: questionbank.Subject(r.Subject),
		Attempts: r.Attempts, Rights: r.Rights, Streak: r.Streak, WrongBook: r.WrongBook, Favourite: r.Favourite, LastCorrect: r.LastCorrect}
	if r.LastGiven != "" {
		out.LastGiven = strings.Split(r.LastGiven, ",")
	}
	if r.LastAt != nil {
		out.LastAt = *r.LastAt
	}
	return out
}

// upsert renders "insert, or on a key clash update" for the dialect.
func (s *Store) upsert(keys string) string {
	if s.db.Dialect() == sqldb.MySQL {
		return " ON DUPLICATE KEY UPDATE "
	}
	return " ON CONFLICT (" + keys + ") DO UPDATE SET "
}

func (s *Store) Record(ctx context.Context, candidateID, questionID int64) (practice.Record, error) {
	var r recordRow
	if err := s.db.Conn(ctx).Where("candidate_id = ? AND question_id = ?", candidateID, questionID).Take(&r).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return practice.Record{}, apperr.ErrNotFound
		}
		return practice.Record{}, err
	}
	return toRecord(r), nil
}

func (s *Store) RecordAnswer(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, at time.Time) (practice.Record, error) {
	at = at.UTC()
	g := strings.Join(given, ",")
	right, streak := 0, 0
	if correct {
		right, streak = 1, 1
	}
	// Assignment order matters on MySQL (left to right, later ones see
	// earlier results): wrong_book is computed from the old streak before
	// streak changes; SQLite evaluates every expression on the old row.
	sql := `INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, attempts, rights, streak, wrong_book, favourite, last_correct, last_given, last_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)` + s.upsert("candidate_id, question_id") + `
wrong_book = CASE WHEN ? THEN (CASE WHEN wrong_book AND streak + 1 >= ? THEN ? ELSE wrong_book END) ELSE ? END,
streak = CASE WHEN ? THEN streak + 1 ELSE 0 END,
attempts = attempts + 1, rights = rights + ?, last_correct = ?, last_given = ?, last_at = ?, chapter_id = ?, subject = ?`
	err := s.db.Conn(ctx).Exec(sql,
		candidateID, q.ID, q.ChapterID, string(q.Subject), right, streak, !correct, false, correct, g, at,
		correct, exitAfter, false, true,
		correct,
		right, correct, g, at, q.ChapterID, string(q.Subject)).Error
	if err != nil {
		return practice.Record{}, err
	}
	return s.Record(ctx, candidateID, q.ID)
}

func (s *Store) SetFavourite(ctx context.Context, candidateID int64, q questionbank.Question, on bool, at time.Time) error {
	var favAt any
	if on {
		favAt = at.UTC()
	}
	sql := `INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, favourite, fav_at) VALUES (?, ?, ?, ?, ?, ?)` +
		s.upsert("candidate_id, question_id") + `favourite = ?, fav_at = ?`
	return s.db.Conn(ctx).Exec(sql, candidateID, q.ID, q.ChapterID, string(q.Subject), on, favAt, on, favAt).Error
}

func (s *Store) Position(ctx context.Context, candidateID, chapterID int64) (int, error) {
	var p []int
	if err := s.db.Conn(ctx).Model(&positionRow{}).Where("candidate_id = ? AND chapter_id = ?", candidateID, chapterID).Limit(1).Pluck("position", &p).Error; err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	return p[0], nil
}

func (s *Store) SetPosition(ctx context.Context, candidateID, chapterID int64, pos int, at time.Time) error {
	sql := `INSERT INTO practice_positions (candidate_id, chapter_id, position, updated_at) VALUES (?, ?, ?, ?)` +
		s.upsert("candidate_id, chapter_id") + `position = ?, updated_at = ?`
	return s.db.Conn(ctx).Exec(sql, candidateID, chapterID, pos, at.UTC(), pos, at.UTC()).Error
}

func (s *Store) Positions(ctx context.Context, candidateID int64) (map[int64]int, error) {
	var rows []positionRow
	if err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ChapterID] = r.Position
	}
	return out, nil
}

func (s *Store) ChapterRecords(ctx context.Context, candidateID, chapterID int64) ([]practice.Record, error) {
	var rows []recordRow
	if err := s.db.Conn(ctx).Where("candidate_id = ? AND chapter_id = ?", candidateID, chapterID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]practice.Record, len(rows))
	for i, r := range rows {
		out[i] = toRecord(r)
	}
	return out, nil
}

func (s *Store) Listed(ctx context.Context, candidateID int64, wrong bool, offset, limit int) ([]practice.Record, int64, error) {
	q := s.db.Conn(ctx).Model(&recordRow{}).Where("candidate_id = ?", candidateID)
	order := "fav_at DESC, question_id DESC"
	if wrong {
		q = q.Where("wrong_book = ?", true)
		order = "last_at, question_id"
	} else {
		q = q.Where("favourite = ?", true)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []recordRow
	if err := q.Order(order).Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]practice.Record, len(rows))
	for i, r := range rows {
		out[i] = toRecord(r)
	}
	return out, total, nil
}

func (s *Store) ChapterStats(ctx context.Context, candidateID int64) ([]practice.ChapterStat, error) {
	var rows []struct {
		ChapterID int64
		Answered  int
		Attempts  int
		Rights    int
		WrongBook int
	}
	err := s.db.Conn(ctx).Model(&recordRow{}).
		Select("chapter_id, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS answered, SUM(attempts) AS attempts, SUM(rights) AS rights, SUM(CASE WHEN wrong_book THEN 1 ELSE 0 END) AS wrong_book").
		Where("candidate_id = ?", candidateID).Group("chapter_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]practice.ChapterStat, len(rows))
	for i, r := range rows {
		out[i] = practice.ChapterStat{ChapterID: r.ChapterID, Answered: r.Answered, Attempts: r.Attempts, Rights: r.Rights, WrongBook: r.WrongBook}
	}
	return out, nil
}

func (s *Store) CreateSession(ctx context.Context, x *practice.Session) error {
	r := sessionRow{CandidateID: x.CandidateID, Mode: string(x.Mode), ChapterID: x.ChapterID, Day: x.Day, StartedAt: x.StartedAt.UTC()}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	x.ID = r.ID
	return nil
}

func (s *Store) Usage(ctx context.Context, fromDay, toDay string) ([]practice.DayUsage, error) {
	var rows []struct {
		Day        string
		Sessions   int64
		Candidates int64
	}
	err := s.db.Conn(ctx).Model(&sessionRow{}).Select("day, COUNT(*) AS sessions, COUNT(DISTINCT candidate_id) AS candidates").
		Where("day >= ? AND day <= ?", fromDay, toDay).Group("day").Order("day").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]practice.DayUsage, len(rows))
	for i, r := range rows {
		out[i] = practice.DayUsage{Day: r.Day, Sessions: r.Sessions, Candidates: r.Candidates}
	}
	return out, nil
}
