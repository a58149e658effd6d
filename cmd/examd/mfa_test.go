package main

import (
	"context"
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"taxiexam/api"
	"taxiexam/internal/auth"
)

func totpNow(ta *testApp, uri string, t *testing.T) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return auth.TOTP(key, ta.Clock().Now(), 6, auth.HOTPSHA1)
}

// TestAdminSecondFactorOverHTTP: with bureau admins required to use TOTP, a
// new admin's first login enrols the authenticator (QR code), later logins
// ask for a code after the password, a replayed code and bad input are
// field errors that change nothing, and the account page reports it on.
func TestAdminSecondFactorOverHTTP(t *testing.T) {
	ta := newTestApp(t, map[string]string{"EXAMD_SECURITY_MFA_REQUIRED_ROLES": "bureau_admin"})
	if _, err := ta.Auth().CreateStaff(context.Background(), auth.NewStaff{Username: "mfaadmin", DisplayName: "二次验证", Role: auth.RoleBureauAdmin, Password: "Test-password-1"}); err != nil {
		t.Fatal(err)
	}
	c := ta.client()
	login := func() api.LoginResponse {
		res := ta.call(t, c, "POST", "/api/v1/auth/staff/login", `{"username":"mfaadmin","password":"Test-password-1"}`)
		if res.status != http.StatusOK {
			t.Fatalf("password step: %d %s", res.status, res.body)
		}
		return decode[api.LoginResponse](t, res.body)
	}
	first := login()
	if first.User != nil || first.MFA == nil || !first.MFA.Enrol {
		t.Fatalf("first login: %+v", first)
	}
	if res := ta.call(t, c, "GET", "/api/v1/auth/me", ""); res.status != http.StatusUnauthorized {
		t.Fatalf("a session before the code: %d", res.status)
	}
	res := ta.call(t, c, "POST", "/api/v1/auth/staff/mfa/enrolment", `{"challenge":"`+first.MFA.Challenge+`"}`)
	en := decode[api.MFAEnrolment](t, res.body)
	if res.status != http.StatusCreated || !strings.HasPrefix(en.QRPNG, "data:image/png;base64,") || !strings.HasPrefix(en.URI, "otpauth://totp/") {
		t.Fatalf("enrolment: %d %s", res.status, res.body)
	}
	code := totpNow(ta, en.URI, t)
	res = ta.call(t, c, "POST", "/api/v1/auth/staff/mfa", `{"challenge":"`+first.MFA.Challenge+`","code":"`+code+`"}`)
	done := decode[api.LoginResponse](t, res.body)
	if res.status != http.StatusOK || done.User == nil || done.User.Username != "mfaadmin" || len(done.RecoveryCodes) != auth.RecoveryCodeCount {
		t.Fatalf("enrolling login: %d %s", res.status, res.body)
	}
	if res := ta.call(t, c, "GET", "/api/v1/me/mfa", ""); res.status != http.StatusOK || !strings.Contains(res.body, `"enabled":true`) || !strings.Contains(res.body, `"required":true`) {
		t.Fatalf("status: %d %s", res.status, res.body)
	}
	if res := ta.call(t, c, "POST", "/api/v1/me/mfa/disable", `{"code":"`+code+`"}`); res.status != http.StatusConflict || !strings.Contains(res.body, "mfa_required") {
		t.Fatalf("an admin turning it off: %d %s", res.status, res.body)
	}

	second := login()
	if second.MFA == nil || second.MFA.Enrol {
		t.Fatalf("second login: %+v", second)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"replayed code", `{"challenge":"` + second.MFA.Challenge + `","code":"` + code + `"}`, 401, "mfa_code_used", "code"},
		{"wrong code", `{"challenge":"` + second.MFA.Challenge + `","code":"000000"}`, 401, "mfa_code_invalid", "code"},
		{"short code", `{"challenge":"` + second.MFA.Challenge + `","code":"123"}`, 422, "invalid_input", "code"},
		{"no challenge", `{"challenge":"","code":"123456"}`, 401, "mfa_challenge_invalid", ""},
		{"unknown field", `{"challenge":"x","code":"123456","totp":"1"}`, 400, "unknown_field", "totp"},
	} {
		res := ta.call(t, c, "POST", "/api/v1/auth/staff/mfa", tc.body)
		e := decodeErr(t, res.body)
		if res.status != tc.status || e.Error.Code != tc.code || (tc.field != "" && e.Error.Fields[tc.field] == "") {
			t.Errorf("%s: %d %s", tc.name, res.status, res.body)
		}
	}
	if res := ta.call(t, c, "GET", "/api/v1/auth/me", ""); res.status != http.StatusOK {
		t.Fatalf("the refused codes ended the earlier session: %d", res.status)
	}
	res = ta.call(t, c, "POST", "/api/v1/auth/staff/mfa", `{"challenge":"`+second.MFA.Challenge+`","recovery_code":"`+done.RecoveryCodes[0]+`"}`)
	if res.status != http.StatusOK || !strings.Contains(res.body, `"username":"mfaadmin"`) {
		t.Fatalf("recovery code: %d %s", res.status, res.body)
	}
}
