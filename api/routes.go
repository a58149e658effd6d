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

		// ---- practice and mock exams (exam/practice, exam/attempt) ----
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters", Access: candidateOnly, Handler: s.practiceChapters, Tag: "practice", Summary: "Practice home: chapters with the candidate's progress and resume position", Resp: PracticeChapters{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters/:id/study", Access: candidateOnly, Handler: s.practiceStudy, Tag: "practice", Summary: "Study mode: a chapter's questions with answers and explanations", Query: PageQuery{}, Resp: Page[PracticeQuestion]{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters/:id/card", Access: candidateOnly, Handler: s.practiceCard, Tag: "practice", Summary: "Answer card of a chapter: each number unanswered, right or wrong", Resp: PracticeCard{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/next", Access: candidateOnly, Handler: s.practiceNext, Tag: "practice", Summary: "The next practice question (no key until answered)", Query: PracticeNextQuery{}, Resp: PracticeShown{}},
		{Method: http.MethodPost, Path: "/api/v1/practice/answers", Access: candidateOnly, Handler: s.practiceAnswer, Tag: "practice", Summary: "Check a practice answer: verdict, key, explanation; updates the wrong-answer book and position", Body: PracticeAnswerRequest{}, Resp: PracticeChecked{}, Idempotent: true},
		{Method: http.MethodPost, Path: "/api/v1/practice/sessions", Access: candidateOnly, Handler: s.practiceStartSession, Tag: "practice", Summary: "Start a practice session (counted per day for the bureau)", Body: PracticeSessionRequest{}, Resp: PracticeSession{}, Status: http.StatusCreated, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/practice/wrong-book", Access: candidateOnly, Handler: s.practiceWrongBook, Tag: "practice", Summary: "Wrong-answer book, oldest mistake first (a question leaves after 3 right answers in a row)", Query: PageQuery{}, Resp: Page[PracticeEntry]{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/favourites", Access: candidateOnly, Handler: s.practiceFavourites, Tag: "practice", Summary: "Favourite questions, newest first", Query: PageQuery{}, Resp: Page[PracticeEntry]{}},
		{Method: http.MethodPut, Path: "/api/v1/practice/favourites/:question_id", Access: candidateOnly, Handler: s.practiceFavourite(true), Tag: "practice", Summary: "Add a question to the favourites"},
		{Method: http.MethodDelete, Path: "/api/v1/practice/favourites/:question_id", Access: candidateOnly, Handler: s.practiceFavourite(false), Tag: "practice", Summary: "Remove a question from the favourites"},
		{Method: http.MethodGet, Path: "/api/v1/practice/progress", Access: candidateOnly, Handler: s.practiceProgress, Tag: "practice", Summary: "Progress: per-chapter accuracy, mock history, readiness estimate", Resp: PracticeProgress{}},
		{Method: http.MethodPost, Path: "/api/v1/mock-exams", Access: candidateOnly, Handler: s.startMock, Tag: "mock", Summary: "Start a full mock exam, or resume the one in progress", Resp: AttemptView{}, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/mock-exams", Access: candidateOnly, Handler: s.listMocks, Tag: "mock", Summary: "The candidate's mock exams, newest first", Query: PageQuery{}, Resp: Page[AttemptSummary]{}},
		{Method: http.MethodGet, Path: "/api/v1/mock-exams/:id", Access: candidateOnly, Handler: s.getMock, Tag: "mock", Summary: "A mock exam: questions and saved answers (keys only after submission), server time and deadline", Resp: AttemptView{}},
		{Method: http.MethodPut, Path: "/api/v1/mock-exams/:id/answers/:question_id", Access: candidateOnly, Handler: s.saveMockAnswer, Tag: "mock", Summary: "Save one answer (a lower or equal seq never overwrites a newer answer)", Body: AttemptAnswerRequest{}, Resp: AttemptAnswerSaved{}},
		{Method: http.MethodPost, Path: "/api/v1/mock-exams/:id/submit", Access: candidateOnly, Handler: s.submitMock, Tag: "mock", Summary: "Submit and grade; returns the result with the review", Resp: AttemptView{}},
		{Method: http.MethodGet, Path: "/api/v1/stats/practice-usage", Access: roles(auth.RoleBureauAdmin), Handler: s.practiceUsage, Tag: "practice", Summary: "Practice sessions per day (bureau statistics)", Query: UsageQuery{}, Resp: PracticeUsage{}},

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
