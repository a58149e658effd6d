// Command bookingbench is the booking stampede: -candidates approved
// candidates, logged in, all book the same session of -seats seats at the
// same instant through the real HTTP API (route table, middleware, session
// auth, Idempotency-Key, Redis rate limits, the booking service and its
// store with the outbox) on MariaDB + Redis. It then checks the database:
// exactly -seats bookings, the session counter equal to them, every seat
// once, no candidate twice, no 5xx.
//
// In the same run it races the floor: the same number of goroutines
// running the bare conditional UPDATE (UPDATE ... SET booked = booked + 1
// WHERE id = ? AND booked < capacity) with database/sql on a scratch table,
// and prints both with requests/s, bookings/s and latency percentiles;
// then the HTTP floor: the same race through the same HTTP client to a
// bare Gin handler that runs only that statement, which bounds what any
// HTTP API can reach on this machine.
// The product is the one examd assembles (internal/wiring, through
// cmd/internal/benchkit, workers running); login codes come from auth
// directly instead of through the SMS queue.
// Figures and how to read them: docs/performance.md ("Booking stampede").
//
// Usage: go run ./cmd/bookingbench [-dsn root@tcp(127.0.0.1:3306)/] [-redis 127.0.0.1:6379]
//
//	[-candidates 5000] [-seats 500] [-conns 1024] [-pool 64]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/cmd/internal/benchkit"
	"taxiexam/configs"
	"taxiexam/exam/booking"
	"taxiexam/exam/registration"
)

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a scratch database is created and dropped)")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	candidates := flag.Int("candidates", 5000, "candidates booking at once (one goroutine each)")
	seats := flag.Int("seats", 500, "seats of the one session")
	conns := flag.Int("conns", 1024, "HTTP connections the load generator may open (the goroutines queue for them)")
	pool := flag.Int("pool", 64, "SQL connections (examd's pool and the raw race alike)")
	flag.IntVar(&slots, "slots", 0, "server.contended_slots: bookings run at once on the node (0 = the config's)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the API stampede (server and load generator in one process) to this file")
	flag.Parse()
	if err := run(*dsn, *redisAddr, *candidates, *seats, *conns, *pool); err != nil {
		fmt.Fprintln(os.Stderr, "bookingbench:", err)
		os.Exit(1)
	}
}

// openBookingPage is GET /api/v1/me/booking, as the phone's booking page.
func openBookingPage(client *http.Client, apiURL, cookie, ip string) error {
	req, _ := http.NewRequest(http.MethodGet, apiURL+"/api/v1/me/booking", nil)
	req.Header.Set("X-Requested-With", "examd")
	req.Header.Set("Cookie", cookie)
	req.Header.Set("X-Forwarded-For", ip)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /me/booking: %d", res.StatusCode)
	}
	return nil
}

// cpuProfile is the -cpuprofile file ("" = none).
var cpuProfile string

// slots overrides server.contended_slots when positive.
var slots int

type outcome struct {
	status int
	code   string
	took   time.Duration
	at     time.Duration // since the start, when the answer arrived
}

