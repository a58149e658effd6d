package questionbank

import (
	"taxiexam/internal/platform/apperr"

	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// Sheet formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// column is one column of the import/export sheet, in order.
type column struct {
	Field  string // machine name, used in errors
	Header string // as written in the template (Chinese, English in brackets)
}

// Columns of the sheet, A..M.
var columns = []column{
	{"subject", "科目(subject)"},
	{"chapter", "章节编码(chapter)"},
	{"type", "题型(type)"},
	{"stem", "题干(stem)"},
	{"option_a", "选项A(option_a)"},
	{"option_b", "选项B(option_b)"},
	{"option_c", "选项C(option_c)"},
	{"option_d", "选项D(option_d)"},
	{"answer", "答案(answer)"},
	{"explanation", "解析(explanation)"},
	{"difficulty", "难度(difficulty)"},
	{"tags", "标签(tags)"},
	{"context", "适用证件(context)"},
}

const (
	colSubject = iota
	colChapter
	colType
	colStem
	colOptA
	colOptB
	colOptC
	colOptD
	colAnswer
	colExplanation
	colDifficulty
	colTags
	colContext
)

func colLetter(i int) string { return string(rune('A' + i)) }

// SheetHeaders returns the header row.
func SheetHeaders() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.Header
	}
	return h
}

// readSheet returns the rows of an .xlsx (first sheet) or .csv file.
func readSheet(fileName string, data []byte) ([][]string, error) {
	switch strings.ToLower(strings.TrimPrefix(path.Ext(fileName), ".")) {
	case FormatXLSX:
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, ErrBadFile.WithMessage("not a readable .xlsx file")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, ErrBadFile.WithMessage("the workbook has no sheet")
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, ErrBadFile.WithMessage("the first sheet cannot be read")
		}
		return rows, nil
	case FormatCSV:
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) { // Excel in China saves CSV as GBK/GB18030
			dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, ErrBadFile.WithMessage("the CSV is neither UTF-8 nor GB18030 text")
			}
			data = dec
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		var rows [][]string
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, ErrBadFile.WithMessage("CSV syntax error in row %d", pe.StartLine)
				}
				return nil, ErrBadFile
			}
			rows = append(rows, rec)
		}
		return rows, nil
	default:
		return nil, ErrBadFile.WithMessage("upload a .xlsx or .csv file")
	}
}

func checkHeader(h []string) error {
	for i, c := range columns {
		got := ""
		if i < len(h) {
			got = strings.TrimSpace(h[i])
		}
		zh := c.Header[:strings.Index(c.Header, "(")]
		if got != c.Header && !strings.EqualFold(got, c.Field) && got != zh {
			return ErrBadFile.WithMessage("column %s of row 1 must be %q (use the template)", colLetter(i), c.Header)
		}
	}
	return nil
}

var subjectNames = map[string]Subject{"national": SubjectNational, "全国公共科目": SubjectNational, "公共科目": SubjectNational,
	"regional": SubjectRegional, "区域科目": SubjectRegional}
var typeNames = map[string]QuestionType{"true_false": TypeTrueFalse, "判断": TypeTrueFalse, "判断题": TypeTrueFalse,
	"single": TypeSingle, "单选": TypeSingle, "单选题": TypeSingle, "multiple": TypeMultiple, "多选": TypeMultiple, "多选题": TypeMultiple}
var contextNames = map[string]string{"": ContextBoth, "both": ContextBoth, "通用": ContextBoth, "两证通用": ContextBoth,
	"taxi": ContextTaxi, "巡游车": ContextTaxi, "巡游出租汽车": ContextTaxi, "ride_hailing": ContextRideHailing, "网约车": ContextRideHailing, "网络预约出租汽车": ContextRideHailing}
var tfAnswers = map[string]string{"A": "A", "B": "B", "正确": "A", "错误": "B", "对": "A", "错": "B", "√": "A", "×": "B", "✓": "A", "✔": "A", "✗": "B", "✘": "B",
	"T": "A", "F": "B", "TRUE": "A", "FALSE": "B"}

// foldCell is how the importer reads a cell that holds a code or a name
// (subject, chapter, type, answer, difficulty, context): what a Chinese
// input method types is folded to its plain form by Unicode NFKC
// (full-width letters and digits, full-width punctuation, the ideographic
// space), then trimmed and lower-cased.
func foldCell(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}

