package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

type codeBox struct {
	mu    sync.Mutex
	codes map[string]string
	fail  error // returned instead of sending, when set
}

func (b *codeBox) SendVerificationCode(_ context.Context, phone, code string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.codes[phone] = code
	return nil
}

func (b *codeBox) last(phone string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.codes[phone]
}

type fixture struct {
	svc   *auth.Service
	codes *codeBox
	clock *clock.Fake
	audit *audit.Service
	redis *kv.Redis
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	rdb := testenv.Redis(t)
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	codes := &codeBox{codes: map[string]string{}}
	au := audit.NewService(auditdb.New(db), clk.Now)
	svc := auth.NewService(authdb.New(db, testenv.Protector(t)), authkv.New(rdb), testenv.Protector(t), authkv.NewSessionCache(rdb, testenv.Protector(t)), codes, au, db, clk, auth.Config{
		StaffSessionTTL: time.Hour, CandidateSessionTTL: 24 * time.Hour, MaxLoginFailures: 3, Lockout: time.Minute,
	})
	return fixture{svc: svc, codes: codes, clock: clk, audit: au, redis: rdb}
}

func code(t *testing.T, err error) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("not an app error: %v", err)
	}
	return e.Code
}

func TestCandidateLoginWithCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const phone = "13800138000"

	if _, err := f.svc.RequestCode(ctx, "12345", "1.1.1.1"); code(t, err) != "invalid_input" {
		t.Fatalf("bad phone: %v", err)
	}
	if _, err := f.svc.RequestCode(ctx, phone, "1.1.1.1"); err != nil {
		t.Fatal(err)
	}
	// A second code within the minute is refused and does not replace the first.
	first := f.codes.last(phone)
	if _, err := f.svc.RequestCode(ctx, phone, "1.1.1.1"); code(t, err) != "rate_limited" {
		t.Fatalf("second code in a minute: %v", err)
	}
	if f.codes.last(phone) != first {
		t.Fatal("refused request sent a code")
	}
	token, p, err := f.svc.CandidateLogin(ctx, phone, first, "1.1.1.1", "ua")
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != auth.RoleCandidate || p.PhoneMasked != "138****8000" {
		t.Fatalf("principal %+v", p)
	}
	got, err := f.svc.Authenticate(ctx, token)
	if err != nil || got.UserID != p.UserID {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	// Single use.
	if _, _, err := f.svc.CandidateLogin(ctx, phone, first, "1.1.1.1", "ua"); code(t, err) != "invalid_code" {
		t.Fatalf("reused code: %v", err)
	}
	// The same phone logs in as the same candidate.
	f.clock.Advance(2 * time.Minute)
	if err := f.svc.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestTenWrongCodesDoNotLetTheEleventhThrough(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const phone = "13900139000"
	if _, err := f.svc.RequestCode(ctx, phone, "2.2.2.2"); err != nil {
		t.Fatal(err)
	}
	right := f.codes.last(phone)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	for i := 0; i < 10; i++ {
		if _, _, err := f.svc.CandidateLogin(ctx, phone, wrong, "2.2.2.2", "ua"); code(t, err) != "invalid_code" {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, _, err := f.svc.CandidateLogin(ctx, phone, right, "2.2.2.2", "ua"); code(t, err) != "invalid_code" {
		t.Fatalf("the right code after 10 wrong ones must be dead: %v", err)
	}
}

func TestStaffLoginLockoutAndAdminActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	created, pw, err := f.svc.EnsureBootstrapAdmin(ctx, "admin", "")
	if err != nil || !created || pw == "" {
		t.Fatalf("bootstrap: %v %v", created, err)
	}
	if again, _, _ := f.svc.EnsureBootstrapAdmin(ctx, "admin2", ""); again {
		t.Fatal("second bootstrap created another admin")
	}
	tests := []struct {
		name, user, pass, want string
	}{
		{"empty", "", "", "invalid_input"},
		{"unknown user", "nobody", "x", "invalid_credentials"},
		{"wrong password 1", "admin", "wrong", "invalid_credentials"},
		{"wrong password 2", "admin", "wrong", "invalid_credentials"},
		{"wrong password 3 locks", "admin", "wrong", "account_locked"},
		{"right password while locked", "admin", pw, "account_locked"},
	}
	for _, tt := range tests {
		_, _, err := f.svc.StaffLogin(ctx, tt.user, tt.pass, "3.3.3.3", "ua")
		if got := code(t, err); got != tt.want {
			t.Fatalf("%s: got %s (%v)", tt.name, got, err)
		}
	}
	f.clock.Advance(2 * time.Minute)
	token, p, err := f.svc.StaffLogin(ctx, "admin", pw, "3.3.3.3", "ua")
	if err != nil || p.Role != auth.RoleBureauAdmin {
		t.Fatalf("login after lock: %+v %v", p, err)
	}

	// Binding rules and password policy.
	_, err = f.svc.CreateStaff(ctx, auth.NewStaff{Username: "proc1", DisplayName: "监考", Role: auth.RoleProctor, Password: "Proctor-pass-1"})
	if e, _ := apperr.As(err); e == nil || e.Fields["centre_id"].IsZero() {
		t.Fatalf("proctor without centre: %v", err)
	}
	_, err = f.svc.CreateStaff(ctx, auth.NewStaff{Username: "proc1", DisplayName: "监考", Role: auth.RoleProctor, CentreID: 1, Password: "short"})
	if e, _ := apperr.As(err); e == nil || e.Fields["password"].IsZero() {
		t.Fatalf("weak password: %v", err)
	}
	u, err := f.svc.CreateStaff(ctx, auth.NewStaff{Username: "proc1", DisplayName: "监考", Role: auth.RoleProctor, CentreID: 1, Password: "Proctor-pass-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateStaff(ctx, auth.NewStaff{Username: "proc1", DisplayName: "x", Role: auth.RoleQuestionEditor, Password: "Proctor-pass-1"}); code(t, err) != "username_taken" {
		t.Fatalf("duplicate username: %v", err)
	}
	ptoken, _, err := f.svc.StaffLogin(ctx, "proc1", "Proctor-pass-1", "3.3.3.3", "ua")
	if err != nil {
		t.Fatal(err)
	}
	// Stale version is refused; disabling revokes sessions.
	yes := true
	if _, err := f.svc.UpdateStaff(ctx, u.ID, auth.StaffChange{Version: u.Version + 5, Disabled: &yes}); code(t, err) != "version_conflict" {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := f.svc.UpdateStaff(ctx, u.ID, auth.StaffChange{Version: u.Version, Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, ptoken); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("disabled user's session still valid: %v", err)
	}
	// The last admin cannot disable itself.
	if _, err := f.svc.UpdateStaff(ctx, p.UserID, auth.StaffChange{Version: 1, Disabled: &yes}); code(t, err) != "last_admin" {
		t.Fatalf("last admin: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("admin session lost by a refused change: %v", err)
	}
	recs, _, err := f.audit.List(ctx, audit.Filter{TargetType: "staff_user"})
	if err != nil || len(recs) != 3 { // admin create, proc1 create, proc1 disable
		t.Fatalf("audit entries: %d %v", len(recs), err)
	}
}

// TestRedisHoldsOnlyKeyedHashes: what a code request leaves in Redis (rate
// limit keys, the code hash) cannot be matched by hashing phone numbers,
// addresses or codes without the secret key.
func TestRedisHoldsOnlyKeyedHashes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const phone, ip = "13800138077", "203.0.113.7"
	if _, err := f.svc.RequestCode(context.Background(), phone, ip); err != nil {
		t.Fatal(err)
	}
	unkeyed := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	needles := []string{phone, ip,
		unkeyed("phone:" + phone)[:24],             // an unkeyed rate-limit key
		unkeyed(phone + ":" + f.codes.last(phone)), // an unkeyed code hash
	}
	if found := testenv.PlaintextInRedis(t, f.redis, needles...); len(found) > 0 {
		t.Fatalf("reversible values in Redis: %v", found)
	}
}

// TestFailedCodeRequestCostsNoQuota: when the code cannot be queued the
// request fails, and the rate-limit counters it took are given back, so
// the person can ask again at once.
func TestFailedCodeRequestCostsNoQuota(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const phone = "13800138066"
	f.codes.mu.Lock()
	f.codes.fail = errors.New("outbox down")
	f.codes.mu.Unlock()
	if _, err := f.svc.RequestCode(ctx, phone, "4.4.4.4"); err == nil {
		t.Fatal("a failed send reported success")
	}
	f.codes.mu.Lock()
	f.codes.fail = nil
	f.codes.mu.Unlock()
	if _, err := f.svc.RequestCode(ctx, phone, "4.4.4.4"); err != nil {
		t.Fatalf("retry after our failure: %v", err)
	}
	if f.codes.last(phone) == "" {
		t.Fatal("no code sent on the retry")
	}
}
