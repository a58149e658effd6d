// Command practicebench measures the practice endpoints under load against
// real MariaDB + Redis, next to a bare Gin handler returning a constant JSON
// body measured in the same run, and prints requests/s and latency
// percentiles for each.
//
// It builds the real API (the same route table, middleware, session auth,
// services and stores examd uses) over a fresh database with the shipped
// sample bank, logs in -users candidates, then for -duration per scenario
// runs -conns keep-alive connections:
//
//	bare    GET  /bare                      gin, constant JSON, no middleware
//	me      GET  /api/v1/auth/me            the shared middleware + session lookup only (the floor)
//	next    GET  /api/v1/practice/next      sequential mode, a chapter per user
//	answer  POST /api/v1/practice/answers   right and wrong answers, wrong-answer book
//
// Usage: go run ./cmd/practicebench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/api"
	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/schema"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

type codeBox struct {
	mu    sync.Mutex
	codes map[string]string
}

func (b *codeBox) SendVerificationCode(_ context.Context, phone, code string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.codes[phone] = code
	return nil
}

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a scratch database is created and dropped)")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	users := flag.Int("users", 64, "candidates logged in")
	dur := flag.Duration("duration", 10*time.Second, "duration of each scenario")
	flag.Parse()
	if err := run(*dsn, *redisAddr, *conns, *users, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "practicebench:", err)
		os.Exit(1)
	}
}

