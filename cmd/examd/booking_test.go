package main

import (
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

	"taxiexam/exam/registration"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
)

// approve gives the candidate with phone an approved application, the way
// the police decision leaves it (written through registration's store: the
// HTTP flow to get there is registration's own test).
func (ta *testApp) approve(t *testing.T, phone, name string) {
	t.Helper()
	ctx := context.Background()
	c, err := authdb.New(ta.DB(), ta.PII()).CandidateByPhone(ctx, phone, false)
	if err != nil {
		t.Fatal(err)
	}
	a := registration.Application{CandidateID: c.ID, Status: registration.StatusApproved, Version: 1, DecidedAt: time.Now(), CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Form: registration.Form{Name: name, IDNumber: "35060219900101" + phone[7:], Delivery: registration.DeliveryPost}}
	if err := registrationdb.New(ta.DB(), ta.PII()).CreateApplication(ctx, &a); err != nil {
		t.Fatal(err)
	}
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return v
}

// TestStaffBindingsMustExist: a proctor given a centre that does not exist
// or a clerk an office that does not exist is a field error and no account.
func TestStaffBindingsMustExist(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	for _, c := range []struct{ body, field string }{
		{`{"username":"proc9","display_name":"监考","role":"proctor","centre_id":987654,"password":"Proctor-pass-1"}`, "centre_id"},
		{`{"username":"clerk9","display_name":"窗口","role":"window_clerk","office_id":987654,"password":"Clerk-pass-12"}`, "office_id"},
	} {
		res := ta.call(t, admin, "POST", "/api/v1/admin/staff", c.body)
		e := decodeErr(t, res.body)
		if res.status != http.StatusUnprocessableEntity || e.Error.Fields[c.field] == "" {
			t.Fatalf("%s: %d %s", c.field, res.status, res.body)
		}
	}
	list := ta.call(t, admin, "GET", "/api/v1/admin/staff", "")
	if strings.Contains(list.body, "proc9") || strings.Contains(list.body, "clerk9") {
		t.Fatalf("a refused account was written: %s", list.body)
	}
	centre := ta.examCentre(t)
	res := ta.call(t, admin, "POST", "/api/v1/admin/staff", `{"username":"proc9","display_name":"监考","role":"proctor","centre_id":`+strconv.FormatInt(centre, 10)+`,"password":"Proctor-pass-1"}`)
	if res.status != http.StatusCreated {
		t.Fatalf("real centre: %d %s", res.status, res.body)
	}
	u := decode[struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}](t, res.body)
	res = ta.call(t, admin, "PATCH", "/api/v1/admin/staff/"+strconv.FormatInt(u.ID, 10), `{"version":`+strconv.Itoa(u.Version)+`,"centre_id":987654}`)
	if e := decodeErr(t, res.body); res.status != http.StatusUnprocessableEntity || e.Error.Fields["centre_id"] == "" {
		t.Fatalf("update to a missing centre: %d %s", res.status, res.body)
	}
}

