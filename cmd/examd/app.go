package main

import (
	"context"
	"fmt"
	"io"
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
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/imagecheck"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/schema"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

// worker is a background loop that runs until ctx ends. Every worker must
// be safe to run on every node at once.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// app holds everything one process has opened. It is built once by open
// and torn down by close; nothing here is global.
type app struct {
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

	workers []worker
	// group-commit writers, drained at shutdown after HTTP has stopped
	drains []func(ctx context.Context) error
}

// open connects to the database and Redis, migrates, and builds services.
func open(ctx context.Context, cfg *configs.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, clock: clock.System{}, registry: prometheus.NewRegistry()}
	if cfg.Testing.ClockControl {
		a.testClock = &clock.Offset{}
		a.clock = a.testClock
		log.Warn("testing.clock_control is on: a bureau admin can move this node's clock (test configurations only)")
	}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var err error
	if a.db, err = sqldb.Open(cfg.Database, cfg.DataDir); err != nil {
		return nil, err
	}
	applied, err := a.db.Migrate(ctx, schema.All())
	if err != nil {
		a.close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "ids", applied)
	}
	if a.redis, err = kv.Open(ctx, cfg.Redis); err != nil {
		a.close()
		return nil, err
	}
	if a.pii, err = pii.FromConfig(cfg.Security, cfg.DataDir); err != nil {
		a.close()
		return nil, err
	}
	if a.signer, err = signing.FromConfig(cfg.Security, cfg.DataDir); err != nil {
		a.close()
		return nil, err
	}
	if err := a.assemble(ctx); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// assemble builds every service over the opened db, redis and pii. Tests
// call it with a fresh test database instead of going through open.
func (a *app) assemble(ctx context.Context) error {
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
	a.auth = auth.NewService(authdb.New(a.db, a.pii), authkv.New(a.redis), a.pii, sessions, a.outbox, a.audit, a.db, a.clock, auth.Config{
		StaffSessionTTL:     cfg.Security.StaffSessionTTL,
		CandidateSessionTTL: cfg.Security.CandidateSessionTTL,
		MaxLoginFailures:    cfg.Security.MaxLoginFailures,
		CodesPerIPPerHour:   cfg.Security.SMSCodesPerIPPerHour,
		Lockout:             cfg.Security.Lockout,
		Location:            cfg.Location,
	})

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
	practiceCache := practicekv.New(a.redis, practicekv.DefaultTTL)
	a.drains = append(a.drains, practiceCache.Drain)
	a.practice = practice.NewService(practiceStore, a.bank, a.attempts, a.clock, cfg.Location,
		practice.WithCache(practiceCache, a.log))
	a.workers = append(a.workers, worker{name: "attempt-deadline-sweep", run: func(ctx context.Context) error {
		return a.attempts.RunSweeper(ctx, 5*time.Second)
	}})

	// registration and police background check: SMS at each status change
	// go through the notification outbox in the same transaction; photos
	// live under <data_dir>/uploads/photos, outside the web root.
	if err := a.assembleRegistration(); err != nil {
		return err
	}
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
	return nil
}

// drain commits what the group-commit writers hold; later writes fail with
// 503 (the phone retries against another node or after the restart).
func (a *app) drain(ctx context.Context) {
	for _, d := range a.drains {
		if err := d(ctx); err != nil {
			a.log.Error("drain", "err", err)
		}
	}
}

func (a *app) close() {
	if a.redis != nil {
		a.redis.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

// handler builds the HTTP API over the services.
func (a *app) handler() *api.Server {
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
		Metrics: a.metricsHandler(),
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
	})
}

// metricsHandler is the Prometheus exposition of this process.
func (a *app) metricsHandler() http.Handler {
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

func createAdmin(ctx context.Context, a *app, username, name, password string, out io.Writer) error {
	u, err := a.auth.CreateStaff(ctx, auth.NewStaff{Username: username, DisplayName: name, Role: auth.RoleBureauAdmin, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created bureau admin %q (id %d)\n", u.Username, u.ID)
	return nil
}
