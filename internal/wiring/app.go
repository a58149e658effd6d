// Package wiring assembles the product: it opens what the configuration
// names (database, Redis, keys), migrates, and builds every store, service
// and the HTTP API over them. cmd/examd runs it; the tests of cmd/examd and
// the load tools (cmd/*bench) build the same product through New, over a
// database and Redis of their own, so what they test and measure is what
// examd serves. Its schema subpackage is the list of every migration.
package wiring

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"taxiexam/api"
	"taxiexam/cert"
	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/booking"
	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/exam/practice/practicekv"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/registration"
	"taxiexam/exam/results"
	"taxiexam/frontend"
	"taxiexam/internal/archive"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/ledger"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/imagecheck"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/statistics"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

// worker is a background loop that runs until ctx ends. Every worker must
// be safe to run on every node at once.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// App holds everything one process has opened. It is built once by Open
// (or New) and torn down by Close; nothing here is global.
type App struct {
	cfg      *configs.Config
	log      *slog.Logger
	db       *sqldb.DB
	redis    *kv.Redis
	pii      *pii.Protector
	signer   *signing.Keyring // admission tickets and certificates
	clock    clock.Clock
	registry *prometheus.Registry

	audit *audit.Service
	auth  *auth.Service

	// notification queue: every service enqueues SMS and postal orders
	// through outbox inside its own transaction (see notify.go)
	outbox *notify.Outbox
	notify *notify.Service

	// question bank (shared: practice, mock and formal exams read from it)
	bank *questionbank.Service
	// practice and mock exams
	practice *practice.Service
	attempts *attempt.Service

	// registration and police background check
	registration *registration.Service

	// uploads: one bound on concurrent image decodes for the whole process
	images *imagecheck.Decoder
	// exam centres, sessions and booking (see booking.go)
	booking *booking.Service
	// formal exam: results and exam day (see formal.go)
	results    *results.Service
	proctoring *proctoring.Service
	// testClock is set when testing.clock_control lets browser tests move time
	testClock *clock.Offset
	// certificates: issuance, verification, delivery (see cert.go)
	certs *cert.Service
	// codes receives SMS login codes (Parts.Codes; the outbox when nil)
	codes    auth.CodeSender
	uncached bool // Parts.PracticeUncached
	// statistics of the management end (see statistics.go)
	stats *statistics.Service
	// tamper-evident ledger of results and certificate events (see ledger.go)
	ledger *ledger.Service
	// the archive: dossiers, exports, retention (see archive.go)
	archive *archive.Service

	workers []worker
	// group-commit writers, drained at shutdown after HTTP has stopped
	drains []func(ctx context.Context) error
}

// Parts are what the product runs on besides its configuration. Open makes
// them from the configuration; tests and load tools bring their own (a
// scratch database, a test Redis, generated keys) to New.
type Parts struct {
	DB     *sqldb.DB // migrated
	Redis  *kv.Redis
	PII    *pii.Protector
	Signer *signing.Keyring // admission tickets and certificates
	// Codes receives SMS login codes in place of the outbox: load tools log
	// thousands of candidates in without going through the SMS queue. nil
	// (examd, the tests): the outbox.
	Codes auth.CodeSender
	// PracticeUncached runs practice without its Redis cache, every read
	// from SQL (practicebench -cache=false measures what the cache saves).
	PracticeUncached bool
}

// Open connects to the database and Redis named by cfg, migrates, and
// builds the product.
func Open(ctx context.Context, cfg *configs.Config, log *slog.Logger) (*App, error) {
	var p Parts
	var err error
	closeAll := func() { (&App{db: p.DB, redis: p.Redis}).Close() }
	if p.DB, err = sqldb.Open(cfg.Database, cfg.DataDir); err != nil {
		return nil, err
	}
	applied, err := p.DB.Migrate(ctx, schema.All())
	if err != nil {
		closeAll()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "ids", applied)
	}
	if p.Redis, err = kv.Open(ctx, cfg.Redis); err != nil {
		closeAll()
		return nil, err
	}
	if p.PII, err = pii.FromConfig(cfg.Security, cfg.DataDir); err != nil {
		closeAll()
		return nil, err
	}
	if p.Signer, err = signing.FromConfig(cfg.Security, cfg.DataDir); err != nil {
		closeAll()
		return nil, err
	}
	a, err := New(ctx, cfg, log, p)
	if err != nil {
		closeAll()
		return nil, err
	}
	return a, nil
}

