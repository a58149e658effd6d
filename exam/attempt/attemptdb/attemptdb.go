// Package attemptdb stores timed attempts and their items in SQL.
//
// Concurrency is by SQL: one in-progress attempt per candidate and kind is a
// unique key ((candidate_id, kind, open_slot) with open_slot NULL once
// submitted); an answer is one conditional UPDATE that also checks the
// client sequence number, the item's closed flag and the attempt's status
// and deadline; submitting is a conditional UPDATE (the claim) followed by
// closing the items, which waits for any answer write in flight.
package attemptdb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/exam/attempt"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/groupcommit"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

type attemptRow struct {
	ID           int64  `gorm:"primaryKey"`
	Kind         string `gorm:"size:16;not null;uniqueIndex:ux_exam_attempts_open,priority:2;index:ix_exam_attempts_cand,priority:2"`
	CandidateID  int64  `gorm:"not null;uniqueIndex:ux_exam_attempts_open,priority:1;index:ix_exam_attempts_cand,priority:1"`
	OpenSlot     *int   `gorm:"uniqueIndex:ux_exam_attempts_open,priority:3"`
	Ref          string `gorm:"size:64;not null;default:''"`
	BlueprintID  int64  `gorm:"not null"`
	Seed         int64  `gorm:"not null"`
	Sections     string `gorm:"type:text;not null"`
	Status       string `gorm:"size:16;not null;index:ix_exam_attempts_due,priority:1"`
	StartedAt    time.Time
	Deadline     time.Time `gorm:"not null;index:ix_exam_attempts_due,priority:2"`
	SubmittedAt  *time.Time
	SubmitReason string `gorm:"size:16;not null;default:''"`
	Passed       bool   `gorm:"not null;default:false"`
	Version      int    `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (attemptRow) TableName() string { return "exam_attempts" }

type itemRow struct {
	AttemptID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Position    int    `gorm:"primaryKey;autoIncrement:false"`
	Section     int    `gorm:"not null"`
	QuestionID  int64  `gorm:"not null"`
	Version     int    `gorm:"not null"`
	QType       string `gorm:"column:qtype;size:16;not null"`
	Points      int    `gorm:"not null"`
	OptionOrder string `gorm:"size:64;not null"`
	Given       string `gorm:"size:64;not null;default:''"`
	Seq         int64  `gorm:"not null;default:0"`
	Marked      bool   `gorm:"not null;default:false"`
	Closed      bool   `gorm:"not null;default:false"`
	Correct     bool   `gorm:"not null;default:false"`
	AnsweredAt  *time.Time
	SaveID      int64 `gorm:"not null;default:0"` // migration 401
}

func (itemRow) TableName() string { return "exam_attempt_items" }

// Snapshots of the rows as migration 400 created them (package level so
// the upgrade test of 401 can write pre-401 rows with them).
type m400Attempt struct {
	ID           int64  `gorm:"primaryKey"`
	Kind         string `gorm:"size:16;not null;uniqueIndex:ux_exam_attempts_open,priority:2;index:ix_exam_attempts_cand,priority:2"`
	CandidateID  int64  `gorm:"not null;uniqueIndex:ux_exam_attempts_open,priority:1;index:ix_exam_attempts_cand,priority:1"`
	OpenSlot     *int   `gorm:"uniqueIndex:ux_exam_attempts_open,priority:3"`
	Ref          string `gorm:"size:64;not null;default:''"`
	BlueprintID  int64  `gorm:"not null"`
	Seed         int64  `gorm:"not null"`
	Sections     string `gorm:"type:text;not null"`
	Status       string `gorm:"size:16;not null;index:ix_exam_attempts_due,priority:1"`
	StartedAt    time.Time
	Deadline     time.Time `gorm:"not null;index:ix_exam_attempts_due,priority:2"`
	SubmittedAt  *time.Time
	SubmitReason string `gorm:"size:16;not null;default:''"`
	Passed       bool   `gorm:"not null;default:false"`
	Version      int    `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

type m400Item struct {
	AttemptID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Position    int    `gorm:"primaryKey;autoIncrement:false"`
	Section     int    `gorm:"not null"`
	QuestionID  int64  `gorm:"not null"`
	Version     int    `gorm:"not null"`
	QType       string `gorm:"column:qtype;size:16;not null"`
	Points      int    `gorm:"not null"`
	OptionOrder string `gorm:"size:64;not null"`
	Given       string `gorm:"size:64;not null;default:''"`
	Seq         int64  `gorm:"not null;default:0"`
	Marked      bool   `gorm:"not null;default:false"`
	Closed      bool   `gorm:"not null;default:false"`
	Correct     bool   `gorm:"not null;default:false"`
	AnsweredAt  *time.Time
}

func (m400Attempt) TableName() string { return "exam_attempts" }
func (m400Item) TableName() string    { return "exam_attempt_items" }

// Migrations of the attempt tables (IDs 400-449).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{{ID: 400, Name: "create exam_attempts, exam_attempt_items", Up: func(tx *gorm.DB) error {
		if err := sqldb.CreateTables(tx, &m400Attempt{}, &m400Item{}); err != nil {
			return err
		}
		// One item per question per attempt (a paper never repeats a question).
		if !tx.Migrator().HasIndex(&m400Item{}, "ux_exam_attempt_items_q") {
			return tx.Exec("CREATE UNIQUE INDEX ux_exam_attempt_items_q ON exam_attempt_items (attempt_id, question_id)").Error
		}
		return nil
	}}, {ID: 401, Name: "exam_attempt_items: save_id (outcome of a group-committed answer save)", Up: func(tx *gorm.DB) error {
		type examAttemptItem struct {
			SaveID int64 `gorm:"not null;default:0"`
		}
		if tx.Migrator().HasColumn(&examAttemptItem{}, "SaveID") {
			return nil
		}
		return tx.Migrator().AddColumn(&examAttemptItem{}, "SaveID")
	}}}
}

