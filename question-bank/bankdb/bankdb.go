// Package bankdb stores the question bank in SQL (MySQL/MariaDB or SQLite).
package bankdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

type chapterRow struct {
	ID        int64  `gorm:"primaryKey"`
	Subject   string `gorm:"size:16;not null"`
	Code      string `gorm:"size:32;not null;uniqueIndex:uq_qb_chapters_code"`
	Name      string `gorm:"size:100;not null"`
	Sort      int    `gorm:"not null;default:0"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (chapterRow) TableName() string { return "qb_chapters" }

// questionRow holds the working version plus lifecycle data.
type questionRow struct {
	ID          int64  `gorm:"primaryKey"`
	Subject     string `gorm:"size:16;not null;index:idx_qb_questions_filter,priority:1"`
	ChapterID   int64  `gorm:"not null;index:idx_qb_questions_filter,priority:2"`
	Type        string `gorm:"size:16;not null"`
	Status      string `gorm:"size:16;not null;index:idx_qb_questions_status"`
	Version     int    `gorm:"not null"`
	LiveVersion int    `gorm:"not null;default:0"`
	RowVersion  int    `gorm:"not null;default:1"`
	Stem        string `gorm:"size:2000;not null"`
	StemHash    string `gorm:"size:32;not null;uniqueIndex:uq_qb_questions_stem"`
	Options     string `gorm:"type:text;not null"`
	Answer      string `gorm:"size:16;not null"`
	Explanation string `gorm:"type:text;not null"`
	ImageURL    string `gorm:"size:128;not null;default:''"`
	Difficulty  int    `gorm:"not null"`
	Tags        string `gorm:"size:255;not null;default:''"`
	Context     string `gorm:"size:16;not null"`
	ReviewNote  string `gorm:"size:2000;not null;default:''"`
	UpdatedBy   int64  `gorm:"not null;default:0"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (questionRow) TableName() string { return "qb_questions" }

// versionRow is one version's content; frozen (FrozenAt set) once published.
type versionRow struct {
	QuestionID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Version     int    `gorm:"primaryKey;autoIncrement:false"`
	Subject     string `gorm:"size:16;not null"`
	ChapterID   int64  `gorm:"not null"`
	Type        string `gorm:"size:16;not null"`
	Stem        string `gorm:"size:2000;not null"`
	Options     string `gorm:"type:text;not null"`
	Answer      string `gorm:"size:16;not null"`
	Explanation string `gorm:"type:text;not null"`
	ImageURL    string `gorm:"size:128;not null;default:''"`
	Difficulty  int    `gorm:"not null"`
	Tags        string `gorm:"size:255;not null;default:''"`
	Context     string `gorm:"size:16;not null"`
	FrozenAt    *time.Time
	CreatedAt   time.Time
}

func (versionRow) TableName() string { return "qb_question_versions" }

type imageRow struct {
	ID          string `gorm:"primaryKey;size:64"`
	ContentType string `gorm:"size:32;not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	Data        []byte `gorm:"not null"`
	CreatedAt   time.Time
}

func (imageRow) TableName() string { return "qb_images" }

type blueprintRow struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	Kind      string `gorm:"size:16;not null"`
	IsDefault bool   `gorm:"not null;default:false"`
	Sections  string `gorm:"type:text;not null"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (blueprintRow) TableName() string { return "qb_blueprints" }

type importRow struct {
	ID        int64  `gorm:"primaryKey"`
	FileName  string `gorm:"size:255;not null"`
	Status    string `gorm:"size:16;not null"`
	Rows      string `gorm:"type:longtext;not null"`
	Errors    string `gorm:"type:longtext;not null"`
	CreatedBy int64  `gorm:"not null"`
	CreatedAt time.Time
	DoneAt    *time.Time
}

func (importRow) TableName() string { return "qb_imports" }

// importChunkRow holds part of an import's rows: one INSERT per chunk, each
// far below MariaDB's max_allowed_packet (16 MB by default), whereas all of
// a 20,000-row import as one value is tens of MB.
type importChunkRow struct {
	ImportID int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq      int    `gorm:"primaryKey;autoIncrement:false"`
	Rows     string `gorm:"type:longtext;not null"`
}

func (importChunkRow) TableName() string { return "qb_import_chunks" }

// importChunkBytes bounds one chunk's JSON.
const importChunkBytes = 1 << 20

type stateRow struct {
	ID         int   `gorm:"primaryKey;autoIncrement:false"`
	Generation int64 `gorm:"not null"`
}

func (stateRow) TableName() string { return "qb_state" }

// Store implements questionbank.Store.
type Store struct{ db *sqldb.DB }

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ questionbank.Store = (*Store)(nil)

func notFound(err error) error {
	if sqldb.IsNotFound(err) {
		return apperr.ErrNotFound
	}
	return err
}

// ---- chapters ----

func toChapter(r chapterRow) questionbank.Chapter {
	return questionbank.Chapter{ID: r.ID, Subject: questionbank.Subject(r.Subject), Code: r.Code, Name: r.Name, Sort: r.Sort, Version: r.Version}
}

func (s *Store) Chapters(ctx context.Context) ([]questionbank.Chapter, error) {
	var rows []chapterRow
	if err := s.db.Conn(ctx).Order("CASE WHEN subject = 'national' THEN 0 ELSE 1 END, sort, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]questionbank.Chapter, len(rows))
	for i, r := range rows {
		out[i] = toChapter(r)
	}
	return out, nil
}

func (s *Store) ChapterByID(ctx context.Context, id int64) (questionbank.Chapter, error) {
	var r chapterRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return questionbank.Chapter{}, notFound(err)
	}
	return toChapter(r), nil
}

func (s *Store) CreateChapter(ctx context.Context, c *questionbank.Chapter) error {
	r := chapterRow{Subject: string(c.Subject), Code: c.Code, Name: c.Name, Sort: c.Sort, Version: c.Version}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return questionbank.ErrDuplicateChapter.WithField("code", apperr.AlreadyUsed())
		}
		return err
	}
	*c = toChapter(r)
	return nil
}