// New builds every store and service over p, as examd runs them. Close
// closes p's database and Redis.
func New(ctx context.Context, cfg *configs.Config, log *slog.Logger, p Parts) (*App, error) {
	a := &App{cfg: cfg, log: log, clock: clock.System{}, registry: prometheus.NewRegistry(),
		db: p.DB, redis: p.Redis, pii: p.PII, signer: p.Signer, codes: p.Codes, uncached: p.PracticeUncached}
	if cfg.Testing.ClockControl {
		a.testClock = &clock.Offset{}
		a.clock = a.testClock
		log.Warn("testing.clock_control is on: a bureau admin can move this node's clock (test configurations only)")
	}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := a.assemble(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// assemble builds every service over the opened db, redis and pii.
func (a *App) assemble(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	a.images = imagecheck.NewDecoder(2)
	a.audit = audit.NewService(auditdb.New(a.db), a.clock.Now)
	if err := a.assembleNotify(); err != nil {
		return err
	}
	// Sessions resolve from this node's memory, backed by Redis and SQL;
	// revocations reach every node through Redis pub/sub.
	sessions := authkv.NewNodeSessionCache(authkv.NewSessionCache(a.redis, a.pii), a.redis, 10*time.Second)
	a.workers = append(a.workers, worker{name: "session-invalidation", run: sessions.Run})
	var codes auth.CodeSender = a.outbox
	if a.codes != nil {
		codes = a.codes
	}
	a.auth = auth.NewService(authdb.New(a.db, a.pii), authkv.New(a.redis), a.pii, sessions, codes, a.audit, a.db, a.clock, auth.Config{
		StaffSessionTTL:     cfg.Security.StaffSessionTTL,
		CandidateSessionTTL: cfg.Security.CandidateSessionTTL,
		MaxLoginFailures:    cfg.Security.MaxLoginFailures,
		CodesPerIPPerHour:   cfg.Security.SMSCodesPerIPPerHour,
		StaffLoginsPerIP:    cfg.Security.StaffLoginsPerIP,
		Lockout:             cfg.Security.Lockout,
		Location:            cfg.Location,
	})
	// TOTP second factor: secrets encrypted with the data key, the login
	// challenge sealed with it; required of the configured roles.
	mfaRoles, err := staffRoles(cfg.Security.MFARequiredRoles)
	if err != nil {
		return err
	}
	issuer := cfg.Security.MFAIssuer
	if issuer == "" {
		issuer = cfg.City + "出租汽车考试"
	}
	a.auth.WithMFA(authdb.New(a.db, a.pii), a.pii, auth.MFAConfig{Required: mfaRoles, Issuer: issuer})

	// question bank (its own section owner may extend this)
	if a.bank == nil {
		a.bank = questionbank.NewService(bankdb.New(a.db), a.audit, a.db, a.clock, questionbank.Config{Images: a.images})
	}

	// practice and mock exams: the attempt engine submits overdue attempts
	// every few seconds on every node (the conditional close is the claim).
	// Answers of both go through a group-commit writer per store
	// (docs/performance.md), drained at shutdown.
	attemptStore, practiceStore := attemptdb.New(a.db), practicedb.New(a.db)
	a.drains = append(a.drains, attemptStore.Drain, practiceStore.Drain)
	a.attempts = attempt.NewService(attemptStore, a.bank, a.db, a.clock, log)
	// Practice state (marks, resume points) is cached in Redis in front of
	// SQL, written through on every answer (docs/performance.md).
	var practiceOpts []practice.Option
	if !a.uncached {
		practiceCache := practicekv.New(a.redis, practicekv.DefaultTTL)
		a.drains = append(a.drains, practiceCache.Drain)
		practiceOpts = append(practiceOpts, practice.WithCache(practiceCache, a.log))
	}
	a.practice = practice.NewService(practiceStore, a.bank, a.attempts, a.clock, cfg.Location, practiceOpts...)
	a.workers = append(a.workers, worker{name: "attempt-deadline-sweep", run: func(ctx context.Context) error {
		return a.attempts.RunSweeper(ctx, 5*time.Second)
	}})

	// registration and police background check: SMS at each status change
	// go through the notification outbox in the same transaction; photos
	// live under <data_dir>/uploads/photos, outside the web root.
	if err := a.assembleRegistration(); err != nil {
		return err
	}
	// the ledger before the results and certificates that append to it
	a.assembleLedger()
	// formal exam results first: booking asks them who may book which subjects
	a.assembleResults()
	// exam centres, sessions and booking (after registration: eligibility)
	if err := a.assembleBooking(); err != nil {
		return err
	}

	// certificates: issued inside the formal exam's submit transaction,
	// delivered through the outbox's postal topic.
	if err := a.assembleCert(); err != nil {
		return err
	}
	a.results.OnQualified(a.issueCertificates)
	// exam day: proctor console and exam terminals (after booking)
	if err := a.assembleExamDay(); err != nil {
		return err
	}
	a.assembleStatistics()
	// the archive reads every domain above
	return a.assembleArchive()
}

// Drain commits what the group-commit writers hold; later writes fail with
// 503 (the phone retries against another node or after the restart).
func (a *App) Drain(ctx context.Context) {
	for _, d := range a.drains {
		if err := d(ctx); err != nil {
			a.log.Error("drain", "err", err)
		}
	}
}

// Close closes the database and Redis.
func (a *App) Close() {
	if a.redis != nil {
		a.redis.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

// Handler builds the HTTP API over the services.
func (a *App) Handler() *api.Server {
	var web fs.FS
	if sub, err := fs.Sub(frontend.Dist, "dist"); err == nil {
		if _, err := fs.Stat(sub, "index.html"); err == nil {
			web = sub
		}
	}
	return api.New(api.Deps{
		Config: a.cfg,
		Logger: a.log,
		Redis:  a.redis,
		PII:    a.pii,
		Auth:   a.auth,
		Audit:  a.audit,
		Ready: []api.Check{
			{Name: "database", Ping: a.db.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.redis.Ping(ctx).Err() }},
		},
		Metrics: a.MetricsHandler(),
		Web:     web,

		Practice: a.practice,
		Attempts: a.attempts,

		Bank: a.bank,

		Notify: a.notify,

		Registration: a.registration,

		Booking:  a.booking,
		Clock:    testClock(a.testClock),
		Certs:    a.certs,
		CertKeys: a.signer,

		Proctoring: a.proctoring,
		Results:    a.results,

		Stats:   a.stats,
		Ledger:  a.ledger,
		Archive: a.archive,
	})
}

// MetricsHandler is the Prometheus exposition of this process.
func (a *App) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{})
}

// testClock hands the API the movable clock only when one is configured
// (a nil *clock.Offset must not become a non-nil interface).
func testClock(c *clock.Offset) api.TestClock {
	if c == nil {
		return nil
	}
	return c
}

// staffRoles reads security.mfa_required_roles.
func staffRoles(names []string) ([]auth.Role, error) {
	out := make([]auth.Role, 0, len(names))
	for _, n := range names {
		r := auth.Role(n)
		if !r.ValidStaff() {
			return nil, fmt.Errorf("setting security.mfa_required_roles: %q is not a staff role (%v)", n, auth.StaffRoles)
		}
		out = append(out, r)
	}
	return out, nil
}