// Store implements attempt.Store.
type Store struct {
	db      *sqldb.DB
	answers *groupcommit.Writer[answerSave, answerSaved]
}

// New returns the store. Its answer writer starts with the first save;
// Drain stops it.
func New(db *sqldb.DB) *Store {
	s := &Store{db: db}
	s.answers = groupcommit.New("attempt answers", s.commitAnswers, sqldb.GroupCommitOptions(db, saveKey))
	return s
}

var _ attempt.Store = (*Store)(nil)

func joinKeys(k []string) string { return strings.Join(k, ",") }

func splitKeys(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func toAttempt(r attemptRow) (attempt.Attempt, error) {
	a := attempt.Attempt{ID: r.ID, Kind: attempt.Kind(r.Kind), CandidateID: r.CandidateID, Ref: r.Ref, BlueprintID: r.BlueprintID, Seed: r.Seed,
		Status: r.Status, StartedAt: r.StartedAt, Deadline: r.Deadline, Reason: r.SubmitReason, Passed: r.Passed, Version: r.Version}
	if r.SubmittedAt != nil {
		a.SubmittedAt = *r.SubmittedAt
	}
	secs, err := decodeSections(r.Sections)
	if err != nil {
		return attempt.Attempt{}, fmt.Errorf("attempt %d sections: %w", r.ID, err)
	}
	a.Sections = secs
	return a, nil
}

// sectionJSON is one stored section of exam_attempts.sections. The keys are
// the Go field names the first release wrote, kept so stored rows read back.
type sectionJSON struct {
	Subject         string `json:"Subject"`
	DurationMinutes int    `json:"DurationMinutes"`
	PassPercent     int    `json:"PassPercent"`
	TotalPoints     int    `json:"TotalPoints"`
	Count           int    `json:"Count"`
	Score           int    `json:"Score"`
	Correct         int    `json:"Correct"`
	Passed          bool   `json:"Passed"`
}

func encodeSections(secs []attempt.Section) (string, error) {
	v := make([]sectionJSON, len(secs))
	for i, x := range secs {
		v[i] = sectionJSON{Subject: string(x.Subject), DurationMinutes: x.DurationMinutes, PassPercent: x.PassPercent, TotalPoints: x.TotalPoints,
			Count: x.Count, Score: x.Score, Correct: x.Correct, Passed: x.Passed}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeSections(s string) ([]attempt.Section, error) {
	var v []sectionJSON
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	out := make([]attempt.Section, len(v))
	for i, x := range v {
		out[i] = attempt.Section{Subject: questionbank.Subject(x.Subject), DurationMinutes: x.DurationMinutes, PassPercent: x.PassPercent,
			TotalPoints: x.TotalPoints, Count: x.Count, Score: x.Score, Correct: x.Correct, Passed: x.Passed}
	}
	return out, nil
}

func toItem(r itemRow) attempt.Item {
	it := attempt.Item{AttemptID: r.AttemptID, Position: r.Position, Section: r.Section, QuestionID: r.QuestionID, Version: r.Version,
		Type: questionbank.QuestionType(r.QType), Points: r.Points, OptionOrder: splitKeys(r.OptionOrder), Given: splitKeys(r.Given),
		Seq: r.Seq, Marked: r.Marked, Correct: r.Correct}
	if r.AnsweredAt != nil {
		it.AnsweredAt = *r.AnsweredAt
	}
	return it
}

func notFound(err error) error {
	if sqldb.IsNotFound(err) {
		return apperr.ErrNotFound
	}
	return err
}

func (s *Store) Create(ctx context.Context, a *attempt.Attempt, items []attempt.Item) error {
	secs, err := encodeSections(a.Sections)
	if err != nil {
		return err
	}
	one := 1
	r := attemptRow{Kind: string(a.Kind), CandidateID: a.CandidateID, OpenSlot: &one, Ref: a.Ref, BlueprintID: a.BlueprintID, Seed: a.Seed,
		Sections: secs, Status: a.Status, StartedAt: a.StartedAt.UTC(), Deadline: a.Deadline.UTC(), Version: 1}
	conn := s.db.Conn(ctx)
	if err := conn.Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return attempt.ErrAlreadyOpen
		}
		return err
	}
	rows := make([]itemRow, len(items))
	for i, it := range items {
		rows[i] = itemRow{AttemptID: r.ID, Position: it.Position, Section: it.Section, QuestionID: it.QuestionID, Version: it.Version,
			QType: string(it.Type), Points: it.Points, OptionOrder: joinKeys(it.OptionOrder)}
	}
	if err := conn.CreateInBatches(rows, 200).Error; err != nil {
		return err
	}
	a.ID, a.Version = r.ID, r.Version
	return nil
}

func (s *Store) Get(ctx context.Context, id int64) (attempt.Attempt, error) {
	var r attemptRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return attempt.Attempt{}, notFound(err)
	}
	return toAttempt(r)
}