func (s *Store) UpdateChapter(ctx context.Context, id int64, fn func(*questionbank.Chapter) error) (questionbank.Chapter, error) {
	var out questionbank.Chapter
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r chapterRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		c := toChapter(r)
		if err := fn(&c); err != nil {
			return err
		}
		r.Name, r.Sort, r.Version = c.Name, c.Sort, c.Version
		if err := s.db.Conn(ctx).Save(&r).Error; err != nil {
			return err
		}
		out = toChapter(r)
		return nil
	})
	return out, err
}

func (s *Store) DeleteChapter(ctx context.Context, id int64) error {
	var n int64
	if err := s.db.Conn(ctx).Model(&questionRow{}).Where("chapter_id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return questionbank.ErrChapterInUse.WithMessage("the chapter still has %d questions", n)
	}
	res := s.db.Conn(ctx).Delete(&chapterRow{}, id)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

func (s *Store) ChapterQuestionCounts(ctx context.Context) (map[int64]int, error) {
	var rows []struct {
		ChapterID int64
		N         int
	}
	if err := s.db.Conn(ctx).Model(&questionRow{}).Select("chapter_id, COUNT(*) AS n").Group("chapter_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	m := make(map[int64]int, len(rows))
	for _, r := range rows {
		m[r.ChapterID] = r.N
	}
	return m, nil
}

// ---- questions ----

// optionJSON is one stored option (qb_questions.options, qb_question_versions.options).
type optionJSON struct {
	K string `json:"k"`
	T string `json:"t"`
}

func encodeOptions(o []questionbank.Option) (string, error) {
	v := make([]optionJSON, len(o))
	for i, x := range o {
		v[i] = optionJSON{x.Key, x.Text}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeOptions(s string) ([]questionbank.Option, error) {
	var v []optionJSON
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("stored options: %w", err)
	}
	out := make([]questionbank.Option, len(v))
	for i, x := range v {
		out[i] = questionbank.Option{Key: x.K, Text: x.T}
	}
	return out, nil
}

func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ";")
}

func splitAnswer(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func toInfo(r questionRow) (questionbank.QuestionInfo, error) {
	opts, err := decodeOptions(r.Options)
	if err != nil {
		return questionbank.QuestionInfo{}, fmt.Errorf("question %d: %w", r.ID, err)
	}
	return questionbank.QuestionInfo{
		Question: questionbank.Question{ID: r.ID, Version: r.Version, Subject: questionbank.Subject(r.Subject), ChapterID: r.ChapterID,
			Type: questionbank.QuestionType(r.Type), Stem: r.Stem, Options: opts, Answer: splitAnswer(r.Answer),
			Explanation: r.Explanation, ImageURL: r.ImageURL, Difficulty: r.Difficulty, Tags: splitTags(r.Tags), Context: r.Context, Status: r.Status},
		LiveVersion: r.LiveVersion, RowVersion: r.RowVersion, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy, ReviewNote: r.ReviewNote,
	}, nil
}

func fromInfo(q questionbank.QuestionInfo) (questionRow, error) {
	opts, err := encodeOptions(q.Options)
	return questionRow{ID: q.ID, Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type), Status: q.Status,
		Version: q.Version, LiveVersion: q.LiveVersion, RowVersion: q.RowVersion, Stem: q.Stem, StemHash: questionbank.StemHash(q.Stem),
		Options: opts, Answer: strings.Join(q.Answer, ","), Explanation: q.Explanation, ImageURL: q.ImageURL,
		Difficulty: q.Difficulty, Tags: strings.Join(q.Tags, ";"), Context: q.Context, ReviewNote: q.ReviewNote, UpdatedBy: q.UpdatedBy, UpdatedAt: q.UpdatedAt}, err
}

func versionOf(q questionbank.Question, at time.Time) (versionRow, error) {
	opts, err := encodeOptions(q.Options)
	return versionRow{QuestionID: q.ID, Version: q.Version, Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type),
		Stem: q.Stem, Options: opts, Answer: strings.Join(q.Answer, ","), Explanation: q.Explanation,
		ImageURL: q.ImageURL, Difficulty: q.Difficulty, Tags: strings.Join(q.Tags, ";"), Context: q.Context, CreatedAt: at}, err
}

