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
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/exam/practice"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/groupcommit"
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

type sessionRow struct {
	ID          int64  `gorm:"primaryKey"`
	CandidateID int64  `gorm:"not null;index"`
	Mode        string `gorm:"size:16;not null"`
	ChapterID   int64  `gorm:"not null;default:0"`
	Day         string `gorm:"size:10;not null;index"`
	StartedAt   time.Time
}

func (sessionRow) TableName() string { return "practice_sessions" }

// m450Record is practice_records as migration 450 created it (package
// level so the upgrade test of 451 can write pre-451 rows with it).
type m450Record struct {
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

func (m450Record) TableName() string { return "practice_records" }

// Migrations of the practice tables (IDs 450-499).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 450, Name: "create practice_records, practice_positions, practice_sessions", Up: func(tx *gorm.DB) error {
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
		return sqldb.CreateTables(tx, &m450Record{}, &practicePosition{}, &practiceSession{})
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
	}}, {ID: 801, Name: "practice_answer_hours: answers counted per hour for the statistics", Up: func(tx *gorm.DB) error {
		// (Its ID is from the statistics range, 800-849: added with them.)
		type practiceAnswerHour struct {
			Hour    time.Time `gorm:"primaryKey;autoIncrement:false"` // UTC, truncated to the hour
			Shard   int       `gorm:"primaryKey;autoIncrement:false"` // spreads concurrent writers over rows
			Answers int64     `gorm:"not null;default:0"`
			Correct int64     `gorm:"not null;default:0"`
		}
		return sqldb.CreateTables(tx, &practiceAnswerHour{})
	}}}
}

// Store implements practice.Store.
type Store struct {
	db      *sqldb.DB
	answers *groupcommit.Writer[answerRow, practice.Marks]
}

// New returns the store. Its answer writer starts with the first answer;
// Drain stops it.
func New(db *sqldb.DB) *Store {
	s := &Store{db: db}
	s.answers = groupcommit.New("practice answers", s.commitAnswers, sqldb.GroupCommitOptions(db, answerKey))
	return s
}

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

// answerRow is one answer waiting for the group commit.
type answerRow struct {
	candidateID int64
	q           questionbank.Question
	correct     bool
	given       string
	exitAfter   int
	resume      *practice.Resume
	at          time.Time
}

func answerKey(a answerRow) uint64 { return uint64(a.candidateID)*1_000_003 ^ uint64(a.q.ID) }

// RecordAnswer goes through the store's group-commit writer: concurrent
// answers share one multi-row statement and one commit, and this call
// returns once its row has committed. Inside a caller's transaction it
// writes directly, as part of that transaction.
func (s *Store) RecordAnswer(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, resume *practice.Resume, at time.Time) (practice.Marks, error) {
	a := answerRow{candidateID: candidateID, q: q, correct: correct, given: strings.Join(given, ","), exitAfter: exitAfter, resume: resume, at: at.UTC()}
	if sqldb.InTransaction(ctx) {
		m, err := s.commitAnswers(ctx, []answerRow{a})
		if err != nil {
			return practice.Marks{}, err
		}
		return m[0], nil
	}
	return s.answers.Do(ctx, a)
}

// Drain stops the answer writer at graceful shutdown: later saves fail with
// groupcommit.ErrClosed (503, retried by the phone) and every queued one is
// committed and answered before it returns.
func (s *Store) Drain(ctx context.Context) error { return s.answers.Close(ctx) }

