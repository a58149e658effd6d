package registration

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// Weekly feedback (周反馈): police systems that cannot use the console get
// the pending applications as an xlsx file and send the results back in the
// same file. Columns carry their code in brackets so a re-ordered or foreign
// file is refused rather than misread.

const feedbackSheet = "待核查"

// MaxImportRows bounds one import.
const MaxImportRows = 5000

type column struct{ code, label string }

func feedbackColumns() []column {
	cols := []column{
		{"application_id", "申请编号"}, {"name", "姓名"}, {"id_number", "身份证号"}, {"sex", "性别"}, {"birth_date", "出生日期"},
		{"queued_at", "提交时间"}, {"waiting_days", "等待天数"}, {"overdue", "超过7天"},
	}
	for _, it := range PledgeItems {
		cols = append(cols, column{"check_" + it.Code, it.Label + "（clear/found 或 无/有）"})
	}
	return append(cols,
		column{"outcome", "结论（approve/return/reject 或 通过/退回/不通过）"},
		column{"reason_code", "不通过原因代码（record_found/false_pledge/identity_mismatch/other）"},
		column{"reason", "说明（退回须写明需更正的内容）"})
}

func header(c column) string { return c.label + " [" + c.code + "]" }

// pendingAll lists every application waiting for a check, oldest first.
func (s *Service) pendingAll(ctx context.Context) ([]Application, error) {
	var all []Application
	for off := 0; ; off += 500 {
		page, total, err := s.store.SearchApplications(ctx, Filter{Offset: off, Limit: 500}, true)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 || int64(len(all)) >= total {
			return all, nil
		}
	}
}

// ExportPending writes the weekly batch of pending applications (full ID
// numbers: the export is audited).
func (s *Service) ExportPending(ctx context.Context) ([]byte, int, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return nil, 0, err
	}
	list, err := s.pendingAll(ctx)
	if err != nil {
		return nil, 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", feedbackSheet); err != nil {
		return nil, 0, err
	}
	cols := feedbackColumns()
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = header(c)
	}
	if err := f.SetSheetRow(feedbackSheet, "A1", &head); err != nil {
		return nil, 0, err
	}
	ids := make([]int64, 0, len(list))
	for i, a := range list {
		id, _ := ParseIDNumber(a.Form.IDNumber, s.today())
		birth, sex := "", ""
		if !id.BirthDate.IsZero() {
			birth = id.BirthDate.Format(time.DateOnly)
			sex = map[string]string{"male": "男", "female": "女"}[id.Sex]
		}
		overdue := "否"
		if s.Overdue(a) {
			overdue = "是"
		}
		row := []any{a.ID, a.Form.Name, a.Form.IDNumber, sex, birth, a.QueuedAt.In(s.cfg.Location).Format("2006-01-02 15:04"), s.WaitingDays(a), overdue}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(feedbackSheet, cell, &row); err != nil {
			return nil, 0, err
		}
		ids = append(ids, a.ID)
	}
	// The ID number column is text, so spreadsheet programs keep all 18 digits.
	_ = f.SetColWidth(feedbackSheet, "A", "H", 14)
	_ = f.SetColWidth(feedbackSheet, "C", "C", 22)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, 0, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Entry{Action: "application.export_pending", TargetType: "application", TargetID: "batch",
			After: map[string]any{"count": len(ids), "ids": ids}})
	})
	return buf.Bytes(), len(ids), err
}

// ImportResult says what an import did.
type ImportResult struct {
	Applied int // decisions recorded
	Skipped int // rows without an outcome (still pending)
}

type importRow struct {
	row      int
	id       int64
	idNumber string
	d        Decision
}

var outcomeWords = map[string]string{"approve": OutcomeApprove, "通过": OutcomeApprove, "return": OutcomeReturn, "退回": OutcomeReturn, "reject": OutcomeReject, "不通过": OutcomeReject}
var checkWords = map[string]string{"clear": CheckClear, "无": CheckClear, "found": CheckFound, "有": CheckFound}

