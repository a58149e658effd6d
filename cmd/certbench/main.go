// Command certbench measures the public certificate verify endpoint under
// load against real MariaDB + Redis, next to a bare Gin handler returning a
// constant JSON body measured in the same run, and prints requests/s and
// latency percentiles for each, the verify route's share of the bare one,
// and the time to render one certificate PDF.
//
// It builds the real API (route table, middleware, services and stores as
// examd wires them) over a scratch database, issues -certs certificate
// pairs through cert.IssueForQualified, then runs -conns keep-alive
// connections per scenario, interleaved in -rounds slices so the machine's
// changing load hits every scenario alike:
//
//	bare     GET /bare                         gin, constant JSON, no middleware (the floor)
//	verify   GET /api/v1/cert/verify?token=... genuine QR tokens, round robin over every certificate
//	forged   GET /api/v1/cert/verify?token=... altered tokens: 422, a signature check each time
//
// The per-address limit is raised so the one load address is never refused
// (its counting still runs). The access log goes to the null device as
// examd writes it. Results and how to read them: docs/certificates.md.
//
// Usage: go run ./cmd/certbench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
//
//	[-duration 10s] [-rounds 5] [-conns 64] [-certs 2000] [-scenarios bare,verify,forged]
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/api"
	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/cert/certpdf"
	"taxiexam/configs"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/schema"
)

var cpuProfile string

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a scratch database is created and dropped)")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	certs := flag.Int("certs", 2000, "certificate pairs issued before the run")
	dur := flag.Duration("duration", 10*time.Second, "duration of each scenario")
	rounds := flag.Int("rounds", 5, "interleave the scenarios in this many rounds of duration/rounds each")
	scenarios := flag.String("scenarios", "bare,verify,forged", "scenarios to run, comma-separated")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server and load generator in one process)")
	flag.Parse()
	if err := run(*dsn, *redisAddr, *conns, *certs, *dur, *rounds, strings.Split(*scenarios, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "certbench:", err)
		os.Exit(1)
	}
}

// applicants stands in for registration: every application is approved.
type applicants struct{}

func (applicants) Applicant(_ context.Context, id int64) (cert.Applicant, error) {
	return cert.Applicant{ApplicationID: id, CandidateID: id, Approved: true, Name: "王小明", IDNumber: idNumber(int(id)),
		WantTaxi: true, WantRideHailing: true, Delivery: cert.MethodPickup, OfficeID: 1}, nil
}

func (applicants) Photo(context.Context, int64) ([]byte, string, error) {
	return nil, "", apperr.ErrNotFound
}

type offices struct{}

func (offices) Office(_ context.Context, id int64) (cert.Office, error) {
	return cert.Office{ID: id, Name: "发证窗口", Address: "胜利西路1号"}, nil
}