func (s *Store) Open(ctx context.Context, candidateID int64, kind attempt.Kind) (attempt.Attempt, error) {
	var r attemptRow
	if err := s.db.Conn(ctx).Where("candidate_id = ? AND kind = ? AND open_slot = 1", candidateID, string(kind)).Take(&r).Error; err != nil {
		return attempt.Attempt{}, notFound(err)
	}
	return toAttempt(r)
}

// Items scans the rows itself rather than through gorm's reflection: a
// submit reads its paper's ~100 items, and gorm's scan was half of the
// submit transaction's CPU (docs/performance.md, "Exam day").
func (s *Store) Items(ctx context.Context, attemptID int64) ([]attempt.Item, error) {
	rows, err := s.db.Conn(ctx).Raw("SELECT position, section, question_id, version, qtype, points, option_order, given, seq, marked, correct, answered_at FROM exam_attempt_items WHERE attempt_id = ? ORDER BY position", attemptID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]attempt.Item, 0, 100)
	for rows.Next() {
		r := itemRow{AttemptID: attemptID}
		var answered sql.NullTime
		if err := rows.Scan(&r.Position, &r.Section, &r.QuestionID, &r.Version, &r.QType, &r.Points, &r.OptionOrder, &r.Given, &r.Seq, &r.Marked, &r.Correct, &answered); err != nil {
			return nil, err
		}
		if answered.Valid {
			t := answered.Time
			r.AnsweredAt = &t
		}
		out = append(out, toItem(r))
	}
	return out, rows.Err()
}

func (s *Store) Item(ctx context.Context, attemptID, questionID int64) (attempt.Item, error) {
	var r itemRow
	if err := s.db.Conn(ctx).Where("attempt_id = ? AND question_id = ?", attemptID, questionID).Take(&r).Error; err != nil {
		return attempt.Item{}, notFound(err)
	}
	return toItem(r), nil
}

// answerSave is one answer waiting for the group commit. saveID is random
// per request: the statement sets the item's save_id to it only when the
// answer is applied, so RETURNING save_id tells each request its outcome.
type answerSave struct {
	item   attempt.Item
	given  string
	seq    int64
	marked bool
	at     time.Time
	saveID int64
}

type answerSaved struct {
	item    attempt.Item
	applied bool
}

func saveKey(a answerSave) uint64 {
	return uint64(a.item.AttemptID)*1_000_003 ^ uint64(a.item.Position)
}