func fromVersion(v versionRow) (questionbank.Question, error) {
	opts, err := decodeOptions(v.Options)
	if err != nil {
		return questionbank.Question{}, fmt.Errorf("question %d version %d: %w", v.QuestionID, v.Version, err)
	}
	return questionbank.Question{ID: v.QuestionID, Version: v.Version, Subject: questionbank.Subject(v.Subject), ChapterID: v.ChapterID,
		Type: questionbank.QuestionType(v.Type), Stem: v.Stem, Options: opts, Answer: splitAnswer(v.Answer),
		Explanation: v.Explanation, ImageURL: v.ImageURL, Difficulty: v.Difficulty, Tags: splitTags(v.Tags), Context: v.Context, Status: questionbank.StatusPublished}, nil
}

const batchSize = 500

func dupStem(err error) error {
	if sqldb.IsDuplicate(err) {
		return questionbank.ErrDuplicateStem.WithField("stem", apperr.DuplicateStem())
	}
	return err
}

func (s *Store) CreateQuestions(ctx context.Context, qs []questionbank.QuestionInfo) error {
	if len(qs) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		rows := make([]questionRow, len(qs))
		for i, q := range qs {
			r, err := fromInfo(q)
			if err != nil {
				return err
			}
			rows[i] = r
			rows[i].CreatedAt = q.UpdatedAt
		}
		if err := conn.CreateInBatches(&rows, batchSize).Error; err != nil {
			return dupStem(err)
		}
		vers := make([]versionRow, 0, len(qs))
		for i := range qs {
			qs[i].ID = rows[i].ID
			v, err := versionOf(qs[i].Question, qs[i].UpdatedAt)
			if err != nil {
				return err
			}
			vers = append(vers, v)
			if qs[i].LiveVersion == qs[i].Version { // loaded as published
				t := qs[i].UpdatedAt
				vers[i].FrozenAt = &t
			}
		}
		return conn.CreateInBatches(&vers, batchSize).Error
	})
}

func (s *Store) QuestionByID(ctx context.Context, id int64) (questionbank.QuestionInfo, error) {
	var r questionRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return questionbank.QuestionInfo{}, notFound(err)
	}
	return toInfo(r)
}

