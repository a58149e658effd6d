package questionbank_test

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

// BenchmarkAssemblePaper draws the sample's default formal blueprint
// (150 questions over 11 chapters) from a bank of 10,000 published questions
// and prints the p99 latency of one assembly.
//
//	go test -run '^$' -bench AssemblePaper ./question-bank/
func BenchmarkAssemblePaper(b *testing.B) {
	e := newEnvTB(b)
	if _, err := e.svc.LoadSample(e.ctx); err != nil {
		b.Fatal(err)
	}
	chapters, _ := e.svc.Chapters(e.ctx)
	live, _ := e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	// grow the bank to 10,000 published questions, spread like the sample
	var extra []questionbank.QuestionInfo
	now := time.Now().UTC()
	for i := 0; len(live)+len(extra) < 10_000; i++ {
		q := live[i%len(live)]
		q.ID = 0
		q.Stem = fmt.Sprintf("%s（扩充%d）", q.Stem, i)
		extra = append(extra, questionbank.QuestionInfo{Question: q, LiveVersion: 1, RowVersion: 1, UpdatedAt: now})
	}
	if err := bankdb.New(e.db).CreateQuestions(e.ctx, extra); err != nil {
		b.Fatal(err)
	}
	if err := bankdb.New(e.db).BumpGeneration(e.ctx); err != nil {
		b.Fatal(err)
	}
	e.clk.Advance(2 * time.Second) // let the cache notice the new generation
	bp, err := e.svc.DefaultBlueprint(e.ctx, questionbank.KindFormal)
	if err != nil {
		b.Fatal(err)
	}
	all, _ := e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	if len(all) != 10_000 || len(chapters) != 11 {
		b.Fatalf("bank has %d questions", len(all))
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		p, err := e.svc.AssemblePaper(e.ctx, bp.ID, int64(i))
		durs = append(durs, time.Since(t0))
		if err != nil || len(p.Sections) != 2 {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	p99 := durs[len(durs)*99/100]
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.Logf("paper assembly from a 10,000-question bank: n=%d p50=%v p99=%v max=%v", len(durs), durs[len(durs)/2], p99, durs[len(durs)-1])
}

// BenchmarkImport5000 previews and confirms a 5,000-row .xlsx (the issue
// asks for under 10 s) and prints the time of each step.
//
//	go test -run '^$' -bench Import5000 -benchtime 1x ./question-bank/
func BenchmarkImport5000(b *testing.B) {
	e := newEnvTB(b)
	if _, err := e.svc.LoadSample(e.ctx); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := excelize.NewFile()
		sw, _ := f.NewStreamWriter("Sheet1")
		hdr := make([]any, 0, 13)
		for _, h := range questionbank.SheetHeaders() {
			hdr = append(hdr, h)
		}
		_ = sw.SetRow("A1", hdr)
		codes := []string{"n01-ethics", "n02-service", "n03-safety", "n04-vehicle", "n05-eco", "n06-emergency", "n07-law", "n08-credit", "n09-ridehailing"}
		for r := 0; r < 5000; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			var row []any
			switch r % 3 {
			case 0:
				row = []any{"national", codes[r%9], "true_false", fmt.Sprintf("批次%d第%d题：驾驶员应当按计价器收费。", i, r), "", "", "", "", "正确", "按表计费是诚信经营的要求。", "1", "导入", "both"}
			case 1:
				row = []any{"national", codes[r%9], "single", fmt.Sprintf("批次%d第%d题：乘客上车后应当首先？", i, r), "确认目的地", "立即起步", "打电话", "", "A", "先确认目的地。", "2", "导入", "taxi"}
			default:
				row = []any{"regional", "r01-zz-rules", "multiple", fmt.Sprintf("批次%d第%d题：投诉渠道有？", i, r), "12328", "12345", "企业电话", "私人微信", "ABC", "正规渠道。", "3", "导入", "both"}
			}
			_ = sw.SetRow(cell, row)
		}
		_ = sw.Flush()
		var buf bytes.Buffer
		_ = f.Write(&buf)
		b.StartTimer()

		t0 := time.Now()
		batch, err := e.svc.PreviewImport(e.ctx, "bench.xlsx", buf.Bytes())
		if err != nil || len(batch.Errors) != 0 || len(batch.Rows) != 5000 {
			b.Fatalf("preview: %v %v", err, batch.Errors)
		}
		t1 := time.Now()
		n, err := e.svc.ConfirmImport(e.ctx, batch.ID)
		if err != nil || n != 5000 {
			b.Fatalf("confirm: %d %v", n, err)
		}
		t2 := time.Now()
		b.ReportMetric(t2.Sub(t0).Seconds(), "s/5000-rows")
		b.Logf("5,000-row xlsx import: preview (parse + check) %v, confirm (write) %v, total %v", t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond), t2.Sub(t0).Round(time.Millisecond))
	}
}