func idNumber(n int) string {
	body := fmt.Sprintf("350602199001%05d", n%100000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

func run(dsn, redisAddr string, conns, nCerts int, dur time.Duration, rounds int, scenarios []string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	log := slog.New(slog.NewJSONHandler(null, nil))
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		return err
	}

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "certbench_" + hex.EncodeToString(b)
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	defer admin.Exec("DROP DATABASE IF EXISTS " + name) //nolint:errcheck
	mc, err := mysqldrv.ParseDSN(dsn)
	if err != nil {
		return err
	}
	mc.DBName = name
	db, err := sqldb.Open(configs.Database{Driver: "mysql", DSN: mc.FormatDSN(), MaxOpenConns: 64, MaxIdleConns: 64, ConnMaxLifetime: time.Hour}, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, schema.All()); err != nil {
		return err
	}
	rdb, err := kv.Open(ctx, configs.Redis{Addr: redisAddr, Prefix: name + ":"})
	if err != nil {
		return err
	}
	defer rdb.Close()
	prot, err := pii.New("b1:"+pii.NewKey(), pii.NewKey())
	if err != nil {
		return err
	}
	signer, err := signing.New("s1:" + signing.NewSeed())
	if err != nil {
		return err
	}

	clk := clock.System{}
	au := audit.NewService(auditdb.New(db), clk.Now)
	outbox := notify.NewOutbox(notifydb.New(db, prot), clk, notify.QuietHours{})
	sessions := authkv.NewNodeSessionCache(authkv.NewSessionCache(rdb, prot), rdb, 10*time.Second)
	authSvc := auth.NewService(authdb.New(db, prot), authkv.New(rdb), prot, sessions, outbox, au, db, clk, auth.Config{
		StaffSessionTTL: time.Hour, CandidateSessionTTL: time.Hour, MaxLoginFailures: 5, Lockout: time.Minute, Location: cfg.Location})
	phones := phoneFunc(func(_ context.Context, id int64) (string, error) { return fmt.Sprintf("139%08d", id), nil })
	certs := cert.NewService(cert.Deps{Store: certdb.New(db, prot), Applicants: applicants{}, Offices: offices{}, Notify: outbox, Phones: phones,
		Audit: au, Tx: db, Signer: signer, Printer: certpdf.Renderer{}, Limiter: cert.NewNodeLimiter(), Clock: clk},
		cert.Config{PublicURL: "https://exam.example.cn", Location: cfg.Location, Authority: cfg.Cert.Authority, IssuerCode: cfg.Cert.IssuerCode,
			ValidityYears: 6, DispatchOfficeID: 1, VerifyPerMinute: 1 << 30})
	srv := api.New(api.Deps{Config: cfg, Logger: log, Redis: rdb, Auth: authSvc, Audit: au, Certs: certs, CertKeys: signer})

	// Certificates to verify: issued through the hook, tokens from their cards.
	fmt.Printf("issuing %d certificate pairs ...\n", nCerts)
	var tokens []string
	var card cert.Card
	for i := 1; i <= nCerts; i++ {
		list, err := certs.IssueForQualified(ctx, cert.Qualification{CandidateID: int64(i), ApplicationID: int64(i), QualifiedAt: time.Now(), Ref: "certbench"})
		if err != nil {
			return err
		}
		for _, c := range list {
			cd, _, err := certs.Search(staffCtx(), cert.Filter{IDNumber: c.IDNumber, Limit: 2})
			if err != nil {
				return err
			}
			for _, x := range cd {
				if x.ID == c.ID {
					card = x
					tokens = append(tokens, strings.TrimPrefix(x.VerifyURL, "https://exam.example.cn"+cert.VerifyPath))
				}
			}
		}
	}
	go certs.RunVerifyIndex(ctx, time.Second) //nolint:errcheck // as examd runs it on every node
	forged := make([]string, len(tokens))
	for i, t := range tokens {
		bs := []byte(t)
		bs[10] ^= 1
		forged[i] = string(bs)
	}

	// PDF time per certificate (the candidate's download renders one).
	start := time.Now()
	const pdfs = 20
	for i := 0; i < pdfs; i++ {
		if _, err := certs.PDF(ctx, card); err != nil {
			return err
		}
	}
	pdfTime := time.Since(start) / pdfs

	apiURL, stopAPI, err := listen(srv)
	if err != nil {
		return err
	}
	defer stopAPI()
	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	bare.GET("/bare", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok", "n": 42}) })
	bareURL, stopBare, err := listen(bare)
	if err != nil {
		return err
	}
	defer stopBare()

	type scenario struct {
		key, title string
		want       int
		url        func(n int) string
	}
	all := []scenario{
		{"bare", "bare gin constant JSON", 200, func(int) string { return bareURL + "/bare" }},
		{"verify", "GET /cert/verify genuine", 200, func(n int) string {
			return apiURL + "/api/v1/cert/verify?token=" + url.QueryEscape(tokens[n%len(tokens)])
		}},
		{"forged", "GET /cert/verify altered (422)", 422, func(n int) string {
			return apiURL + "/api/v1/cert/verify?token=" + url.QueryEscape(forged[n%len(forged)])
		}},
	}
	var run []scenario
	for _, s := range all {
		if slices.Contains(scenarios, s.key) {
			run = append(run, s)
		}
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2}}
	results := make([]sample, len(run))
	for r := 0; r < rounds; r++ {
		for i, s := range run {
			results[i].add(load(client, conns, dur/time.Duration(rounds), s.want, s.url))
		}
	}
	fmt.Printf("\n%d connections, %s per scenario in %d rounds, %d certificates, GOMAXPROCS %d\n", conns, dur, rounds, len(tokens), gomaxprocs())
	fmt.Printf("%-34s %10s %8s %8s %7s %s\n", "scenario", "req/s", "p50 ms", "p99 ms", "errors", "vs bare")
	var bareRPS float64
	for i, s := range run {
		res := results[i]
		rps := float64(res.n) / res.elapsed.Seconds()
		ratio := ""
		if s.key == "bare" {
			bareRPS = rps
		} else if bareRPS > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*rps/bareRPS)
		}
		fmt.Printf("%-34s %10.0f %8.2f %8.2f %7d %s\n", s.title, rps, ms(res.pct(50)), ms(res.pct(99)), res.errors, ratio)
		if res.firstErr != "" {
			fmt.Printf("  first error: %s\n", res.firstErr)
		}
	}
	fmt.Printf("\nPDF per certificate: %.1f ms (%d rendered)\n", ms(pdfTime), pdfs)
	return nil
}

type phoneFunc func(ctx context.Context, id int64) (string, error)

func (f phoneFunc) CandidatePhone(ctx context.Context, id int64) (string, error) { return f(ctx, id) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln) //nolint:errcheck
	return "http://" + ln.Addr().String(), func() { s.Close() }, nil
}

type sample struct {
	lat      []time.Duration
	n        int64
	errors   int64
	firstErr string
	elapsed  time.Duration
}

func (s *sample) add(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.n += o.n
	s.errors += o.errors
	s.elapsed += o.elapsed
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

func (s *sample) pct(p int) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := slices.Clone(s.lat)
	slices.Sort(l)
	return l[min(len(l)-1, len(l)*p/100)]
}

// load runs conns loops of back-to-back requests for dur.
func load(client *http.Client, conns int, dur time.Duration, want int, url func(n int) string) sample {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seq atomic.Int64
	var out sample
	deadline := time.Now().Add(dur)
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine sample
			for time.Now().Before(deadline) {
				n := int(seq.Add(1))
				t0 := time.Now()
				resp, err := client.Get(url(n))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						err = fmt.Errorf("status %d, want %d", resp.StatusCode, want)
					}
				}
				mine.lat = append(mine.lat, time.Since(t0))
				mine.n++
				if err != nil {
					mine.errors++
					if mine.firstErr == "" {
						mine.firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			out.add(mine)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }

// staffCtx is a bureau admin caller, to read back the issued cards.
func staffCtx() context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "certbench", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin"}})
}
