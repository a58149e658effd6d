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
// Booking's sessions and rosters are an in-memory stand-in (booking reads
// are on the login path only, not on the measured save/submit path).
//
// Usage: go run ./cmd/examdaybench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
//
//	[-n 1000] [-answers 12] [-interval 10s] [-window 30s] [-workers 64] [-satdur 10s]
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
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/api"
	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/proctoring/proctoringdb"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
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
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/schema"
	questionbank "taxiexam/question-bank"
	"taxiexam/question-bank/bankdb"
)

var (
	n        = flag.Int("n", 1000, "virtual candidates")
	answers  = flag.Int("answers", 12, "answers each candidate saves in the paced phase")
	interval = flag.Duration("interval", 10*time.Second, "time between one candidate's answers")
	window   = flag.Duration("window", 30*time.Second, "every candidate submits within this window")
	workers  = flag.Int("workers", 64, "connections of the saturation phase and of the upsert floor")
	satdur   = flag.Duration("satdur", 10*time.Second, "duration of the saturation phase and of the floor")
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

// roster is booking as exam day sees it, in memory.
type roster struct {
	sessions map[int64]proctoring.ExamSession
	rooms    map[int64]proctoring.Room
	booked   []proctoring.Booked
	byTicket map[string]int
}

func (r *roster) Session(_ context.Context, id int64) (proctoring.ExamSession, error) {
	if v, ok := r.sessions[id]; ok {
		return v, nil
	}
	return proctoring.ExamSession{}, apperr.ErrNotFound
}
func (r *roster) SessionsOf(context.Context, int64, time.Time, time.Time) ([]proctoring.ExamSession, error) {
	return nil, nil
}
func (r *roster) Room(_ context.Context, id int64) (proctoring.Room, error) { return r.rooms[id], nil }
func (r *roster) Rooms(context.Context, int64) ([]proctoring.Room, error)   { return nil, nil }
func (r *roster) Roster(_ context.Context, sessionID int64) ([]proctoring.Booked, error) {
	var out []proctoring.Booked
	for _, b := range r.booked {
		if b.SessionID == sessionID {
			out = append(out, b)
		}
	}
	return out, nil
}
func (r *roster) ByTicket(_ context.Context, no string) (proctoring.Booked, error) {
	if i, ok := r.byTicket[no]; ok {
		return r.booked[i], nil
	}
	return proctoring.Booked{}, apperr.ErrNotFound
}
func (r *roster) VerifyTicket(string) (string, error)    { return "", apperr.ErrNotFound }
func (r *roster) CheckedIn(context.Context, int64) error { return nil }
func (r *roster) Started(context.Context, int64) error   { return nil }
func (r *roster) Closed(context.Context, int64) error    { return nil }

type everyoneApproved struct{}

func (everyoneApproved) ApprovedApplication(_ context.Context, cid int64) (int64, time.Time, error) {
	return cid, time.Now().AddDate(0, -1, 0), nil
}

type benchContacts struct{}

func (benchContacts) Contact(_ context.Context, cid, _ int64) (string, string, error) {
	return "考生", fmt.Sprintf("139%08d", cid), nil
}

type sittings struct{ s *proctoringdb.Store }

func (x sittings) Sitting(ctx context.Context, attemptID int64) (results.Sitting, error) {
	st, err := x.s.SittingByAttempt(ctx, attemptID)
	return results.Sitting{ApplicationID: st.ApplicationID, SessionID: st.SessionID, CentreID: st.CentreID}, err
}

type mustSit struct{ r *results.Service }

func (m mustSit) MustSit(ctx context.Context, cid int64, at time.Time) ([]questionbank.Subject, error) {
	el, err := m.r.Eligibility(ctx, cid, at)
	return el.Subjects, err
}

type authLogins struct{ a *auth.Service }

func (l authLogins) OpenExamSession(ctx context.Context, cid int64, ip, ua string) (string, error) {
	return l.a.OpenExamSession(ctx, cid, ip, ua)
}

type noPhotos struct{}

func (noPhotos) Photo(context.Context, int64) ([]byte, string, error) {
	return nil, "", apperr.ErrNotFound
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
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		return err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "examdaybench_" + hex.EncodeToString(b)
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
	db, err := sqldb.Open(configs.Database{Driver: "mysql", DSN: mc.FormatDSN(), MaxOpenConns: 128, MaxIdleConns: 128, ConnMaxLifetime: time.Hour}, "")
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

	// The services as examd wires them (booking's reads in memory).
	clk := clock.System{}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	au := audit.NewService(auditdb.New(db), clk.Now)
	sessions := authkv.NewNodeSessionCache(authkv.NewSessionCache(rdb, prot), rdb, 10*time.Second)
	go sessions.Run(ctx) //nolint:errcheck
	authStore := authdb.New(db, prot)
	authSvc := auth.NewService(authStore, authkv.New(rdb), prot, sessions, nil, au, db, clk, auth.Config{
		StaffSessionTTL: time.Hour, CandidateSessionTTL: 24 * time.Hour, MaxLoginFailures: 5, Lockout: time.Minute, Location: cfg.Location})
	bank := questionbank.NewService(bankdb.New(db), au, db, clk, questionbank.Config{})
	if _, err := bank.LoadSample(ctx); err != nil {
		return fmt.Errorf("sample bank: %w", err)
	}
	attempts := attempt.NewService(attemptdb.New(db), bank, db, clk, log)
	pstore := proctoringdb.New(db)
	res := results.NewService(results.Deps{Store: resultsdb.New(db), Applications: everyoneApproved{}, Sittings: sittings{pstore},
		Contacts: benchContacts{}, Notifier: notify.NewOutbox(notifydb.New(db, prot), clk, notify.QuietHours{}), Papers: attempts, Clock: clk})
	attempts.OnSubmit(res.RecordAttempt)
	ros := &roster{sessions: map[int64]proctoring.ExamSession{}, rooms: map[int64]proctoring.Room{}, byTicket: map[string]int{}}
	pcfg := proctoring.DefaultConfig()
	proc := proctoring.NewService(proctoring.Deps{Store: pstore, Bookings: ros, Attempts: attempts, Subjects: mustSit{res}, Logins: authLogins{authSvc},
		Photos: noPhotos{}, Audit: au, Tx: db, Clock: clk}, pcfg)
	srv := api.New(api.Deps{Config: cfg, Logger: log, Redis: rdb, Auth: authSvc, Audit: au, Attempts: attempts, Bank: bank, Proctoring: proc, Results: res})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln) //nolint:errcheck
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go attempts.RunSweeper(sweepCtx, 5*time.Second) //nolint:errcheck

	// ---- exam day set-up: rooms of 100, a started session each, a terminal per seat, everyone checked in
	t0 := time.Now()
	proctor := reqctx.With(ctx, reqctx.Request{ID: "bench", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "proctor", Username: "bench", CentreID: 1}})
	transport := &http.Transport{MaxIdleConns: 8192, MaxIdleConnsPerHost: 8192, IdleConnTimeout: time.Minute}
	vus := make([]*vu, *n)
	for i := range *n {
		roomID, seat := int64(i/seatsPerRoom+1), i%seatsPerRoom+1
		if _, ok := ros.rooms[roomID]; !ok {
			ros.rooms[roomID] = proctoring.Room{ID: roomID, CentreID: 1, Name: fmt.Sprint("考场", roomID), Seats: seatsPerRoom}
			ros.sessions[roomID] = proctoring.ExamSession{ID: roomID, CentreID: 1, RoomID: roomID, StartsAt: time.Now().Add(-5 * time.Minute), DurationMinutes: 135}
		}
		c, err := authStore.CandidateByPhone(ctx, fmt.Sprintf("138%08d", i), true)
		if err != nil {
			return err
		}
		v := &vu{ticket: fmt.Sprintf("20261201%08d", i), idNumber: fmt.Sprintf("35060219900101%04d", i%10000)}
		ros.byTicket[v.ticket] = len(ros.booked)
		ros.booked = append(ros.booked, proctoring.Booked{BookingID: int64(i + 1), SessionID: roomID, CandidateID: c.ID, ApplicationID: c.ID,
			TicketNo: v.ticket, Seat: seat, Name: "考生", IDNumber: v.idNumber})
		token, pending, err := proc.BeginEnrolment(ctx)
		if err != nil {
			return err
		}
		if _, err := proc.Enrol(proctor, proctoring.Enrolment{Code: pending.Code, RoomID: roomID, Seat: seat}); err != nil {
			return err
		}
		if _, err := proc.Decide(proctor, roomID, proctoring.Decision{BookingID: int64(i + 1), Admit: true}); err != nil {
			return err
		}
		jar, _ := cookiejar.New(nil)
		u, _ := http.NewRequest("GET", base+"/api/v1/terminal", nil)
		jar.SetCookies(u.URL, []*http.Cookie{{Name: "examd_terminal", Value: token, Path: "/api/v1/terminal"}})
		v.client = &http.Client{Jar: jar, Transport: transport, Timeout: 60 * time.Second}
		vus[i] = v
	}
	for id := range ros.sessions {
		if _, err := proc.Start(proctor, id); err != nil {
			return err
		}
	}
	fmt.Printf("examdaybench: %d candidates in %d rooms, set up in %s; GOMAXPROCS shared with MariaDB and Redis on this machine\n", *n, len(ros.rooms), time.Since(t0).Round(time.Second))

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
	fmt.Println(sat.line(fmt.Sprintf("saturated save (%d conns)", *workers), satElapsed))

	// ---- submit within the window
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

	// ---- floor: raw single-statement upsert, one commit each
	if _, err := admin.Exec("CREATE TABLE " + name + ".floor_upsert (attempt_id BIGINT NOT NULL, question_id BIGINT NOT NULL, given VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, answered_at DATETIME(3), PRIMARY KEY (attempt_id, question_id))"); err != nil {
		return err
	}
	floorDB, err := sql.Open("mysql", mc.FormatDSN())
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
