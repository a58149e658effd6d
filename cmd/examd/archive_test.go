package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"taxiexam/api"
	"taxiexam/cert"
	"taxiexam/exam/registration"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/archive"
	"taxiexam/internal/auth"
	questionbank "taxiexam/question-bank"
)

const (
	arcPhone = "13700137301"
	arcName  = "林晓东"
	arcID    = "350602199001011235"
)

func (ta *testApp) arcForm(address string) string {
	var pledge []string
	for _, it := range registration.PledgeItems {
		pledge = append(pledge, `"`+it.Code+`"`)
	}
	return `{"name":"` + arcName + `","id_number":"` + arcID + `","licence_class":"C1","licence_first_issued":"2015-03-01","address":"` + address +
		`","pledge":[` + strings.Join(pledge, ",") + `],"want_taxi":true,"want_ride_hailing":true,"delivery":"post","receiver":{"name":"` + arcName +
		`","phone":"13800138022","province":"福建省","city":"漳州市","county":"芗城区","address":"胜利西路1号3栋"},"office_id":0}`
}

type appView struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
}

// journey takes a candidate through the product: an application returned
// by the police and submitted again with another address, approved; a
// booking rescheduled; a mock exam; formal results; two certificates.
func (ta *testApp) journey(t *testing.T, cand, police, admin *http.Client) (candidateID, centre int64) {
	t.Helper()
	ta.loginCandidate(t, cand, arcPhone)
	res := ta.call(t, cand, "POST", "/api/v1/me/applications", `{"channel":""}`)
	app := decode[appView](t, res.body)
	path := "/api/v1/me/applications/" + strconv.FormatInt(app.ID, 10)
	if r := ta.upload(t, cand, path+"/photo", "me.jpg", idPhoto(t)); r.status != http.StatusOK {
		t.Fatalf("photo: %d %s", r.status, r.body)
	}
	app = decode[appView](t, ta.call(t, cand, "GET", path, "").body)
	submit := func(address string) {
		r := ta.call(t, cand, "PUT", path, `{"version":`+strconv.Itoa(app.Version)+`,"form":`+ta.arcForm(address)+`}`)
		if r.status != http.StatusOK {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		app = decode[appView](t, r.body)
		if r = ta.call(t, cand, "POST", path+"/submit", `{"version":`+strconv.Itoa(app.Version)+`}`); r.status != http.StatusOK {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
	}
	decide := func(outcome, reason string) {
		rv := decode[appView](t, ta.call(t, police, "GET", "/api/v1/review/applications/"+strconv.FormatInt(app.ID, 10), "").body)
		checks := []string{}
		for _, it := range registration.PledgeItems {
			checks = append(checks, `"`+it.Code+`":"clear"`)
		}
		r := ta.call(t, police, "POST", "/api/v1/review/applications/"+strconv.FormatInt(app.ID, 10)+"/decision",
			`{"version":`+strconv.Itoa(rv.Version)+`,"checks":{`+strings.Join(checks, ",")+`},"outcome":"`+outcome+`","reason_code":"","reason":"`+reason+`"}`)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", outcome, r.status, r.body)
		}
	}
	submit("福建省漳州市芗城区胜利西路1号")
	decide("return", "住址请写到门牌号")
	app = decode[appView](t, ta.call(t, cand, "GET", path, "").body)
	submit("福建省漳州市芗城区胜利西路1号3栋502室")
	decide("approve", "")

	// Two sessions a week ahead: book one, move to the other.
	centre = decode[struct{ ID int64 }](t, ta.call(t, admin, "POST", "/api/v1/admin/centres", `{"name":"档案考点","address":"芗城区考试路1号"}`).body).ID
	room := decode[struct{ ID int64 }](t, ta.call(t, admin, "POST", "/api/v1/admin/centres/"+strconv.FormatInt(centre, 10)+"/rooms", `{"name":"一号考场","seats":10}`).body).ID
	day := time.Now().In(ta.Config().Location).AddDate(0, 0, 7)
	bulk := `{"centre_id":` + strconv.FormatInt(centre, 10) + `,"room_ids":[` + strconv.FormatInt(room, 10) + `],"from":"` + day.Format("2006-01-02") +
		`","to":"` + day.AddDate(0, 0, 1).Format("2006-01-02") + `","weekdays":[0,1,2,3,4,5,6],"times":["09:00"],"publish":true}`
	sessions := decode[struct{ Items []struct{ ID int64 } }](t, ta.call(t, admin, "POST", "/api/v1/admin/sessions/bulk", bulk).body).Items
	if len(sessions) != 2 {
		t.Fatalf("sessions: %+v", sessions)
	}
	if r := ta.call(t, cand, "POST", "/api/v1/me/booking", `{"session_id":`+strconv.FormatInt(sessions[0].ID, 10)+`}`); r.status != http.StatusCreated {
		t.Fatalf("book: %d %s", r.status, r.body)
	}
	if r := ta.call(t, cand, "POST", "/api/v1/me/booking/reschedule", `{"session_id":`+strconv.FormatInt(sessions[1].ID, 10)+`}`); r.status != http.StatusOK {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}

	// A mock exam, answered in part and submitted.
	mock := decode[struct {
		ID        int64 `json:"id"`
		Questions []struct {
			QuestionID int64 `json:"question_id"`
		} `json:"questions"`
	}](t, ta.call(t, cand, "POST", "/api/v1/mock-exams", "").body)
	for i, q := range mock.Questions[:3] {
		ta.call(t, cand, "PUT", "/api/v1/mock-exams/"+strconv.FormatInt(mock.ID, 10)+"/answers/"+strconv.FormatInt(q.QuestionID, 10), `{"given":["A"],"seq":`+strconv.Itoa(i+1)+`}`)
	}
	if r := ta.call(t, cand, "POST", "/api/v1/mock-exams/"+strconv.FormatInt(mock.ID, 10)+"/submit", ""); r.status != http.StatusOK {
		t.Fatalf("mock submit: %d %s", r.status, r.body)
	}

	// Formal results, the way the submit hook records them (with their
	// ledger entries), then the two certificates.
	dossier := decode[struct {
		CandidateID int64 `json:"candidate_id"`
	}](t, ta.call(t, admin, "GET", "/api/v1/admin/applications/"+strconv.FormatInt(app.ID, 10), "").body)
	candidateID = dossier.CandidateID
	sat := ta.Clock().Now().UTC().Truncate(time.Millisecond)
	err := ta.DB().InTx(context.Background(), func(ctx context.Context) error {
		rs := []results.SubjectResult{
			{CandidateID: candidateID, ApplicationID: app.ID, AttemptID: 9001, SessionID: sessions[1].ID, CentreID: centre, Subject: questionbank.SubjectNational, Score: 92, TotalPoints: 100, PassPercent: 80, Passed: true, SatAt: sat, ValidUntil: results.ValidUntil(sat)},
			{CandidateID: candidateID, ApplicationID: app.ID, AttemptID: 9001, SessionID: sessions[1].ID, CentreID: centre, Subject: questionbank.SubjectRegional, Score: 85, TotalPoints: 100, PassPercent: 80, Passed: true, SatAt: sat, ValidUntil: results.ValidUntil(sat)},
		}
		if err := resultsdb.New(ta.DB()).AddResults(ctx, rs); err != nil {
			return err
		}
		for _, r := range rs {
			if err := ta.Ledger().RecordResult(ctx, r); err != nil {
				return err
			}
		}
		_, err := ta.Certs().IssueForQualified(ctx, cert.Qualification{CandidateID: candidateID, ApplicationID: app.ID, QualifiedAt: sat, Ref: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return candidateID, centre
}

func TestCandidateDossier(t *testing.T) {
	ta := newTestApp(t, nil)
	if err := ta.LoadSampleBank(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin, police, cand := ta.client(), ta.client(), ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	ta.loginStaff(t, police, auth.RolePoliceReviewer)
	cid, centre := ta.journey(t, cand, police, admin)
	id := strconv.FormatInt(cid, 10)

	t.Run("masked by default, the whole journey", func(t *testing.T) {
		res := ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id, "")
		if res.status != http.StatusOK || strings.Contains(res.body, arcID) || strings.Contains(res.body, arcName) {
			t.Fatalf("masked dossier: %d %.300s", res.status, res.body)
		}
		r := decode[archive.Record](t, res.body)
		if r.Format != archive.Format || r.FullData || r.Candidate.IDNumber != "3506**********1235" || len(r.Applications) != 1 {
			t.Fatalf("record: %+v", r.Candidate)
		}
		a := r.Applications[0]
		if len(a.Versions) != 2 || strings.Join(a.Versions[1].Changed, ",") != "address" || a.Status != "approved" {
			t.Fatalf("versions: %+v", a.Versions)
		}
		var statuses []string
		for _, h := range a.History {
			statuses = append(statuses, h.Status)
		}
		if got := strings.Join(statuses, ","); !strings.Contains(got, "returned") || !strings.HasSuffix(got, "approved") {
			t.Fatalf("history: %s", got)
		}
		if len(r.Bookings) != 2 || r.Bookings[0].Status != "rescheduled" || r.Bookings[1].ReplacesID != r.Bookings[0].ID {
			t.Fatalf("bookings: %+v", r.Bookings)
		}
		if len(r.Attempts) != 1 || r.Attempts[0].Kind != "mock" || len(r.Results) != 2 || !r.Results[0].ValidNow {
			t.Fatalf("attempts %+v results %+v", r.Attempts, r.Results)
		}
		if len(r.Certificates) != 2 || len(r.Certificates[0].History) != 1 || len(r.Deliveries) != 1 {
			t.Fatalf("certificates %+v deliveries %+v", r.Certificates, r.Deliveries)
		}
		if len(r.Messages) < 5 || len(r.Ledger) != 4 || len(r.StaffActions) < 2 {
			t.Fatalf("messages %d ledger %d actions %d", len(r.Messages), len(r.Ledger), len(r.StaffActions))
		}
		p := ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id+"/attempts/"+strconv.FormatInt(r.Attempts[0].ID, 10), "")
		paper := decode[archive.PaperRecord](t, p.body)
		if p.status != http.StatusOK || len(paper.Questions) == 0 || paper.Questions[0].Stem == "" || len(paper.Questions[0].Answer) == 0 {
			t.Fatalf("paper: %d %.300s", p.status, p.body)
		}
	})

	t.Run("full personal data is audited", func(t *testing.T) {
		res := ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id+"?full=true", "")
		if res.status != http.StatusOK || !strings.Contains(res.body, arcID) || !strings.Contains(res.body, arcName) {
			t.Fatalf("full dossier: %d", res.status)
		}
		audit := ta.call(t, admin, "GET", "/api/v1/admin/audit?action=archive.view_full", "")
		if !strings.Contains(audit.body, `"target_id":"`+id+`"`) {
			t.Fatalf("no audit entry of the full view: %s", audit.body)
		}
		if r := ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id+"?full=maybe", ""); r.status != http.StatusUnprocessableEntity || decodeErr(t, r.body).Error.Fields["full"] == "" {
			t.Fatalf("full=maybe: %d %s", r.status, r.body)
		}
	})

	t.Run("scope: a proctor or clerk elsewhere gets 404", func(t *testing.T) {
		other := decode[struct{ ID int64 }](t, ta.call(t, admin, "POST", "/api/v1/admin/centres", `{"name":"别处考点","address":"龙海区2号"}`).body).ID
		elsewhere := ta.issuingOffice2(t) // the parcel is posted by the first office
		for _, st := range []struct {
			user, body string
		}{
			{"arcproc", `{"username":"arcproc","display_name":"本考点监考","role":"proctor","centre_id":` + strconv.FormatInt(centre, 10) + `,"password":"Proctor-pass-1"}`},
			{"arcproc2", `{"username":"arcproc2","display_name":"别处监考","role":"proctor","centre_id":` + strconv.FormatInt(other, 10) + `,"password":"Proctor-pass-1"}`},
			{"arcclerk", `{"username":"arcclerk","display_name":"别处窗口","role":"window_clerk","office_id":` + strconv.FormatInt(elsewhere, 10) + `,"password":"Proctor-pass-1"}`},
		} {
			if r := ta.call(t, admin, "POST", "/api/v1/admin/staff", st.body); r.status != http.StatusCreated {
				t.Fatalf("%s: %d %s", st.user, r.status, r.body)
			}
		}
		login := func(u string) *http.Client {
			c := ta.client()
			if r := ta.call(t, c, "POST", "/api/v1/auth/staff/login", `{"username":"`+u+`","password":"Proctor-pass-1"}`); r.status != http.StatusOK {
				t.Fatalf("%s login: %d %s", u, r.status, r.body)
			}
			ta.choosePassword(t, c, "Proctor-pass-1")
			return c
		}
		here := ta.call(t, login("arcproc"), "GET", "/api/v1/archive/candidates/"+id, "")
		r := decode[archive.Record](t, here.body)
		if here.status != http.StatusOK || r.Scope != "centre:"+strconv.FormatInt(centre, 10) || len(r.Bookings) != 2 || len(r.Applications) != 0 || len(r.Certificates) != 0 || len(r.Messages) != 0 {
			t.Fatalf("own centre's proctor: %d %.400s", here.status, here.body)
		}
		for who, c := range map[string]*http.Client{"other centre's proctor": login("arcproc2"), "other office's clerk": login("arcclerk")} {
			if r := ta.call(t, c, "GET", "/api/v1/archive/candidates/"+id, ""); r.status != http.StatusNotFound {
				t.Errorf("%s: %d %s", who, r.status, r.body)
			}
		}
		if r := ta.call(t, login("arcproc"), "GET", "/api/v1/archive/candidates/"+id+"?full=true", ""); r.status != http.StatusForbidden {
			t.Errorf("proctor asking for full data: %d %s", r.status, r.body)
		}
		if r := ta.call(t, admin, "GET", "/api/v1/archive/candidates/999999", ""); r.status != http.StatusNotFound {
			t.Errorf("unknown candidate: %d", r.status)
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, q := range []string{arcID, arcPhone, id, ""} {
			res := ta.call(t, admin, "GET", "/api/v1/archive/candidates?q="+q, "")
			page := decode[api.Page[api.ArchiveHit]](t, res.body)
			if res.status != http.StatusOK || len(page.Items) == 0 || page.Items[0].CandidateID != cid || strings.Contains(res.body, arcID) {
				t.Errorf("q=%q: %d %s", q, res.status, res.body)
			}
		}
		if res := ta.call(t, admin, "GET", "/api/v1/archive/candidates?q=abc", ""); res.status != http.StatusUnprocessableEntity || decodeErr(t, res.body).Error.Fields["q"] == "" {
			t.Errorf("q=abc: %d %s", res.status, res.body)
		}
	})

	t.Run("PDF with readable Chinese and the zip", func(t *testing.T) {
		res := ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id+"/dossier.pdf", "")
		if res.status != http.StatusOK || !strings.HasPrefix(res.body, "%PDF-") || res.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %d %s", res.status, res.header)
		}
		if bin, err := exec.LookPath("pdftotext"); err == nil {
			f := filepath.Join(t.TempDir(), "d.pdf")
			if err := os.WriteFile(f, []byte(res.body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "-layout", f, "-").Output()
			text := string(out)
			for _, want := range []string{"考生档案", arcName, arcID, "退回修改", "已改约", "全国公共科目", "防篡改账本"} {
				if err != nil || !strings.Contains(text, want) {
					t.Errorf("pdftotext lacks %q (%v)", want, err)
				}
			}
		}
		res = ta.call(t, admin, "GET", "/api/v1/archive/candidates/"+id+"/dossier.zip", "")
		z, err := zip.NewReader(bytes.NewReader([]byte(res.body)), int64(len(res.body)))
		if res.status != http.StatusOK || err != nil {
			t.Fatalf("zip: %d %v", res.status, err)
		}
		names := map[string]*zip.File{}
		for _, f := range z.File {
			names[f.Name] = f
		}
		for _, want := range []string{"dossier.json", "dossier.pdf", "applications.csv", "bookings.csv", "results.csv", "certificates.csv", "messages.csv", "staff_actions.csv", "ledger.csv"} {
			if names[want] == nil {
				t.Errorf("zip lacks %s (has %v)", want, len(names))
			}
		}
		rc, _ := names["dossier.json"].Open()
		b, _ := io.ReadAll(rc)
		var r archive.Record
		if err := json.Unmarshal(b, &r); err != nil || !r.FullData || r.Candidate.IDNumber != arcID {
			t.Fatalf("dossier.json: %v %+v", err, r.Candidate)
		}
		papers := 0
		for n := range names {
			if strings.HasPrefix(n, "papers/attempt-") {
				papers++
			}
		}
		if papers != 1 {
			t.Errorf("%d papers in the zip", papers)
		}
	})

	t.Run("bulk export of a period with progress", func(t *testing.T) {
		today := time.Now().In(ta.Config().Location).Format("2006-01-02")
		for _, tc := range []struct{ body, field string }{
			{`{"from":"2026-03-01","to":"2026-02-01"}`, "to"},
			{`{"from":"2020-01-01","to":"2023-12-31"}`, "to"},
			{`{"from":"2026-01-01T00:00:00+02:00","to":"2026-01-31"}`, "from"},
			{`{"from":"2999-01-01","to":"2999-01-02"}`, "from"},
		} {
			r := ta.call(t, admin, "POST", "/api/v1/archive/exports", tc.body)
			if r.status != http.StatusUnprocessableEntity || decodeErr(t, r.body).Error.Fields[tc.field] == "" {
				t.Errorf("%s: %d %s", tc.body, r.status, r.body)
			}
		}
		res := ta.call(t, admin, "POST", "/api/v1/archive/exports", `{"from":"`+today+`","to":"`+today+`"}`)
		e := decode[api.ArchiveExport](t, res.body)
		if res.status != http.StatusCreated || e.Status != "queued" {
			t.Fatalf("start: %d %s", res.status, res.body)
		}
		if r := ta.call(t, admin, "GET", "/api/v1/archive/exports/"+strconv.FormatInt(e.ID, 10)+"/file", ""); r.status != http.StatusConflict && e.Status != "done" {
			t.Logf("download before it is ready: %d", r.status)
		}
		deadline := time.Now().Add(30 * time.Second)
		for e.Status != "done" && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			e = decode[api.ArchiveExport](t, ta.call(t, admin, "GET", "/api/v1/archive/exports/"+strconv.FormatInt(e.ID, 10), "").body)
			if e.Status == "failed" {
				t.Fatalf("export failed: %s", e.Error)
			}
		}
		if e.Status != "done" || e.Total != 1 || e.Done != 1 || e.Percent != 100 {
			t.Fatalf("export: %+v", e)
		}
		r := ta.call(t, admin, "GET", "/api/v1/archive/exports/"+strconv.FormatInt(e.ID, 10)+"/file", "")
		z, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
		if r.status != http.StatusOK || err != nil {
			t.Fatalf("download: %d %v", r.status, err)
		}
		var got []string
		for _, f := range z.File {
			got = append(got, f.Name)
		}
		all := strings.Join(got, " ")
		if !strings.Contains(all, "index.csv") || !strings.Contains(all, "candidate-"+id+"/dossier.json") || strings.Contains(all, ".pdf") {
			t.Fatalf("bulk zip: %s", all)
		}
	})

	t.Run("retention dry run", func(t *testing.T) {
		res := ta.call(t, admin, "GET", "/api/v1/archive/retention", "")
		rep := decode[api.RetentionReportJSON](t, res.body)
		if res.status != http.StatusOK || !rep.DryRun || len(rep.Lines) != 5 {
			t.Fatalf("retention: %d %s", res.status, res.body)
		}
		var out bytes.Buffer
		if err := retentionCommand(context.Background(), ta.App, &out); err != nil || !strings.Contains(out.String(), "unqualified_applicants") {
			t.Fatalf("examd retention: %v %s", err, out.String())
		}
	})
}

// issuingOffice2 is a second issuing window.
func (ta *testApp) issuingOffice2(t *testing.T) int64 {
	t.Helper()
	ta.issuingOffice(t)
	o, err := ta.Registration().CreateOffice(adminCtx(), registration.OfficeInput{Name: "另一窗口", Address: "测试路 3 号", Hours: "9-17"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}
