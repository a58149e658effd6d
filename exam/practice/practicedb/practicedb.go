// Package practicedb stores practice records, sequential resume points and
// practice sessions in SQL. An answer is one upsert (one round trip, one
// commit) whose SET clause computes the streak and the wrong-answer book
// from the stored row, so parallel answers from two phones never lose an
// update, and which hands the resulting marks back in the same round trip
// (MySQL: LAST_INSERT_ID(expr) in the OK packet; SQLite: RETURNING).
//
// The resume point of sequential practice lives on the record of the
// latest question answered sequentially in the chapter (seq_chapter_id,
// seq_pos, seq_at), so the answer and the position are one statement.
// practice_positions is no longer written; its rows from before migration
// 451 still count when they are newer.
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
	// Added by migration 451.
	Rev          int64 `gorm:"not null;default:0"`
	SeqChapterID int64 `gorm:"not null;default:0"`
	SeqPos       int   `gorm:"not null;default:0"`
	SeqAt        *time.Time
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
	}}, {ID: 451, Name: "practice_records: rev, sequential resume point", Up: func(tx *gorm.DB) error {
		type practiceRecord struct {
			Rev          int64 `gorm:"not null;default:0"`
			SeqChapterID int64 `gorm:"not null;default:0"`
			SeqPos       int   `gorm:"not null;default:0"`
			SeqAt        *time.Time
		}
		m := tx.Migrator()
		for _, col := range []string{"Rev", "SeqChapterID", "SeqPos", "SeqAt"} {
			if m.HasColumn(&practiceRecord{}, col) {
				continue
			}
			if err := m.AddColumn(&practiceRecord{}, col); err != nil {
				return err
			}
		}
		return nil
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

// Marks travel back from an upsert packed in one integer:
// rev<<23 | streak<<3 (20 bits, saturating) | answered<<2 | wrong_book<<1 | favourite.
const (
	packRevShift = 23
	packMaxRun   = 1<<20 - 1
)

// packExpr is the packed marks of the row after the SET clause (MySQL
// evaluates assignments left to right, so it sees the new values).
const packExpr = `((rev + 1) << 23) | (LEAST(streak, 1048575) << 3) | (CASE WHEN attempts > 0 THEN 4 ELSE 0 END) | (CASE WHEN wrong_book THEN 2 ELSE 0 END) | (CASE WHEN favourite THEN 1 ELSE 0 END)`

func unpack(questionID int64, v int64) practice.Marks {
	return practice.Marks{QuestionID: questionID, Rev: v >> packRevShift, Streak: int(v>>3) & packMaxRun,
		Answered: v&4 != 0, WrongBook: v&2 != 0, Favourite: v&1 != 0}
}

// upsertMarks runs an INSERT ... ON DUPLICATE KEY UPDATE / ON CONFLICT DO
// UPDATE whose update part is set (without rev) and returns the row's marks
// in the same round trip. inserted are the marks of a freshly inserted row.
func (s *Store) upsertMarks(ctx context.Context, insert, set string, args []any, questionID int64, inserted practice.Marks) (practice.Marks, error) {
	pool := s.db.Conn(ctx).Statement.ConnPool
	if s.db.Dialect() == sqldb.MySQL {
		res, err := pool.ExecContext(ctx, insert+" ON DUPLICATE KEY UPDATE "+set+", rev = LAST_INSERT_ID("+packExpr+") >> 23", args...)
		if err != nil {
			return practice.Marks{}, err
		}
		// A fresh insert calls no LAST_INSERT_ID(expr) and has no
		// AUTO_INCREMENT column: its OK packet carries 0.
		v, err := res.LastInsertId()
		if err != nil {
			return practice.Marks{}, err
		}
		if v == 0 {
			return inserted, nil
		}
		return unpack(questionID, v), nil
	}
	var m practice.Marks
	var attempts int
	err := pool.QueryRowContext(ctx, insert+" ON CONFLICT (candidate_id, question_id) DO UPDATE SET "+set+", rev = rev + 1 RETURNING rev, streak, attempts, wrong_book, favourite", args...).
		Scan(&m.Rev, &m.Streak, &attempts, &m.WrongBook, &m.Favourite)
	if err != nil {
		return practice.Marks{}, err
	}
	m.QuestionID, m.Answered = questionID, attempts > 0
	return m, nil
}

func (s *Store) RecordAnswer(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, resume *practice.Resume, at time.Time) (practice.Marks, error) {
	at = at.UTC()
	g := strings.Join(given, ",")
	right, streak := 0, 0
	if correct {
		right, streak = 1, 1
	}
	seq, seqCh, seqPos, seqAt := false, int64(0), 0, any(nil)
	if resume != nil {
		seq, seqCh, seqPos, seqAt = true, resume.ChapterID, resume.Position, resume.At.UTC()
	}
	// Assignment order matters on MySQL (left to right, later ones see
	// earlier results): wrong_book is computed from the old streak before
	// streak changes; SQLite evaluates every expression on the old row.
	insert := `INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, attempts, rights, streak, wrong_book, favourite, last_correct, last_given, last_at, rev, seq_chapter_id, seq_pos, seq_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`
	set := `wrong_book = CASE WHEN ? THEN (CASE WHEN wrong_book AND streak + 1 >= ? THEN ? ELSE wrong_book END) ELSE ? END,
streak = CASE WHEN ? THEN streak + 1 ELSE 0 END,
attempts = attempts + 1, rights = rights + ?, last_correct = ?, last_given = ?, last_at = ?, chapter_id = ?, subject = ?,
seq_chapter_id = CASE WHEN ? THEN ? ELSE seq_chapter_id END, seq_pos = CASE WHEN ? THEN ? ELSE seq_pos END, seq_at = CASE WHEN ? THEN ? ELSE seq_at END`
	args := []any{candidateID, q.ID, q.ChapterID, string(q.Subject), right, streak, !correct, false, correct, g, at, seqCh, seqPos, seqAt,
		correct, exitAfter, false, true,
		correct,
		right, correct, g, at, q.ChapterID, string(q.Subject),
		seq, seqCh, seq, seqPos, seq, seqAt}
	return s.upsertMarks(ctx, insert, set, args, q.ID, practice.Marks{QuestionID: q.ID, Rev: 1, Answered: true, WrongBook: !correct, Streak: streak})
}

func (s *Store) SetFavourite(ctx context.Context, candidateID int64, q questionbank.Question, on bool, at time.Time) (practice.Marks, error) {
	var favAt any
	if on {
		favAt = at.UTC()
	}
	insert := `INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, favourite, fav_at, rev) VALUES (?, ?, ?, ?, ?, ?, 1)`
	return s.upsertMarks(ctx, insert, `favourite = ?, fav_at = ?`, []any{candidateID, q.ID, q.ChapterID, string(q.Subject), on, favAt, on, favAt},
		q.ID, practice.Marks{QuestionID: q.ID, Rev: 1, Favourite: on})
}

// resumeRow is a candidate for a chapter's resume point: a record's
// sequential mark or a practice_positions row from before migration 451.
type resumeRow struct {
	ChapterID int64
	Position  int
	At        *time.Time
}

func latest(rows []resumeRow) map[int64]practice.Resume {
	out := map[int64]practice.Resume{}
	for _, r := range rows {
		if r.Position <= 0 {
			continue
		}
		c := practice.Resume{ChapterID: r.ChapterID, Position: r.Position}
		if r.At != nil {
			c.At = r.At.UTC().Truncate(time.Millisecond)
		}
		if cur, ok := out[r.ChapterID]; !ok || c.After(cur) {
			out[r.ChapterID] = c
		}
	}
	return out
}

// resumes reads the resume candidates of one candidate (chapterID 0 = all
// chapters) in one round trip and keeps the latest per chapter. Times are
// compared in Go: SQLite keeps them as text.
func (s *Store) resumes(ctx context.Context, candidateID, chapterID int64) (map[int64]practice.Resume, error) {
	recs := `SELECT seq_chapter_id AS chapter_id, seq_pos AS position, seq_at AS at FROM practice_records WHERE candidate_id = ? AND seq_pos > 0`
	legacy := `SELECT chapter_id, position, updated_at AS at FROM practice_positions WHERE candidate_id = ?`
	args := []any{candidateID, candidateID}
	if chapterID != 0 {
		recs += ` AND seq_chapter_id = ?`
		legacy += ` AND chapter_id = ?`
		args = []any{candidateID, chapterID, candidateID, chapterID}
	}
	var rows []resumeRow
	if err := s.db.Conn(ctx).Raw(recs+` UNION ALL `+legacy, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return latest(rows), nil
}

func (s *Store) Position(ctx context.Context, candidateID, chapterID int64) (int, error) {
	m, err := s.resumes(ctx, candidateID, chapterID)
	if err != nil {
		return 0, err
	}
	return m[chapterID].Position, nil
}

func (s *Store) State(ctx context.Context, candidateID int64) (practice.State, error) {
	var rows []struct {
		QuestionID int64
		Rev        int64
		Streak     int
		Attempts   int
		WrongBook  bool
		Favourite  bool
	}
	if err := s.db.Conn(ctx).Model(&recordRow{}).Select("question_id, rev, streak, attempts, wrong_book, favourite").
		Where("candidate_id = ?", candidateID).Scan(&rows).Error; err != nil {
		return practice.State{}, err
	}
	st := practice.State{Marks: make(map[int64]practice.Marks, len(rows))}
	for _, r := range rows {
		st.Marks[r.QuestionID] = practice.Marks{QuestionID: r.QuestionID, Rev: r.Rev, Streak: r.Streak, Answered: r.Attempts > 0, WrongBook: r.WrongBook, Favourite: r.Favourite}
	}
	var err error
	st.Resumes, err = s.resumes(ctx, candidateID, 0)
	return st, err
}

func (s *Store) Positions(ctx context.Context, candidateID int64) (map[int64]int, error) {
	m, err := s.resumes(ctx, candidateID, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(m))
	for ch, r := range m {
		out[ch] = r.Position
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