// SaveAnswer goes through the store's group-commit writer: answer saves of
// every attempt on this node (mock now, formal later) share one multi-row
// statement and one commit; the call returns once its row has committed.
// Inside a caller's transaction it writes directly, as part of it.
func (s *Store) SaveAnswer(ctx context.Context, it attempt.Item, a attempt.Answer, now time.Time) (attempt.Item, bool, error) {
	req := answerSave{item: it, given: joinKeys(a.Given), seq: a.Seq, marked: a.Marked, at: now.UTC(), saveID: rand.Int64() | 1}
	var out answerSaved
	if sqldb.InTransaction(ctx) {
		res, err := s.commitAnswers(ctx, []answerSave{req})
		if err != nil {
			return attempt.Item{}, false, err
		}
		out = res[0]
	} else {
		var err error
		if out, err = s.answers.Do(ctx, req); err != nil {
			return attempt.Item{}, false, err
		}
	}
	return out.item, out.applied, nil
}

// Drain stops the answer writer at graceful shutdown: later saves fail with
// groupcommit.ErrClosed (503, retried by the phone) and every queued one is
// committed and answered before it returns.
func (s *Store) Drain(ctx context.Context) error { return s.answers.Close(ctx) }

// The first assignment decides (MySQL assigns left to right, later ones
// see earlier results): save_id takes the request's id only when its seq is
// newer and the item is open; every other column follows save_id.
const saveUpsertMySQL = ` ON DUPLICATE KEY UPDATE
save_id = IF(seq < VALUES(seq) AND NOT closed, VALUES(save_id), save_id),
given = IF(save_id = VALUES(save_id), VALUES(given), given),
marked = IF(save_id = VALUES(save_id), VALUES(marked), marked),
answered_at = IF(save_id = VALUES(save_id), VALUES(answered_at), answered_at),
seq = IF(save_id = VALUES(save_id), VALUES(seq), seq)
RETURNING attempt_id, position, given, seq, marked, answered_at, save_id`

// commitAnswers writes saves (distinct items) as one statement. MySQL: an
// INSERT of the item rows as the caller read them, which always hits the
// existing primary key and so updates it, in primary-key order (the order
// in which Close locks an attempt's items: no deadlock between them).
// SQLite: one conditional UPDATE per save, then the row read back.
func (s *Store) commitAnswers(ctx context.Context, saves []answerSave) ([]answerSaved, error) {
	out := make([]answerSaved, len(saves))
	if s.db.Dialect() != sqldb.MySQL {
		for i, a := range saves {
			res := s.db.Conn(ctx).Exec(`UPDATE exam_attempt_items SET given = ?, seq = ?, marked = ?, answered_at = ?, save_id = ?
WHERE attempt_id = ? AND position = ? AND seq < ? AND closed = ?`, a.given, a.seq, a.marked, a.at, a.saveID, a.item.AttemptID, a.item.Position, a.seq, false)
			if res.Error != nil {
				return nil, res.Error
			}
			var r itemRow
			if err := s.db.Conn(ctx).Where("attempt_id = ? AND position = ?", a.item.AttemptID, a.item.Position).Take(&r).Error; err != nil {
				return nil, notFound(err)
			}
			out[i] = answerSaved{item: toItem(r), applied: res.RowsAffected == 1}
		}
		return out, nil
	}
	order := make([]int, len(saves))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := cmp.Compare(saves[i].item.AttemptID, saves[j].item.AttemptID); c != 0 {
			return c
		}
		return cmp.Compare(saves[i].item.Position, saves[j].item.Position)
	})
	var sb strings.Builder
	sb.WriteString(`INSERT INTO exam_attempt_items (attempt_id, position, section, question_id, version, qtype, points, option_order, given, seq, marked, closed, answered_at, save_id) VALUES `)
	args := make([]any, 0, len(saves)*13)
	for n, i := range order {
		a := saves[i]
		if n > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?)")
		it := a.item
		args = append(args, it.AttemptID, it.Position, it.Section, it.QuestionID, it.Version, string(it.Type), it.Points, joinKeys(it.OptionOrder),
			a.given, a.seq, a.marked, a.at, a.saveID)
	}
	sb.WriteString(saveUpsertMySQL)
	rs, err := s.db.Conn(ctx).Statement.ConnPool.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	got := 0
	for rs.Next() {
		var (
			attemptID, seq, saveID int64
			position               int
			given                  string
			marked                 bool
			at                     sql.NullTime
		)
		if err := rs.Scan(&attemptID, &position, &given, &seq, &marked, &at, &saveID); err != nil {
			return nil, err
		}
		if got >= len(order) {
			return nil, errors.New("attemptdb: answer upsert returned too many rows")
		}
		a := saves[order[got]]
		if a.item.AttemptID != attemptID || a.item.Position != position {
			return nil, fmt.Errorf("attemptdb: answer upsert returned item %d/%d out of order", attemptID, position)
		}
		it := a.item
		it.Given, it.Seq, it.Marked, it.AnsweredAt = splitKeys(given), seq, marked, time.Time{}
		if at.Valid {
			it.AnsweredAt = at.Time
		}
		out[order[got]] = answerSaved{item: it, applied: saveID == a.saveID}
		got++
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if got != len(saves) {
		return nil, fmt.Errorf("attemptdb: answer upsert of %d items returned %d rows", len(saves), got)
	}
	return out, nil
}

