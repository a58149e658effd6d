// Command practicebench measures the practice endpoints under load against
// real MariaDB + Redis, next to a bare Gin handler returning a constant JSON
// body measured in the same run, and prints requests/s and latency
// percentiles for each.
//
// It builds the real API (the same route table, middleware, session auth,
// services and stores examd uses) over a fresh database with the shipped
// sample bank, logs in -users candidates, then for -duration per scenario
// runs -conns keep-alive connections, interleaved in -rounds slices so the
// machine's changing background load hits every scenario alike:
//
//	bare    GET  /bare                      gin, constant JSON, no middleware
//	me      GET  /api/v1/auth/me            the shared middleware + session lookup only (the floor)
//	next    GET  /api/v1/practice/next      sequential mode with a position, a chapter per user
//	resume  GET  /api/v1/practice/next      sequential mode without a position (where the candidate stopped)
//	answer  POST /api/v1/practice/answers   right and wrong answers, wrong-answer book, resume point
//	mock    PUT  /api/v1/mock-exams/:id/answers/:q   mock exam answer saves (the attempt engine's answer path)
//
// -chapter-size N grows one chapter to N published questions (copies of
// the sample's) and points next, resume and answer at it, to show what
// depends on the size of the bank.
//
// The access log is written as examd writes it (JSON, one write per line)
// to the null device; -log discard formats it without writing. -cache=false
// runs practice without its Redis cache; -cpuprofile writes one CPU profile
// per scenario. Results and how to read them: docs/performance.md.
//
// The product is built by internal/wiring, as examd builds it (through
// cmd/internal/benchkit, with its background workers running); login codes
// are taken from auth directly instead of through the SMS queue.
//
// Usage: go run ./cmd/practicebench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
//
//	[-duration 10s] [-rounds 5] [-conns 64] [-scenarios bare,me,next,resume,answer,mock] [-chapter-size 10000]
//	[-cache=true] [-log json] [-cpuprofile /tmp/pb]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/cmd/internal/benchkit"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

var opts struct {
	cpuProfile string
	scenarios  string
	logFormat  string
	cache      bool
	rounds     int
	chapterN   int
}

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a scratch database is created and dropped)")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	users := flag.Int("users", 64, "candidates logged in")
	dur := flag.Duration("duration", 10*time.Second, "duration of each scenario")
	flag.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile per scenario to <prefix>-<scenario>.pprof (server and load generator in one process)")
	flag.StringVar(&opts.scenarios, "scenarios", "bare,me,next,resume,answer,mock", "scenarios to run, comma-separated: bare, me, next, resume, answer, mock")
	flag.IntVar(&opts.chapterN, "chapter-size", 0, "grow one chapter to this many published questions and practise only it (0: the sample bank as shipped)")
	flag.StringVar(&opts.logFormat, "log", "json", "access log: json or text (written to "+os.DevNull+" through a real file, one write per line as examd does to stderr), or discard (formatted, never written)")
	flag.IntVar(&opts.rounds, "rounds", 5, "interleave the scenarios in this many rounds of duration/rounds each (1 with -cpuprofile)")
	flag.BoolVar(&opts.cache, "cache", true, "practice state cached in Redis in front of SQL, as examd wires it (false: every read goes to SQL)")
	flag.Parse()
	if err := run(*dsn, *redisAddr, *conns, *users, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "practicebench:", err)
		os.Exit(1)
	}
}

