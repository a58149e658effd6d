package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"taxiexam/internal/auth"
)

// An account whose password an admin set may only change it (or log out,
// or ask who it is) until it does: every other route it may call answers
// 403 password_change_required, for every staff role. The routes marked
// BeforePasswordChange in the table are the exceptions.
func TestPasswordChangeRequiredMatrix(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	table := ta.Handler().Routes()
	exempt := map[string]bool{}
	for _, r := range table {
		if r.BeforePasswordChange {
			exempt[r.Method+" "+r.Path] = true
		}
	}
	for _, want := range []string{"POST /api/v1/me/password", "POST /api/v1/auth/logout", "GET /api/v1/auth/me"} {
		if !exempt[want] {
			t.Errorf("%s is not marked BeforePasswordChange", want)
		}
		delete(exempt, want)
	}
	if len(exempt) > 0 {
		t.Errorf("more routes open before the password change: %v", exempt)
	}
	for _, role := range auth.StaffRoles {
		c := ta.client()
		ta.loginPendingStaff(t, admin, c, role)
		if res := ta.call(t, c, "GET", "/api/v1/auth/me", ""); res.status != http.StatusOK || !strings.Contains(res.body, `"must_change_password":true`) {
			t.Fatalf("%s me: %d %s", role, res.status, res.body)
		}
		for _, r := range table {
			if r.Access.Public || !r.Access.Allows(role) || r.BeforePasswordChange {
				continue
			}
			body := ""
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = "{}"
			}
			res := ta.call(t, c, r.Method, pathParam.ReplaceAllString(r.Path, "999999"), body)
			if res.status != http.StatusForbidden || !strings.Contains(res.body, `"password_change_required"`) {
				t.Errorf("%s %s as %s before the change: %d %s", r.Method, r.Path, role, res.status, res.body)
			}
		}
	}
}

// The change itself through the API: its refusals, then the account is free
// and its other sessions have ended.
func TestChangeMyPasswordAPI(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	c, other := ta.client(), ta.client()
	ta.loginPendingStaff(t, admin, c, auth.RoleQuestionEditor)
	if res := ta.call(t, other, "POST", "/api/v1/auth/staff/login", `{"username":"pendingquestioneditor","password":"Admin-set-pass-1"}`); res.status != http.StatusOK {
		t.Fatalf("second login: %d %s", res.status, res.body)
	}
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"wrong current", `{"current_password":"Wrong-pass-111","new_password":"My-own-pass-2"}`, http.StatusUnprocessableEntity, `"current_password_wrong"`},
		{"unchanged", `{"current_password":"Admin-set-pass-1","new_password":"Admin-set-pass-1"}`, http.StatusUnprocessableEntity, `"password_unchanged"`},
		{"weak", `{"current_password":"Admin-set-pass-1","new_password":"weak"}`, http.StatusUnprocessableEntity, `"new_password"`},
		{"unknown field", `{"current_password":"Admin-set-pass-1","new_password":"My-own-pass-2","x":1}`, http.StatusBadRequest, `"unknown_field"`},
		{"done", `{"current_password":"Admin-set-pass-1","new_password":"My-own-pass-2"}`, http.StatusNoContent, ``},
	}
	for _, tc := range cases {
		res := ta.call(t, c, "POST", "/api/v1/me/password", tc.body)
		if res.status != tc.status || !strings.Contains(res.body, tc.code) {
			t.Fatalf("%s: %d %s", tc.name, res.status, res.body)
		}
	}
	if res := ta.call(t, c, "GET", "/api/v1/bank/chapters", ""); res.status != http.StatusOK {
		t.Fatalf("after the change: %d %s", res.status, res.body)
	}
	if res := ta.call(t, c, "GET", "/api/v1/auth/me", ""); !strings.Contains(res.body, `"must_change_password":false`) {
		t.Fatalf("me after: %s", res.body)
	}
	if res := ta.call(t, other, "GET", "/api/v1/auth/me", ""); res.status != http.StatusUnauthorized {
		t.Fatalf("other session after the change: %d %s", res.status, res.body)
	}
	// Candidates have no password here.
	cand := ta.client()
	ta.loginCandidate(t, cand, "13700137077")
	if res := ta.call(t, cand, "POST", "/api/v1/me/password", `{"current_password":"a","new_password":"b"}`); res.status != http.StatusForbidden {
		t.Fatalf("candidate: %d %s", res.status, res.body)
	}
}

// loginPendingStaff has the admin (logged in on admin) create an account
// for role through the API, then logs c in with the admin's password.
func (ta *testApp) loginPendingStaff(t *testing.T, admin, c *http.Client, role auth.Role) {
	t.Helper()
	username := "pending" + strings.ReplaceAll(string(role), "_", "")
	extra := ""
	switch role {
	case auth.RoleProctor:
		extra = `,"centre_id":` + strconv.FormatInt(ta.examCentre(t), 10)
	case auth.RoleWindowClerk:
		extra = `,"office_id":` + strconv.FormatInt(ta.issuingOffice(t), 10)
	}
	res := ta.call(t, admin, "POST", "/api/v1/admin/staff", `{"username":"`+username+`","display_name":"待改密","role":"`+string(role)+`","password":"Admin-set-pass-1"`+extra+`}`)
	if res.status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", role, res.status, res.body)
	}
	if res := ta.call(t, c, "POST", "/api/v1/auth/staff/login", `{"username":"`+username+`","password":"Admin-set-pass-1"}`); res.status != http.StatusOK || !strings.Contains(res.body, `"must_change_password":true`) {
		t.Fatalf("login %s: %d %s", role, res.status, res.body)
	}
}

// choosePassword does the first-login change on c's session (an account
// the admin created through the API): to another password and back, so
// later logins use the same one; the session goes on.
func (ta *testApp) choosePassword(t *testing.T, c *http.Client, current string) {
	t.Helper()
	for _, step := range [][2]string{{current, current + "-own"}, {current + "-own", current}} {
		if res := ta.call(t, c, "POST", "/api/v1/me/password", `{"current_password":"`+step[0]+`","new_password":"`+step[1]+`"}`); res.status != http.StatusNoContent {
			t.Fatalf("first password change: %d %s", res.status, res.body)
		}
	}
}