func (s *Store) Close(ctx context.Context, id int64, reason string, at time.Time) (bool, error) {
	conn := s.db.Conn(ctx)
	res := conn.Model(&attemptRow{}).Where("id = ? AND status = ?", id, attempt.StatusInProgress).
		Updates(map[string]any{"status": attempt.StatusSubmitted, "open_slot": nil, "submitted_at": at.UTC(), "submit_reason": reason,
			"version": gorm.Expr("version + 1"), "updated_at": at.UTC()})
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	// Takes the row locks of every item: an answer write in flight finishes
	// first (and is graded); a later one finds closed = true.
	if err := conn.Model(&itemRow{}).Where("attempt_id = ?", id).Update("closed", true).Error; err != nil {
		return false, err
	}
	return true, nil
}

func (s *Store) SaveResult(ctx context.Context, a attempt.Attempt, items []attempt.Item) error {
	secs, err := encodeSections(a.Sections)
	if err != nil {
		return err
	}
	conn := s.db.Conn(ctx)
	if err := conn.Model(&attemptRow{}).Where("id = ?", a.ID).Updates(map[string]any{"sections": secs, "passed": a.Passed}).Error; err != nil {
		return err
	}
	var right []int
	for _, it := range items {
		if it.Correct {
			right = append(right, it.Position)
		}
	}
	if len(right) == 0 {
		return nil
	}
	return conn.Model(&itemRow{}).Where("attempt_id = ? AND position IN ?", a.ID, right).Update("correct", true).Error
}

func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&attemptRow{}).Where("status = ? AND deadline <= ?", attempt.StatusInProgress, now.UTC()).
		Order("deadline").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

func (s *Store) List(ctx context.Context, candidateID int64, kind attempt.Kind, offset, limit int) ([]attempt.Attempt, int64, error) {
	q := s.db.Conn(ctx).Model(&attemptRow{}).Where("candidate_id = ? AND kind = ?", candidateID, string(kind))
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []attemptRow
	if err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]attempt.Attempt, 0, len(rows))
	for _, r := range rows {
		a, err := toAttempt(r)
		if err != nil {
			return nil, 0, errors.Join(errors.New("attempt sections"), err)
		}
		out = append(out, a)
	}
	return out, total, nil
}

// ---- proctor actions and the seat map (formal exam) ----

func (s *Store) Extend(ctx context.Context, id int64, deadline, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&attemptRow{}).Where("id = ? AND status = ? AND deadline > ?", id, attempt.StatusInProgress, now.UTC()).
		Updates(map[string]any{"deadline": deadline.UTC(), "version": gorm.Expr("version + 1"), "updated_at": now.UTC()})
	return res.RowsAffected == 1, res.Error
}

func (s *Store) Progress(ctx context.Context, ids []int64) (map[int64]attempt.Counts, error) {
	out := make(map[int64]attempt.Counts, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		AttemptID int64
		Total     int
		Answered  int
		Last      *string // MAX over a DATETIME comes back as text on SQLite
	}
	err := s.db.Conn(ctx).Model(&itemRow{}).Select("attempt_id, COUNT(*) AS total, SUM(CASE WHEN given <> '' THEN 1 ELSE 0 END) AS answered, MAX(answered_at) AS last").
		Where("attempt_id IN ?", ids).Group("attempt_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := attempt.Counts{Answered: r.Answered, Total: r.Total}
		if r.Last != nil {
			c.LastAnswer = parseDBTime(*r.Last)
		}
		out[r.AttemptID] = c
	}
	return out, nil
}

// parseDBTime reads a DATETIME as MySQL or SQLite render it in text.
func parseDBTime(v string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