func run(dsn, redisAddr string, conns, users int, dur time.Duration) error {
	ctx := context.Background()
	log, closeLog, err := accessLogger(opts.logFormat)
	if err != nil {
		return err
	}
	defer closeLog()
	// The product as examd assembles it, over a scratch database.
	prod, err := benchkit.Open(ctx, benchkit.Options{Tool: "practicebench", DSN: dsn, Redis: redisAddr, Pool: 64, Log: log,
		CatchCodes: true, PracticeUncached: !opts.cache})
	if err != nil {
		return err
	}
	defer prod.Close()
	bank := prod.Bank()
	if _, err := bank.LoadSample(ctx); err != nil {
		return fmt.Errorf("sample bank: %w", err)
	}
	bigChapter := int64(0)
	if opts.chapterN > 0 {
		if bigChapter, err = growChapter(ctx, prod.DB(), bank, opts.chapterN); err != nil {
			return err
		}
	}
	srv := prod.Handler()

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
		if len(qs) > 0 && (bigChapter == 0 || ch.ID == bigChapter) {
			targets = append(targets, target{ch.ID, qs})
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("the sample bank has no published questions")
	}
	cookies := make([]string, users)
	for i := range cookies {
		cookie, _, err := prod.LoginCandidate(ctx, fmt.Sprintf("1390000%04d", i), fmt.Sprintf("10.0.%d.%d", i/250, i%250), "practicebench")
		if err != nil {
			return err
		}
		cookies[i] = cookie
	}
	total := 0
	for _, t := range targets {
		total += len(t.qs)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}}
	// One mock exam per candidate, started through the API.
	type mockPaper struct {
		id        int64
		questions []int64
		keys      [][]string
	}
	mocks := make([]mockPaper, users)
	if strings.Contains(opts.scenarios, "mock") {
		for i := range mocks {
			req, _ := http.NewRequest(http.MethodPost, apiURL+"/api/v1/mock-exams", nil)
			req.Header.Set("Cookie", cookies[i])
			req.Header.Set("X-Requested-With", "practicebench")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			var v struct {
				ID        int64 `json:"id"`
				Questions []struct {
					QuestionID int64 `json:"question_id"`
					Options    []struct {
						Key string `json:"key"`
					} `json:"options"`
				} `json:"questions"`
			}
			err = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if err != nil || resp.StatusCode >= 300 || len(v.Questions) == 0 {
				return fmt.Errorf("start mock: HTTP %d %v", resp.StatusCode, err)
			}
			mocks[i].id = v.ID
			for _, q := range v.Questions {
				var ks []string
				for _, o := range q.Options {
					ks = append(ks, o.Key)
				}
				mocks[i].questions, mocks[i].keys = append(mocks[i].questions, q.QuestionID), append(mocks[i].keys, ks)
			}
		}
	}
	var mockSeq atomic.Int64
	fmt.Printf("practicebench: MariaDB %s + Redis %s, %d published questions in %d chapters practised, %d candidates, %d connections, %s per scenario, GOMAXPROCS=%d (server and load generator share the machine), practice cache %v, access log %s\n",
		prod.Addr, redisAddr, total, len(targets), users, conns, dur, runtimeProcs(), opts.cache, opts.logFormat)

	// Request bodies are built before the clock starts, as wrk would send
	// them: the load generator shares the CPUs with the server.
	type answerBody struct{ right, wrong []byte }
	bodies := make([][]answerBody, len(targets))
	for ti, t := range targets {
		bodies[ti] = make([]answerBody, len(t.qs))
		for qi, q := range t.qs {
			wrong := q.Answer
			for _, o := range q.Options {
				if !slices.Contains(q.Answer, o.Key) {
					wrong = []string{o.Key}
					break
				}
			}
			mk := func(given []string) []byte {
				b, _ := json.Marshal(map[string]any{"question_id": q.ID, "version": q.Version, "given": given, "mode": "sequential", "chapter_id": t.chapter, "position": 1 + qi})
				return b
			}
			bodies[ti][qi] = answerBody{right: mk(q.Answer), wrong: mk(wrong)}
		}
	}
	type scenario struct {
		key, name string
		req       func(worker int, n int) (*http.Request, error)
	}
	get := func(url string, w int) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodGet, url, nil)
		if err == nil {
			r.Header.Set("Cookie", cookies[w%users])
		}
		return r, err
	}
	all := []scenario{
		{"bare", "bare gin constant JSON", func(_, _ int) (*http.Request, error) { return http.NewRequest(http.MethodGet, bareURL+"/bare", nil) }},
		{"me", "GET /auth/me (session auth only)", func(w, _ int) (*http.Request, error) { return get(apiURL+"/api/v1/auth/me", w) }},
		{"next", "GET /practice/next (sequential)", func(w, n int) (*http.Request, error) {
			t := targets[w%len(targets)]
			return get(fmt.Sprintf("%s/api/v1/practice/next?mode=sequential&chapter_id=%d&position=%d", apiURL, t.chapter, 1+n%len(t.qs)), w)
		}},
		{"resume", "GET /practice/next (resume)", func(w, _ int) (*http.Request, error) {
			t := targets[w%len(targets)]
			return get(fmt.Sprintf("%s/api/v1/practice/next?mode=sequential&chapter_id=%d", apiURL, t.chapter), w)
		}},
		{"answer", "POST /practice/answers (check)", func(w, n int) (*http.Request, error) {
			ti := w % len(targets)
			b := bodies[ti][n%len(targets[ti].qs)]
			body := b.right
			if n%3 == 0 { // every third answer wrong: the wrong-answer book moves too
				body = b.wrong
			}
			r, err := http.NewRequest(http.MethodPost, apiURL+"/api/v1/practice/answers", bytes.NewReader(body))
			if err == nil {
				r.Header.Set("Cookie", cookies[w%users])
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-Requested-With", "practicebench")
			}
			return r, err
		}},
		{"mock", "PUT /mock-exams/:id/answers/:q", func(w, n int) (*http.Request, error) {
			m := mocks[w%users]
			qi := n % len(m.questions)
			keys := m.keys[qi]
			body := fmt.Appendf(nil, `{"given":[%q],"seq":%d,"marked":false}`, keys[n%len(keys)], mockSeq.Add(1))
			r, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/api/v1/mock-exams/%d/answers/%d", apiURL, m.id, m.questions[qi]), bytes.NewReader(body))
			if err == nil {
				r.Header.Set("Cookie", cookies[w%users])
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-Requested-With", "practicebench")
			}
			return r, err
		}},
	}
	want := strings.Split(opts.scenarios, ",")
	var scenarios []scenario
	for _, sc := range all {
		if slices.Contains(want, sc.key) {
			scenarios = append(scenarios, sc)
		}
	}
	if len(scenarios) == 0 {
		return fmt.Errorf("no known scenario in %q", opts.scenarios)
	}
	// Rounds interleave the scenarios (bare, me, next, ... bare, me, next,
	// ...) so that a change in the machine's background load hits all of
	// them alike; each scenario's figures pool its slices.
	if opts.rounds < 1 || opts.cpuProfile != "" {
		opts.rounds = 1
	}
	slice := dur / time.Duration(opts.rounds)
	pooled := make([]sample, len(scenarios))
	srvCPU := newServerCPU(prod.Redis(), prod.Admin)
	for r := 0; r < opts.rounds; r++ {
		for i, sc := range scenarios {
			stop, err := startProfile(sc.key)
			if err != nil {
				return err
			}
			pooled[i].add(load(client, srvCPU, conns, slice, sc.req))
			stop()
		}
	}
	var bareRPS float64
	fmt.Printf("\nCPU per request, in µs: go = this process (server and load generator), redis and sql = the servers (shared: upper bounds); allocs = heap objects this process allocated per request\n")
	fmt.Printf("%-34s %10s %8s %8s %8s %8s %7s %6s %6s %6s %6s %s\n", "scenario", "req/s", "n", "p50 ms", "p99 ms", "max ms", "errors", "go", "redis", "sql", "allocs", "vs bare")
	for i, sc := range scenarios {
		res := pooled[i].result()
		ratio := ""
		if sc.key == "bare" {
			bareRPS = res.rps
		} else if bareRPS > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*res.rps/bareRPS)
		}
		fmt.Printf("%-34s %10.0f %8d %8.2f %8.2f %8.2f %7d %6.0f %6.0f %6.0f %6.0f %s\n", sc.name, res.rps, res.n, ms(res.p50), ms(res.p99), ms(res.max), res.errors,
			us(res.cpuPerReq), us(res.redisPerReq), us(res.mariaPerReq), res.allocsPerReq, ratio)
		if res.firstErr != "" {
			fmt.Printf("  first error: %s\n", res.firstErr)
		}
	}
	return nil
}