// TestBookingOverHTTP: the bureau sets up a centre and a published session,
// an approved candidate books once however often the phone retries (same
// Idempotency-Key), sees a ticket whose QR decodes to a code the proctor
// endpoint verifies; an unapproved one gets booking_not_approved.
func TestBookingOverHTTP(t *testing.T) {
	ta := newTestApp(t, nil)
	if err := ta.LoadSampleBank(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin, cand, stranger := ta.client(), ta.client(), ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	ta.loginCandidate(t, cand, "13500135001")
	ta.loginCandidate(t, stranger, "13500135002")
	ta.approve(t, "13500135001", "王小明")

	res := ta.call(t, admin, "POST", "/api/v1/admin/centres", `{"name":"漳州考点","address":"漳州市芗城区1号","map_url":"https://map.example.cn/1"}`)
	if res.status != http.StatusCreated {
		t.Fatalf("centre: %d %s", res.status, res.body)
	}
	centre := decode[struct{ ID int64 }](t, res.body).ID
	res = ta.call(t, admin, "POST", "/api/v1/admin/centres/"+strconv.FormatInt(centre, 10)+"/rooms", `{"name":"第一考场","seats":30}`)
	if res.status != http.StatusCreated {
		t.Fatalf("room: %d %s", res.status, res.body)
	}
	room := decode[struct{ ID int64 }](t, res.body).ID
	day := time.Now().In(ta.Config().Location).AddDate(0, 0, 7)
	bulk := `{"centre_id":` + strconv.FormatInt(centre, 10) + `,"room_ids":[` + strconv.FormatInt(room, 10) + `],"from":"` + day.Format("2006-01-02") +
		`","to":"` + day.AddDate(0, 0, 6).Format("2006-01-02") + `","weekdays":[0,1,2,3,4,5,6],"times":["09:00"],"publish":true}`
	if res = ta.call(t, admin, "POST", "/api/v1/admin/sessions/bulk/preview", bulk); res.status != http.StatusOK || strings.Count(res.body, `"room_id"`) != 7 {
		t.Fatalf("preview: %d %s", res.status, res.body)
	}
	res = ta.call(t, admin, "POST", "/api/v1/admin/sessions/bulk", bulk)
	if res.status != http.StatusCreated {
		t.Fatalf("bulk: %d %s", res.status, res.body)
	}
	sessions := decode[struct {
		Items []struct {
			ID              int64 `json:"id"`
			DurationMinutes int   `json:"duration_minutes"`
		}
	}](t, res.body).Items
	if len(sessions) != 7 || sessions[0].DurationMinutes != 135 {
		t.Fatalf("sessions: %+v", sessions)
	}
	cal := ta.call(t, cand, "GET", "/api/v1/booking/sessions?centre_id="+strconv.FormatInt(centre, 10), "")
	if cal.status != http.StatusOK || strings.Count(cal.body, `"bookable":true`) != 7 {
		t.Fatalf("calendar: %d %s", cal.status, cal.body)
	}

	book := `{"session_id":` + strconv.FormatInt(sessions[0].ID, 10) + `}`
	if r := ta.call(t, stranger, "POST", "/api/v1/me/booking", book); r.status != http.StatusConflict || decodeErr(t, r.body).Error.Code != "booking_not_approved" {
		t.Fatalf("unapproved: %d %s", r.status, r.body)
	}
	var first string
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/me/booking", strings.NewReader(book))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Requested-With", "examd")
		req.Header.Set("Idempotency-Key", "phone-retry-0001")
		r, err := cand.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("retry %d: %d %s", i, r.StatusCode, b.String())
		}
		if i == 0 {
			first = b.String()
		} else if b.String() != first {
			t.Fatalf("retry %d answered differently:\n%s\n%s", i, first, b.String())
		}
	}
	home := decode[struct {
		Booking struct {
			SeatNumber int    `json:"seat_number"`
			TicketNo   string `json:"ticket_no"`
		}
		Ticket struct {
			Code     string `json:"code"`
			IDNumber string `json:"id_number"`
			Name     string `json:"name"`
		}
	}](t, first)
	if home.Booking.SeatNumber != 1 || !strings.HasPrefix(home.Ticket.Code, "TK1."+home.Booking.TicketNo+".") || !strings.Contains(home.Ticket.IDNumber, "*") {
		t.Fatalf("home: %s", first)
	}
	if r := ta.call(t, cand, "POST", "/api/v1/me/booking", book); decodeErr(t, r.body).Error.Code != "already_booked" {
		t.Fatalf("second booking without the key: %d %s", r.status, r.body)
	}
	png := ta.call(t, cand, "GET", "/api/v1/me/booking/ticket/qr.png", "")
	if png.status != http.StatusOK || png.header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %s", png.status, png.header)
	}
	if zbar, err := exec.LookPath("zbarimg"); err == nil {
		f := filepath.Join(t.TempDir(), "qr.png")
		if err := os.WriteFile(f, []byte(png.body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--raw", "-q", f).Output()
		if err != nil || strings.TrimSpace(string(out)) != home.Ticket.Code {
			t.Fatalf("zbarimg read %q (%v), want %q", out, err, home.Ticket.Code)
		}
	}
	// A proctor of another centre.
	other := decode[struct{ ID int64 }](t, ta.call(t, admin, "POST", "/api/v1/admin/centres", `{"name":"另一考点","address":"龙海区2号"}`).body).ID
	if r := ta.call(t, admin, "POST", "/api/v1/admin/staff", `{"username":"proc2","display_name":"监考","role":"proctor","centre_id":`+strconv.FormatInt(other, 10)+`,"password":"Proctor-pass-1"}`); r.status != http.StatusCreated {
		t.Fatalf("proctor: %d %s", r.status, r.body)
	}
	proctor := ta.client()
	if r := ta.call(t, proctor, "POST", "/api/v1/auth/staff/login", `{"username":"proc2","password":"Proctor-pass-1"}`); r.status != http.StatusOK {
		t.Fatalf("proctor login: %d %s", r.status, r.body)
	}
	ta.choosePassword(t, proctor, "Proctor-pass-1")
	for who, c := range map[string]*http.Client{"admin": admin, "proctor": proctor} {
		r := ta.call(t, c, "POST", "/api/v1/proctor/tickets/verify", `{"code":"`+home.Ticket.Code+`"}`)
		if who == "admin" && r.status != http.StatusOK {
			t.Fatalf("verify as admin: %d %s", r.status, r.body)
		}
		if who == "proctor" && (r.status != http.StatusUnprocessableEntity || decodeErr(t, r.body).Error.Code != "ticket_invalid") {
			t.Fatalf("verify as a proctor of another centre: %d %s", r.status, r.body)
		}
	}
	sig := []byte(home.Ticket.Code)
	sig[len(sig)-10] ^= 1 // one signature character changed
	forged := string(sig)
	if r := ta.call(t, admin, "POST", "/api/v1/proctor/tickets/verify", `{"code":"`+forged+`"}`); decodeErr(t, r.body).Error.Code != "ticket_invalid" {
		t.Fatalf("forged: %d %s", r.status, r.body)
	}
	roster := ta.call(t, admin, "GET", "/api/v1/admin/sessions/"+strconv.FormatInt(sessions[0].ID, 10)+"/roster", "")
	if roster.status != http.StatusOK || !strings.Contains(roster.body, "王*") || strings.Contains(roster.body, "王小明") {
		t.Fatalf("roster: %d %s", roster.status, roster.body)
	}
	if r := ta.call(t, admin, "POST", "/api/v1/testing/clock", `{"advance_minutes":5}`); r.status != http.StatusNotFound {
		t.Fatalf("test clock without testing.clock_control: %d", r.status)
	}
}

// TestBookingRateLimitsHoldInRedis: booking writes beyond the per-candidate
// limit are refused with 429 and a retry time, counted in Redis (so every
// node shares the count); a refused call changes nothing.
func TestBookingRateLimitsHoldInRedis(t *testing.T) {
	ta := newTestApp(t, map[string]string{"EXAMD_BOOKING_PER_CANDIDATE_PER_MINUTE": "3"})
	cand := ta.client()
	ta.loginCandidate(t, cand, "13500135009")
	ta.approve(t, "13500135009", "赵六")
	for i := 1; i <= 4; i++ {
		r := ta.call(t, cand, "POST", "/api/v1/me/booking/cancel", "")
		e := decodeErr(t, r.body)
		switch {
		case i <= 3 && e.Error.Code != "no_booking":
			t.Fatalf("call %d: %d %s", i, r.status, r.body)
		case i == 4 && (r.status != http.StatusTooManyRequests || e.Error.Code != "booking_rate_limited"):
			t.Fatalf("call %d beyond the limit: %d %s", i, r.status, r.body)
		}
	}
	keys, err := ta.Redis().Keys(context.Background(), ta.Redis().Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range keys {
		if strings.Contains(k, "booking:cand:") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no booking limiter key in Redis: %v", keys)
	}
}
