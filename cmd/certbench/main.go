// Command certbench measures the public certificate verify endpoint under
// load against real MariaDB + Redis, next to a bare Gin handler returning a
// constant JSON body measured in the same run, and prints requests/s and
// latency percentiles for each, the verify route's share of the bare one,
// and the time to render one certificate PDF.
//
// It builds the product as examd does (internal/wiring, through
// cmd/internal/benchkit, workers running) over a scratch database, approves
// -certs applications and issues their certificate pairs through
// cert.IssueForQualified, then runs -conns keep-alive
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
	"flag"
	"fmt"
	"io"
	"log/slog"
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

	"taxiexam/cert"
	"taxiexam/cmd/internal/benchkit"
	"taxiexam/configs"
	"taxiexam/exam/registration"
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

func run(dsn, redisAddr string, conns, nCerts int, dur time.Duration, rounds int, scenarios []string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	log := slog.New(slog.NewJSONHandler(null, nil))
	// The product as examd assembles it; the per-address verify limit is
	// raised so the one load address is never refused (it still counts).
	prod, err := benchkit.Open(ctx, benchkit.Options{Tool: "certbench", DSN: dsn, Redis: redisAddr, Pool: 64, Log: log,
		Configure: func(c *configs.Config) { c.Cert.VerifyPerMinute = 1 << 30 }})
	if err != nil {
		return err
	}
	defer prod.Close()
	certs, verifyPrefix := prod.Certs(), prod.Config().Server.PublicURL+cert.VerifyPath
	office, err := prod.Registration().CreateOffice(benchkit.Admin(ctx), registration.OfficeInput{Name: "发证窗口", Address: "胜利西路1号", Hours: "9:00-17:00"})
	if err != nil {
		return err
	}
	srv := prod.Handler()

	// Certificates to verify: issued through the hook, tokens from their cards.
	fmt.Printf("issuing %d certificate pairs ...\n", nCerts)
	var tokens []string
	var card cert.Card
	for i := 1; i <= nCerts; i++ {
		cid, err := benchkit.Candidate(ctx, prod.App, fmt.Sprintf("139%08d", i))
		if err != nil {
			return err
		}
		app, err := benchkit.Approve(ctx, prod.App, cid, registration.Form{Name: "王小明", IDNumber: benchkit.IDNumber(i), WantTaxi: true, WantRideHailing: true,
			Delivery: cert.MethodPickup, OfficeID: office.ID})
		if err != nil {
			return err
		}
		list, err := prod.IssueForApplication(ctx, app.ID, "certbench")
		if err != nil {
			return err
		}
		for _, c := range list {
			cd, _, err := certs.Search(benchkit.Admin(ctx), cert.Filter{IDNumber: c.IDNumber, Limit: 2})
			if err != nil {
				return err
			}
			for _, x := range cd {
				if x.ID == c.ID {
					card = x
					tokens = append(tokens, strings.TrimPrefix(x.VerifyURL, verifyPrefix))
				}
			}
		}
	}
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

	apiURL, stopAPI, err := benchkit.Listen(srv)
	if err != nil {
		return err
	}
	defer stopAPI()
	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	bare.GET("/bare", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok", "n": 42}) })
	bareURL, stopBare, err := benchkit.Listen(bare)
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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
