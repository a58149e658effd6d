package main

import (
	"errors"
	"regexp"
	"time"

	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"taxiexam/internal/auth"
	"testing"

	"taxiexam/configs"
	"taxiexam/exam/booking"
	"taxiexam/exam/registration"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring"
	"taxiexam/internal/wiring/schema"
)

// testApp is the whole product assembled over a fresh test database and a
// real Redis, served by httptest.
type testApp struct {
	*wiring.App
	srv *httptest.Server
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["EXAMD_DATA_DIR"]; !ok {
		env["EXAMD_DATA_DIR"] = t.TempDir()
	}
	// Tests log bureau admins in with the password alone unless they test
	// the required second factor (mfa_test.go sets it).
	if _, ok := env["EXAMD_SECURITY_MFA_REQUIRED_ROLES"]; !ok {
		env["EXAMD_SECURITY_MFA_REQUIRED_ROLES"] = ""
	}
	cfg, err := configs.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := wiring.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.MultiWriter(logs), nil)), wiring.Parts{
		DB: testenv.DB(t, schema.All()), Redis: testenv.Redis(t), PII: testenv.Protector(t), Signer: testenv.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := a.StartWorkers(ctx)
	ta := &testApp{App: a, srv: httptest.NewServer(a.Handler()), log: logs}
	t.Cleanup(func() {
		ta.srv.Close()
		cancel()
		wait()
	})
	return ta
}

// client returns an HTTP client with its own cookie jar.
func (ta *testApp) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

type response struct {
	status int
	body   string
	header http.Header
}

// call sends a JSON request the way the web app does.
func (ta *testApp) call(t *testing.T, c *http.Client, method, path, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("X-Requested-With", "examd")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), header: res.Header}
}

var codeRE = regexp.MustCompile(`msg="sms sent".*template=verification_code.*code=(\d{6})`)

// loginCandidate logs c in as the candidate with phone, reading the code
// from the SMS log like a person reading their phone.
func (ta *testApp) loginCandidate(t *testing.T, c *http.Client, phone string) {
	t.Helper()
	if res := ta.call(t, c, "POST", "/api/v1/auth/sms-code", `{"phone":"`+phone+`"}`); res.status != http.StatusAccepted {
		t.Fatalf("sms-code: %d %s", res.status, res.body)
	}
	masked := phone[:3] + "****" + phone[7:]
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var code string
		for _, line := range strings.Split(ta.log.String(), "\n") {
			if m := codeRE.FindStringSubmatch(line); m != nil && strings.Contains(line, "to="+masked) {
				code = m[1]
			}
		}
		if code != "" {
			if res := ta.call(t, c, "POST", "/api/v1/auth/candidate/login", `{"phone":"`+phone+`","code":"`+code+`"}`); res.status != http.StatusOK {
				t.Fatalf("candidate login: %d %s", res.status, res.body)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no verification code for %s in the log:\n%s", masked, ta.log.String())
}

// adminCtx acts as a bureau admin without HTTP (fixtures).
func adminCtx() context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "fixture", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: auth.RoleBureauAdmin, Username: "fixture"}})
}

// examCentre returns a centre for proctors to belong to (creating one).
func (ta *testApp) examCentre(t *testing.T) int64 {
	t.Helper()
	if cs, err := ta.Booking().Centres(context.Background(), true); err == nil && len(cs) > 0 {
		return cs[0].ID
	}
	c, err := ta.Booking().CreateCentre(adminCtx(), booking.Centre{Name: "测试考点", Address: "测试路 1 号"})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// issuingOffice returns an issuing window for clerks (creating one).
func (ta *testApp) issuingOffice(t *testing.T) int64 {
	t.Helper()
	if os, err := ta.Registration().Offices(context.Background(), true); err == nil && len(os) > 0 {
		return os[0].ID
	}
	o, err := ta.Registration().CreateOffice(adminCtx(), registration.OfficeInput{Name: "测试窗口", Address: "测试路 2 号", Hours: "9-17"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// loginStaff creates (if needed) and logs in a staff user with role.
func (ta *testApp) loginStaff(t *testing.T, c *http.Client, role auth.Role) {
	t.Helper()
	username := strings.ReplaceAll(string(role), "_", "") + "1"
	in := auth.NewStaff{Username: username, DisplayName: string(role), Role: role, Password: "Test-password-1"}
	switch role {
	case auth.RoleProctor:
		in.CentreID = ta.examCentre(t)
	case auth.RoleWindowClerk:
		in.OfficeID = ta.issuingOffice(t)
	}
	if _, err := ta.Auth().CreateStaff(context.Background(), in); err != nil && !errors.Is(err, auth.ErrUsernameTaken) {
		t.Fatal(err)
	}
	if res := ta.call(t, c, "POST", "/api/v1/auth/staff/login", `{"username":"`+username+`","password":"Test-password-1"}`); res.status != http.StatusOK {
		t.Fatalf("staff login %s: %d %s", role, res.status, res.body)
	}
}
