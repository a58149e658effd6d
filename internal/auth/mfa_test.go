package auth_test

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

type mfaFixture struct {
	svc   *auth.Service
	db    *sqldb.DB
	clock *clock.Fake
	audit *audit.Service
}

// newMFAFixture is auth with the second factor required of bureau admins.
func newMFAFixture(t *testing.T) mfaFixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	rdb := testenv.Redis(t)
	p := testenv.Protector(t)
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 10, 0, time.UTC))
	au := audit.NewService(auditdb.New(db), clk.Now)
	store := authdb.New(db, p)
	svc := auth.NewService(store, authkv.New(rdb), p, authkv.NewSessionCache(rdb, p), &codeBox{codes: map[string]string{}}, au, db, clk, auth.Config{
		StaffSessionTTL: time.Hour, CandidateSessionTTL: time.Hour, MaxLoginFailures: 5, Lockout: 15 * time.Minute,
	}).WithMFA(store, p, auth.MFAConfig{Required: []auth.Role{auth.RoleBureauAdmin}, Issuer: "漳州市出租汽车考试"})
	return mfaFixture{svc: svc, db: db, clock: clk, audit: au}
}

func (f mfaFixture) staff(t *testing.T, username string, role auth.Role) {
	t.Helper()
	if _, err := f.svc.CreateStaff(context.Background(), auth.NewStaff{Username: username, DisplayName: username, Role: role, Password: "Test-password-1"}); err != nil {
		t.Fatal(err)
	}
}

func secretOf(t *testing.T, uri string) []byte {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (f mfaFixture) code(key []byte) string { return auth.TOTP(key, f.clock.Now(), 6, auth.HOTPSHA1) }

// A bureau admin without an authenticator enrols inside the login (the
// role requires one), then every login asks for a code; a replayed code
// and a wrong one are refused and change nothing; a recovery code works
// once.
func TestRequiredSecondFactorForAdmins(t *testing.T) {
	t.Parallel()
	f := newMFAFixture(t)
	ctx := context.Background()
	f.staff(t, "zhangadmin", auth.RoleBureauAdmin)

	r, err := f.svc.StaffLoginStep(ctx, "zhangadmin", "Test-password-1", "1.1.1.1", "ua")
	if err != nil || r.Challenge == nil || !r.Challenge.Enrol || r.Token != "" {
		t.Fatalf("password step: %+v %v", r, err)
	}
	if _, _, err := f.svc.StaffLogin(ctx, "zhangadmin", "Test-password-1", "1.1.1.1", "ua"); !auth.ErrMFAPending.Is(err) {
		t.Fatalf("one-step login of an admin: %v", err)
	}
	// A code before any enrolment: nothing to confirm.
	if _, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, "123456", "", "1.1.1.1", "ua"); !auth.ErrMFANotEnrolling.Is(err) {
		t.Fatalf("code before enrolment: %v", err)
	}
	en, err := f.svc.BeginMFAWithChallenge(ctx, r.Challenge.Token)
	if err != nil || !strings.HasPrefix(en.URI, "otpauth://totp/") {
		t.Fatalf("enrol: %+v %v", en, err)
	}
	key := secretOf(t, en.URI)
	if _, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, "000000", "", "1.1.1.1", "ua"); !auth.ErrMFACodeInvalid.Is(err) {
		t.Fatalf("wrong first code: %v", err)
	}
	done, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, f.code(key), "", "1.1.1.1", "ua")
	if err != nil || done.Token == "" || len(done.RecoveryCodes) != auth.RecoveryCodeCount {
		t.Fatalf("enrolling login: %+v %v", done, err)
	}
	if p, err := f.svc.Authenticate(ctx, done.Token); err != nil || p.Username != "zhangadmin" {
		t.Fatalf("session: %+v %v", p, err)
	}

	// Next login: the same code again (same time step) is a replay.
	r, err = f.svc.StaffLoginStep(ctx, "zhangadmin", "Test-password-1", "1.1.1.1", "ua")
	if err != nil || r.Challenge == nil || r.Challenge.Enrol {
		t.Fatalf("second login: %+v %v", r, err)
	}
	if _, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, f.code(key), "", "1.1.1.1", "ua"); !auth.ErrMFACodeReplayed.Is(err) {
		t.Fatalf("replayed code: %v", err)
	}
	f.clock.Advance(auth.TOTPStep)
	for _, tc := range []struct {
		name, code, recovery, want string
	}{
		{"five digits", "12345", "", "invalid_input"},
		{"letters", "12a456", "", "invalid_input"},
		{"wrong code", "000000", "", "mfa_code_invalid"},
		{"malformed recovery code", "", "abc", "invalid_input"},
		{"unknown recovery code", "", "zzzzz-zzzzz", "mfa_code_invalid"},
	} {
		if _, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, tc.code, tc.recovery, "1.1.1.1", "ua"); code(t, err) != tc.want {
			t.Fatalf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	ok, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, f.code(key), "", "1.1.1.1", "ua")
	if err != nil || ok.Token == "" {
		t.Fatalf("next step's code: %+v %v", ok, err)
	}

	// A recovery code, once.
	f.clock.Advance(16 * time.Minute) // a fresh attempt budget
	rc := strings.ToUpper(done.RecoveryCodes[3])
	for i, want := range []string{"", "mfa_code_invalid"} {
		r, err := f.svc.StaffLoginStep(ctx, "zhangadmin", "Test-password-1", "1.1.1.1", "ua")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.StaffLoginMFA(ctx, r.Challenge.Token, "", rc, "1.1.1.1", "ua")
		if (want == "" && err != nil) || (want != "" && code(t, err) != want) {
			t.Fatalf("recovery code use %d: %v", i+1, err)
		}
	}
	p, _ := f.svc.Authenticate(ctx, ok.Token)
	st, err := f.svc.MFAStatusOf(ctx, p)
	if err != nil || !st.Enabled || !st.Required || st.RecoveryCodes != auth.RecoveryCodeCount-1 {
		t.Fatalf("status: %+v %v", st, err)
	}
	if err := f.svc.DisableMFA(ctx, p, f.code(key)); !auth.ErrMFARequiredByRules.Is(err) {
		t.Fatalf("an admin turning it off: %v", err)
	}
	list, _, _ := f.audit.List(ctx, audit.Filter{TargetType: "staff_user", Limit: 50})
	var actions []string
	for _, e := range list {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "staff.mfa_enabled") || !strings.Contains(got, "staff.mfa_recovery_code_used") {
		t.Fatalf("audit: %s", got)
	}
}

