package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taxiexam/internal/auth"
	questionbank "taxiexam/question-bank"
)

// TestFieldErrorsAndImportReportHaveCodes: a field error carries its code and
// params next to the English (fields stays for older clients), and a bad
// import's error report is written in the language asked for.
func TestFieldErrorsAndImportReportHaveCodes(t *testing.T) {
	ta := newTestApp(t, nil)
	c := ta.client()
	res := ta.call(t, c, "POST", "/api/v1/auth/sms-code", `{"phone":"123"}`)
	var body struct {
		Error struct {
			Code        string            `json:"code"`
			Fields      map[string]string `json:"fields"`
			FieldErrors []struct {
				Field, Code, Message string
			} `json:"field_errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || res.status != http.StatusUnprocessableEntity {
		t.Fatalf("sms-code: %d %s", res.status, res.body)
	}
	fe := body.Error.FieldErrors
	if body.Error.Code != "invalid_input" || len(fe) != 1 || fe[0].Field != "phone" || fe[0].Code != "mobile" || fe[0].Message != body.Error.Fields["phone"] {
		t.Fatalf("field errors: %s", res.body)
	}

	ed := ta.client()
	ta.loginStaff(t, ed, auth.RoleQuestionEditor)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "bad.csv")
	io.WriteString(fw, strings.Join(questionbank.SheetHeaders(), ",")+"\nnational,n06-emergency,single,没有答案的题,甲,乙,,,,,2,,both\n")
	mw.Close()
	req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/bank/imports", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Requested-With", "examd")
	r, err := ed.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	var preview struct {
		ID     int64 `json:"id"`
		Errors []struct {
			Code   string `json:"code"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &preview); err != nil || r.StatusCode != http.StatusCreated || len(preview.Errors) == 0 || preview.Errors[0].Code == "" {
		t.Fatalf("preview: %d %s", r.StatusCode, b)
	}
	report := func(query, acceptLanguage string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", ta.srv.URL+"/api/v1/bank/imports/"+strconv.FormatInt(preview.ID, 10)+"/errors.xlsx"+query, nil)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		res, err := ed.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("report %s: %d", query, res.StatusCode)
		}
		f, err := excelize.OpenReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil || len(rows) < 2 || len(rows[1]) < 3 {
			t.Fatalf("report rows: %v %v", rows, err)
		}
		return rows[0][2] + " | " + rows[1][2]
	}
	if got := report("", "en-GB,en;q=0.9"); !strings.HasPrefix(got, "Reason | unknown chapter") {
		t.Errorf("English report: %q", got)
	}
	if got := report("?lang=zh-CN", "en"); !strings.HasPrefix(got, "原因 | 未知章节") {
		t.Errorf("zh-CN report: %q", got)
	}
	if got := report("", ""); !strings.HasPrefix(got, "原因") {
		t.Errorf("default report: %q", got)
	}
}
