package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/platform/testenv"
)

// Personal data of the application used by the scans below.
var (
	secPhone    = "13600136200"
	secName     = "欧阳明"
	secID       = "35050219900101123X"
	secAddress  = "福建省漳州市芗城区胜利路18号"
	secRecvTel  = "13800138011"
	secRecvAddr = "胜利路18号3栋"
)

func idPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 300; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts data as the multipart field file.
func (ta *testApp) upload(t *testing.T, c *http.Client, path, name string, data []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", ta.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Requested-With", "examd")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return response{status: res.StatusCode, body: out.String(), header: res.Header}
}

// callIdem is call with an Idempotency-Key.
func (ta *testApp) callIdem(t *testing.T, c *http.Client, method, path, key, body string) response {
	t.Helper()
	req, _ := http.NewRequest(method, ta.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "examd")
	req.Header.Set("Idempotency-Key", key)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return response{status: res.StatusCode, body: out.String(), header: res.Header}
}

// submitApplication logs a candidate in and submits a complete application
// with idempotency keys, replaying the submit once.
func (ta *testApp) submitApplication(t *testing.T, c *http.Client) {
	t.Helper()
	ta.loginCandidate(t, c, secPhone)
	res := ta.callIdem(t, c, "POST", "/api/v1/me/applications", "start-intent-1", `{"channel":""}`)
	if res.status != http.StatusOK {
		t.Fatalf("start: %d %s", res.status, res.body)
	}
	var app struct{ ID int64 }
	_ = json.Unmarshal([]byte(res.body), &app)
	path := "/api/v1/me/applications/" + strconv.FormatInt(app.ID, 10)
	if r := ta.upload(t, c, path+"/photo", "me.jpg", idPhoto(t)); r.status != http.StatusOK {
		t.Fatalf("photo: %d %s", r.status, r.body)
	}
	var pledge []string
	for _, it := range registration.PledgeItems {
		pledge = append(pledge, `"`+it.Code+`"`)
	}
	form := `{"name":"` + secName + `","id_number":"` + secID + `","licence_class":"C1","licence_first_issued":"2015-03-01","address":"` + secAddress +
		`","pledge":[` + strings.Join(pledge, ",") + `],"want_taxi":true,"want_ride_hailing":true,"delivery":"post","receiver":{"name":"` + secName +
		`","phone":"` + secRecvTel + `","province":"福建省","city":"漳州市","county":"芗城区","address":"` + secRecvAddr + `"},"office_id":0}`
	if r := ta.call(t, c, "PUT", path, `{"version":2,"form":`+form+`}`); r.status != http.StatusOK {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	first := ta.callIdem(t, c, "POST", path+"/submit", "submit-intent-1", `{"version":3}`)
	if first.status != http.StatusOK || !strings.Contains(first.body, secID) {
		t.Fatalf("submit: %d %s", first.status, first.body)
	}
	again := ta.callIdem(t, c, "POST", path+"/submit", "submit-intent-1", `{"version":3}`)
	if again.status != first.status || again.body != first.body || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed submit: %d %s", again.status, again.body)
	}
}

// TestNoPlaintextPersonalDataInRedisOrLog submits an application through the
// API (idempotency keys, replay, SMS) and scans every Redis key and the
// server log for the applicant's personal data in clear.
func TestNoPlaintextPersonalDataInRedisOrLog(t *testing.T) {
	ta := newTestApp(t, map[string]string{"EXAMD_SMS_QUIET_START": "00:00", "EXAMD_SMS_QUIET_END": "00:00"}) // send at once
	ta.submitApplication(t, ta.client())
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(ta.log.String(), "template=application_received"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the application_received SMS was never sent")
		}
	}
	needles := []string{secPhone, secName, secID, secAddress, secRecvTel, secRecvAddr}
	if found := testenv.PlaintextInRedis(t, ta.Redis(), needles...); len(found) > 0 {
		t.Errorf("personal data in clear in Redis:\n%s", strings.Join(found, "\n"))
	}
	for _, n := range needles {
		if strings.Contains(ta.log.String(), n) {
			t.Errorf("server log holds %q", n)
		}
	}
}

