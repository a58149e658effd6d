// Package benchkit gives the load tools (cmd/*bench) the product exactly as
// examd assembles it (internal/wiring, background workers running) over a
// scratch MariaDB database and a Redis key prefix of their own, with keys
// generated for the run. The database is dropped and the prefix removed
// when the tool closes it. Its seeding (examday.go and the functions
// below) also serves cmd/examd's reliability test, which seeds over its
// own test database before starting examd processes on it.
package benchkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/configs"
	"taxiexam/exam/registration"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/wiring"
	"taxiexam/internal/wiring/schema"
)

// Options say where to run and what the tool changes.
type Options struct {
	Tool  string // names the scratch database: <tool>_<random>
	DSN   string // the MariaDB/MySQL server, e.g. root@tcp(127.0.0.1:3306)/
	Redis string // address
	Pool  int    // SQL connections (max open = max idle)
	Log   *slog.Logger
	// Configure adjusts the embedded default configuration before the
	// product is built (e.g. trusted proxies, a rate limit).
	Configure func(*configs.Config)
	// CatchCodes takes SMS login codes from auth directly instead of
	// through the SMS queue, for LoginCandidate (wiring.Parts.Codes).
	CatchCodes bool
	// PracticeUncached: see wiring.Parts.
	PracticeUncached bool
}

// Product is the running product and the scratch resources under it.
type Product struct {
	*wiring.App
	Name  string  // the scratch database, also the Redis key prefix
	Addr  string  // the database server's address
	DSN   string  // of the scratch database (a floor opens its own pool on it)
	Admin *sql.DB // the server, outside the scratch database (checks, floors)
	codes *codes
	close []func()
}

// codes keeps the last login code sent to each phone.
type codes struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *codes) SendVerificationCode(_ context.Context, phone, code string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[phone] = code
	return nil
}

// LoginCandidate logs the candidate with phone in from address ip, as the
// login page does (code, then login), and returns the session cookie
// ("examd_session=...") and the candidate. It needs Options.CatchCodes.
func (p *Product) LoginCandidate(ctx context.Context, phone, ip, agent string) (string, auth.Principal, error) {
	if p.codes == nil {
		return "", auth.Principal{}, fmt.Errorf("benchkit: LoginCandidate needs Options.CatchCodes")
	}
	if _, err := p.Auth().RequestCode(ctx, phone, ip); err != nil {
		return "", auth.Principal{}, err
	}
	p.codes.mu.Lock()
	code := p.codes.m[phone]
	p.codes.mu.Unlock()
	token, who, err := p.Auth().CandidateLogin(ctx, phone, code, ip, agent)
	return "examd_session=" + token, who, err
}

// Open creates the scratch database, migrates it, and builds the product.
func Open(ctx context.Context, o Options) (*Product, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	p := &Product{Name: o.Tool + "_" + hex.EncodeToString(b)}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		return nil, err
	}
	if cfg.DataDir, err = os.MkdirTemp("", p.Name); err != nil { // photos and uploads of the run
		return nil, err
	}
	p.onClose(func() { os.RemoveAll(cfg.DataDir) })
	if o.Configure != nil {
		o.Configure(cfg)
	}

	if p.Admin, err = sql.Open("mysql", o.DSN); err != nil {
		return nil, err
	}
	p.onClose(func() { p.Admin.Close() })
	if _, err := p.Admin.Exec("CREATE DATABASE " + p.Name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	p.onClose(func() { _, _ = p.Admin.Exec("DROP DATABASE IF EXISTS " + p.Name) })
	mc, err := mysqldrv.ParseDSN(o.DSN)
	if err != nil {
		return nil, err
	}
	mc.DBName = p.Name
	p.Addr, p.DSN = mc.Addr, mc.FormatDSN()
	db, err := sqldb.Open(configs.Database{Driver: "mysql", DSN: p.DSN, MaxOpenConns: o.Pool, MaxIdleConns: o.Pool, ConnMaxLifetime: time.Hour}, "")
	if err != nil {
		return nil, err
	}
	p.onClose(func() { db.Close() })
	if _, err := db.Migrate(ctx, schema.All()); err != nil {
		return nil, err
	}
	rdb, err := kv.Open(ctx, configs.Redis{Addr: o.Redis, Prefix: p.Name + ":"})
	if err != nil {
		return nil, err
	}
	p.onClose(func() {
		keys, _ := rdb.Keys(context.Background(), p.Name+":*").Result()
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			rdb.Del(context.Background(), keys[:n]...)
			keys = keys[n:]
		}
		rdb.Close()
	})
	prot, err := pii.New("b1:"+pii.NewKey(), pii.NewKey())
	if err != nil {
		return nil, err
	}
	signer, err := signing.New("s1:" + signing.NewSeed())
	if err != nil {
		return nil, err
	}
	parts := wiring.Parts{DB: db, Redis: rdb, PII: prot, Signer: signer, PracticeUncached: o.PracticeUncached}
	if o.CatchCodes {
		p.codes = &codes{m: map[string]string{}}
		parts.Codes = p.codes
	}
	if p.App, err = wiring.New(ctx, cfg, o.Log, parts); err != nil {
		return nil, err
	}
	// The background workers run as on every examd node.
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	wait := p.StartWorkers(wctx)
	p.onClose(func() { stop(); wait(); p.Drain(context.Background()) })
	ok = true
	return p, nil
}

func (p *Product) onClose(f func()) { p.close = append(p.close, f) }

// Close stops the workers and drops the scratch database and Redis keys.
func (p *Product) Close() {
	for i := len(p.close) - 1; i >= 0; i-- {
		p.close[i]()
	}
	p.close = nil
}

// Listen serves h on a free loopback port.
func Listen(h http.Handler) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln) //nolint:errcheck // ends with Close
	return "http://" + ln.Addr().String(), func() { s.Close() }, nil
}

// CPUProfile starts a CPU profile written to path (the server and the load
// generator share the process); stop ends it. An empty path profiles
// nothing.
func CPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// Seeding: rows a run needs before it measures, written through the stores
// (a tool has no police reviewer to approve thousands of applications), on
// any assembled product (a tool's, or a test's that runs examd processes
// over the same database; see examday.go).

// Admin is a bureau admin caller for the services.
func Admin(ctx context.Context) context.Context {
	return reqctx.With(ctx, reqctx.Request{ID: "bench", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: auth.RoleBureauAdmin, Username: "bench"}})
}

// Candidate returns the candidate with phone, registering it first.
func Candidate(ctx context.Context, app *wiring.App, phone string) (int64, error) {
	c, err := authdb.New(app.DB(), app.PII()).CandidateByPhone(ctx, phone, true)
	return c.ID, err
}

// Approve gives the candidate an application with form f that the police
// check has approved, as registration leaves it.
func Approve(ctx context.Context, app *wiring.App, candidateID int64, f registration.Form) (registration.Application, error) {
	now := time.Now()
	a := registration.Application{CandidateID: candidateID, Status: registration.StatusApproved, Version: 1, DecidedAt: now, CreatedAt: now, UpdatedAt: now, Form: f}
	err := registrationdb.New(app.DB(), app.PII()).CreateApplication(ctx, &a)
	return a, err
}

// IDNumber is a valid 18-digit ID number (checksum included) for seed n.
func IDNumber(n int) string {
	body := fmt.Sprintf("350602199001%05d", n%100000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}
