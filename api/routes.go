package api

import (
	"net/http"

	"taxiexam/internal/auth"
)

// routes is THE route table: every endpoint of examd, who may call it, and
// what it takes and returns. The OpenAPI document is generated from it and
// the role-matrix test calls every line as every role.
//
// Keep sections by capability; add a feature's routes in its own section.
func (s *Server) routes() []Route {
	admin := roles(auth.RoleBureauAdmin)
	return []Route{
		// ---- operations ----
		{Method: http.MethodGet, Path: "/healthz", Access: public, Handler: s.healthz, Tag: "ops", Summary: "Liveness: the process answers", Resp: HealthResponse{}},
		{Method: http.MethodGet, Path: "/readyz", Access: public, Handler: s.readyz, Tag: "ops", Summary: "Readiness: database and Redis answer (503 otherwise)", Resp: HealthResponse{}},
		{Method: http.MethodGet, Path: "/metrics", Access: public, Handler: s.metrics, Tag: "ops", Summary: "Prometheus metrics (restrict to the monitoring network at the proxy)", Raw: "text/plain"},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Access: public, Handler: s.openapi, Tag: "ops", Summary: "This API's OpenAPI 3 document", Raw: "application/json"},

		// ---- authentication ----
		{Method: http.MethodPost, Path: "/api/v1/auth/sms-code", Access: public, Handler: s.requestSMSCode, Tag: "auth", Summary: "Send a 6-digit login code by SMS (1/min, 5/h, 10/day per number)", Body: SMSCodeRequest{}, Resp: SMSCodeResponse{}, Status: http.StatusAccepted},
		{Method: http.MethodPost, Path: "/api/v1/auth/candidate/login", Access: public, Handler: s.candidateLogin, Tag: "auth", Summary: "Candidate login with phone and SMS code; sets the session cookie", Body: CandidateLoginRequest{}, Resp: LoginResponse{}},
		{Method: http.MethodPost, Path: "/api/v1/auth/staff/login", Access: public, Handler: s.staffLogin, Tag: "auth", Summary: "Staff login with username and password; sets the session cookie", Body: StaffLoginRequest{}, Resp: LoginResponse{}},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Access: anyLoggedIn, Handler: s.logout, Tag: "auth", Summary: "End this session"},
		{Method: http.MethodGet, Path: "/api/v1/auth/me", Access: anyLoggedIn, Handler: s.me, Tag: "auth", Summary: "The logged-in user", Resp: Me{}},

		// ---- bureau: staff accounts and audit ----
		{Method: http.MethodGet, Path: "/api/v1/admin/staff", Access: admin, Handler: s.listStaff, Tag: "admin", Summary: "List staff accounts", Query: PageQuery{}, Resp: Page[StaffUser]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/staff", Access: admin, Handler: s.createStaff, Tag: "admin", Summary: "Create a staff account", Body: CreateStaffRequest{}, Resp: StaffUser{}, Status: http.StatusCreated},
		{Method: http.MethodPatch, Path: "/api/v1/admin/staff/:id", Access: admin, Handler: s.updateStaff, Tag: "admin", Summary: "Edit, disable or reset the password of a staff account", Body: UpdateStaffRequest{}, Resp: StaffUser{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/staff/:id/sessions", Access: admin, Handler: s.staffSessions, Tag: "admin", Summary: "A staff user's sessions", Resp: struct {
			Items []SessionInfo `json:"items"`
		}{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/staff/:id/revoke-sessions", Access: admin, Handler: s.revokeStaffSessions, Tag: "admin", Summary: "Log a staff user out everywhere"},
		{Method: http.MethodGet, Path: "/api/v1/admin/audit", Access: admin, Handler: s.listAudit, Tag: "admin", Summary: "Audit log, newest first (read-only)", Query: AuditQuery{}, Resp: Page[AuditRecord]{}},
	}
}
