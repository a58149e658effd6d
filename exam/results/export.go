package results

import (
	"bytes"
	"context"
	"time"

	"github.com/xuri/excelize/v2"
)

const scoresSheet = "成绩"

// MaxExportRows bounds one export (a city-year is well below it).
const MaxExportRows = 100000

// ExportXLSX writes the results f selects (scoped like Search) as a
// spreadsheet, newest first. Times are shown in loc.
func (s *Service) ExportXLSX(ctx context.Context, f Filter, loc *time.Location) ([]byte, error) {
	if err := scope(ctx, &f); err != nil {
		return nil, err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", scoresSheet); err != nil {
		return nil, err
	}
	head := []any{"考生编号", "报名编号", "考点编号", "场次编号", "科目", "得分", "满分", "合格线(%)", "结果", "考试时间", "合格有效期至"}
	if err := x.SetSheetRow(scoresSheet, "A1", &head); err != nil {
		return nil, err
	}
	row := 2
	f.Limit = 1000
	for f.Offset = 0; f.Offset < MaxExportRows; f.Offset += f.Limit {
		list, _, err := s.store.Search(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			verdict, valid := "不合格", ""
			if r.Passed {
				verdict, valid = "合格", r.ValidUntil.In(loc).Format("2006-01-02")
			}
			line := []any{r.CandidateID, r.ApplicationID, r.CentreID, r.SessionID, SubjectName(r.Subject), r.Score, r.TotalPoints, r.PassPercent,
				verdict, r.SatAt.In(loc).Format("2006-01-02 15:04"), valid}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := x.SetSheetRow(scoresSheet, cell, &line); err != nil {
				return nil, err
			}
			row++
		}
		if len(list) < f.Limit {
			break
		}
	}
	_ = x.SetColWidth(scoresSheet, "A", "K", 14)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
