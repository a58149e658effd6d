package api

import (
	"encoding/base64"
	"time"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"taxiexam/internal/auth"
)

// MFAChallenge is the password step's answer when a code must follow.
type MFAChallenge struct {
	Challenge string    `json:"challenge" doc:"send it back with the code (POST /api/v1/auth/staff/mfa); valid 5 minutes"`
	Enrol     bool      `json:"enrol" doc:"true: the account has no authenticator yet and its role requires one; enrol now (POST /api/v1/auth/staff/mfa/enrolment)"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MFALoginRequest is the code step of a staff login.
type MFALoginRequest struct {
	Challenge    string `json:"challenge"`
	Code         string `json:"code" doc:"6 digits from the authenticator app"`
	RecoveryCode string `json:"recovery_code" doc:"instead of a code: one of the recovery codes (each works once)"`
}

// MFAChallengeRequest names the login an enrolment belongs to.
type MFAChallengeRequest struct {
	Challenge string `json:"challenge"`
}

// MFAEnrolment is a new authenticator secret to scan.
type MFAEnrolment struct {
	Secret string `json:"secret" doc:"base32 in groups of 4, for typing into the app"`
	URI    string `json:"otpauth_uri"`
	QRPNG  string `json:"qr_png" doc:"data: URL of the QR code of otpauth_uri"`
}

// MFACodeRequest carries one code of the authenticator.
type MFACodeRequest struct {
	Code string `json:"code" doc:"6 digits from the authenticator app"`
}

// RecoveryCodes are shown once.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes" doc:"shown once: each works once instead of a code"`
}

// MFAStatusJSON is the second factor of the logged-in staff user.
type MFAStatusJSON struct {
	Enabled       bool       `json:"enabled"`
	Required      bool       `json:"required" doc:"the role must use it (security.mfa_required_roles)"`
	EnabledAt     *time.Time `json:"enabled_at"`
	RecoveryCodes int        `json:"recovery_codes_left"`
}

func (s *Server) staffLogin(c *gin.Context, req StaffLoginRequest) (LoginResponse, error) {
	r, err := s.deps.Auth.StaffLoginStep(c.Request.Context(), req.Username, req.Password, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return LoginResponse{}, err
	}
	if ch := r.Challenge; ch != nil {
		return LoginResponse{MFA: &MFAChallenge{Challenge: ch.Token, Enrol: ch.Enrol, ExpiresAt: s.at(ch.ExpiresAt)}}, nil
	}
	return s.staffSession(c, r), nil
}

func (s *Server) staffSession(c *gin.Context, r auth.LoginResult) LoginResponse {
	s.setSession(c, r.Token, s.deps.Config.Security.StaffSessionTTL)
	me := meOf(r.Principal)
	return LoginResponse{User: &me, RecoveryCodes: r.RecoveryCodes}
}

func (s *Server) staffLoginMFA(c *gin.Context, req MFALoginRequest) (LoginResponse, error) {
	r, err := s.deps.Auth.StaffLoginMFA(c.Request.Context(), req.Challenge, req.Code, req.RecoveryCode, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return LoginResponse{}, err
	}
	return s.staffSession(c, r), nil
}

func enrolmentJSON(e auth.Enrolment) (MFAEnrolment, error) {
	png, err := qrcode.Encode(e.URI, qrcode.Medium, 320)
	if err != nil {
		return MFAEnrolment{}, err
	}
	return MFAEnrolment{Secret: auth.SecretText(e.Secret), URI: e.URI, QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}, nil
}

func (s *Server) enrolAtLogin(c *gin.Context, req MFAChallengeRequest) (MFAEnrolment, error) {
	e, err := s.deps.Auth.BeginMFAWithChallenge(c.Request.Context(), req.Challenge)
	if err != nil {
		return MFAEnrolment{}, err
	}
	c.Header("Cache-Control", "no-store")
	return enrolmentJSON(e)
}

func (s *Server) myMFA(c *gin.Context) (MFAStatusJSON, error) {
	st, err := s.deps.Auth.MFAStatusOf(c.Request.Context(), principal(c))
	return MFAStatusJSON{Enabled: st.Enabled, Required: st.Required, EnabledAt: s.atPtr(st.EnabledAt), RecoveryCodes: st.RecoveryCodes}, err
}

func (s *Server) beginMyMFA(c *gin.Context) (MFAEnrolment, error) {
	e, err := s.deps.Auth.BeginMFA(c.Request.Context(), principal(c))
	if err != nil {
		return MFAEnrolment{}, err
	}
	c.Header("Cache-Control", "no-store")
	return enrolmentJSON(e)
}

func (s *Server) confirmMyMFA(c *gin.Context, req MFACodeRequest) (RecoveryCodes, error) {
	codes, err := s.deps.Auth.ConfirmMFA(c.Request.Context(), principal(c), req.Code)
	c.Header("Cache-Control", "no-store")
	return RecoveryCodes{RecoveryCodes: codes}, err
}

func (s *Server) renewRecoveryCodes(c *gin.Context, req MFACodeRequest) (RecoveryCodes, error) {
	codes, err := s.deps.Auth.RenewRecoveryCodes(c.Request.Context(), principal(c), req.Code)
	c.Header("Cache-Control", "no-store")
	return RecoveryCodes{RecoveryCodes: codes}, err
}

func (s *Server) disableMyMFA(c *gin.Context, req MFACodeRequest) (noContent, error) {
	return noContent{}, s.deps.Auth.DisableMFA(c.Request.Context(), principal(c), req.Code)
}

func (s *Server) resetStaffMFA(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Auth.ResetMFA(c.Request.Context(), id)
}