func (s *Store) UpdateQuestion(ctx context.Context, id int64, fn func(*questionbank.QuestionInfo) error) (questionbank.QuestionInfo, error) {
	var out questionbank.QuestionInfo
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r questionRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		q, err := toInfo(r)
		if err != nil {
			return err
		}
		if err := fn(&q); err != nil {
			return err
		}
		q.ID = id
		nr, err := fromInfo(q)
		if err != nil {
			return err
		}
		nr.CreatedAt = r.CreatedAt
		if err := s.db.Conn(ctx).Save(&nr).Error; err != nil {
			return dupStem(err)
		}
		if q.Version != r.Version || contentChanged(r, nr) {
			v, err := versionOf(q.Question, q.UpdatedAt)
			if err != nil {
				return err
			}
			if q.Version == r.Version {
				res := s.db.Conn(ctx).Model(&versionRow{}).Where("question_id = ? AND version = ? AND frozen_at IS NULL", id, q.Version).
					Updates(map[string]any{"subject": v.Subject, "chapter_id": v.ChapterID, "type": v.Type, "stem": v.Stem, "options": v.Options,
						"answer": v.Answer, "explanation": v.Explanation, "image_url": v.ImageURL, "difficulty": v.Difficulty, "tags": v.Tags, "context": v.Context})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 0 {
					return questionbank.ErrWrongStatus.WithMessage("version %d is published and cannot change", q.Version)
				}
			} else if err := s.db.Conn(ctx).Create(&v).Error; err != nil {
				if sqldb.IsDuplicate(err) {
					return apperr.ErrVersionConflict
				}
				return err
			}
		}
		out = q
		return nil
	})
	return out, err
}

func contentChanged(a, b questionRow) bool {
	return a.Subject != b.Subject || a.ChapterID != b.ChapterID || a.Type != b.Type || a.Stem != b.Stem || a.Options != b.Options ||
		a.Answer != b.Answer || a.Explanation != b.Explanation || a.ImageURL != b.ImageURL || a.Difficulty != b.Difficulty || a.Tags != b.Tags || a.Context != b.Context
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Store) SearchQuestions(ctx context.Context, f questionbank.SearchFilter) ([]questionbank.QuestionInfo, int64, error) {
	q := s.db.Conn(ctx).Model(&questionRow{})
	if f.Subject != "" {
		q = q.Where("subject = ?", string(f.Subject))
	}
	if f.ChapterID != 0 {
		q = q.Where("chapter_id = ?", f.ChapterID)
	}
	if f.Type != "" {
		q = q.Where("type = ?", string(f.Type))
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Text != "" {
		q = q.Where(`stem LIKE ? ESCAPE '\'`, "%"+escapeLike(f.Text)+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.PageSize <= 0 {
		f.PageSize = 20
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	var rows []questionRow
	if err := q.Order("id").Offset((f.Page - 1) * f.PageSize).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]questionbank.QuestionInfo, len(rows))
	for i, r := range rows {
		info, err := toInfo(r)
		if err != nil {
			return nil, 0, err
		}
		out[i] = info
	}
	return out, total, nil
}

func (s *Store) StemOwners(ctx context.Context, hashes []string) (map[string]int64, error) {
	out := map[string]int64{}
	for start := 0; start < len(hashes); start += batchSize {
		end := min(start+batchSize, len(hashes))
		var rows []struct {
			ID       int64
			StemHash string
		}
		if err := s.db.Conn(ctx).Model(&questionRow{}).Select("id, stem_hash").Where("stem_hash IN ?", hashes[start:end]).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.StemHash] = r.ID
		}
	}
	return out, nil
}

func (s *Store) CountQuestions(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&questionRow{}).Count(&n).Error
	return n, err
}

func (s *Store) FreezeVersion(ctx context.Context, ref questionbank.VersionRef, at time.Time) error {
	res := s.db.Conn(ctx).Model(&versionRow{}).Where("question_id = ? AND version = ? AND frozen_at IS NULL", ref.QuestionID, ref.Version).Update("frozen_at", at)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return questionbank.ErrWrongStatus.WithMessage("version %d of question %d is missing or already published", ref.Version, ref.QuestionID)
	}
	return nil
}

