// Package api is the HTTP edge: the one route table, middleware, JSON
// request/response types, the domain-error-to-status mapping and the
// OpenAPI document. It is the only package that imports gin.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/cert"
	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/booking"
	"taxiexam/exam/practice"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/registration"
	"taxiexam/exam/results"
	"taxiexam/internal/archive"
	"taxiexam/internal/audit"
	"taxiexam/internal/auth"
	"taxiexam/internal/ledger"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/statistics"
	questionbank "taxiexam/question-bank"
)

// Check is one readiness probe (database, Redis).
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Deps are the services the API exposes. cmd/examd builds them.
type Deps struct {
	Config  *configs.Config
	Logger  *slog.Logger
	Redis   *kv.Redis
	PII     *pii.Protector // encrypts the replayed responses of idempotent routes
	Auth    *auth.Service
	Audit   *audit.Service
	Ready   []Check
	Metrics http.Handler // Prometheus exposition; nil disables /metrics
	Web     fs.FS        // built web app (root holds index.html); may lack it

	// Practice and mock exams (exam/practice, exam/attempt).
	Practice *practice.Service
	Attempts *attempt.Service

	// Question bank console (question-bank).
	Bank *questionbank.Service

	// Registration and police background check (exam/registration).
	Registration *registration.Service

	// Notification queue monitoring (internal/notify).
	Notify *notify.Service

	// Exam centres, sessions and booking (exam/booking).
	Booking *booking.Service
	// Clock is the movable test clock (testing.clock_control); nil in
	// every real deployment, and then /api/v1/testing/clock is a 404.
	Clock TestClock

	// Certificates: issuance, verification, delivery (cert).
	Certs    *cert.Service
	CertKeys interface{ Published() signing.PublishedKeys } // public keys for offline verifiers
	// ---- formal exam: exam day and scores (exam/proctoring, exam/results) ----
	Proctoring *proctoring.Service
	Results    *results.Service

	// Statistics of the management end (internal/statistics).
	Stats *statistics.Service
	// ---- archives and integrity (internal/ledger, internal/archive) ----
	Ledger  *ledger.Service
	Archive *archive.Service
}

// TestClock is a clock browser tests may move forward.
type TestClock interface {
	Advance(d time.Duration) time.Time
}

// Server is the HTTP handler of examd.
type Server struct {
	deps   Deps
	engine *gin.Engine
	table  []Route
	doc    openapiDoc
}

// New builds the handler from the route table.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.RemoveExtraSlash = true
	if err := e.SetTrustedProxies(d.Config.Server.TrustedProxies); err != nil {
		panic(err) // validated by configs
	}
	if d.PII == nil {
		panic("api: Deps.PII is required (idempotent routes seal their replayed responses)")
	}
	s := &Server{deps: d, engine: e}
	e.Use(recoverPanics(d.Logger), withRequestID(), securityHeaders(d.Config.Server.SecureCookies), accessLog(d.Logger))

	apiGroup := []gin.HandlerFunc{limitBody(d.Config.Server.BodyLimitBytes, d.Config.Server.UploadLimitBytes), requireCSRFHeader(), authenticate(d.Auth)}
	s.table = s.routes()
	idem := &idemStore{r: d.Redis, pii: d.PII, policy: defaultIdemPolicy}
	contended := newAdmission(d.Config.Server.ContendedSlots, d.Config.Server.ContendedWait).handler()
	for _, r := range s.table {
		chain := []gin.HandlerFunc{}
		if r.Contended {
			// First in the chain: a waiting request has cost nothing yet.
			chain = append(chain, contended)
		}
		if strings.HasPrefix(r.Path, "/api/") {
			chain = append(chain, apiGroup...)
		}
		chain = append(chain, authorize(r.Access, r.BeforePasswordChange))
		if r.Idempotent {
			chain = append(chain, idempotency(idem))
		}
		chain = append(chain, setSuccessStatus(r.successStatus()), r.Handler)
		e.Handle(r.Method, r.Path, chain...)
	}
	e.NoMethod(func(c *gin.Context) { fail(c, errMethod) })
	e.NoRoute(s.serveWeb)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes returns the route table (for the OpenAPI document and the tests).
func (s *Server) Routes() []Route { return s.table }

// RegisteredRoutes lists what gin actually serves, to compare with the table.
func (s *Server) RegisteredRoutes() []gin.RouteInfo { return s.engine.Routes() }
