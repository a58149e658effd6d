package questionbank

import (
	"context"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// Import statuses.
const (
	ImportPending = "pending"
	ImportDone    = "done"
)

// PreviewLimit is how many parsed rows a preview shows.
const PreviewLimit = 20

func (s *Service) chapterIndexes(ctx context.Context) (byCode map[string]Chapter, byID map[int64]Chapter, list []Chapter, err error) {
	list, err = s.store.Chapters(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	byCode, byID = make(map[string]Chapter, len(list)), make(map[int64]Chapter, len(list))
	for _, c := range list {
		byCode[c.Code] = c
		byID[c.ID] = c
	}
	return byCode, byID, list, nil
}

// checkFile parses and validates an upload completely: every bad cell, every
// stem repeated inside the file or already in the bank.
func (s *Service) checkFile(ctx context.Context, fileName string, data []byte) ([]ImportRow, []RowError, error) {
	rows, err := readSheet(fileName, data)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, ErrBadFile.WithMessage("the file is empty")
	}
	if err := checkHeader(rows[0]); err != nil {
		return nil, nil, err
	}
	if len(rows)-1 > s.cfg.MaxImportRows {
		return nil, nil, ErrBadFile.WithMessage("at most %d rows per file", s.cfg.MaxImportRows)
	}
	byCode, byID, _, err := s.chapterIndexes(ctx)
	if err != nil {
		return nil, nil, err
	}
	good, errs := parseRows(rows[1:], byCode, byID)
	firstRow := map[string]int{}
	hashes := make([]string, 0, len(good))
	kept := good[:0]
	for _, r := range good {
		h := StemHash(r.Question.Stem)
		if first, dup := firstRow[h]; dup {
			errs = append(errs, RowError{Row: r.Row, Column: colLetter(colStem), Field: "stem", Reason: rsnImportDupStemRow.With("row", first)})
			continue
		}
		firstRow[h] = r.Row
		hashes = append(hashes, h)
		kept = append(kept, r)
	}
	good = kept
	owners, err := s.store.StemOwners(ctx, hashes)
	if err != nil {
		return nil, nil, err
	}
	kept = good[:0]
	for _, r := range good {
		if id, ok := owners[StemHash(r.Question.Stem)]; ok {
			errs = append(errs, RowError{Row: r.Row, Column: colLetter(colStem), Field: "stem", Reason: rsnImportDupStemQuestion.With("id", id)})
			continue
		}
		kept = append(kept, r)
	}
	sortRowErrors(errs)
	if len(kept)+len(errs) == 0 {
		return nil, nil, ErrBadFile.WithMessage("the file has no data rows")
	}
	return kept, errs, nil
}

func sortRowErrors(errs []RowError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && (errs[j].Row < errs[j-1].Row || errs[j].Row == errs[j-1].Row && errs[j].Column < errs[j-1].Column); j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// PreviewImport checks an uploaded file and keeps it as a pending import.
// Nothing reaches the bank until ConfirmImport; a file with any bad row
// cannot be confirmed.
func (s *Service) PreviewImport(ctx context.Context, fileName string, data []byte) (ImportBatch, error) {
	fileName = strings.TrimSpace(fileName)
	if r := []rune(fileName); len(r) > 200 {
		fileName = string(r[:200])
	}
	rows, errs, err := s.checkFile(ctx, fileName, data)
	if err != nil {
		return ImportBatch{}, err
	}
	b := ImportBatch{FileName: fileName, Rows: rows, Errors: errs, Status: ImportPending, CreatedBy: actorID(ctx), CreatedAt: s.clock.Now().UTC()}
	if len(errs) > 0 {
		b.Rows = nil // a bad file is never confirmed; keep only the report
	}
	if err := s.store.SaveImport(ctx, &b); err != nil {
		return ImportBatch{}, err
	}
	b.Rows = rows
	return b, nil
}

// ConfirmImport writes a clean pending import: every row becomes a
// question in review, all or nothing.
func (s *Service) ConfirmImport(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		b, err := s.store.ImportByID(ctx, id)
		if err != nil {
			return err
		}
		if b.Status != ImportPending {
			return ErrImportDone
		}
		if len(b.Errors) > 0 {
			return ErrImportHasErrors.WithMessage("the file has %d bad rows; fix them and upload it again", len(b.Errors))
		}
		// the bank may have changed since the preview
		_, byID, _, err := s.chapterIndexes(ctx)
		if err != nil {
			return err
		}
		hashes := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			hashes[i] = StemHash(r.Question.Stem)
		}
		owners, err := s.store.StemOwners(ctx, hashes)
		if err != nil {
			return err
		}
		var errs []RowError
		now, by := s.clock.Now().UTC(), actorID(ctx)
		qs := make([]QuestionInfo, 0, len(b.Rows))
		for _, r := range b.Rows {
			q := r.Question
			if _, ok := byID[q.ChapterID]; !ok {
				errs = append(errs, RowError{Row: r.Row, Column: colLetter(colChapter), Field: "chapter", Reason: rsnImportChapterDeleted})
			}
			if qid, ok := owners[StemHash(q.Stem)]; ok {
				errs = append(errs, RowError{Row: r.Row, Column: colLetter(colStem), Field: "stem", Reason: rsnImportDupStemSince.With("id", qid)})
			}
			q.Version, q.Status = 1, StatusInReview
			qs = append(qs, QuestionInfo{Question: q, RowVersion: 1, UpdatedAt: now, UpdatedBy: by})
		}
		if len(errs) > 0 {
			return ErrImportHasErrors.WithMessage("%d rows conflict with changes made since the preview: row %d: %s; upload the file again", len(errs), errs[0].Row, errs[0].Reason.Message())
		}
		if err := s.store.CreateQuestions(ctx, qs); err != nil {
			return err
		}
		if err := s.store.FinishImport(ctx, id, now); err != nil {
			return err
		}
		n = len(qs)
		return s.audit.Record(ctx, audit.Entry{Action: "question.import", TargetType: "import", TargetID: itoa(id),
			After: map[string]any{"file": b.FileName, "questions": n, "first_id": qs[0].ID, "last_id": qs[len(qs)-1].ID}})
	})
	return n, err
}

