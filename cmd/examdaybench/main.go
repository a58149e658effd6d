// Command examdaybench measures exam day on one node against real MariaDB
// and Redis, through the real HTTP API (route table, middleware, session
// auth, the exam-terminal routes, proctoring, the attempt engine and its
// answer-save path, results and the outbox in the submit transaction).
//
// It creates a scratch database with the sample bank, seats -n candidates
// in rooms of 100 (each room one started session, each seat an enrolled
// terminal, every candidate checked in), and then:
//
//  1. paced: every candidate logs in on their terminal, opens the paper and
//     saves one answer every -interval (with jitter) for -answers questions;
//  2. saturation: -workers connections save answers as fast as they can for
//     -satdur (the autosave throughput);
//  3. submit: every candidate submits within -window;
//  4. check: every answer acknowledged with 2xx must be in the database
//     (its seq or a newer one): lost answers are counted;
//  5. floor: -workers connections run a raw single-statement upsert
//     (INSERT ... ON DUPLICATE KEY UPDATE, one commit each) for -satdur on
//     a table of the same shape: the ceiling of one-row-per-commit writes.
//
// The product is the one examd assembles (internal/wiring, through
// cmd/internal/benchkit, workers running): booking's sessions, rosters and
// check-in, registration's approved applications, results and the outbox.
//
// Usage: go run ./cmd/examdaybench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
//
//	[-n 1000] [-answers 12] [-interval 10s] [-window 30s] [-workers 64] [-satdur 10s] [-cpuprofile sat.pprof] [-submitprofile submit.pprof]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"taxiexam/cmd/internal/benchkit"
)

var (
	n        = flag.Int("n", 1000, "virtual candidates")
	answers  = flag.Int("answers", 12, "answers each candidate saves in the paced phase")
	interval = flag.Duration("interval", 10*time.Second, "time between one candidate's answers")
	window   = flag.Duration("window", 30*time.Second, "every candidate submits within this window")
	workers  = flag.Int("workers", 64, "connections of the saturation phase and of the upsert floor")
	satdur   = flag.Duration("satdur", 10*time.Second, "duration of the saturation phase and of the floor")
	cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of the saturation phase (server and load generator: one process) to this file")
	subprof  = flag.String("submitprofile", "", "write a CPU profile of the submit phase to this file")
)

const seatsPerRoom = 100

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a scratch database is created and dropped)")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	flag.Parse()
	if err := run(*dsn, *redisAddr); err != nil {
		fmt.Fprintln(os.Stderr, "examdaybench:", err)
		os.Exit(1)
	}
}

// vu is one virtual candidate on their terminal.
type vu struct {
	client    *http.Client
	ticket    string
	idNumber  string
	attemptID int64
	questions []question
	seq       atomic.Int64
}

type question struct {
	ID      int64 `json:"question_id"`
	Options []struct {
		Key string `json:"key"`
	} `json:"options"`
}

type ack struct {
	attemptID, questionID, seq int64
}

type stats struct {
	mu   sync.Mutex
	lat  []time.Duration
	ok   atomic.Int64
	s5xx atomic.Int64
	s4xx atomic.Int64
	acks []ack
	err  atomic.Value
}

func (s *stats) add(d time.Duration, status int, a *ack, body string) {
	switch {
	case status >= 500 || status == 0:
		s.s5xx.Add(1)
		s.err.CompareAndSwap(nil, fmt.Sprintf("%d %s", status, body))
	case status >= 400:
		s.s4xx.Add(1)
		s.err.CompareAndSwap(nil, fmt.Sprintf("%d %s", status, body))
	default:
		s.ok.Add(1)
	}
	s.mu.Lock()
	s.lat = append(s.lat, d)
	if a != nil && status >= 200 && status < 300 { // only answers the server acknowledged
		s.acks = append(s.acks, *a)
	}
	s.mu.Unlock()
}

func (s *stats) line(name string, elapsed time.Duration) string {
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	p := func(q float64) float64 {
		if len(s.lat) == 0 {
			return 0
		}
		return float64(s.lat[int(float64(len(s.lat)-1)*q)].Microseconds()) / 1000
	}
	e, _ := s.err.Load().(string)
	out := fmt.Sprintf("%-22s n=%-7d 2xx=%-7d 4xx=%-5d 5xx/no-answer=%-5d %8.0f/s  p50=%7.1fms p99=%7.1fms max=%7.1fms", name, len(s.lat), s.ok.Load(),
		s.s4xx.Load(), s.s5xx.Load(), float64(len(s.lat))/elapsed.Seconds(), p(0.5), p(0.99), p(1))
	if e != "" {
		out += "\n    first non-2xx: " + truncate(e, 200)
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func call(c *http.Client, method, url string, body any) (int, []byte, time.Duration) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "examd")
	t0 := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), time.Since(t0)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, b, time.Since(t0)
}