func run(dsn, redisAddr string, n, seats, conns, pool int) error {
	ctx := context.Background()
	// The product as examd assembles it (sample bank: the formal blueprint
	// times the session). Every candidate is its own phone (own IP) behind
	// the load balancer.
	prod, err := benchkit.Open(ctx, benchkit.Options{Tool: "bookingbench", DSN: dsn, Redis: redisAddr, Pool: pool,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), CatchCodes: true,
		Configure: func(c *configs.Config) {
			c.Server.TrustedProxies = []string{"127.0.0.1"}
			if slots > 0 {
				c.Server.ContendedSlots = slots
			}
		}})
	if err != nil {
		return err
	}
	defer prod.Close()
	if _, err := prod.Bank().LoadSample(ctx); err != nil {
		return fmt.Errorf("sample bank: %w", err)
	}
	cfg, svc, name, admin := prod.Config(), prod.Booking(), prod.Name, prod.Admin
	apiURL, stop, err := benchkit.Listen(prod.Handler())
	if err != nil {
		return err
	}
	defer stop()

	// One centre, one room of -seats seats, one published session in a week.
	staff := benchkit.Admin(ctx)
	c, err := svc.CreateCentre(staff, booking.Centre{Name: "压测考点", Address: "压测路 1 号"})
	if err != nil {
		return err
	}
	room, err := svc.CreateRoom(staff, c.ID, booking.RoomInput{Name: "大厅", Seats: seats})
	if err != nil {
		return err
	}
	day := time.Now().In(cfg.Location).AddDate(0, 0, 7).Format("2006-01-02")
	sess, err := svc.CreateSession(staff, booking.SessionInput{RoomID: room.ID, Date: day, Time: "09:00"})
	if err != nil {
		return err
	}
	if _, err := svc.SetSessionStatus(staff, sess.ID, booking.SessionPublished, 0); err != nil {
		return err
	}

	// Approved, logged-in candidates.
	fmt.Printf("bookingbench: preparing %d approved candidates...\n", n)
	cookies := make([]string, n)
	for i := range cookies {
		phone := fmt.Sprintf("1380000%04d", i)
		ip := fmt.Sprintf("10.%d.%d.%d", i/62500, i/250%250, i%250+1)
		cookie, p, err := prod.LoginCandidate(ctx, phone, ip, "bookingbench")
		if err != nil {
			return err
		}
		if _, err := benchkit.Approve(ctx, prod.App, p.UserID, registration.Form{Name: "考生" + strconv.Itoa(i), IDNumber: fmt.Sprintf("3506021990%08d", i)}); err != nil {
			return err
		}
		cookies[i] = cookie
	}

	fmt.Printf("bookingbench: MariaDB %s + Redis %s, %d candidates x 1 session of %d seats, %d HTTP connections, SQL pool %d, %d bookings at once per node (server.contended_slots), GOMAXPROCS shared with MariaDB and Redis on this machine\n",
		prod.Addr, redisAddr, n, seats, conns, pool, cfg.Server.ContendedSlots)

	// ---- the stampede through the API ----
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}, Timeout: 2 * time.Minute}
	body := `{"session_id":` + strconv.FormatInt(sess.ID, 10) + `}`
	reqs := make([]*http.Request, n)
	var pageErrors atomic.Int64
	var stopProfile func()
	out, apiTotal := race(n, func(i int) {
		req, _ := http.NewRequest(http.MethodPost, apiURL+"/api/v1/me/booking", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Requested-With", "examd")
		req.Header.Set("Cookie", cookies[i])
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", sess.ID, i))
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i/62500, i/250%250, i%250+1))
		// The phone has the booking page open: it read "may I book"
		// (which also brings its session into the node's cache and
		// opens its connection) before the release.
		if err := openBookingPage(client, apiURL, cookies[i], req.Header.Get("X-Forwarded-For")); err != nil {
			pageErrors.Add(1)
		}
		reqs[i] = req
	}, func(i int) (o outcome) {
		res, err := client.Do(reqs[i])
		if err != nil {
			o.code = err.Error()
			return o
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		o.status = res.StatusCode
		if res.StatusCode != http.StatusCreated {
			if k := strings.Index(string(b), `"code":"`); k >= 0 {
				rest := string(b)[k+8:]
				o.code = rest[:strings.IndexByte(rest, '"')]
			}
		}
		return o
	}, func() { stopProfile, err = benchkit.CPUProfile(cpuProfile) })
	if err != nil {
		return err
	}
	stopProfile()

	// ---- what the database says ----
	var booked, active, seatsUsed, doubled int
	q := func(dst *int, query string, args ...any) error { return admin.QueryRow(query, args...).Scan(dst) }
	if err := q(&booked, "SELECT booked FROM "+name+".exam_sessions WHERE id = ?", sess.ID); err != nil {
		return err
	}
	if err := q(&active, "SELECT COUNT(*) FROM "+name+".exam_bookings WHERE session_id = ? AND status = 'booked'", sess.ID); err != nil {
		return err
	}
	if err := q(&seatsUsed, "SELECT COUNT(DISTINCT seat_number) FROM "+name+".exam_bookings WHERE session_id = ? AND status = 'booked'", sess.ID); err != nil {
		return err
	}
	if err := q(&doubled, "SELECT COUNT(*) FROM (SELECT candidate_id FROM "+name+".exam_bookings WHERE status = 'booked' GROUP BY candidate_id HAVING COUNT(*) > 1) d"); err != nil {
		return err
	}
	var created, full, fivexx, other int
	others := map[string]int{}
	var lastSeat time.Duration
	firstSeat := time.Duration(1 << 62)
	lat := make([]time.Duration, 0, n)
	for _, o := range out {
		lat = append(lat, o.took)
		switch {
		case o.status == http.StatusCreated:
			created++
			lastSeat = max(lastSeat, o.at)
			firstSeat = min(firstSeat, o.at)
		case o.code == "session_full":
			full++
		case o.status >= 500 || o.status == 0:
			fivexx++
			others[strconv.Itoa(o.status)+" "+o.code]++
		default:
			other++
			others[strconv.Itoa(o.status)+" "+o.code]++
		}
	}
	p50, p99 := pct(lat, 50), pct(lat, 99)
	fmt.Printf("\nAPI stampede (POST /api/v1/me/booking):\n")
	fmt.Printf("  %d requests in %s: %.0f requests/s; %d seats filled in %s: %.0f bookings/s; latency p50 %s p99 %s\n",
		n, apiTotal.Round(time.Millisecond), float64(n)/apiTotal.Seconds(), created, lastSeat.Round(time.Millisecond), float64(created)/lastSeat.Seconds(), p50, p99)
	if n := pageErrors.Load(); n > 0 {
		fmt.Printf("  %d booking-page reads before the release failed\n", n)
	}
	if created > 0 {
		fmt.Printf("  first seat's answer at %s, last at %s\n", firstSeat.Round(time.Millisecond), lastSeat.Round(time.Millisecond))
	}
	fmt.Printf("  answers: %d booked (201), %d session_full (409), %d other 4xx, %d 5xx/transport %v\n", created, full, other, fivexx, others)
	overbooked := max(0, active-seats)
	fmt.Printf("  database: session counter %d, active bookings %d, distinct seats %d, overbooked %d, candidates holding two bookings %d\n",
		booked, active, seatsUsed, overbooked, doubled)
	ok := created == seats && booked == seats && active == seats && seatsUsed == seats && doubled == 0 && fivexx == 0

	// ---- the floor: the bare conditional UPDATE with database/sql ----
	raw, err := sql.Open("mysql", prod.DSN)
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(pool)
	raw.SetMaxIdleConns(pool)
	if _, err := raw.Exec("CREATE TABLE bench_sessions (id BIGINT PRIMARY KEY, capacity INT NOT NULL, booked INT NOT NULL)"); err != nil {
		return err
	}
	if _, err := raw.Exec("INSERT INTO bench_sessions VALUES (1, ?, 0)", seats); err != nil {
		return err
	}
	for i := 0; i < pool; i++ { // warm the pool as the API's was warmed by the logins
		if err := raw.Ping(); err != nil {
			return err
		}
	}
	var rawErrs atomic.Int64
	var firstErr atomic.Value
	rawOut, rawTotal := race(n, func(int) {}, func(int) (o outcome) {
		res, err := raw.Exec("UPDATE bench_sessions SET booked = booked + 1 WHERE id = 1 AND booked < capacity")
		if err != nil {
			rawErrs.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
		} else if k, _ := res.RowsAffected(); k == 1 {
			o.status = http.StatusCreated
		}
		return o
	}, nil)
	rawWon, rawLast, rawLat := seatsTaken(rawOut)
	var rawBooked int
	if err := raw.QueryRow("SELECT booked FROM bench_sessions WHERE id = 1").Scan(&rawBooked); err != nil {
		return err
	}
	fmt.Printf("\nFloor (raw conditional UPDATE, database/sql, autocommit):\n")
	fmt.Printf("  %d statements in %s: %.0f statements/s; %d seats in %s: %.0f bookings/s; latency p50 %s p99 %s; counter %d, errors %d\n",
		n, rawTotal.Round(time.Millisecond), float64(n)/rawTotal.Seconds(), rawWon, rawLast.Round(time.Millisecond), float64(rawWon)/rawLast.Seconds(),
		pct(rawLat, 50), pct(rawLat, 99), rawBooked, rawErrs.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("  first error: %v\n", e)
	}
	apiRate, rawRate := float64(created)/lastSeat.Seconds(), float64(rawWon)/rawLast.Seconds()
	fmt.Printf("\nAPI / floor: requests/s %.0f%%, bookings/s %.0f%%\n",
		100*(float64(n)/apiTotal.Seconds())/(float64(n)/rawTotal.Seconds()), 100*apiRate/rawRate)

	// ---- the HTTP floor: the same statement behind a bare Gin handler ----
	httpRate, err := httpFloor(raw, n, seats, conns)
	if err != nil {
		return err
	}
	fmt.Printf("HTTP floor / floor: bookings/s %.0f%% (what any HTTP API doing nothing but the statement reaches here); API / HTTP floor: %.0f%%\n",
		100*httpRate/rawRate, 100*apiRate/httpRate)
	if !ok {
		return fmt.Errorf("the stampede broke a rule (see above)")
	}
	fmt.Println("result: exactly", seats, "bookings, 0 overbooked, 0 double, 0 5xx")
	return nil
}