func (s *Store) LiveQuestions(ctx context.Context) ([]questionbank.Question, error) {
	var rows []versionRow
	err := s.db.Conn(ctx).Table("qb_question_versions AS v").Select("v.*").
		Joins("JOIN qb_questions AS q ON q.id = v.question_id AND q.live_version = v.version").
		Where("q.live_version > 0 AND q.status <> ?", questionbank.StatusRetired).Order("v.question_id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]questionbank.Question, len(rows))
	for i, r := range rows {
		if out[i], err = fromVersion(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) FrozenVersions(ctx context.Context, refs []questionbank.VersionRef) ([]questionbank.Question, error) {
	var out []questionbank.Question
	for start := 0; start < len(refs); start += batchSize {
		end := min(start+batchSize, len(refs))
		pairs := make([][]any, 0, end-start)
		for _, r := range refs[start:end] {
			pairs = append(pairs, []any{r.QuestionID, r.Version})
		}
		var rows []versionRow
		if err := s.db.Conn(ctx).Where("(question_id, version) IN ? AND frozen_at IS NOT NULL", pairs).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			q, err := fromVersion(r)
			if err != nil {
				return nil, err
			}
			out = append(out, q)
		}
	}
	return out, nil
}

func (s *Store) History(ctx context.Context, questionID int64) ([]questionbank.Question, error) {
	var rows []versionRow
	if err := s.db.Conn(ctx).Where("question_id = ?", questionID).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]questionbank.Question, len(rows))
	for i, r := range rows {
		q, err := fromVersion(r)
		if err != nil {
			return nil, err
		}
		out[i] = q
		if r.FrozenAt == nil {
			out[i].Status = questionbank.StatusDraft
		}
	}
	return out, nil
}

// ---- generation ----

func (s *Store) Generation(ctx context.Context) (int64, error) {
	var r stateRow
	if err := s.db.Conn(ctx).Take(&r, 1).Error; err != nil {
		return 0, err
	}
	return r.Generation, nil
}

func (s *Store) BumpGeneration(ctx context.Context) error {
	return s.db.Conn(ctx).Model(&stateRow{}).Where("id = 1").Update("generation", gorm.Expr("generation + 1")).Error
}

// ---- images ----

func (s *Store) PutImage(ctx context.Context, img questionbank.Image) error {
	r := imageRow{ID: img.ID, ContentType: img.ContentType, Width: img.Width, Height: img.Height, Data: img.Data, CreatedAt: img.CreatedAt}
	err := s.db.Conn(ctx).Create(&r).Error
	if sqldb.IsDuplicate(err) {
		return nil // same bytes, same id
	}
	return err
}

func (s *Store) Image(ctx context.Context, id string) (questionbank.Image, error) {
	var r imageRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return questionbank.Image{}, notFound(err)
	}
	return questionbank.Image{ID: r.ID, ContentType: r.ContentType, Width: r.Width, Height: r.Height, Data: r.Data, CreatedAt: r.CreatedAt}, nil
}

// ---- blueprints ----

type sectionJSON struct {
	Subject         string     `json:"subject"`
	DurationMinutes int        `json:"duration_minutes"`
	PassPercent     int        `json:"pass_percent"`
	Items           []itemJSON `json:"items"`
}

type itemJSON struct {
	ChapterID int64  `json:"chapter_id"`
	Type      string `json:"type"`
	Count     int    `json:"count"`
	Points    int    `json:"points"`
}

