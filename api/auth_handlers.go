package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/auth"
)

// SMSCodeRequest asks for a login code.
type SMSCodeRequest struct {
	Phone string `json:"phone" doc:"mainland mobile number, 11 digits"`
}

// SMSCodeResponse says when another code may be requested.
type SMSCodeResponse struct {
	ResendAfterSeconds int `json:"resend_after_seconds"`
}

// CandidateLoginRequest logs a candidate in with the code.
type CandidateLoginRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code" doc:"6 digits from the SMS"`
}

// StaffLoginRequest logs a staff member in.
type StaffLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Me is the logged-in user.
type Me struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind" doc:"candidate | staff"`
	Role        string `json:"role" doc:"candidate | police_reviewer | proctor | window_clerk | question_editor | bureau_admin"`
	Username    string `json:"username,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	PhoneMasked string `json:"phone_masked,omitempty"`
	CentreID    *int64 `json:"centre_id"`
	OfficeID    *int64 `json:"office_id"`
	// MustChangePassword: staff whose password an admin set; until they
	// change it every other staff route answers password_change_required.
	MustChangePassword bool `json:"must_change_password" doc:"staff: choose an own password first (POST /api/v1/me/password)"`
}

// PasswordChangeRequest changes the caller's own password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password" doc:"at least 10 characters, three of: upper case, lower case, digits, symbols; not the current one"`
}

// LoginResponse carries the user; the session is an HttpOnly cookie. A
// staff account with a second factor gets mfa instead (and no session yet).
type LoginResponse struct {
	User          *Me           `json:"user,omitempty"`
	MFA           *MFAChallenge `json:"mfa,omitempty" doc:"staff: the code step must follow (POST /api/v1/auth/staff/mfa)"`
	RecoveryCodes []string      `json:"recovery_codes,omitempty" doc:"shown once, when this login also finished enrolling the authenticator"`
}

func meOf(p auth.Principal) Me {
	m := Me{ID: p.UserID, Kind: p.Kind, Role: string(p.Role), Username: p.Username, DisplayName: p.DisplayName, PhoneMasked: p.PhoneMasked,
		MustChangePassword: p.MustChangePassword}
	if p.CentreID != 0 {
		m.CentreID = &p.CentreID
	}
	if p.OfficeID != 0 {
		m.OfficeID = &p.OfficeID
	}
	return m
}

func (s *Server) setSession(c *gin.Context, token string, ttl time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: s.deps.Config.Server.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSession(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.deps.Config.Server.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) requestSMSCode(c *gin.Context, req SMSCodeRequest) (SMSCodeResponse, error) {
	after, err := s.deps.Auth.RequestCode(c.Request.Context(), req.Phone, c.ClientIP())
	return SMSCodeResponse{ResendAfterSeconds: int(after.Seconds())}, err
}

func (s *Server) candidateLogin(c *gin.Context, req CandidateLoginRequest) (LoginResponse, error) {
	token, p, err := s.deps.Auth.CandidateLogin(c.Request.Context(), req.Phone, req.Code, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return LoginResponse{}, err
	}
	s.setSession(c, token, s.deps.Config.Security.CandidateSessionTTL)
	me := meOf(p)
	return LoginResponse{User: &me}, nil
}

func (s *Server) logout(c *gin.Context) (noContent, error) {
	token, _ := c.Cookie(sessionCookie)
	if err := s.deps.Auth.Logout(c.Request.Context(), token); err != nil {
		return noContent{}, err
	}
	s.clearSession(c)
	return noContent{}, nil
}

func (s *Server) changeMyPassword(c *gin.Context, req PasswordChangeRequest) (noContent, error) {
	return noContent{}, s.deps.Auth.ChangeOwnPassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword)
}

func (s *Server) me(c *gin.Context) (Me, error) {
	return meOf(principal(c)), nil
}