// commitAnswers writes answers (distinct candidate+question) as one
// statement. MySQL: one multi-row INSERT ... ON DUPLICATE KEY UPDATE ...
// RETURNING (MariaDB 10.5+), rows in key order so two statements lock
// records in the same order, in one transaction with the batch's hourly
// count. SQLite: the writer hands one row at a time.
func (s *Store) commitAnswers(ctx context.Context, rows []answerRow) ([]practice.Marks, error) {
	if s.db.Dialect() != sqldb.MySQL {
		out := make([]practice.Marks, len(rows))
		for i, a := range rows {
			m, err := s.recordAnswerSQLite(ctx, a)
			if err != nil {
				return nil, err
			}
			out[i] = m
		}
		_ = s.countAnswers(ctx, rows, false) // after each answer's own commit: logs only
		return out, nil
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := cmp.Compare(rows[i].candidateID, rows[j].candidateID); c != 0 {
			return c
		}
		return cmp.Compare(rows[i].q.ID, rows[j].q.ID)
	})
	out := make([]practice.Marks, len(rows))
	// The answers and their hourly count commit together: one transaction,
	// one redo-log flush per batch (two autocommit statements waited for two
	// flushes, a quarter of the writer's time per batch on this VM).
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// exitAfter is a parameter of the SET clause: one statement per value
		// (practice always passes WrongBookExit, so one statement).
		for start := 0; start < len(order); {
			end := start + 1
			for end < len(order) && rows[order[end]].exitAfter == rows[order[start]].exitAfter {
				end++
			}
			if err := s.upsertAnswers(ctx, rows, order[start:end], out); err != nil {
				return err
			}
			start = end
		}
		return s.countAnswers(ctx, rows, true)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// countAnswers adds a batch to the hourly answer counters the statistics
// read (practice_records keep one row per question, not one per answer).
// On MySQL it runs in the answers' transaction (tx true): the batch and its
// count commit together with one redo-log flush. A failure of the counter
// statement alone is not the answers' failure (MySQL rolled back only that
// statement: logged, the answers commit); but when the failure took the
// transaction with it (a deadlock, a lost connection) the error is returned,
// so nothing is acknowledged that was not committed. On SQLite (tx false)
// it follows the answer's own commit and only logs. Each writer picks one of
// answerShards rows of the hour, so nodes do not queue on one row lock.
func (s *Store) countAnswers(ctx context.Context, rows []answerRow, tx bool) error {
	sums := map[time.Time][2]int64{}
	for _, a := range rows {
		h := a.at.UTC().Truncate(time.Hour)
		v := sums[h]
		v[0]++
		if a.correct {
			v[1]++
		}
		sums[h] = v
	}
	q := "INSERT INTO practice_answer_hours (hour, shard, answers, correct) VALUES (?, ?, ?, ?) "
	if s.db.Dialect() == sqldb.MySQL {
		q += "ON DUPLICATE KEY UPDATE answers = answers + VALUES(answers), correct = correct + VALUES(correct)"
	} else {
		q += "ON CONFLICT (hour, shard) DO UPDATE SET answers = answers + excluded.answers, correct = correct + excluded.correct"
	}
	shard := int(rand.Uint32N(answerShards))
	for h, v := range sums {
		if err := s.db.Conn(ctx).Exec(q, h, shard, v[0], v[1]).Error; err != nil {
			if tx && (sqldb.IsRetryable(err) || !sqldb.RefusedByServer(err)) {
				return err
			}
			slog.WarnContext(ctx, "practice answer counter not updated", "hour", h, "answers", v[0], "err", err)
		}
	}
	return nil
}

// answerShards is how many counter rows one hour's answers are spread over.
const answerShards = 8

// Assignment order matters on MySQL (left to right, later ones see earlier
// results): wrong_book is computed from the old streak before streak
// changes. VALUES(col) is the row this answer would have inserted.
const answerUpsertMySQL = ` ON DUPLICATE KEY UPDATE
wrong_book = CASE WHEN VALUES(last_correct) THEN (CASE WHEN wrong_book AND streak + 1 >= ? THEN FALSE ELSE wrong_book END) ELSE TRUE END,
streak = CASE WHEN VALUES(last_correct) THEN streak + 1 ELSE 0 END,
attempts = attempts + 1, rights = rights + VALUES(rights), last_correct = VALUES(last_correct), last_given = VALUES(last_given),
last_at = VALUES(last_at), chapter_id = VALUES(chapter_id), subject = VALUES(subject),
seq_chapter_id = CASE WHEN VALUES(seq_pos) > 0 THEN VALUES(seq_chapter_id) ELSE seq_chapter_id END,
seq_at = CASE WHEN VALUES(seq_pos) > 0 THEN VALUES(seq_at) ELSE seq_at END,
seq_pos = CASE WHEN VALUES(seq_pos) > 0 THEN VALUES(seq_pos) ELSE seq_pos END,
rev = rev + 1
RETURNING candidate_id, question_id, rev, streak, attempts, wrong_book, favourite`