func run(dsn, redisAddr string, conns, users int, dur time.Duration) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		return err
	}

	// Scratch database.
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "practicebench_" + hex.EncodeToString(b)
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

	// The services as examd wires them.
	clk := clock.System{}
	au := audit.NewService(auditdb.New(db), clk.Now)
	codes := &codeBox{codes: map[string]string{}}
	authSvc := auth.NewService(authdb.New(db, prot), authkv.New(rdb), authkv.NewSessionCache(rdb), codes, au, db, clk, auth.Config{
		StaffSessionTTL: time.Hour, CandidateSessionTTL: 24 * time.Hour, MaxLoginFailures: 5, Lockout: time.Minute, Location: cfg.Location})
	bank := questionbank.NewService(bankdb.New(db), au, db, clk, questionbank.Config{})
	if _, err := bank.LoadSample(ctx); err != nil {
		return fmt.Errorf("sample bank: %w", err)
	}
	attempts := attempt.NewService(attemptdb.New(db), bank, db, clk, log)
	prac := practice.NewService(practicedb.New(db), bank, attempts, clk, cfg.Location)
	srv := api.New(api.Deps{Config: cfg, Logger: log, Redis: rdb, Auth: authSvc, Audit: au, Practice: prac, Attempts: attempts})

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

	// Candidates and what they practise.
	chapters, err := bank.Chapters(ctx)
	if err != nil {
		return err
	}
	type target struct {
		chapter int64
		qs      []questionbank.Question
	}
	var targets []target
	for _, ch := range chapters {
		qs, _ := bank.PublishedQuestions(ctx, questionbank.PracticeFilter{ChapterID: ch.ID})
		if len(qs) > 0 {
			targets = append(targets, target{ch.ID, qs})
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("the sample bank has no published questions")
	}
	cookies := make([]string, users)
	for i := range cookies {
		phone := fmt.Sprintf("1390000%04d", i)
		if _, err := authSvc.RequestCode(ctx, phone, fmt.Sprintf("10.0.%d.%d", i/250, i%250)); err != nil {
			return err
		}
		codes.mu.Lock()
		code := codes.codes[phone]
		codes.mu.Unlock()
		token, _, err := authSvc.CandidateLogin(ctx, phone, code, "10.1.0.1", "practicebench")
		if err != nil {
			return err
		}
		cookies[i] = "examd_session=" + token
	}
	total := 0
	for _, t := range targets {
		total += len(t.qs)
	}
	fmt.Printf("practicebench: MariaDB %s + Redis %s, %d published questions in %d chapters, %d candidates, %d connections, %s per scenario, GOMAXPROCS=%d (server and load generator share the machine)\n",
		mc.Addr, redisAddr, total, len(targets), users, conns, dur, runtimeProcs())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}}
	type scenario struct {
		name string
		req  func(worker int, n int) (*http.Request, error)
	}
	scenarios := []scenario{
		{"bare gin constant JSON", func(_, _ int) (*http.Request, error) { return http.NewRequest(http.MethodGet, bareURL+"/bare", nil) }},
		{"GET /auth/me (session auth only)", func(w, _ int) (*http.Request, error) {
			r, err := http.NewRequest(http.MethodGet, apiURL+"/api/v1/auth/me", nil)
			if err == nil {
				r.Header.Set("Cookie", cookies[w%users])
			}
			return r, err
		}},
		{"GET /practice/next (sequential)", func(w, n int) (*http.Request, error) {
			t := targets[w%len(targets)]
			r, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/practice/next?mode=sequential&chapter_id=%d&position=%d", apiURL, t.chapter, 1+n%len(t.qs)), nil)
			if err == nil {
				r.Header.Set("Cookie", cookies[w%users])
			}
			return r, err
		}},
		{"POST /practice/answers (check)", func(w, n int) (*http.Request, error) {
			t := targets[w%len(targets)]
			q := t.qs[n%len(t.qs)]
			given := q.Answer
			if n%3 == 0 { // every third answer wrong: the wrong-answer book moves too
				for _, o := range q.Options {
					if !slices.Contains(q.Answer, o.Key) {
						given = []string{o.Key}
						break
					}
				}
			}
			body, _ := json.Marshal(map[string]any{"question_id": q.ID, "version": q.Version, "given": given, "mode": "sequential", "chapter_id": t.chapter, "position": 1 + n%len(t.qs)})
			r, err := http.NewRequest(http.MethodPost, apiURL+"/api/v1/practice/answers", bytes.NewReader(body))
			if err == nil {
				r.Header.Set("Cookie", cookies[w%users])
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-Requested-With", "practicebench")
			}
			return r, err
		}},
	}
	var bareRPS float64
	fmt.Printf("\n%-34s %10s %9s %9s %9s %8s %s\n", "scenario", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "vs bare")
	for i, sc := range scenarios {
		res := load(client, conns, dur, sc.req)
		ratio := ""
		if i == 0 {
			bareRPS = res.rps
		} else if bareRPS > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*res.rps/bareRPS)
		}
		fmt.Printf("%-34s %10.0f %9.2f %9.2f %9.2f %8d %s\n", sc.name, res.rps, ms(res.p50), ms(res.p99), ms(res.max), res.errors, ratio)
		if res.firstErr != "" {
			fmt.Printf("  first error: %s\n", res.firstErr)
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func runtimeProcs() int { return gomaxprocs() }

func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln) //nolint:errcheck
	return "http://" + ln.Addr().String(), func() { s.Close() }, nil
}

type result struct {
	rps           float64
	p50, p99, max time.Duration
	errors        int64
	firstErr      string
}

func load(client *http.Client, conns int, dur time.Duration, mk func(worker, n int) (*http.Request, error)) result {
	// Warm up (connections, caches) before measuring.
	warm := time.Now().Add(dur / 5)
	var wg sync.WaitGroup
	var errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conns)
	start := time.Now()
	var measuredFrom time.Time
	end := warm.Add(dur)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := w * 7919; ; n++ {
				now := time.Now()
				if now.After(end) {
					return
				}
				req, err := mk(w, n)
				if err != nil {
					panic(err)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 300 {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				if t0.Before(warm) {
					continue
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], d)
			}
		}()
	}
	_ = start
	measuredFrom = warm
	wg.Wait()
	elapsed := time.Since(measuredFrom)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := result{errors: errs.Load()}
	if v, ok := firstErr.Load().(string); ok {
		r.firstErr = strings.TrimSpace(v)
	}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
		r.max = all[len(all)-1]
	}
	return r
}