// answerSeparators may stand between the letters of a multiple-choice
// answer ("A,C", "A、C", "A C", "A;C", after NFKC).
const answerSeparators = ",;、/|. \t"

// fieldColumn maps a validation field to the sheet column it came from.
var fieldColumn = map[string]int{"subject": colSubject, "chapter_id": colChapter, "type": colType, "stem": colStem,
	"options": colOptA, "answer": colAnswer, "explanation": colExplanation, "difficulty": colDifficulty, "tags": colTags, "context": colContext}

// parseRows turns data rows into questions, collecting every bad cell.
// chaptersByCode resolves chapter codes. rowNo of rows[0] is 2.
func parseRows(rows [][]string, chaptersByCode map[string]Chapter, chaptersByID map[int64]Chapter) ([]ImportRow, []RowError) {
	var out []ImportRow
	var errs []RowError
	for i, raw := range rows {
		rowNo := i + 2
		cell := func(c int) string {
			if c < len(raw) {
				return strings.TrimSpace(raw[c])
			}
			return ""
		}
		empty := true
		for c := range columns {
			if cell(c) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		bad := func(c int, reason apperr.Reason) {
			errs = append(errs, RowError{Row: rowNo, Column: colLetter(c), Field: columns[c].Field, Reason: reason})
		}
		before := len(errs)
		var q Question
		if sub, ok := subjectNames[foldCell(cell(colSubject))]; ok {
			q.Subject = sub
		} else if cell(colSubject) == "" {
			bad(colSubject, rsnImportMissing)
		} else {
			bad(colSubject, rsnImportUnknownSubject.With("value", cell(colSubject)))
		}
		if ch, ok := chaptersByCode[foldCell(cell(colChapter))]; ok {
			q.ChapterID = ch.ID
			if q.Subject != "" && ch.Subject != q.Subject {
				bad(colChapter, rsnImportChapterOtherSubject.With("value", cell(colChapter)))
			}
		} else if cell(colChapter) == "" {
			bad(colChapter, rsnImportMissing)
		} else {
			bad(colChapter, rsnImportUnknownChapter.With("value", cell(colChapter)))
		}
		if t, ok := typeNames[foldCell(cell(colType))]; ok {
			q.Type = t
		} else if cell(colType) == "" {
			bad(colType, rsnImportMissing)
		} else {
			bad(colType, rsnImportUnknownType.With("value", cell(colType)))
		}
		q.Stem = cell(colStem)
		if q.Stem == "" {
			bad(colStem, rsnImportMissing)
		}
		if q.Type == TypeTrueFalse {
			for c := colOptA; c <= colOptD; c++ {
				v := cell(c)
				want := map[int]string{colOptA: TrueText, colOptB: FalseText}[c]
				if v != "" && foldCell(v) != want {
					bad(c, rsnImportTFOptions)
				}
			}
		} else if q.Type != "" {
			gap := false
			seen := map[string]int{} // folded text -> column
			for c := colOptA; c <= colOptD; c++ {
				v := cell(c)
				if v == "" {
					gap = true
					continue
				}
				if gap {
					bad(c, rsnImportOptionGap)
				}
				if len([]rune(v)) > MaxOptionRunes {
					bad(c, rsnImportOptionTooLong.With("key", colLetter(c-colOptA)).With("n", MaxOptionRunes))
				}
				// the repeating cell is the one named, not the first option
				if first, dup := seen[FoldOption(v)]; dup {
					bad(c, rsnImportOptionRepeats.With("key", colLetter(c-colOptA)).With("first", colLetter(first-colOptA)))
				} else {
					seen[FoldOption(v)] = c
				}
				q.Options = append(q.Options, Option{Key: colLetter(c - colOptA), Text: v})
			}
		}
		ans := strings.ToUpper(foldCell(cell(colAnswer)))
		if ans == "" {
			bad(colAnswer, rsnImportMissing)
		} else if q.Type == TypeTrueFalse {
			if k, ok := tfAnswers[ans]; ok {
				q.Answer = []string{k}
			} else {
				bad(colAnswer, rsnImportTFAnswer.With("value", cell(colAnswer)))
			}
		} else {
			for _, r := range ans {
				if strings.ContainsRune(answerSeparators, r) {
					continue
				}
				q.Answer = append(q.Answer, string(r))
			}
		}
		q.Explanation = cell(colExplanation)
		if d := foldCell(cell(colDifficulty)); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil {
				bad(colDifficulty, apperr.WholeNumber(1, 5))
			}
			q.Difficulty = n
		}
		if t := cell(colTags); t != "" {
			q.Tags = strings.FieldsFunc(t, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' || r == '|' })
		}
		if c, ok := contextNames[foldCell(cell(colContext))]; ok {
			q.Context = c
		} else {
			bad(colContext, rsnImportUnknownContext.With("value", cell(colContext)))
		}
		if len(errs) == before {
			normalize(&q)
			f := validateContent(q, chaptersByID)
			for _, field := range sortedKeys(f) {
				c := fieldColumn[field]
				if field == "tags" {
					c = colTags
				}
				bad(c, f[field])
			}
		}
		if len(errs) == before {
			out = append(out, ImportRow{Row: rowNo, Question: q})
		}
	}
	return out, errs
}

func sortedKeys(m apperr.Fields) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && fieldColumn[keys[j]] < fieldColumn[keys[j-1]]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// questionRow renders a question as a sheet row.
func questionRow(q Question, chapters map[int64]Chapter) []string {
	row := make([]string, len(columns))
	row[colSubject] = string(q.Subject)
	row[colChapter] = chapters[q.ChapterID].Code
	row[colType] = string(q.Type)
	row[colStem] = q.Stem
	if q.Type != TypeTrueFalse {
		for i, o := range q.Options {
			if i < 4 {
				row[colOptA+i] = o.Text
			}
		}
		row[colAnswer] = strings.Join(q.Answer, "")
	} else if len(q.Answer) == 1 && q.Answer[0] == "A" {
		row[colAnswer] = TrueText
	} else {
		row[colAnswer] = FalseText
	}
	row[colExplanation] = q.Explanation
	row[colDifficulty] = strconv.Itoa(q.Difficulty)
	row[colTags] = strings.Join(q.Tags, ";")
	row[colContext] = q.Context
	return row
}

// writeSheet renders rows (header first) as .xlsx or .csv. The xlsx gets a
// second sheet listing the chapter codes.
func writeSheet(format string, rows [][]string, chapters []Chapter) ([]byte, error) {
	switch format {
	case FormatCSV:
		var buf bytes.Buffer
		buf.WriteString("\xef\xbb\xbf") // so Excel opens UTF-8 correctly
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(rows); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case FormatXLSX:
		f := excelize.NewFile()
		defer f.Close()
		const main = "题目"
		if err := f.SetSheetName("Sheet1", main); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(main)
		if err != nil {
			return nil, err
		}
		_ = sw.SetColWidth(colStem+1, colStem+1, 50)
		_ = sw.SetColWidth(colExplanation+1, colExplanation+1, 40)
		for i, r := range rows {
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			cellName, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cellName, vals); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
		const ref = "章节编码"
		if _, err := f.NewSheet(ref); err != nil {
			return nil, err
		}
		_ = f.SetSheetRow(ref, "A1", &[]any{"科目(subject)", "章节编码(code)", "章节名称(name)"})
		for i, c := range chapters {
			_ = f.SetSheetRow(ref, fmt.Sprintf("A%d", i+2), &[]any{string(c.Subject), c.Code, c.Name})
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	default:
		return nil, ErrBadFile.WithMessage("format must be xlsx or csv")
	}
}

// ErrorReport writes a checked import's row errors as an .xlsx sheet in the
// words of the person who asked: headers are the sheet name and the titles
// of the row, column and reason columns, and reason gives each reason's text
// (the api translates the codes).
func ErrorReport(b ImportBatch, headers [4]string, reason func(apperr.Reason) string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", headers[0]); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(headers[0])
	if err != nil {
		return nil, err
	}
	_ = sw.SetColWidth(3, 3, 80)
	if err := sw.SetRow("A1", []any{headers[1], headers[2], headers[3]}); err != nil {
		return nil, err
	}
	for i, e := range b.Errors {
		cellName, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cellName, []any{e.Row, e.Column, reason(e.Reason)}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