// TestStaffLockoutHoldsUnderAParallelBurst: 25 wrong passwords at once get
// no more guesses than 5 in a row would, lock the account once (for the
// first lock period, not a doubled one), and the right password is refused
// afterwards; a second burst on the locked account changes nothing.
func TestStaffLockoutHoldsUnderAParallelBurst(t *testing.T) {
	ta := newTestApp(t, map[string]string{"EXAMD_SECURITY_MAX_LOGIN_FAILURES": "5", "EXAMD_SECURITY_LOCKOUT": "15m"})
	ta.loginStaff(t, ta.client(), "question_editor")
	burst := func() map[int]int {
		var mu sync.Mutex
		var wg sync.WaitGroup
		statuses := map[int]int{}
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := ta.call(t, ta.client(), "POST", "/api/v1/auth/staff/login", `{"username":"questioneditor1","password":"wrong-password"}`)
				mu.Lock()
				statuses[res.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	got := burst()
	if got[401] > 4 || got[401]+got[423] != 25 {
		t.Fatalf("burst: %v (at most 4 wrong passwords may be checked before the lock)", got)
	}
	res := ta.call(t, ta.client(), "POST", "/api/v1/auth/staff/login", `{"username":"questioneditor1","password":"Test-password-1"}`)
	if res.status != 423 {
		t.Fatalf("right password after the burst: %d %s", res.status, res.body)
	}
	u, err := authdb.New(ta.DB(), ta.PII()).StaffByUsername(context.Background(), "questioneditor1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Lockouts != 1 || time.Until(u.LockedUntil) > 15*time.Minute {
		t.Fatalf("one burst locked %d times, until %s", u.Lockouts, u.LockedUntil)
	}
	if again := burst(); again[423] != 25 {
		t.Fatalf("burst on a locked account: %v", again)
	}
	if u2, _ := authdb.New(ta.DB(), ta.PII()).StaffByUsername(context.Background(), "questioneditor1"); !u2.LockedUntil.Equal(u.LockedUntil) || u2.Lockouts != 1 {
		t.Fatalf("a burst while locked lengthened the lock: %s -> %s", u.LockedUntil, u2.LockedUntil)
	}
}

// TestSMSCodeBurst: 600 code requests at once (different numbers and
// addresses, the real outbox on the real database) all get an answer that
// is not an internal error.
func TestSMSCodeBurst(t *testing.T) {
	ta := newTestApp(t, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := map[string]int{}
	sem := make(chan struct{}, 600) // all at once
	for i := 0; i < 600; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			phone := fmt.Sprintf("135%08d", i)
			if _, err := ta.Auth().RequestCode(context.Background(), phone, fmt.Sprintf("10.9.%d.%d", i/250, i%250)); err != nil {
				mu.Lock()
				failures[err.Error()]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failed code requests: %v", failures)
	}
}

// TestBadTextAndEmptySavesChangeNothing: a draft save without its form,
// text with NUL or terminal control characters, invalid UTF-8 and a page
// number that would overflow the offset are refused with a field error,
// and the draft is unchanged.
func TestBadTextAndEmptySavesChangeNothing(t *testing.T) {
	ta := newTestApp(t, nil)
	c, admin := ta.client(), ta.client()
	ta.loginCandidate(t, c, "13600136300")
	ta.loginStaff(t, admin, "bureau_admin")
	res := ta.call(t, c, "POST", "/api/v1/me/applications", `{"channel":""}`)
	var app struct {
		ID      int64
		Version int
	}
	_ = json.Unmarshal([]byte(res.body), &app)
	path := "/api/v1/me/applications/" + strconv.FormatInt(app.ID, 10)
	if r := ta.call(t, c, "PUT", path, `{"version":1,"form":{"name":"李四","address":"福建省漳州市"}}`); r.status != http.StatusOK {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	tests := []struct {
		name, body, field string
	}{
		{"no form", `{"version":2}`, "form"},
		{"null form", `{"version":2,"form":null}`, "form"},
		{"NUL in a name", `{"version":2,"form":{"name":"李\u0000四"}}`, "form.name"},
		{"terminal escape", `{"version":2,"form":{"name":"李四","address":"\u001b[2J福建省"}}`, "form.address"},
		{"C1 control", `{"version":2,"form":{"receiver":{"name":"李\u009b四"}}}`, "form.receiver.name"},
		{"invalid UTF-8", "{\"version\":2,\"form\":{\"name\":\"\xff\xfe李\"}}", "form.name"},
	}
	for _, tt := range tests {
		r := ta.call(t, c, "PUT", path, tt.body)
		var e struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		_ = json.Unmarshal([]byte(r.body), &e)
		if r.status != http.StatusUnprocessableEntity || e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	if r := ta.call(t, c, "GET", path, ""); !strings.Contains(r.body, `"version":2`) || !strings.Contains(r.body, "李四") || !strings.Contains(r.body, "福建省漳州市") {
		t.Fatalf("the draft changed: %s", r.body)
	}
	// A tab and line breaks are text.
	if r := ta.call(t, c, "PUT", path, `{"version":2,"form":{"name":"李四","address":"福建省\n漳州市\t1号"}}`); r.status != http.StatusOK {
		t.Fatalf("line break: %d %s", r.status, r.body)
	}
	for _, page := range []string{"9223372036854775807", "4611686018427387904", "100001"} {
		if r := ta.call(t, admin, "GET", "/api/v1/admin/staff?page="+page, ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"page"`) {
			t.Errorf("page %s: %d %s", page, r.status, r.body)
		}
	}
}

// TestReviewScreenGETChangesNothing: opening the review screen is a read
// (ID number masked, status unchanged, nothing audited); taking the case is
// the explicit POST.
func TestReviewScreenGETChangesNothing(t *testing.T) {
	ta := newTestApp(t, nil)
	cand, police := ta.client(), ta.client()
	ta.submitApplication(t, cand)
	ta.loginStaff(t, police, "police_reviewer")
	res := ta.call(t, cand, "GET", "/api/v1/me/applications", "")
	var mine struct{ Items []struct{ ID int64 } }
	_ = json.Unmarshal([]byte(res.body), &mine)
	path := "/api/v1/review/applications/" + strconv.FormatInt(mine.Items[0].ID, 10)
	for i := 0; i < 2; i++ {
		if r := ta.call(t, police, "GET", path, ""); r.status != http.StatusOK || strings.Contains(r.body, secID) || !strings.Contains(r.body, `"status":"submitted"`) {
			t.Fatalf("GET review screen: %d %s", r.status, r.body)
		}
	}
	var views int64
	ta.DB().Conn(context.Background()).Table("audit_log").Where("action = ?", "application.view_id_number").Count(&views)
	if views != 0 {
		t.Fatalf("a GET wrote %d audit entries", views)
	}
	if r := ta.call(t, police, "POST", path+"/take", ""); r.status != http.StatusOK || !strings.Contains(r.body, secID) || !strings.Contains(r.body, `"status":"under_check"`) {
		t.Fatalf("take the case: %d %s", r.status, r.body)
	}
	ta.DB().Conn(context.Background()).Table("audit_log").Where("action = ?", "application.view_id_number").Count(&views)
	if views != 1 {
		t.Fatalf("taking the case audited %d views", views)
	}
}

// TestLogoutEverywhereEndsEverySession: a user with more than 100 sessions
// (all resolved once, so every one is cached) is logged out everywhere and
// none of them works a moment later, the 101st and beyond included.
func TestLogoutEverywhereEndsEverySession(t *testing.T) {
	ta := newTestApp(t, nil)
	ctx := context.Background()
	u, err := ta.Auth().CreateStaff(ctx, auth.NewStaff{Username: "busy1", DisplayName: "多设备", Role: auth.RoleQuestionEditor, Password: "Busy-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	store := authdb.New(ta.DB(), ta.PII())
	start := time.Now().Add(-time.Hour)
	var tokens []string
	for i := 0; i < 130; i++ {
		tok := fmt.Sprintf("token-%03d-%s", i, t.Name())
		s := auth.Session{ID: auth.TokenID(tok), Kind: auth.KindStaff, UserID: u.ID, Role: u.Role, CreatedAt: start.Add(time.Duration(i) * time.Second), ExpiresAt: time.Now().Add(time.Hour)}
		if err := store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.Auth().Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	if err := ta.Auth().RevokeStaffSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	alive := 0
	for _, tok := range tokens {
		if _, err := ta.Auth().Authenticate(ctx, tok); err == nil {
			alive++
		}
	}
	if alive != 0 {
		t.Fatalf("%d of 130 sessions still work after logging out everywhere", alive)
	}
}

// TestCandidateSessions: a candidate lists their logins, ends another one,
// and logs out everywhere; a bureau admin ends a candidate's sessions.
func TestCandidateSessions(t *testing.T) {
	ta := newTestApp(t, nil)
	phone, laptop, admin := ta.client(), ta.client(), ta.client()
	ta.loginCandidate(t, phone, "13600136400")
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	// A second login of the same candidate (the code limit is per minute,
	// so this one is made directly).
	cand, err := authdb.New(ta.DB(), ta.PII()).CandidateByPhone(context.Background(), "13600136400", false)
	if err != nil {
		t.Fatal(err)
	}
	tok := "second-device-token-" + t.Name()
	if err := authdb.New(ta.DB(), ta.PII()).CreateSession(context.Background(), auth.Session{ID: auth.TokenID(tok), Kind: auth.KindCandidate, UserID: cand.ID, Role: auth.RoleCandidate,
		CreatedAt: time.Now().Add(-time.Minute), ExpiresAt: time.Now().Add(time.Hour), UserAgent: "laptop"}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(ta.srv.URL)
	laptop.Jar.SetCookies(u, []*http.Cookie{{Name: "examd_session", Value: tok, Path: "/"}})
	var list struct {
		Items []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"items"`
	}
	res := ta.call(t, phone, "GET", "/api/v1/me/sessions", "")
	_ = json.Unmarshal([]byte(res.body), &list)
	if res.status != 200 || len(list.Items) != 2 || list.Items[0].Current == list.Items[1].Current {
		t.Fatalf("my sessions: %d %s", res.status, res.body)
	}
	other := list.Items[0].ID
	if list.Items[0].Current {
		other = list.Items[1].ID
	}
	if r := ta.call(t, phone, "DELETE", "/api/v1/me/sessions/"+other, ""); r.status != http.StatusNoContent {
		t.Fatalf("end the other session: %d %s", r.status, r.body)
	}
	if r := ta.call(t, laptop, "GET", "/api/v1/auth/me", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("ended session still works: %d", r.status)
	}
	if r := ta.call(t, phone, "DELETE", "/api/v1/me/sessions/aaaaaaaaaaaa", ""); r.status != http.StatusNotFound {
		t.Fatalf("unknown handle: %d", r.status)
	}
	// The bureau ends the candidate's sessions (a lost phone).
	id := strconv.FormatInt(cand.ID, 10)
	if r := ta.call(t, admin, "GET", "/api/v1/admin/candidates/"+id+"/sessions", ""); r.status != 200 || !strings.Contains(r.body, `"revoked_at":"`) {
		t.Fatalf("admin lists: %d %s", r.status, r.body)
	}
	if r := ta.call(t, admin, "POST", "/api/v1/admin/candidates/"+id+"/revoke-sessions", ""); r.status != http.StatusNoContent {
		t.Fatalf("admin revokes: %d %s", r.status, r.body)
	}
	if r := ta.call(t, phone, "GET", "/api/v1/auth/me", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("revoked by the bureau, still works: %d", r.status)
	}
	var n int64
	ta.DB().Conn(context.Background()).Table("audit_log").Where("action = ?", "candidate.revoke_sessions").Count(&n)
	if n != 1 {
		t.Fatalf("revocation audited %d times", n)
	}
}

// scrape reads /metrics on the app listener with a bearer token.
func (ta *testApp) scrape(t *testing.T, token string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", ta.srv.URL+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return response{status: res.StatusCode, body: out.String(), header: res.Header}
}

// TestMetricsAreNotPublic: without configuration /metrics is not served on
// the app listener; with a token only a scraper holding it reads them;
// with their own listener the app listener never serves them.
func TestMetricsAreNotPublic(t *testing.T) {
	if r := newTestApp(t, nil).scrape(t, ""); r.status != http.StatusNotFound {
		t.Fatalf("unconfigured /metrics: %d", r.status)
	}
	ta := newTestApp(t, map[string]string{"EXAMD_SERVER_METRICS_TOKEN": "scrape-token-2"})
	for _, tok := range []string{"", "wrong-token"} {
		if r := ta.scrape(t, tok); r.status != http.StatusUnauthorized {
			t.Fatalf("token %q: %d", tok, r.status)
		}
	}
	if r := ta.scrape(t, "scrape-token-2"); r.status != http.StatusOK || !strings.Contains(r.body, "examd_notify_messages") {
		t.Fatalf("with the token: %d", r.status)
	}
	apart := newTestApp(t, map[string]string{"EXAMD_SERVER_METRICS_TOKEN": "scrape-token-3", "EXAMD_SERVER_METRICS_ADDR": "127.0.0.1:0"})
	if r := apart.scrape(t, "scrape-token-3"); r.status != http.StatusNotFound {
		t.Fatalf("with metrics_addr set, the app listener served /metrics: %d", r.status)
	}
}