// ImportResults applies the police results of a returned weekly file. It is
// all or nothing: every row is checked first and any row error refuses the
// whole file (errors are keyed "row N"); then every decision is recorded in
// one transaction.
func (s *Service) ImportResults(ctx context.Context, data []byte) (ImportResult, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return ImportResult{}, err
	}
	rows, skipped, bad, err := s.parseResults(data)
	if err != nil {
		return ImportResult{}, err
	}
	// Check every row against the current state before changing anything.
	seen := map[int64]int{}
	for _, r := range rows {
		key := fmt.Sprintf("row %d", r.row)
		if prev, dup := seen[r.id]; dup {
			bad.Add(key, rsnFeedbackDupRow.With("id", r.id).With("row", prev))
			continue
		}
		seen[r.id] = r.row
		if v := CheckDecision(r.d); len(v) > 0 {
			bad.Add(key, firstReason(v))
			continue
		}
		a, err := s.store.ApplicationByID(ctx, r.id)
		switch {
		case apperr.ErrNotFound.Is(err):
			bad.Add(key, rsnFeedbackNoApp.With("id", r.id))
			continue
		case err != nil:
			return ImportResult{}, err
		}
		switch {
		case !strings.EqualFold(a.Form.IDNumber, r.idNumber):
			bad.Add(key, rsnFeedbackIDMismatch.With("id", r.id))
		case a.Status == StatusApproved || a.Status == StatusRejected:
			bad.Add(key, rsnFeedbackDecided.With("id", r.id))
		case !a.Status.InQueue():
			bad.Add(key, rsnFeedbackNotWaiting.With("id", r.id))
		}
	}
	if err := bad.Err(); err != nil {
		e, _ := apperr.As(err)
		return ImportResult{}, withFields(ErrSpreadsheet.WithMessage("%d row(s) have errors; nothing was imported", len(e.Fields)), e.Fields)
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		for _, r := range rows {
			if _, err := s.decide(ctx, r.id, r.d); err != nil {
				if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
					return withFields(ErrSpreadsheet.WithMessage("row %d: %s; nothing was imported", r.row, e.Message), apperr.Fields{fmt.Sprintf("row %d", r.row): rsnRowError.With("code", e.Code).With("message", e.Message)})
				}
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "application.import_results", TargetType: "application", TargetID: "batch",
			After: map[string]any{"applied": len(rows), "skipped": skipped}})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Applied: len(rows), Skipped: skipped}, nil
}

func firstReason(v apperr.Fields) apperr.Reason {
	for _, k := range []string{"outcome", "reason_code", "reason"} {
		if r, ok := v[k]; ok {
			return r
		}
	}
	for _, r := range v {
		return r
	}
	return apperr.Reason{}
}

// parseResults reads the rows with an outcome; row errors are collected in
// bad, a file that is not in the export format is an error.
func (s *Service) parseResults(data []byte) ([]importRow, int, apperr.Fields, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, 0, nil, ErrSpreadsheet.WithMessage("the file is not an xlsx workbook")
	}
	defer f.Close()
	sheet := feedbackSheet
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		return nil, 0, nil, ErrSpreadsheet.WithMessage("the workbook has no rows")
	}
	if len(rows) > MaxImportRows+1 {
		return nil, 0, nil, ErrSpreadsheet.WithMessage("at most %d rows per file", MaxImportRows)
	}
	cols := feedbackColumns()
	at := map[string]int{}
	for i, h := range rows[0] {
		for _, c := range cols {
			if strings.HasSuffix(strings.TrimSpace(h), "["+c.code+"]") {
				at[c.code] = i
			}
		}
	}
	for _, need := range []string{"application_id", "id_number", "outcome", "reason_code", "reason"} {
		if _, ok := at[need]; !ok {
			return nil, 0, nil, ErrSpreadsheet.WithMessage("the header row lacks the column [%s]; use the exported file", need)
		}
	}
	cell := func(r []string, code string) string {
		i, ok := at[code]
		if !ok || i >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[i])
	}
	var out []importRow
	skipped := 0
	bad := apperr.Fields{}
	for n, r := range rows[1:] {
		rowNo := n + 2
		key := fmt.Sprintf("row %d", rowNo)
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		outcome := cell(r, "outcome")
		if outcome == "" {
			skipped++
			continue
		}
		id, err := strconv.ParseInt(cell(r, "application_id"), 10, 64)
		if err != nil || id <= 0 {
			bad.Add(key, rsnApplicationIdIsNotANumber)
			continue
		}
		d := Decision{Outcome: outcomeWords[strings.ToLower(outcome)], ReasonCode: cell(r, "reason_code"), Reason: cell(r, "reason"), Checks: map[string]string{}}
		if d.Outcome == "" {
			bad.Add(key, rsnOutcomeMustBeApproveReturnOr)
			continue
		}
		for _, it := range PledgeItems {
			v := cell(r, "check_"+it.Code)
			if v == "" {
				continue
			}
			w, ok := checkWords[strings.ToLower(v)]
			if !ok {
				bad.Add(key, rsnFeedbackCheckItem.With("item", it.Code))
				break
			}
			d.Checks[it.Code] = w
		}
		out = append(out, importRow{row: rowNo, id: id, idNumber: cell(r, "id_number"), d: d})
	}
	if len(out) == 0 && len(bad) == 0 {
		return nil, skipped, nil, ErrSpreadsheet.WithMessage("no row has an outcome; nothing to import")
	}
	return out, skipped, bad, nil
}

func withFields(e *apperr.Error, f apperr.Fields) *apperr.Error {
	c := *e
	c.Fields = f
	return &c
}