const answerInsert = `INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, attempts, rights, streak, wrong_book, favourite, last_correct, last_given, last_at, rev, seq_chapter_id, seq_pos, seq_at) VALUES `

func (a answerRow) values() (right int, seqCh int64, seqPos int, seqAt any) {
	if a.correct {
		right = 1
	}
	if a.resume != nil {
		return right, a.resume.ChapterID, a.resume.Position, a.resume.At.UTC()
	}
	return right, 0, 0, nil
}

// upsertAnswers runs one multi-row upsert of rows[idx...] and stores each
// row's marks at out[idx].
func (s *Store) upsertAnswers(ctx context.Context, rows []answerRow, idx []int, out []practice.Marks) error {
	var sb strings.Builder
	sb.Grow(len(answerInsert) + len(idx)*48 + len(answerUpsertMySQL))
	sb.WriteString(answerInsert)
	args := make([]any, 0, len(idx)*12+1)
	for n, i := range idx {
		a := rows[i]
		if n > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, 1, ?, ?, ?, FALSE, ?, ?, ?, 1, ?, ?, ?)")
		right, seqCh, seqPos, seqAt := a.values()
		args = append(args, a.candidateID, a.q.ID, a.q.ChapterID, string(a.q.Subject), right, right, !a.correct, a.correct, a.given, a.at, seqCh, seqPos, seqAt)
	}
	sb.WriteString(answerUpsertMySQL)
	args = append(args, rows[idx[0]].exitAfter)
	rs, err := s.db.Conn(ctx).Statement.ConnPool.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	got := 0
	for rs.Next() {
		var cand, qid, rev int64
		var streak, attempts int
		var wrong, fav bool
		if err := rs.Scan(&cand, &qid, &rev, &streak, &attempts, &wrong, &fav); err != nil {
			return err
		}
		// MariaDB returns the rows in the order of VALUES; check it anyway.
		if got >= len(idx) || rows[idx[got]].candidateID != cand || rows[idx[got]].q.ID != qid {
			return fmt.Errorf("practicedb: upsert returned row %d/%d out of order", cand, qid)
		}
		out[idx[got]] = practice.Marks{QuestionID: qid, Rev: rev, Streak: streak, Answered: attempts > 0, WrongBook: wrong, Favourite: fav}
		got++
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if got != len(idx) {
		return fmt.Errorf("practicedb: upsert of %d answers returned %d rows", len(idx), got)
	}
	return nil
}

// recordAnswerSQLite is the single-row upsert on SQLite, which evaluates
// every SET expression on the old row.
func (s *Store) recordAnswerSQLite(ctx context.Context, a answerRow) (practice.Marks, error) {
	right, seqCh, seqPos, seqAt := a.values()
	seq := a.resume != nil
	insert := answerInsert + `(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`
	set := `wrong_book = CASE WHEN ? THEN (CASE WHEN wrong_book AND streak + 1 >= ? THEN ? ELSE wrong_book END) ELSE ? END,
streak = CASE WHEN ? THEN streak + 1 ELSE 0 END,
attempts = attempts + 1, rights = rights + ?, last_correct = ?, last_given = ?, last_at = ?, chapter_id = ?, subject = ?,
seq_chapter_id = CASE WHEN ? THEN ? ELSE seq_chapter_id END, seq_pos = CASE WHEN ? THEN ? ELSE seq_pos END, seq_at = CASE WHEN ? THEN ? ELSE seq_at END`
	q := a.q
	args := []any{a.candidateID, q.ID, q.ChapterID, string(q.Subject), right, right, !a.correct, false, a.correct, a.given, a.at, seqCh, seqPos, seqAt,
		a.correct, a.exitAfter, false, true,
		a.correct,
		right, a.correct, a.given, a.at, q.ChapterID, string(q.Subject),
		seq, seqCh, seq, seqPos, seq, seqAt}
	return s.upsertMarks(ctx, insert, set, args, q.ID, practice.Marks{QuestionID: q.ID, Rev: 1, Answered: true, WrongBook: !a.correct, Streak: right})
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