func run(dsn, redisAddr string) error {
	ctx := context.Background()
	// The product as examd assembles it, with the sample bank (papers and
	// the formal blueprint).
	prod, err := benchkit.Open(ctx, benchkit.Options{Tool: "examdaybench", DSN: dsn, Redis: redisAddr, Pool: 128,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer prod.Close()
	name, admin := prod.Name, prod.Admin
	if _, err := prod.Bank().LoadSample(ctx); err != nil {
		return fmt.Errorf("sample bank: %w", err)
	}
	base, stopAPI, err := benchkit.Listen(prod.Handler())
	if err != nil {
		return err
	}
	defer stopAPI()

	// ---- exam day set-up (benchkit.SeedExamDay): rooms of 100 at one
	// centre, a started session in each, every seat booked by an approved
	// candidate, enrolled and checked in.
	t0 := time.Now()
	day, err := benchkit.SeedExamDay(ctx, prod.App, *n, seatsPerRoom)
	if err != nil {
		return err
	}
	sessions := day.Sessions
	transport := &http.Transport{MaxIdleConns: 8192, MaxIdleConnsPerHost: 8192, IdleConnTimeout: time.Minute}
	vus := make([]*vu, *n)
	for i, s := range day.Seats {
		jar, err := s.TerminalJar(base)
		if err != nil {
			return err
		}
		vus[i] = &vu{ticket: s.Ticket, idNumber: s.IDNumber, client: &http.Client{Jar: jar, Transport: transport, Timeout: 60 * time.Second}}
	}
	fmt.Printf("examdaybench: %d candidates in %d rooms, set up in %s; GOMAXPROCS shared with MariaDB and Redis on this machine\n", *n, len(sessions), time.Since(t0).Round(time.Second))

	// ---- login and paper
	var login stats
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	t1 := time.Now()
	for _, v := range vus {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st, body, d := call(v.client, "POST", base+"/api/v1/terminal/login", map[string]string{"ticket_no": v.ticket, "id_number": v.idNumber})
			login.add(d, st, nil, string(body))
			st, body, d = call(v.client, "GET", base+"/api/v1/terminal/exam", nil)
			login.add(d, st, nil, string(body))
			var p struct {
				ID        int64      `json:"id"`
				Questions []question `json:"questions"`
			}
			if st == 200 && json.Unmarshal(body, &p) == nil {
				v.attemptID, v.questions = p.ID, p.Questions
			}
		}()
	}
	wg.Wait()
	fmt.Println(login.line("login + paper", time.Since(t1)))

	// ---- paced autosave
	var paced stats
	t2 := time.Now()
	for _, v := range vus {
		if v.attemptID == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			offset := time.Duration(mrand.Int64N(int64(*interval)))
			for k := 0; k < *answers && k < len(v.questions); k++ {
				time.Sleep(time.Until(t2.Add(offset + time.Duration(k)**interval)))
				saveOne(base, v, k, &paced)
			}
		}()
	}
	wg.Wait()
	fmt.Println(paced.line(fmt.Sprintf("paced save (1/%s)", *interval), time.Since(t2)))

	// ---- saturation
	var sat stats
	stopProfile, err := benchkit.CPUProfile(*cpuprof)
	if err != nil {
		return err
	}
	t3 := time.Now()
	end := t3.Add(*satdur)
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; time.Now().Before(end); j += *workers {
				v := vus[j%len(vus)]
				if v.attemptID == 0 {
					continue
				}
				saveOne(base, v, int(v.seq.Load())%len(v.questions), &sat)
			}
		}()
	}
	wg.Wait()
	satElapsed := time.Since(t3)
	stopProfile()
	fmt.Println(sat.line(fmt.Sprintf("saturated save (%d conns)", *workers), satElapsed))

	// ---- submit within the window
	if stopProfile, err = benchkit.CPUProfile(*subprof); err != nil {
		return err
	}
	var sub stats
	t4 := time.Now()
	for _, v := range vus {
		if v.attemptID == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(mrand.Int64N(int64(*window))))
			st, body, d := call(v.client, "POST", base+"/api/v1/terminal/exam/submit", nil)
			sub.add(d, st, nil, string(body))
		}()
	}
	wg.Wait()
	stopProfile()
	fmt.Println(sub.line(fmt.Sprintf("submit (within %s)", *window), time.Since(t4)))

	// ---- every acknowledged answer in the database
	acked := map[[2]int64]int64{}
	for _, a := range append(paced.acks, sat.acks...) {
		k := [2]int64{a.attemptID, a.questionID}
		acked[k] = max(acked[k], a.seq)
	}
	lost := 0
	rows, err := admin.Query("SELECT attempt_id, question_id, seq FROM " + name + ".exam_attempt_items WHERE seq > 0")
	if err != nil {
		return err
	}
	stored := map[[2]int64]int64{}
	for rows.Next() {
		var a, q, s int64
		if err := rows.Scan(&a, &q, &s); err != nil {
			return err
		}
		stored[[2]int64{a, q}] = s
	}
	rows.Close()
	for k, s := range acked {
		if stored[k] < s {
			lost++
		}
	}
	fmt.Printf("%-22s %d of %d acknowledged answers missing from the database\n", "lost answers", lost, len(acked))

	// ---- every subject result in the ledger: recorded with the submit,
	// chained by the node's worker (how long until nothing waits)
	var results, chained, pending int64
	t45 := time.Now()
	for {
		if err := admin.QueryRow("SELECT (SELECT COUNT(*) FROM "+name+".exam_subject_results), (SELECT COUNT(*) FROM "+name+".ledger_entries WHERE kind = 'subject_result'), (SELECT COUNT(*) FROM "+name+".ledger_pending_events)").Scan(&results, &chained, &pending); err != nil {
			return err
		}
		if pending == 0 || time.Since(t45) > time.Minute {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("%-22s %d subject results, %d chained, %d still pending %s after the last submit\n", "ledger", results, chained, pending, time.Since(t45).Round(10*time.Millisecond))

	// ---- floor: raw single-statement upsert, one commit each
	if _, err := admin.Exec("CREATE TABLE " + name + ".floor_upsert (attempt_id BIGINT NOT NULL, question_id BIGINT NOT NULL, given VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, answered_at DATETIME(3), PRIMARY KEY (attempt_id, question_id))"); err != nil {
		return err
	}
	floorDB, err := sql.Open("mysql", prod.DSN)
	if err != nil {
		return err
	}
	defer floorDB.Close()
	floorDB.SetMaxOpenConns(*workers)
	floorDB.SetMaxIdleConns(*workers)
	var floorN atomic.Int64
	t5 := time.Now()
	end = t5.Add(*satdur)
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := int64(0); time.Now().Before(end); j++ {
				_, err := floorDB.Exec("INSERT INTO floor_upsert (attempt_id, question_id, given, seq, answered_at) VALUES (?, ?, 'A', ?, NOW(3)) ON DUPLICATE KEY UPDATE given = IF(VALUES(seq) > seq, VALUES(given), given), seq = GREATEST(seq, VALUES(seq)), answered_at = NOW(3)",
					w*1000+int(j%1000), j%150, j+1)
				if err == nil {
					floorN.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	floor := float64(floorN.Load()) / time.Since(t5).Seconds()
	satRate := float64(sat.ok.Load()) / satElapsed.Seconds()
	fmt.Printf("%-22s %8.0f/s  (%d conns, INSERT ... ON DUPLICATE KEY UPDATE, autocommit)\n", "floor: raw upsert", floor, *workers)
	fmt.Printf("%-22s %5.1f%% of the floor (target >= 60%%)\n", "autosave throughput", 100*satRate/floor)
	return nil
}

func saveOne(base string, v *vu, k int, s *stats) {
	q := v.questions[k]
	seq := v.seq.Add(1)
	given := []string{q.Options[0].Key}
	st, body, d := call(v.client, "PUT", fmt.Sprintf("%s/api/v1/terminal/exam/answers/%d", base, q.ID), map[string]any{"given": given, "seq": seq, "marked": false})
	s.add(d, st, &ack{attemptID: v.attemptID, questionID: q.ID, seq: seq}, string(body))
}
