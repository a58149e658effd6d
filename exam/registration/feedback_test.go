package registration_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taxiexam/exam/registration"
	"taxiexam/internal/audit"
)

// fillResults writes results into an exported workbook: rows maps an
// application id to the cells to set (by column code).
func fillResults(t *testing.T, data []byte, rows map[int64]map[string]string) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	all, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range all[0] {
		if j := strings.LastIndex(h, "["); j >= 0 {
			col[strings.TrimSuffix(h[j+1:], "]")] = i + 1
		}
	}
	for r := 1; r < len(all); r++ {
		id := all[r][0]
		for appID, cells := range rows {
			if id != itoa(appID) {
				continue
			}
			for code, v := range cells {
				c, ok := col[code]
				if !ok {
					t.Fatalf("no column %s", code)
				}
				name, _ := excelize.CoordinatesToCellName(c, r+1)
				if err := x.SetCellValue(sheet, name, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWeeklyFeedbackExportAndImport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c1, c2, c3 := f.candidate(t, "13300133001"), f.candidate(t, "13300133002"), f.candidate(t, "13300133003")
	a1 := f.ready(t, c1, goodForm(idA))
	a1, _ = f.svc.Submit(c1, a1.ID, a1.Version)
	f.clock.Advance(8 * 24 * time.Hour) // a1 now waits more than 7 days
	a2 := f.ready(t, c2, goodForm(idB))
	a2, _ = f.svc.Submit(c2, a2.ID, a2.Version)
	form3 := goodForm("350602198506152012")
	a3 := f.ready(t, c3, form3)
	a3, _ = f.svc.Submit(c3, a3.ID, a3.Version)

	overdue, total, err := f.svc.Queue(f.staff, true, 0, 20)
	if err != nil || total != 1 || overdue[0].ID != a1.ID || !f.svc.Overdue(overdue[0]) || f.svc.WaitingDays(overdue[0]) != 8 {
		t.Fatalf("overdue: %+v %d %v", overdue, total, err)
	}

	data, n, err := f.svc.ExportPending(f.staff)
	if err != nil || n != 3 {
		t.Fatalf("export: %d %v", n, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetName(0))
	x.Close()
	if len(rows) != 4 || rows[1][0] != itoa(a1.ID) || rows[1][2] != idA || rows[1][7] != "是" || rows[2][7] != "否" {
		t.Fatalf("exported rows: %q", rows)
	}
	if recs, _, _ := f.audit.List(context.Background(), audit.Filter{Action: "application.export_pending"}); len(recs) != 1 {
		t.Fatal("export not audited")
	}

	clear := map[string]string{"outcome": "通过"}
	for _, it := range registration.PledgeItems {
		clear["check_"+it.Code] = "无"
	}
	// One bad row refuses the whole file: nothing changes.
	badFile := fillResults(t, data, map[int64]map[string]string{
		a1.ID: clear,
		a2.ID: {"outcome": "不通过", "reason": "x"}, // no reason code
		a3.ID: {"outcome": "perhaps"},
	})
	_, err = f.svc.ImportResults(f.staff, badFile)
	if errCode(err) != "spreadsheet_invalid" || len(fields(err)) != 2 || fields(err)["row 3"] == "" || fields(err)["row 4"] == "" {
		t.Fatalf("bad import: %v %v", err, fields(err))
	}
	for _, id := range []int64{a1.ID, a2.ID, a3.ID} {
		if a, _ := f.svc.Dossier(f.admin, id); a.Application.Status != registration.StatusSubmitted {
			t.Fatalf("bad import changed %d: %s", id, a.Application.Status)
		}
	}
	// A row whose ID number does not match its application is refused.
	mismatch := fillResults(t, data, map[int64]map[string]string{a1.ID: mergeCells(clear, map[string]string{"id_number": idB})})
	if _, err := f.svc.ImportResults(f.staff, mismatch); fields(err)["row 2"] == "" {
		t.Fatalf("id mismatch: %v", err)
	}
	// Not a workbook at all.
	if _, err := f.svc.ImportResults(f.staff, []byte("id,outcome\n1,approve\n")); errCode(err) != "spreadsheet_invalid" {
		t.Fatalf("csv: %v", err)
	}

	good := fillResults(t, data, map[int64]map[string]string{
		a1.ID: clear,
		a2.ID: {"outcome": "reject", "reason_code": "record_found", "reason": "存在吸毒记录", "check_drug_use": "有"},
		// a3 left blank: still pending
	})
	res, err := f.svc.ImportResults(f.staff, good)
	if err != nil || res.Applied != 2 || res.Skipped != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	want := map[int64]registration.Status{a1.ID: registration.StatusApproved, a2.ID: registration.StatusRejected, a3.ID: registration.StatusSubmitted}
	for id, st := range want {
		if d, _ := f.svc.Dossier(f.admin, id); d.Application.Status != st {
			t.Fatalf("%d: %s, want %s", id, d.Application.Status, st)
		}
	}
	// The same file again: every decided row is refused, nothing changes.
	if _, err := f.svc.ImportResults(f.staff, good); errCode(err) != "spreadsheet_invalid" || len(fields(err)) != 2 {
		t.Fatalf("re-import: %v", err)
	}
	if got := strings.Join(f.templatesSent(t, a2.CandidateID), ","); got != "application_received,background_check_rejected" {
		t.Fatalf("SMS: %s", got)
	}
}

func mergeCells(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestImportResultsAtTheStatedMaximum: the weekly file at MaxImportRows
// (every row decided) exports and imports in one go; each decision is its
// own small statements, so nothing approaches max_allowed_packet.
func TestImportResultsAtTheStatedMaximum(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000-row import")
	}
	f := newFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	err := f.db.InTx(ctx, func(ctx context.Context) error {
		for i := 0; i < registration.MaxImportRows; i++ {
			c, err := f.auth.CandidateByPhone(ctx, fmt.Sprintf("133%08d", i), true)
			if err != nil {
				return err
			}
			a := registration.Application{CandidateID: c.ID, Status: registration.StatusSubmitted, Version: 1, SubmitCount: 1, SubmittedAt: now, QueuedAt: now,
				Form: registration.Form{Name: "张三", IDNumber: fmt.Sprintf("35050219900101%04d", i)}, CreatedAt: now, UpdatedAt: now}
			if err := f.store.CreateApplication(ctx, &a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	data, n, err := f.svc.ExportPending(f.staff)
	if err != nil || n != registration.MaxImportRows {
		t.Fatalf("export: %d rows, %v", n, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetName(0)
	head, _ := x.GetRows(sheet)
	for c, h := range head[0] {
		value := ""
		switch {
		case strings.HasSuffix(h, "[outcome]"):
			value = "通过"
		case strings.Contains(h, "[check_"):
			value = "无"
		default:
			continue
		}
		for r := 2; r <= n+1; r++ {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			if err := x.SetCellValue(sheet, cell, value); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.ImportResults(f.staff, b.Bytes())
	if err != nil || res.Applied != registration.MaxImportRows {
		t.Fatalf("import of %d KB: %+v %v", b.Len()>>10, res, err)
	}
}