// httpFloor races n clients through HTTP to a bare Gin handler that runs
// only the conditional UPDATE (on its own scratch row): no session, no
// middleware, no JSON beyond a constant. Connections are opened first, as
// the API's clients opened theirs reading the booking page. It prints the
// race like the others and returns its bookings/s.
func httpFloor(raw *sql.DB, n, seats, conns int) (float64, error) {
	if _, err := raw.Exec("INSERT INTO bench_sessions VALUES (2, ?, 0)", seats); err != nil {
		return 0, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/ping", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.POST("/book", func(c *gin.Context) {
		res, err := raw.ExecContext(c.Request.Context(), "UPDATE bench_sessions SET booked = booked + 1 WHERE id = 2 AND booked < capacity")
		if err != nil {
			c.String(http.StatusInternalServerError, `{"error":{"code":"internal"}}`)
			return
		}
		if k, _ := res.RowsAffected(); k != 1 {
			c.Data(http.StatusConflict, "application/json", []byte(`{"error":{"code":"session_full"}}`))
			return
		}
		c.Data(http.StatusCreated, "application/json", []byte(`{"booked":true}`))
	})
	url, stop, err := benchkit.Listen(r)
	if err != nil {
		return 0, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}, Timeout: 2 * time.Minute}
	var pingErrs atomic.Int64
	out, total := race(n, func(int) {
		if res, err := client.Get(url + "/ping"); err != nil {
			pingErrs.Add(1)
		} else {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}, func(int) (o outcome) {
		res, err := client.Post(url+"/book", "application/json", strings.NewReader(`{"session_id":2}`))
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			o.status = res.StatusCode
		}
		return o
	}, nil)
	won, last, lat := seatsTaken(out)
	fivexx := 0
	for _, o := range out {
		if o.status >= 500 || o.status == 0 {
			fivexx++
		}
	}
	rate := float64(won) / last.Seconds()
	fmt.Printf("\nHTTP floor (bare Gin handler running only the conditional UPDATE, same client and connections):\n")
	fmt.Printf("  %d requests in %s: %.0f requests/s; %d seats in %s: %.0f bookings/s; latency p50 %s p99 %s; 5xx/transport %d, warm-up errors %d\n",
		n, total.Round(time.Millisecond), float64(n)/total.Seconds(), won, last.Round(time.Millisecond), rate, pct(lat, 50), pct(lat, 99), fivexx, pingErrs.Load())
	if won != seats {
		return 0, fmt.Errorf("HTTP floor: %d seats taken of %d", won, seats)
	}
	return rate, nil
}