func encodeSections(secs []questionbank.BlueprintSection) (string, error) {
	v := make([]sectionJSON, len(secs))
	for i, s := range secs {
		v[i] = sectionJSON{Subject: string(s.Subject), DurationMinutes: s.DurationMinutes, PassPercent: s.PassPercent}
		for _, it := range s.Items {
			v[i].Items = append(v[i].Items, itemJSON{ChapterID: it.ChapterID, Type: string(it.Type), Count: it.Count, Points: it.Points})
		}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func toBlueprint(r blueprintRow) (questionbank.Blueprint, error) {
	var v []sectionJSON
	if err := json.Unmarshal([]byte(r.Sections), &v); err != nil {
		return questionbank.Blueprint{}, fmt.Errorf("blueprint %d sections: %w", r.ID, err)
	}
	b := questionbank.Blueprint{ID: r.ID, Name: r.Name, Kind: r.Kind, IsDefault: r.IsDefault, Version: r.Version}
	for _, s := range v {
		sec := questionbank.BlueprintSection{Subject: questionbank.Subject(s.Subject), DurationMinutes: s.DurationMinutes, PassPercent: s.PassPercent}
		for _, it := range s.Items {
			sec.Items = append(sec.Items, questionbank.BlueprintItem{ChapterID: it.ChapterID, Type: questionbank.QuestionType(it.Type), Count: it.Count, Points: it.Points})
		}
		b.Sections = append(b.Sections, sec)
	}
	return b, nil
}

func (s *Store) Blueprints(ctx context.Context) ([]questionbank.Blueprint, error) {
	var rows []blueprintRow
	if err := s.db.Conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]questionbank.Blueprint, len(rows))
	for i, r := range rows {
		b, err := toBlueprint(r)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (s *Store) BlueprintByID(ctx context.Context, id int64) (questionbank.Blueprint, error) {
	var r blueprintRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return questionbank.Blueprint{}, notFound(err)
	}
	return toBlueprint(r)
}

func (s *Store) CreateBlueprint(ctx context.Context, b *questionbank.Blueprint) error {
	secs, err := encodeSections(b.Sections)
	if err != nil {
		return err
	}
	r := blueprintRow{Name: b.Name, Kind: b.Kind, IsDefault: b.IsDefault, Sections: secs, Version: b.Version}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	*b, err = toBlueprint(r)
	return err
}

func (s *Store) UpdateBlueprint(ctx context.Context, id int64, fn func(*questionbank.Blueprint) error) (questionbank.Blueprint, error) {
	var out questionbank.Blueprint
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r blueprintRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		b, err := toBlueprint(r)
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		secs, err := encodeSections(b.Sections)
		if err != nil {
			return err
		}
		r.Name, r.Kind, r.IsDefault, r.Sections, r.Version = b.Name, b.Kind, b.IsDefault, secs, b.Version
		if err := s.db.Conn(ctx).Save(&r).Error; err != nil {
			return err
		}
		out, err = toBlueprint(r)
		return err
	})
	return out, err
}

func (s *Store) ClearDefault(ctx context.Context, kind string, keep int64) error {
	return s.db.Conn(ctx).Model(&blueprintRow{}).Where("kind = ? AND id <> ? AND is_default = ?", kind, keep, true).
		Updates(map[string]any{"is_default": false, "version": gorm.Expr("version + 1")}).Error
}

// ---- imports ----

type importRowJSON struct {
	Row         int      `json:"row"`
	Subject     string   `json:"subject"`
	ChapterID   int64    `json:"chapter_id"`
	Type        string   `json:"type"`
	Stem        string   `json:"stem"`
	Options     []string `json:"options"`
	Answer      []string `json:"answer"`
	Explanation string   `json:"explanation"`
	Difficulty  int      `json:"difficulty"`
	Tags        []string `json:"tags"`
	Context     string   `json:"context"`
}

// rowErrorJSON is one stored row error (qb_imports.errors).
type rowErrorJSON struct {
	Row    int            `json:"row"`
	Column string         `json:"column"`
	Field  string         `json:"field"`
	Reason string         `json:"reason"` // English, as shown when saved
	Code   string         `json:"code,omitempty"`
	Text   string         `json:"text,omitempty"` // the reason's template
	Params map[string]any `json:"params,omitempty"`
}