// Import returns a pending or done import (its report).
func (s *Service) Import(ctx context.Context, id int64) (ImportBatch, error) {
	return s.store.ImportByID(ctx, id)
}

// Export renders the questions matching f (working versions, every page)
// as a sheet the importer reads back.
func (s *Service) Export(ctx context.Context, format string, f SearchFilter) ([]byte, error) {
	if format != FormatCSV && format != FormatXLSX {
		return nil, apperr.Invalid(apperr.Fields{"format": apperr.OneOf("xlsx", "csv")})
	}
	_, byID, list, err := s.chapterIndexes(ctx)
	if err != nil {
		return nil, err
	}
	rows := [][]string{SheetHeaders()}
	f.PageSize = 1000
	for f.Page = 1; ; f.Page++ {
		qs, total, err := s.SearchQuestions(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			rows = append(rows, questionRow(q.Question, byID))
		}
		if int64(f.Page*f.PageSize) >= total || len(qs) == 0 {
			break
		}
	}
	return writeSheet(format, rows, list)
}

// Template is an import template: the header, one example row per type
// (using real chapter codes) and, in xlsx, a sheet of chapter codes.
func (s *Service) Template(ctx context.Context, format string) ([]byte, error) {
	if format != FormatCSV && format != FormatXLSX {
		return nil, apperr.Invalid(apperr.Fields{"format": apperr.OneOf("xlsx", "csv")})
	}
	chapters, err := s.store.Chapters(ctx)
	if err != nil {
		return nil, err
	}
	code := func(sub Subject, n int) string {
		var of []string
		for _, c := range chapters {
			if c.Subject == sub {
				of = append(of, c.Code)
			}
		}
		switch {
		case n < len(of):
			return of[n]
		case len(of) > 0:
			return of[0]
		default:
			return "chapter-code"
		}
	}
	rows := [][]string{SheetHeaders(),
		{"national", code(SubjectNational, 0), "true_false", "（示例）驾驶员在营运过程中应当随车携带从业资格证。", "", "", "", "", "正确", "从业资格证是驾驶员从事营运服务的凭证，应随车携带、按规定放置。", "1", "从业资格;示例", "both"},
		{"national", code(SubjectNational, 1), "single", "（示例）乘客上车后，驾驶员首先应当做的是？", "询问乘客目的地", "立即起步", "打开收音机", "", "A", "了解目的地，才能选择合理路线。", "2", "服务规范;示例", "taxi"},
		{"regional", code(SubjectRegional, 0), "multiple", "（示例）遇到乘客遗失物品，驾驶员的正确做法有？", "及时联系乘客归还", "交到企业或有关部门", "据为己有", "丢弃", "AB", "拾获遗失物应当及时归还或上交。", "2", "遗失物品;示例", "both"},
	}
	return writeSheet(format, rows, chapters)
}