// race starts n goroutines that each run prepare(i) (a connection, a
// request), wait for one start signal together and then fire(i), timed:
// each outcome gets its latency and when, since the signal, it came back.
// atStart (may be nil) runs just before the signal. It returns the
// outcomes and the time until the last one.
func race(n int, prepare func(i int), fire func(i int) outcome, atStart func()) ([]outcome, time.Duration) {
	out := make([]outcome, n)
	var ready, done sync.WaitGroup
	gun := make(chan struct{})
	var t0 time.Time
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			prepare(i)
			ready.Done()
			<-gun
			s := time.Now()
			o := fire(i)
			o.took, o.at = time.Since(s), time.Since(t0)
			out[i] = o
		}()
	}
	ready.Wait()
	if atStart != nil {
		atStart()
	}
	t0 = time.Now()
	close(gun)
	done.Wait()
	return out, time.Since(t0)
}

// seatsTaken counts the 201s of a race, when the last came back, and
// every latency.
func seatsTaken(out []outcome) (won int, last time.Duration, lat []time.Duration) {
	lat = make([]time.Duration, 0, len(out))
	for _, o := range out {
		lat = append(lat, o.took)
		if o.status == http.StatusCreated {
			won++
			last = max(last, o.at)
		}
	}
	return won, last, lat
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100].Round(100 * time.Microsecond)
}