func (s *Store) SaveImport(ctx context.Context, b *questionbank.ImportBatch) error {
	rows := make([]importRowJSON, len(b.Rows))
	for i, r := range b.Rows {
		q := r.Question
		opts := make([]string, len(q.Options))
		for j, o := range q.Options {
			opts[j] = o.Text
		}
		rows[i] = importRowJSON{Row: r.Row, Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type), Stem: q.Stem, Options: opts,
			Answer: q.Answer, Explanation: q.Explanation, Difficulty: q.Difficulty, Tags: q.Tags, Context: q.Context}
	}
	errs := make([]rowErrorJSON, len(b.Errors))
	for i, e := range b.Errors {
		errs[i] = rowErrorJSON{Row: e.Row, Column: e.Column, Field: e.Field, Reason: e.Reason.Message(), Code: e.Reason.Code(), Text: e.Reason.Text(), Params: e.Reason.Params()}
	}
	ej, err := json.Marshal(errs)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		r := importRow{FileName: b.FileName, Status: b.Status, Rows: "[]", Errors: string(ej), CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt}
		if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
			return err
		}
		b.ID = r.ID
		// Rows go in chunks of about importChunkBytes of JSON each.
		seq, start, size := 0, 0, 0
		flush := func(end int) error {
			if end == start {
				return nil
			}
			cj, err := json.Marshal(rows[start:end])
			if err != nil {
				return err
			}
			seq++
			start, size = end, 0
			return s.db.Conn(ctx).Create(&importChunkRow{ImportID: r.ID, Seq: seq, Rows: string(cj)}).Error
		}
		for i := range rows {
			size += len(rows[i].Stem) + len(rows[i].Explanation) + len(rows[i].Context) + 200
			for _, o := range rows[i].Options {
				size += len(o) + 8
			}
			if size >= importChunkBytes {
				if err := flush(i + 1); err != nil {
					return err
				}
			}
		}
		return flush(len(rows))
	})
}

func (s *Store) ImportByID(ctx context.Context, id int64) (questionbank.ImportBatch, error) {
	var r importRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return questionbank.ImportBatch{}, notFound(err)
	}
	var rows []importRowJSON
	if err := json.Unmarshal([]byte(r.Rows), &rows); err != nil { // imports saved before migration 301
		return questionbank.ImportBatch{}, err
	}
	var chunks []importChunkRow
	if err := s.db.Conn(ctx).Where("import_id = ?", id).Order("seq").Find(&chunks).Error; err != nil {
		return questionbank.ImportBatch{}, err
	}
	for _, c := range chunks {
		var part []importRowJSON
		if err := json.Unmarshal([]byte(c.Rows), &part); err != nil {
			return questionbank.ImportBatch{}, err
		}
		rows = append(rows, part...)
	}
	b := questionbank.ImportBatch{ID: r.ID, FileName: r.FileName, Status: r.Status, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, DoneAt: r.DoneAt}
	var errs []rowErrorJSON
	if err := json.Unmarshal([]byte(r.Errors), &errs); err != nil {
		return questionbank.ImportBatch{}, fmt.Errorf("import %d errors: %w", r.ID, err)
	}
	b.Errors = make([]questionbank.RowError, 0, len(errs))
	for _, e := range errs {
		reason := apperr.Restored(e.Code, e.Text, e.Params)
		if e.Code == "" { // saved before reasons had codes
			reason = apperr.Restored("", e.Reason, nil)
		}
		b.Errors = append(b.Errors, questionbank.RowError{Row: e.Row, Column: e.Column, Field: e.Field, Reason: reason})
	}
	for _, x := range rows {
		q := questionbank.Question{Subject: questionbank.Subject(x.Subject), ChapterID: x.ChapterID, Type: questionbank.QuestionType(x.Type), Stem: x.Stem,
			Answer: x.Answer, Explanation: x.Explanation, Difficulty: x.Difficulty, Tags: x.Tags, Context: x.Context}
		if x.Type == string(questionbank.TypeTrueFalse) {
			q.Options = []questionbank.Option{{Key: "A", Text: questionbank.TrueText}, {Key: "B", Text: questionbank.FalseText}}
		} else {
			for j, t := range x.Options {
				q.Options = append(q.Options, questionbank.Option{Key: string(rune('A' + j)), Text: t})
			}
		}
		b.Rows = append(b.Rows, questionbank.ImportRow{Row: x.Row, Question: q})
	}
	return b, nil
}

func (s *Store) FinishImport(ctx context.Context, id int64, at time.Time) error {
	res := s.db.Conn(ctx).Model(&importRow{}).Where("id = ? AND status = ?", id, questionbank.ImportPending).
		Updates(map[string]any{"status": questionbank.ImportDone, "done_at": at, "rows": "[]"})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return questionbank.ErrImportDone
	}
	return s.db.Conn(ctx).Where("import_id = ?", id).Delete(&importChunkRow{}).Error
}
