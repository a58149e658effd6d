package auth_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/auth"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// A password an admin typed (create or reset) must be changed at the first
// login; the operator's own (command line, configured bootstrap) need not;
// a generated bootstrap password must.
func TestWhoseChoiceThePasswordIs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := reqctx.With(ctx, reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 1, Kind: reqctx.KindStaff, Role: auth.RoleBureauAdmin}})
	if _, pw, err := f.svc.EnsureBootstrapAdmin(ctx, "admin", ""); err != nil || pw == "" {
		t.Fatal(err)
	}
	boot, _, _ := f.svc.ListStaff(ctx, auth.Page{Limit: 10})
	if len(boot) != 1 || !boot[0].MustChangePassword {
		t.Fatalf("generated bootstrap password is not temporary: %+v", boot)
	}
	cases := []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"created by an admin", admin, true},
		{"created from the command line", ctx, false},
	}
	for i, tc := range cases {
		u, err := f.svc.CreateStaff(tc.ctx, auth.NewStaff{Username: "user" + string(rune('a'+i)), DisplayName: "x", Role: auth.RoleQuestionEditor, Password: "Editor-pass-1"})
		if err != nil || u.MustChangePassword != tc.want {
			t.Fatalf("%s: must change %v, want %v (%v)", tc.name, u.MustChangePassword, tc.want, err)
		}
		_, p, err := f.svc.StaffLogin(ctx, u.Username, "Editor-pass-1", "1.1.1.1", "ua")
		if err != nil || p.MustChangePassword != tc.want {
			t.Fatalf("%s: principal %+v %v", tc.name, p, err)
		}
	}
	// A reset by an admin is temporary again; an admin's reset of their own is not.
	u, _ := f.svc.CreateStaff(ctx, auth.NewStaff{Username: "reset", DisplayName: "x", Role: auth.RoleBureauAdmin, Password: "Editor-pass-1"})
	pw := "Reset-pass-22"
	u, err := f.svc.UpdateStaff(admin, u.ID, auth.StaffChange{Version: u.Version, Password: &pw})
	if err != nil || !u.MustChangePassword {
		t.Fatalf("admin reset: %+v %v", u, err)
	}
	self := reqctx.With(ctx, reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: u.ID, Kind: reqctx.KindStaff, Role: auth.RoleBureauAdmin}})
	u, err = f.svc.UpdateStaff(self, u.ID, auth.StaffChange{Version: u.Version, Password: &pw})
	if err != nil || u.MustChangePassword {
		t.Fatalf("own reset: %+v %v", u, err)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := reqctx.With(ctx, reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 99, Kind: reqctx.KindStaff, Role: auth.RoleBureauAdmin}})
	const first = "Police-pass-1"
	if _, err := f.svc.CreateStaff(admin, auth.NewStaff{Username: "police", DisplayName: "民警", Role: auth.RolePoliceReviewer, Password: first}); err != nil {
		t.Fatal(err)
	}
	token, p, err := f.svc.StaffLogin(ctx, "police", first, "1.1.1.1", "phone")
	if err != nil || !p.MustChangePassword {
		t.Fatalf("login: %+v %v", p, err)
	}
	other, _, err := f.svc.StaffLogin(ctx, "police", first, "1.1.1.2", "desk")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, current, next, code, field string
	}{
		{"no current", "", "Police-new-22", "invalid_input", "current_password"},
		{"weak new", first, "short", "invalid_input", "new_password"},
		{"two classes", first, "onlylowercase1", "invalid_input", "new_password"},
		{"wrong current", "Wrong-pass-11", "Police-new-22", "current_password_wrong", "current_password"},
		{"unchanged", first, first, "password_unchanged", "new_password"},
	}
	for _, tc := range cases {
		err := f.svc.ChangeOwnPassword(ctx, p, tc.current, tc.next)
		e, ok := apperr.As(err)
		if !ok || e.Code != tc.code || e.Fields[tc.field].IsZero() {
			t.Fatalf("%s: %v %+v", tc.name, err, e)
		}
	}
	if err := f.svc.ChangeOwnPassword(ctx, auth.Principal{Kind: auth.KindCandidate, UserID: 1}, first, "Police-new-22"); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("candidate: %v", err)
	}
	if err := f.svc.ChangeOwnPassword(ctx, p, first, "Police-new-22"); err != nil {
		t.Fatal(err)
	}
	// this session goes on without the flag; the other one has ended
	if got, err := f.svc.Authenticate(ctx, token); err != nil || got.MustChangePassword {
		t.Fatalf("own session: %+v %v", got, err)
	}
	if _, err := f.svc.Authenticate(ctx, other); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("other session still valid: %v", err)
	}
	if _, _, err := f.svc.StaffLogin(ctx, "police", first, "1.1.1.1", "ua"); code(t, err) != "invalid_credentials" {
		t.Fatalf("old password: %v", err)
	}
	if _, q, err := f.svc.StaffLogin(ctx, "police", "Police-new-22", "1.1.1.1", "ua"); err != nil || q.MustChangePassword {
		t.Fatalf("new password: %+v %v", q, err)
	}
	recs, _, err := f.audit.List(ctx, audit.Filter{Action: "staff.password_change"})
	if err != nil || len(recs) != 1 || recs[0].TargetID != strconv.FormatInt(p.UserID, 10) {
		t.Fatalf("audit: %+v %v", recs, err)
	}
	// Guessing the current password through a stolen session locks the
	// account like the login page does (MaxLoginFailures is 3 here).
	_, p, _ = f.svc.StaffLogin(ctx, "police", "Police-new-22", "1.1.1.1", "ua")
	var last error
	for range 3 {
		last = f.svc.ChangeOwnPassword(ctx, p, "Guess-pass-11", "Police-new-33")
	}
	if code(t, last) != "account_locked" {
		t.Fatalf("third wrong guess: %v", last)
	}
	f.clock.Advance(2 * time.Minute)
	if err := f.svc.ChangeOwnPassword(ctx, p, "Police-new-22", "Police-new-33"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}