// Guessing codes spends the same budget as guessing passwords, and a right
// password does not refill it: the account locks after five tries in all.
func TestCodeGuessingLocksTheAccount(t *testing.T) {
	t.Parallel()
	f := newMFAFixture(t)
	ctx := context.Background()
	f.staff(t, "liadmin", auth.RoleBureauAdmin)
	r, _ := f.svc.StaffLoginStep(ctx, "liadmin", "Test-password-1", "1.1.1.1", "ua")
	en, err := f.svc.BeginMFAWithChallenge(ctx, r.Challenge.Token)
	if err != nil {
		t.Fatal(err)
	}
	key := secretOf(t, en.URI)
	if _, err := f.svc.StaffLoginMFA(ctx, r.Challenge.Token, f.code(key), "", "1.1.1.1", "ua"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(16 * time.Minute)
	var last error
	for i := 0; i < 4; i++ { // each round: a right password (1 attempt), then a wrong code (1 attempt)
		r, err := f.svc.StaffLoginStep(ctx, "liadmin", "Test-password-1", "1.1.1.1", "ua")
		if err != nil {
			last = err
			break
		}
		_, last = f.svc.StaffLoginMFA(ctx, r.Challenge.Token, "999999", "", "1.1.1.1", "ua")
	}
	if code(t, last) != "account_locked" {
		t.Fatalf("after guessing: %v", last)
	}
	// Locked: even the right code is refused until the lock ends.
	if _, err := f.svc.StaffLoginStep(ctx, "liadmin", "Test-password-1", "1.1.1.1", "ua"); code(t, err) != "account_locked" {
		t.Fatalf("while locked: %v", err)
	}
}

// Other roles: optional, unless configured. A proctor turns it on from the
// account page, logs in with it, and turns it off with a code; an expired
// or forged challenge is refused; the bureau's reset ends the sessions.
func TestOptionalSecondFactorAndReset(t *testing.T) {
	t.Parallel()
	f := newMFAFixture(t)
	ctx := context.Background()
	if _, err := f.svc.CreateStaff(ctx, auth.NewStaff{Username: "wangeditor", DisplayName: "王编辑", Role: auth.RoleQuestionEditor, Password: "Test-password-1"}); err != nil {
		t.Fatal(err)
	}
	token, p, err := f.svc.StaffLogin(ctx, "wangeditor", "Test-password-1", "1.1.1.1", "ua")
	if err != nil {
		t.Fatalf("an editor without a second factor logs in with the password: %v", err)
	}
	en, err := f.svc.BeginMFA(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	key := secretOf(t, en.URI)
	if _, err := f.svc.ConfirmMFA(ctx, p, "000000"); !auth.ErrMFACodeInvalid.Is(err) {
		t.Fatalf("wrong confirmation: %v", err)
	}
	if st, _ := f.svc.MFAStatusOf(ctx, p); st.Enabled {
		t.Fatal("a wrong confirmation turned it on")
	}
	if _, err := f.svc.ConfirmMFA(ctx, p, f.code(key)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.BeginMFA(ctx, p); !auth.ErrMFAAlreadyEnabled.Is(err) {
		t.Fatalf("second enrolment: %v", err)
	}
	r, err := f.svc.StaffLoginStep(ctx, "wangeditor", "Test-password-1", "1.1.1.1", "ua")
	if err != nil || r.Challenge == nil || r.Challenge.Enrol {
		t.Fatalf("login with a second factor: %+v %v", r, err)
	}
	for name, ch := range map[string]string{"forged": "k1.AAAA", "empty": "", "expired": r.Challenge.Token} {
		if name == "expired" {
			f.clock.Advance(6 * time.Minute)
		}
		if _, err := f.svc.StaffLoginMFA(ctx, ch, f.code(key), "", "1.1.1.1", "ua"); !auth.ErrMFAChallenge.Is(err) {
			t.Fatalf("%s challenge: %v", name, err)
		}
	}
	f.clock.Advance(auth.TOTPStep)
	if err := f.svc.DisableMFA(ctx, p, "000000"); !auth.ErrMFACodeInvalid.Is(err) {
		t.Fatalf("disable with a wrong code: %v", err)
	}
	if err := f.svc.DisableMFA(ctx, p, f.code(key)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StaffLogin(ctx, "wangeditor", "Test-password-1", "1.1.1.1", "ua"); err != nil {
		t.Fatalf("after turning it off: %v", err)
	}
	// Reset by the bureau: nothing to reset now; enrol again, then reset.
	admin := reqctx.With(ctx, reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 99, Kind: "staff", Role: "bureau_admin"}})
	if err := f.svc.ResetMFA(admin, p.UserID); !auth.ErrMFANotEnabled.Is(err) {
		t.Fatalf("reset without a factor: %v", err)
	}
	en2, err := f.svc.BeginMFA(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// The secret is stored encrypted with the data key.
	var enc string
	if err := f.db.Conn(ctx).Raw("SELECT secret_enc FROM staff_mfa").Scan(&enc).Error; err != nil {
		t.Fatal(err)
	}
	plain := base64.StdEncoding.EncodeToString(secretOf(t, en2.URI))
	if enc == "" || strings.Contains(enc, plain) || strings.Contains(enc, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secretOf(t, en2.URI))) {
		t.Fatalf("stored secret %q", enc)
	}
	f.clock.Advance(auth.TOTPStep)
	if _, err := f.svc.ConfirmMFA(ctx, p, f.code(key)); !auth.ErrMFACodeInvalid.Is(err) {
		t.Fatalf("the old secret after re-enrolment: %v", err)
	}
	if err := f.svc.ResetMFA(admin, p.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, token); err == nil {
		t.Fatal("the reset left a session open")
	}
	var left int64
	if err := f.db.Conn(ctx).Raw("SELECT COUNT(*) FROM staff_mfa").Scan(&left).Error; err != nil || left != 0 {
		t.Fatalf("reset left %d authenticators (%v)", left, err)
	}
}
