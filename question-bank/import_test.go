package questionbank_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	questionbank "taxiexam/question-bank"
)

const header = "科目(subject),章节编码(chapter),题型(type),题干(stem),选项A(option_a),选项B(option_b),选项C(option_c),选项D(option_d),答案(answer),解析(explanation),难度(difficulty),标签(tags),适用证件(context)\n"

func TestImportAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.chapter(t, questionbank.SubjectNational, "n01")
	e.chapter(t, questionbank.SubjectRegional, "r01")
	bad := header +
		"national,n01,single,好的一题？,甲,乙,丙,,B,解析,2,标签,both\n" + // row 2 ok
		"national,n01,single,没有答案？,甲,乙,,,,解析,2,,both\n" + // row 3 missing answer
		"national,n01,single,答案不在选项中？,甲,乙,,,D,,2,,both\n" + // row 4
		"national,n99,true_false,未知章节？,,,,,正确,,1,,both\n" + // row 5
		"national,n01,single,好的一题？,甲,乙,丙,,A,,2,,both\n" + // row 6 duplicate of row 2
		"regional,n01,single,科目不符？,甲,乙,,,A,,2,,both\n" + // row 7
		"national,n01,single,重复选项？,甲,甲,,,A,,2,,both\n" + // row 8
		"national,n01,single,单选两个答案？,甲,乙,丙,,AB,,2,,both\n" + // row 9
		"national,n01,判断,判断题正确？,,,,,对,,1,,网约车\n" // row 10 ok
	b, err := e.svc.PreviewImport(e.ctx, "bank.csv", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "I", 4: "I", 5: "B", 6: "D", 7: "B", 8: "F", 9: "I"} // row 8: B repeats A, so column F
	got := map[int]string{}
	for _, re := range b.Errors {
		got[re.Row] = re.Column
		if re.Reason.IsZero() {
			t.Errorf("row %d: no reason", re.Row)
		}
	}
	for row, col := range want {
		if got[row] != col {
			t.Errorf("row %d: error column %q, want %q (all: %+v)", row, got[row], col, b.Errors)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected errors: %+v", b.Errors)
	}
	if _, err := e.svc.ConfirmImport(e.ctx, b.ID); !errors.Is(err, questionbank.ErrImportHasErrors) {
		t.Fatalf("confirm bad: %v", err)
	}
	if _, n, _ := e.svc.SearchQuestions(e.ctx, questionbank.SearchFilter{}); n != 0 {
		t.Fatalf("a bad import wrote %d questions", n)
	}

	good := header +
		"national,n01,single,好的一题？,甲,乙,丙,,B,解析,2,标签;示例,both\n" +
		"全国公共科目,n01,多选,多选题？,甲,乙,丙,丁,\"A,C\",解析,3,,taxi\n" +
		"regional,r01,判断,判断题正确？,,,,,错误,,1,,ride_hailing\n"
	b, err = e.svc.PreviewImport(e.ctx, "bank.csv", []byte(good))
	if err != nil || len(b.Errors) != 0 || len(b.Rows) != 3 {
		t.Fatalf("good preview: %+v %v", b.Errors, err)
	}
	n, err := e.svc.ConfirmImport(e.ctx, b.ID)
	if err != nil || n != 3 {
		t.Fatalf("confirm: %d %v", n, err)
	}
	if _, err := e.svc.ConfirmImport(e.ctx, b.ID); !errors.Is(err, questionbank.ErrImportDone) {
		t.Fatalf("second confirm: %v", err)
	}
	qs, total, _ := e.svc.SearchQuestions(e.ctx, questionbank.SearchFilter{Status: questionbank.StatusInReview})
	if total != 3 {
		t.Fatalf("imported into review: %d", total)
	}
	for _, q := range qs {
		if q.Type == questionbank.TypeMultiple && strings.Join(q.Answer, "") != "AC" {
			t.Errorf("multi answer %v", q.Answer)
		}
		if q.Type == questionbank.TypeTrueFalse && (q.Answer[0] != "B" || q.Context != questionbank.ContextRideHailing) {
			t.Errorf("tf %+v", q)
		}
	}
	// re-importing the same file now reports duplicates against the bank
	b, err = e.svc.PreviewImport(e.ctx, "bank.csv", []byte(good))
	if err != nil || len(b.Errors) != 3 || b.Errors[0].Reason.Code() != "import_duplicate_stem_question" {
		t.Fatalf("reimport: %+v %v", b.Errors, err)
	}

	// export -> import round trip through xlsx
	x, err := e.svc.Export(e.ctx, questionbank.FormatXLSX, questionbank.SearchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 4 || rows[0][0] != "科目(subject)" {
		t.Fatalf("export rows: %v", rows)
	}
	// the same sheet with the stems changed imports cleanly
	for i := 2; i <= 4; i++ {
		cell := fmt.Sprintf("D%d", i)
		v, _ := f.GetCellValue(f.GetSheetList()[0], cell)
		_ = f.SetCellValue(f.GetSheetList()[0], cell, v+"（新）")
	}
	var buf bytes.Buffer
	_ = f.Write(&buf)
	b, err = e.svc.PreviewImport(e.ctx, "again.xlsx", buf.Bytes())
	if err != nil || len(b.Errors) != 0 || len(b.Rows) != 3 {
		t.Fatalf("xlsx round trip: %+v %v", b.Errors, err)
	}

	// files that are not sheets
	for name, data := range map[string]string{"x.txt": "hello", "x.xlsx": "not a zip", "x.csv": "a,b\n"} {
		if _, err := e.svc.PreviewImport(e.ctx, name, []byte(data)); !errors.Is(err, questionbank.ErrBadFile) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// the template itself is a valid import once its example stems are new
	for _, format := range []string{questionbank.FormatCSV, questionbank.FormatXLSX} {
		tpl, err := e.svc.Template(e.ctx, format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.svc.PreviewImport(e.ctx, "template."+format, tpl)
		if err != nil || len(b.Errors) != 0 || len(b.Rows) != 3 {
			t.Fatalf("template %s: %+v %v", format, b.Errors, err)
		}
	}
}

func TestSampleBankAndAssembly(t *testing.T) {
	e := newEnv(t)
	loaded, err := e.svc.LoadSample(e.ctx)
	if err != nil || !loaded {
		t.Fatalf("load: %v %v", loaded, err)
	}
	if again, err := e.svc.LoadSample(e.ctx); err != nil || again {
		t.Fatalf("second load: %v %v", again, err)
	}
	live, err := e.svc.PublishedQuestions(e.ctx, questionbank.PracticeFilter{})
	if err != nil || len(live) < 300 {
		t.Fatalf("sample has %d questions: %v", len(live), err)
	}
	chapters, _ := e.svc.Chapters(e.ctx)
	types := map[questionbank.QuestionType]int{}
	perChapter := map[int64]int{}
	for _, q := range live {
		types[q.Type]++
		perChapter[q.ChapterID]++
		if q.Explanation == "" {
			t.Errorf("question %d has no explanation", q.ID)
		}
	}
	if len(chapters) != 11 || len(perChapter) != 11 || types[questionbank.TypeTrueFalse] == 0 || types[questionbank.TypeSingle] == 0 || types[questionbank.TypeMultiple] == 0 {
		t.Fatalf("coverage: %d chapters, %v", len(chapters), types)
	}

	bp, err := e.svc.DefaultBlueprint(e.ctx, questionbank.KindFormal)
	if err != nil {
		t.Fatal(err)
	}
	mock, err := e.svc.DefaultBlueprint(e.ctx, questionbank.KindMock)
	if err != nil || mock.ID != bp.ID {
		t.Fatalf("mock falls back to formal: %v %v", mock.ID, err)
	}
	p1, err := e.svc.AssemblePaper(e.ctx, bp.ID, 42)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := e.svc.AssemblePaper(e.ctx, bp.ID, 42)
	p3, _ := e.svc.AssemblePaper(e.ctx, bp.ID, 43)
	if fmt.Sprint(p1) != fmt.Sprint(p2) {
		t.Fatal("same seed, different paper")
	}
	if fmt.Sprint(p1) == fmt.Sprint(p3) {
		t.Fatal("different seeds, same paper")
	}
	if len(p1.Sections) != 2 || p1.Sections[0].TotalPoints != 100 || p1.Sections[1].TotalPoints != 100 || p1.Sections[0].PassPercent != 80 {
		t.Fatalf("sections: %+v", p1.Sections)
	}
	var refs []questionbank.VersionRef
	seen := map[int64]bool{}
	shuffledOptions := false
	for _, s := range p1.Sections {
		for _, pq := range s.Questions {
			if seen[pq.Ref.QuestionID] {
				t.Fatalf("question %d drawn twice", pq.Ref.QuestionID)
			}
			seen[pq.Ref.QuestionID] = true
			refs = append(refs, pq.Ref)
			if len(pq.OptionOrder) > 2 && pq.OptionOrder[0] != "A" {
				shuffledOptions = true
			}
		}
	}
	if len(refs) != 150 || !shuffledOptions {
		t.Fatalf("%d questions, options shuffled %v", len(refs), shuffledOptions)
	}
	vers, err := e.svc.Versions(e.ctx, refs)
	if err != nil || len(vers) != len(refs) {
		t.Fatalf("versions %d %v", len(vers), err)
	}

	// a blueprint the bank cannot fill names the short chapter/type
	var law questionbank.Chapter
	for _, c := range chapters {
		if c.Code == "n07-law" {
			law = c
		}
	}
	big, err := e.svc.CreateBlueprint(e.ctx, questionbank.BlueprintInput{Name: "too big", Kind: questionbank.KindMock, Sections: []questionbank.BlueprintSection{
		{Subject: questionbank.SubjectNational, DurationMinutes: 30, PassPercent: 80, Items: []questionbank.BlueprintItem{{ChapterID: law.ID, Type: questionbank.TypeMultiple, Count: 50, Points: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AssemblePaper(e.ctx, big.ID, 1)
	if !errors.Is(err, questionbank.ErrBankShort) || !strings.Contains(err.Error(), "n07-law") || !strings.Contains(err.Error(), "multiple") {
		t.Fatalf("short bank: %v", err)
	}
	// blueprint validation
	_, err = e.svc.CreateBlueprint(e.ctx, questionbank.BlueprintInput{Name: "", Kind: "x", Sections: []questionbank.BlueprintSection{
		{Subject: questionbank.SubjectRegional, DurationMinutes: 1, PassPercent: 0, Items: []questionbank.BlueprintItem{{ChapterID: law.ID, Type: "essay", Count: 0, Points: 0}}}}})
	if code(err) != "invalid_input" {
		t.Fatalf("bad blueprint: %v", err)
	}
	for _, f := range []string{"name", "kind", "sections[0].duration_minutes", "sections[0].pass_percent", "sections[0].items[0].chapter_id", "sections[0].items[0].type", "sections[0].items[0].count"} {
		if ae, _ := asErr(err); ae[f] == "" {
			t.Errorf("no error on %s: %v", f, err)
		}
	}
	// a chapter in use cannot be deleted
	if err := e.svc.DeleteChapter(e.ctx, law.ID); !errors.Is(err, questionbank.ErrChapterInUse) {
		t.Fatalf("delete used chapter: %v", err)
	}
}

func asErr(err error) (map[string]string, bool) {
	if e, ok := apperrAs(err); ok {
		return e, true
	}
	return nil, false
}

func TestImages(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 20, 10))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	_ = png.Encode(&buf, img)
	got, err := e.svc.UploadImage(e.ctx, buf.Bytes())
	if err != nil || got.ContentType != "image/png" || got.Width != 20 {
		t.Fatalf("upload: %+v %v", got, err)
	}
	again, err := e.svc.UploadImage(e.ctx, buf.Bytes())
	if err != nil || again.ID != got.ID {
		t.Fatalf("same bytes: %v", err)
	}
	back, err := e.svc.Image(e.ctx, got.ID)
	if err != nil || !bytes.Equal(back.Data, buf.Bytes()) {
		t.Fatalf("read back: %v", err)
	}
	cases := map[string][]byte{
		"not_an_image":    []byte("%PDF-1.4 this is a document, not a picture"),
		"image_too_large": append(append([]byte{}, buf.Bytes()...), make([]byte, 70<<10)...),
	}
	for want, data := range cases {
		if _, err := e.svc.UploadImage(e.ctx, data); code(err) != want {
			t.Errorf("%s: %v", want, err)
		}
	}
	// a small file declaring a huge canvas is refused from its header
	var bomb bytes.Buffer
	_ = png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 4096, 4096)))
	if _, err := e.svc.UploadImage(e.ctx, bomb.Bytes()); code(err) != "image_too_large" {
		t.Errorf("%d-byte PNG of 4096 x 4096: %v", bomb.Len(), err)
	}
	// a truncated PNG has a valid header but does not decode
	if _, err := e.svc.UploadImage(e.ctx, buf.Bytes()[:len(buf.Bytes())-20]); code(err) != "not_an_image" {
		t.Errorf("truncated: %v", err)
	}
	ch := e.chapter(t, questionbank.SubjectNational, "n01")
	in := single(ch, "看图回答？")
	in.ImageID = got.ID
	q, err := e.svc.CreateQuestion(e.ctx, in)
	if err != nil || q.ImageURL != questionbank.ImageURL(got.ID) {
		t.Fatalf("question with image: %+v %v", q, err)
	}
}

// TestImportAtTheStatedMaximum: 20,000 rows of long questions (tens of MB
// as one value, more than MariaDB's max_allowed_packet) preview and
// confirm; the service stores them in chunks.
func TestImportAtTheStatedMaximum(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000-row import")
	}
	e := newEnv(t)
	e.chapter(t, questionbank.SubjectNational, "n01")
	var b strings.Builder
	b.WriteString(header)
	long := strings.Repeat("出租汽车驾驶员应当遵守道路交通安全法律法规", 10) // 200 characters
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&b, "national,n01,single,第%d题：%s？,%s甲,%s乙,%s丙,%s丁,B,%s%s,2,标签,both\n", i, long, long[:150], long[:150], long[:150], long[:150], long, long)
	}
	batch, err := e.svc.PreviewImport(e.ctx, "bank.csv", []byte(b.String()))
	if err != nil || len(batch.Errors) != 0 || len(batch.Rows) != 20_000 {
		t.Fatalf("preview of %d MB: %d rows, errors %v, %v", b.Len()>>20, len(batch.Rows), len(batch.Errors), err)
	}
	again, err := e.svc.Import(e.ctx, batch.ID)
	if err != nil || len(again.Rows) != 20_000 || again.Rows[19_999].Row != batch.Rows[19_999].Row {
		t.Fatalf("read back: %d rows, %v", len(again.Rows), err)
	}
	n, err := e.svc.ConfirmImport(e.ctx, batch.ID)
	if err != nil || n != 20_000 {
		t.Fatalf("confirm: %d %v", n, err)
	}
}

// What a sheet typed with a Chinese input method holds: full-width letters,
// digits, punctuation and spaces in the code cells are read as their plain
// forms (NFKC, case, spaces); a repeated option is reported on the cell
// that repeats.
func TestImportFullWidthCells(t *testing.T) {
	e := newEnv(t)
	e.chapter(t, questionbank.SubjectNational, "n01")
	cases := []struct {
		name   string
		row    string // the data row after the header
		answer string // the stored answer when the row is good
		column string // the column of the error when it is not
	}{
		{"full-width single answer", "national,n01,single,全角单选？,甲,乙,丙,,Ｂ,,2,,both", "B", ""},
		{"lower-case full-width answer", "national,n01,single,全角小写？,甲,乙,丙,,ｃ,,2,,both", "C", ""},
		{"full-width comma list", "national,n01,multiple,全角逗号？,甲,乙,丙,丁,Ａ，Ｃ，Ｄ,,2,,both", "ACD", ""},
		{"ideographic spaces", "national,n01,multiple,全角空格？,甲,乙,丙,丁,　Ｄ　Ａ　,,2,,both", "AD", ""},
		{"enumeration comma and semicolon", "national,n01,multiple,顿号分号？,甲,乙,丙,丁,B、C；D,,2,,both", "BCD", ""},
		{"shuffled letters are sorted", "national,n01,multiple,乱序答案？,甲,乙,丙,丁,DCA,,2,,both", "ACD", ""},
		{"full-width type subject context difficulty", "ｎａｔｉｏｎａｌ,Ｎ０１,ＳＩＮＧＬＥ,全角代码？,甲,乙,,,Ａ,,３,,ＢＯＴＨ", "A", ""},
		{"true/false full-width letter", "national,n01,true_false,全角判断？,,,,,Ｂ,,1,,both", "B", ""},
		{"true/false tick", "national,n01,true_false,打勾判断？,,,,,✓,,1,,both", "A", ""},
		{"true/false options spelled out with spaces", "national,n01,true_false,写出选项？, 正确 ,错误　,,,对,,1,,both", "A", ""},
		{"answer still not an option", "national,n01,single,不在选项？,甲,乙,,,Ｃ,,2,,both", "", "I"},
		{"duplicate option C of A", "national,n01,single,重复C？,甲,乙,甲,,A,,2,,both", "", "G"},
		{"duplicate option in full width", "national,n01,single,全角重复？,限速120km/h,限速１２０ｋｍ／ｈ,丙,,A,,2,,both", "", "F"},
		{"duplicate option D of B", "national,n01,multiple,重复D？,甲,乙,丙,乙 ,AB,,2,,both", "", "H"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := e.svc.PreviewImport(e.ctx, "bank.csv", []byte(header+tc.row+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if tc.column != "" {
				if len(b.Errors) != 1 || b.Errors[0].Column != tc.column || b.Errors[0].Row != 2 {
					t.Fatalf("errors %+v, want one in column %s", b.Errors, tc.column)
				}
				return
			}
			if len(b.Errors) != 0 || len(b.Rows) != 1 {
				t.Fatalf("refused: %+v", b.Errors)
			}
			if got := strings.Join(b.Rows[0].Question.Answer, ""); got != tc.answer {
				t.Fatalf("answer %q, want %q", got, tc.answer)
			}
		})
	}
	// one such row no longer blocks the file: the whole sheet confirms
	sheet := header + cases[0].row + "\n" + cases[2].row + "\n" + cases[6].row + "\n"
	b, err := e.svc.PreviewImport(e.ctx, "bank.csv", []byte(sheet))
	if err != nil || len(b.Errors) != 0 {
		t.Fatalf("preview: %+v %v", b.Errors, err)
	}
	if n, err := e.svc.ConfirmImport(e.ctx, b.ID); err != nil || n != 3 {
		t.Fatalf("confirm: %d %v", n, err)
	}
	// the same cells in an .xlsx
	x := excelize.NewFile()
	for i, row := range [][]string{strings.Split(strings.TrimSpace(header), ","),
		strings.Split("national,n01,multiple,表格全角？,甲,乙,丙,丁,Ｄ，Ｂ,,2,,both", ","),
		strings.Split("national,n01,single,表格重复？,甲,乙,丙,乙,A,,2,,both", ",")} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = x.SetCellValue("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	b, err = e.svc.PreviewImport(e.ctx, "bank.xlsx", buf.Bytes())
	if err != nil || len(b.Rows) != 1 || strings.Join(b.Rows[0].Question.Answer, "") != "BD" || len(b.Errors) != 1 || b.Errors[0].Column != "H" {
		t.Fatalf("xlsx: rows %+v errors %+v %v", b.Rows, b.Errors, err)
	}
}

func TestSortedKeys(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"D", "C", "A"}, []string{"A", "C", "D"}},
		{[]string{"B"}, []string{"B"}},
		{[]string{"C", "A", "C"}, []string{"A", "C"}},
		{nil, []string{}},
	} {
		if got := questionbank.SortedKeys(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) || got == nil {
			t.Errorf("SortedKeys(%v) = %#v, want %v", tc.in, got, tc.want)
		}
	}
}