// accessLogger is the logger the API writes its access lines to. json and
// text write each line to a real file (the null device) as examd's logger
// writes to stderr, so the bench pays the formatting and the write call.
func accessLogger(format string) (*slog.Logger, func(), error) {
	switch format {
	case "discard":
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	case "json", "text":
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, err
		}
		if format == "json" {
			return slog.New(slog.NewJSONHandler(f, nil)), func() { f.Close() }, nil
		}
		return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
	}
	return nil, nil, fmt.Errorf("-log: want json, text or discard, not %q", format)
}

// startProfile starts the CPU profile of one scenario when -cpuprofile is set.
func startProfile(key string) (func(), error) {
	if opts.cpuProfile == "" {
		return func() {}, nil
	}
	f, err := os.Create(opts.cpuProfile + "-" + key + ".pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

func runtimeProcs() int { return gomaxprocs() }

type result struct {
	rps           float64
	n             int // requests measured (the percentiles' sample)
	p50, p99, max time.Duration
	errors        int64
	firstErr      string
	cpuPerReq     time.Duration
	redisPerReq   time.Duration
	mariaPerReq   time.Duration
	allocsPerReq  float64 // heap objects this process allocated per request (server and load generator)
}

// sample is what one scenario measured over one or more slices.
type sample struct {
	lat      []time.Duration
	errors   int64
	firstErr string
	elapsed  time.Duration
	cpu      time.Duration // this process's user+system CPU while measuring
	redisCPU time.Duration // Redis's, same window
	mariaCPU time.Duration // MariaDB's, same window
	requests int64         // all requests sent in that window (incl. warm-up)
	allocs   uint64        // heap objects allocated by this process, same window
}

func (s *sample) add(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.errors += o.errors
	s.elapsed += o.elapsed
	s.cpu += o.cpu
	s.redisCPU += o.redisCPU
	s.mariaCPU += o.mariaCPU
	s.requests += o.requests
	s.allocs += o.allocs
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

func (s *sample) result() result {
	all := s.lat
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := result{errors: s.errors, firstErr: strings.TrimSpace(s.firstErr)}
	if s.requests > 0 {
		r.cpuPerReq = s.cpu / time.Duration(s.requests)
		r.redisPerReq = s.redisCPU / time.Duration(s.requests)
		r.mariaPerReq = s.mariaCPU / time.Duration(s.requests)
		r.allocsPerReq = float64(s.allocs) / float64(s.requests)
	}
	r.n = len(all)
	if len(all) > 0 {
		r.rps = float64(len(all)) / s.elapsed.Seconds()
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
		r.max = all[len(all)-1]
	}
	return r
}

// load runs conns workers for a warm-up (connections, caches) and then dur,
// measuring only requests sent after the warm-up.
func load(client *http.Client, srvCPU *serverCPU, conns int, dur time.Duration, mk func(worker, n int) (*http.Request, error)) sample {
	warm := time.Now().Add(min(dur/5, time.Second))
	var wg sync.WaitGroup
	var errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conns)
	end := warm.Add(dur)
	var sent atomic.Int64
	cpu0, allocs0 := processCPU(), heapAllocs()
	redis0, maria0 := srvCPU.read()
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
				sent.Add(1)
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
	wg.Wait()
	out := sample{errors: errs.Load(), elapsed: time.Since(warm), cpu: processCPU() - cpu0, requests: sent.Load(), allocs: heapAllocs() - allocs0}
	redis1, maria1 := srvCPU.read()
	out.redisCPU, out.mariaCPU = redis1-redis0, maria1-maria0
	if v, ok := firstErr.Load().(string); ok {
		out.firstErr = v
	}
	for _, l := range lat {
		out.lat = append(out.lat, l...)
	}
	return out
}

// heapAllocs is the number of heap objects this process has allocated.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// growChapter copies the sample's questions into its first chapter until
// that chapter has n published questions, and returns the chapter.
func growChapter(ctx context.Context, db *sqldb.DB, bank *questionbank.Service, n int) (int64, error) {
	chapters, err := bank.Chapters(ctx)
	if err != nil || len(chapters) == 0 {
		return 0, fmt.Errorf("chapters: %v", err)
	}
	ch := chapters[0]
	in, _ := bank.PublishedQuestions(ctx, questionbank.PracticeFilter{ChapterID: ch.ID})
	all, _ := bank.PublishedQuestions(ctx, questionbank.PracticeFilter{})
	var extra []questionbank.QuestionInfo
	now := time.Now().UTC()
	for i := 0; len(in)+len(extra) < n; i++ {
		q := all[i%len(all)]
		q.ID, q.ChapterID, q.Subject = 0, ch.ID, ch.Subject
		q.Stem = fmt.Sprintf("%s（扩充%d）", q.Stem, i)
		extra = append(extra, questionbank.QuestionInfo{Question: q, LiveVersion: 1, RowVersion: 1, UpdatedAt: now})
	}
	st := bankdb.New(db)
	for len(extra) > 0 {
		k := min(len(extra), 1000)
		if err := st.CreateQuestions(ctx, extra[:k]); err != nil {
			return 0, err
		}
		extra = extra[k:]
	}
	if err := st.BumpGeneration(ctx); err != nil {
		return 0, err
	}
	// The bank's snapshot notices the new generation within a second.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		qs, err := bank.PublishedQuestions(ctx, questionbank.PracticeFilter{ChapterID: ch.ID})
		if err != nil {
			return 0, err
		}
		if len(qs) >= n {
			return ch.ID, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the bank shows %d of %d questions in chapter %d", len(qs), n, ch.ID)
		}
	}
}
