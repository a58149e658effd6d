package main

import (
	"net/http"
	"strconv"
	"testing"

	"taxiexam/internal/auth"
)

// TestStaffBindingsAreRequired: the server, not only the console's
// pickers, refuses a proctor without a centre and a clerk without an
// office (and bindings on roles that have none), and writes nothing.
func TestStaffBindingsAreRequired(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	centre, office := ta.examCentre(t), ta.issuingOffice(t)
	c, o := strconv.FormatInt(centre, 10), strconv.FormatInt(office, 10)
	for _, tc := range []struct {
		name, body, field string
	}{
		{"proctor without a centre", `{"username":"bindp1","display_name":"监考","role":"proctor","password":"Proctor-pass-1"}`, "centre_id"},
		{"proctor with centre 0", `{"username":"bindp2","display_name":"监考","role":"proctor","centre_id":0,"password":"Proctor-pass-1"}`, "centre_id"},
		{"clerk without an office", `{"username":"bindc1","display_name":"窗口","role":"window_clerk","password":"Proctor-pass-1"}`, "office_id"},
		{"clerk with a centre instead", `{"username":"bindc2","display_name":"窗口","role":"window_clerk","centre_id":` + c + `,"password":"Proctor-pass-1"}`, "office_id"},
		{"editor with an office", `{"username":"binde1","display_name":"编辑","role":"question_editor","office_id":` + o + `,"password":"Proctor-pass-1"}`, "office_id"},
	} {
		res := ta.call(t, admin, "POST", "/api/v1/admin/staff", tc.body)
		if e := decodeErr(t, res.body); res.status != http.StatusUnprocessableEntity || e.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %s", tc.name, res.status, res.body)
		}
	}
	res := ta.call(t, admin, "POST", "/api/v1/admin/staff", `{"username":"binde2","display_name":"编辑","role":"question_editor","password":"Proctor-pass-1"}`)
	u := decode[struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}](t, res.body)
	res = ta.call(t, admin, "PATCH", "/api/v1/admin/staff/"+strconv.FormatInt(u.ID, 10), `{"version":`+strconv.Itoa(u.Version)+`,"role":"proctor"}`)
	if e := decodeErr(t, res.body); res.status != http.StatusUnprocessableEntity || e.Error.Fields["centre_id"] == "" {
		t.Fatalf("made a proctor without a centre: %d %s", res.status, res.body)
	}
	res = ta.call(t, admin, "PATCH", "/api/v1/admin/staff/"+strconv.FormatInt(u.ID, 10), `{"version":`+strconv.Itoa(u.Version)+`,"role":"proctor","centre_id":`+c+`}`)
	if res.status != http.StatusOK {
		t.Fatalf("proctor with a centre: %d %s", res.status, res.body)
	}
}
