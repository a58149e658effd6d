package main

// The exam-day reliability test of issue #9 (docs/exam-day.md §6). It lives
// here, beside the binary, because it runs examd itself: two `examd serve`
// processes (this test binary re-executed, nodes_test.go) on one MariaDB
// database, one Redis prefix and one set of keys, the way two nodes behind a
// load balancer run. kill -9 is a real SIGKILL of one of them. The test
// process only seeds and checks; it runs no workers and serves nothing.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"taxiexam/cmd/internal/benchkit"
	"taxiexam/configs"
	"taxiexam/internal/auth"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring"
	"taxiexam/internal/wiring/schema"
)

const (
	relCandidates = 40 // checked-in candidates, two rooms
	relPerRoom    = 20
	relPassword   = "Reliability-1"
)

// paperJSON is what the terminal shows of a paper (GET /api/v1/terminal/exam).
type paperJSON struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Deadline  string `json:"deadline"` // compared byte for byte
	Questions []struct {
		QuestionID int64 `json:"question_id"`
		Options    []struct {
			Key string `json:"key"`
		} `json:"options"`
		Given []string `json:"given"`
		Seq   int64    `json:"seq"`
	} `json:"questions"`
}

type savedAnswer struct {
	given string // option keys joined by ","
	seq   int64
}

// relCandidate is one candidate on their terminal. Only its own goroutine
// touches it while the load runs.
type relCandidate struct {
	benchkit.ExamSeat
	home, cur int // index of the node the candidate logged in on / uses now
	http      *http.Client
	attemptID int64
	deadline  string
	paper     paperJSON
	seq       int64                 // of the last save (every save takes the next: per question it increases)
	next      int                   // questions answered in paper order so far
	acked     map[int64]savedAnswer // question -> newest acknowledged answer
	resumed   bool
}

// relCounts are the load's figures.
type relCounts struct {
	acked, failed, inFlight, recovered, resumed, bad atomic.Int64
	firstBad                                         atomic.Value
}

func (c *relCounts) badf(format string, args ...any) {
	c.bad.Add(1)
	c.firstBad.CompareAndSwap(nil, fmt.Sprintf(format, args...))
}

func TestExamDayKillNineAndTwoNodes(t *testing.T) {
	if testenv.Driver(t) != "mysql" {
		t.Skip("needs MariaDB: two examd processes share one database server (TEST_DB=mysql; SQLite is one process's file)")
	}
	if testing.Short() {
		t.Skip("starts two examd processes (-short)")
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a bound, not the budget: 45-60 s on 2 busy cores
	defer cancel()
	e := startExamDay(ctx, t)
	e.loadThroughKill(ctx, t)
	checkPapers(t, e.cands, e.nodes)
	checkStored(t, e.sql, e.cands)
	e.seatMapsWhileAnswering(t)
	for _, c := range e.cands[:submitters] {
		submitEverywhere(t, c, e.nodes)
	}
	e.sweepAtDeadline(t)
	checkSubmittedOnce(t, e.sql, e.cands)
	seatMapsAgree(t, e.proctor, e.nodes, e.day.Sessions, func(l seatLine) string {
		if l.State != "submitted" || l.Score == nil {
			return "want submitted with a score"
		}
		return ""
	})
	// Nothing went wrong on the way that the answers hid (a second grading
	// refused by a unique key, a failed sweep): neither node logged an error.
	for _, n := range e.nodes {
		if lines := errorLines(n.log()); len(lines) > 0 {
			t.Errorf("node %s logged %d errors; first: %s", n.name, len(lines), lines[0])
		}
	}
	t.Logf("total %s", time.Since(t0).Round(100*time.Millisecond))
}

const submitters = 4 // candidates who press submit; the sweepers submit the rest

// examDay is the running exam day: the test's own product (seeding and
// SQL only), the two nodes and the candidates at their terminals.
type examDay struct {
	app     *wiring.App
	sql     *sql.DB
	nodes   []*examdNode // A, B
	day     benchkit.ExamDay
	cands   []*relCandidate
	proctor *http.Client // a proctor of the centre, logged in once (on A)
}

// startExamDay seeds the exam day, starts both nodes on the same
// configuration and logs every candidate in on their terminal, every other
// one on A, the others on B; opening the paper starts each one's clock.
func startExamDay(ctx context.Context, t *testing.T) *examDay {
	t.Helper()
	t0 := time.Now()
	tdb, dbcfg := testenv.DBConfig(t, schema.All())
	rdb, rcfg := testenv.RedisConfig(t)
	if rcfg.Addr == "" {
		t.Skip("needs a Redis server both processes reach (only the in-process one is available)")
	}
	// One configuration for the test's own product and both nodes: the
	// same database, Redis prefix and keys.
	settings := map[string]string{
		"EXAMD_DATABASE_DRIVER": "mysql", "EXAMD_DATABASE_DSN": dbcfg.DSN, "EXAMD_DATABASE_MAX_OPEN_CONNS": "24",
		"EXAMD_REDIS_ADDR": rcfg.Addr, "EXAMD_REDIS_PREFIX": rcfg.Prefix,
		"EXAMD_SECURITY_DATA_KEYS": "r1:" + pii.NewKey(), "EXAMD_SECURITY_BLIND_INDEX_KEY": pii.NewKey(),
		"EXAMD_SECURITY_SIGNING_KEYS": "r1:" + signing.NewSeed(), "EXAMD_SECURITY_GENERATE_MISSING_KEYS": "false",
		"EXAMD_TESTING_CLOCK_CONTROL": "true", // the deadline is reached by moving both nodes' clocks
		"EXAMD_LOG_LEVEL":             "info",
		// The bureau admin moves the clocks with a password login; the
		// second factor it needs in production has its own test (mfa_test.go).
		"EXAMD_SECURITY_MFA_REQUIRED_ROLES": "",
	}
	dataDir := t.TempDir()
	cfg, err := configs.Load("", func(k string) (string, bool) {
		if k == "EXAMD_DATA_DIR" {
			return dataDir, true
		}
		v, ok := settings[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	prot, err := pii.FromConfig(cfg.Security, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.FromConfig(cfg.Security, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	e := &examDay{}
	if e.app, err = wiring.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), wiring.Parts{DB: tdb, Redis: rdb, PII: prot, Signer: signer}); err != nil {
		t.Fatal(err)
	}
	if e.sql, err = tdb.Conn(ctx).DB(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Bank().LoadSample(ctx); err != nil { // the formal blueprint
		t.Fatal(err)
	}
	if e.day, err = benchkit.SeedExamDay(ctx, e.app, relCandidates, relPerRoom); err != nil {
		t.Fatal(err)
	}
	for _, s := range []auth.NewStaff{
		{Username: "admin", DisplayName: "admin", Role: auth.RoleBureauAdmin, Password: relPassword},
		{Username: "proctor1", DisplayName: "proctor", Role: auth.RoleProctor, CentreID: e.day.CentreID, Password: relPassword},
	} {
		if _, err := e.app.Auth().CreateStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	seeded := time.Since(t0)
	e.nodes = []*examdNode{newNode(t, "A", settings), newNode(t, "B", settings)}
	for _, n := range e.nodes {
		n.start(t)
	}
	t.Logf("set-up: database and %d candidates seeded in %s, 2 nodes up %s later", relCandidates, seeded.Round(100*time.Millisecond),
		(time.Since(t0) - seeded).Round(100*time.Millisecond))

	e.cands = make([]*relCandidate, len(e.day.Seats))
	parallel(len(e.cands), func(i int) {
		c := &relCandidate{ExamSeat: e.day.Seats[i], home: i % 2, cur: i % 2, acked: map[int64]savedAnswer{}}
		jar, err := c.TerminalJar(e.nodes[0].url())
		if err != nil {
			t.Error(err)
			return
		}
		c.http = &http.Client{Jar: jar, Timeout: 10 * time.Second}
		base := e.nodes[c.home].url()
		if st, body, err := apiCall(c.http, "POST", base+"/api/v1/terminal/login", map[string]string{"ticket_no": c.Ticket, "id_number": c.IDNumber}); err != nil || st != 200 {
			t.Errorf("login %s on %s: %d %s %v", c.Ticket, e.nodes[c.home].name, st, body, err)
			return
		}
		p, err := c.readPaper(base)
		if err != nil {
			t.Error(err)
			return
		}
		c.paper, c.attemptID, c.deadline = p, p.ID, p.Deadline
		e.cands[i] = c
	})
	if t.Failed() {
		t.FailNow()
	}
	e.proctor = staffClient(t, e.nodes[0], "proctor1")
	return e
}

// loadThroughKill runs the candidates' saves; after 3 s node A gets
// SIGKILL and is restarted on its port; its candidates fail over to B and,
// once A is back, resume on A; 3 s later the load stops.
func (e *examDay) loadThroughKill(ctx context.Context, t *testing.T) {
	t.Helper()
	var counts relCounts
	var stopSaving, aBack atomic.Bool
	saveCtx, stopRetrying := context.WithTimeout(ctx, 60*time.Second)
	defer stopRetrying()
	var wg sync.WaitGroup
	for _, c := range e.cands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; !stopSaving.Load() && saveCtx.Err() == nil; k++ {
				if c.home == 0 && aBack.Load() && !c.resumed {
					c.resume(e.nodes[0], &counts)
				}
				c.saveNext(saveCtx, e.nodes, k, &counts)
				time.Sleep(time.Duration(50+mrand.IntN(100)) * time.Millisecond)
			}
		}()
	}
	time.Sleep(3 * time.Second)
	beforeKill := counts.acked.Load()
	e.nodes[0].kill9(t)
	killedAt := time.Now()
	e.nodes[0].start(t)
	restart := time.Since(killedAt)
	aBack.Store(true)
	time.Sleep(3 * time.Second)
	stopSaving.Store(true)
	wg.Wait()
	t.Logf("saves: %d acknowledged (%d before the kill -9 of A); %d requests failed (%d of them in flight when A died), %d saves recovered by a retry on B; A ready again %s after the kill, %d of its candidates resumed on it",
		counts.acked.Load(), beforeKill, counts.failed.Load(), counts.inFlight.Load(), counts.recovered.Load(), restart.Round(10*time.Millisecond), counts.resumed.Load())
	if n := counts.bad.Load(); n > 0 {
		t.Errorf("%d wrong answers from the nodes during the load (saves, resumed papers); first: %v", n, counts.firstBad.Load())
	}
	if counts.failed.Load() == 0 {
		t.Errorf("no request failed: the kill did not happen mid-load")
	}
}

// seatMapsWhileAnswering: the seat map from A and from B shows every
// candidate answering, with the acknowledged count and their deadline.
func (e *examDay) seatMapsWhileAnswering(t *testing.T) {
	t.Helper()
	byBooking := map[int64]*relCandidate{}
	for _, c := range e.cands {
		byBooking[c.BookingID] = c
	}
	seatMapsAgree(t, e.proctor, e.nodes, e.day.Sessions, func(l seatLine) string {
		c := byBooking[l.BookingID]
		switch {
		case c == nil || l.AttemptID != c.attemptID:
			return "not a seeded candidate's attempt"
		case l.State != "answering":
			return "want answering"
		case l.Answered != len(c.acked):
			return fmt.Sprintf("want %d answered (acknowledged)", len(c.acked))
		case l.Deadline == nil || !sameInstant(*l.Deadline, c.deadline):
			return "want the deadline " + c.deadline
		}
		return ""
	})
}

// sweepAtDeadline moves both nodes' clocks 140 minutes on, past the
// 135-minute paper (the test clock is per process), touches no paper, and
// expects the two sweepers to submit every paper still open, each once
// (their log lines add up), finishing at the deadline.
func (e *examDay) sweepAtDeadline(t *testing.T) {
	t.Helper()
	admin := staffClient(t, e.nodes[1], "admin")
	for _, n := range e.nodes {
		if st, body, err := apiCall(admin, "POST", n.url()+"/api/v1/testing/clock", map[string]int{"advance_minutes": 140}); err != nil || st != 200 {
			t.Fatalf("clock of %s: %d %s %v", n.name, st, body, err)
		}
	}
	t0 := time.Now()
	for open := -1; open != 0; time.Sleep(250 * time.Millisecond) {
		if err := e.sql.QueryRow("SELECT COUNT(*) FROM exam_attempts WHERE kind = 'formal' AND status = 'in_progress'").Scan(&open); err != nil {
			t.Fatal(err)
		}
		if time.Since(t0) > 30*time.Second {
			t.Fatalf("%d papers still open 30s after their deadline", open)
		}
	}
	swept := time.Since(t0)
	bySweeper := map[string]int{}
	for _, n := range e.nodes {
		for _, m := range sweptRE.FindAllStringSubmatch(n.log(), -1) {
			k, _ := strconv.Atoi(m[1])
			bySweeper[n.name] += k
		}
	}
	due := e.cands[submitters:]
	wrongFinish := 0
	errs := firstErrors{t: t}
	for _, c := range due {
		var reason string
		var submitted, deadline time.Time
		if err := e.sql.QueryRow("SELECT submit_reason, submitted_at, deadline FROM exam_attempts WHERE id = ?", c.attemptID).Scan(&reason, &submitted, &deadline); err != nil {
			t.Fatal(err)
		}
		if reason != "deadline" || !submitted.Equal(deadline) {
			wrongFinish++
			errs.errorf("attempt %d: submitted %s for %q, deadline %s", c.attemptID, submitted, reason, deadline)
		}
	}
	if n := bySweeper["A"] + bySweeper["B"]; n != len(due) {
		t.Errorf("the sweepers logged %d submissions at the deadline (A %d, B %d), want %d", n, bySweeper["A"], bySweeper["B"], len(due))
	}
	t.Logf("sweep: %d papers submitted at their deadline within %s of it (A's sweeper %d, B's %d), %d with a finish time other than the deadline",
		len(due), swept.Round(100*time.Millisecond), bySweeper["A"], bySweeper["B"], wrongFinish)
}

// sweptRE is the sweeper's log line (exam/attempt RunSweeper).
var sweptRE = regexp.MustCompile(`msg="attempts submitted at their deadline" count=(\d+)`)

func errorLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}

// submitEverywhere presses submit for c six times at once, three on each
// node: every answer must be 200 with the same result.
func submitEverywhere(t *testing.T, c *relCandidate, nodes []*examdNode) {
	t.Helper()
	const clicks = 6
	bodies := make([]string, clicks)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			st, body, err := apiCall(c.http, "POST", nodes[i%2].url()+"/api/v1/terminal/exam/submit", nil)
			var v map[string]any
			if err != nil || st != 200 || json.Unmarshal(body, &v) != nil {
				bodies[i] = fmt.Sprintf("%d %s %v", st, body, err)
				return
			}
			delete(v, "server_now") // the clock of the answering node, not the result
			delete(v, "remaining_seconds")
			b, _ := json.Marshal(v)
			bodies[i] = string(b)
		}()
	}
	close(gate)
	wg.Wait()
	for i, b := range bodies {
		if b != bodies[0] {
			t.Errorf("submit %s: click %d on %s answered\n%.300s\nclick 0 on A\n%.300s", c.Ticket, i, nodes[i%2].name, b, bodies[0])
			return
		}
	}
	if !strings.Contains(bodies[0], `"status":"submitted"`) {
		t.Errorf("submit %s: %.300s", c.Ticket, bodies[0])
	}
}

// checkSubmittedOnce: every paper was graded once, whoever submitted it:
// one result per subject sat and one result SMS in the outbox.
func checkSubmittedOnce(t *testing.T, sqlDB *sql.DB, cands []*relCandidate) {
	t.Helper()
	twice := 0
	errs := firstErrors{t: t}
	for _, c := range cands {
		var results, sms int
		if err := sqlDB.QueryRow("SELECT COUNT(*) FROM exam_subject_results WHERE attempt_id = ?", c.attemptID).Scan(&results); err != nil {
			t.Fatal(err)
		}
		if err := sqlDB.QueryRow("SELECT COUNT(*) FROM notify_outbox WHERE dedupe_key = ?", fmt.Sprintf("attempt:%d:result", c.attemptID)).Scan(&sms); err != nil {
			t.Fatal(err)
		}
		if results != 2 || sms != 1 { // the seeded candidates sit both subjects
			twice++
			errs.errorf("attempt %d: %d subject results, %d result SMS; want 2 and 1", c.attemptID, results, sms)
		}
	}
	t.Logf("graded once: %d papers, %d with other than 2 subject results and 1 result SMS", len(cands), twice)
}

func sameInstant(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

// readPaper reads the candidate's paper from the node at base.
func (c *relCandidate) readPaper(base string) (paperJSON, error) {
	st, body, err := apiCall(c.http, "GET", base+"/api/v1/terminal/exam", nil)
	if err != nil || st != 200 {
		return paperJSON{}, fmt.Errorf("paper of %s from %s: %d %s %v", c.Ticket, base, st, body, err)
	}
	var p paperJSON
	err = json.Unmarshal(body, &p)
	return p, err
}

// saveNext saves the next answer (question k of the paper, an option that
// changes with seq) and retries it until a node acknowledges it: on a
// failure (connection refused or reset, 5xx) against the other node. A
// retry of a save whose first try committed is refused as not newer and
// answered with the stored answer, which is this one: it is acknowledged
// then too.
func (c *relCandidate) saveNext(ctx context.Context, nodes []*examdNode, k int, n *relCounts) {
	// Two of three saves answer the next question, the third changes an
	// earlier answer (the newest must win).
	qs := c.paper.Questions
	q := qs[c.next%len(qs)]
	if k%3 == 2 && c.next > 0 {
		q = qs[(k/3)%c.next]
	} else {
		c.next++
	}
	c.seq++
	want := savedAnswer{given: q.Options[int(c.seq)%len(q.Options)].Key, seq: c.seq}
	body := map[string]any{"given": []string{want.given}, "seq": want.seq, "marked": false}
	for try := 0; ctx.Err() == nil; try++ {
		url := fmt.Sprintf("%s/api/v1/terminal/exam/answers/%d", nodes[c.cur].url(), q.QuestionID)
		st, b, err := apiCall(c.http, "PUT", url, body)
		if err != nil || st >= 500 {
			n.failed.Add(1)
			if err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
				n.inFlight.Add(1) // sent, then the connection died: committed or not, the retry tells
			}
			c.cur = 1 - c.cur // fail over to the other node
			time.Sleep(time.Duration(min(try+1, 5)) * 50 * time.Millisecond)
			continue
		}
		var got struct {
			Given []string `json:"given"`
			Seq   int64    `json:"seq"`
		}
		if st != 200 || json.Unmarshal(b, &got) != nil || got.Seq != want.seq || strings.Join(got.Given, ",") != want.given {
			n.badf("save %s q%d seq %d on %s: %d %s", c.Ticket, q.QuestionID, want.seq, nodes[c.cur].name, st, b)
			return
		}
		c.acked[q.QuestionID] = want
		n.acked.Add(1)
		if try > 0 {
			n.recovered.Add(1)
		}
		return
	}
	n.badf("save %s q%d seq %d never acknowledged", c.Ticket, q.QuestionID, want.seq)
}

// resume is the candidate of A going back to A after its restart: the
// paper A shows holds every answer acknowledged so far (by A before it
// died or by B since) and the same deadline.
func (c *relCandidate) resume(a *examdNode, n *relCounts) {
	c.resumed = true
	p, err := c.readPaper(a.url())
	if err != nil {
		n.badf("resume: %v", err)
		return
	}
	if d := c.paperDiff(p); d != "" {
		n.badf("resume of %s on A: %s", c.Ticket, d)
		return
	}
	c.cur = 0
	n.resumed.Add(1)
}

// paperDiff says how p differs from what the candidate was acknowledged.
func (c *relCandidate) paperDiff(p paperJSON) string {
	if p.ID != c.attemptID || p.Deadline != c.deadline || p.Status != "in_progress" {
		return fmt.Sprintf("attempt %d deadline %s status %s, want %d %s in_progress", p.ID, p.Deadline, p.Status, c.attemptID, c.deadline)
	}
	for _, q := range p.Questions {
		got := savedAnswer{given: strings.Join(q.Given, ","), seq: q.Seq}
		if want := c.acked[q.QuestionID]; got != want {
			return fmt.Sprintf("question %d holds %+v, newest acknowledged %+v", q.QuestionID, got, want)
		}
	}
	return ""
}

// checkPapers reads every candidate's paper from both nodes.
func checkPapers(t *testing.T, cands []*relCandidate, nodes []*examdNode) {
	t.Helper()
	var wrong atomic.Int64
	errs := firstErrors{t: t}
	parallel(len(cands), func(i int) {
		c := cands[i]
		for _, n := range nodes {
			p, err := c.readPaper(n.url())
			if err == nil {
				if d := c.paperDiff(p); d != "" {
					err = fmt.Errorf("%s from %s: %s", c.Ticket, n.name, d)
				}
			}
			if err != nil {
				wrong.Add(1)
				errs.errorf("%v", err)
			}
		}
	})
	t.Logf("papers: %d candidates read from A and from B, %d differ from what was acknowledged", len(cands), wrong.Load())
}

// checkStored compares the database with what was acknowledged.
func checkStored(t *testing.T, sqlDB *sql.DB, cands []*relCandidate) {
	t.Helper()
	acked, lost, deadlines := 0, 0, 0
	errs := firstErrors{t: t}
	for _, c := range cands {
		var deadline time.Time
		if err := sqlDB.QueryRow("SELECT deadline FROM exam_attempts WHERE id = ?", c.attemptID).Scan(&deadline); err != nil {
			t.Fatal(err)
		}
		if !sameInstant(deadline.Format(time.RFC3339Nano), c.deadline) {
			deadlines++
			errs.errorf("attempt %d: deadline %s in SQL, %s at login", c.attemptID, deadline, c.deadline)
		}
		rows, err := sqlDB.Query("SELECT question_id, given, seq FROM exam_attempt_items WHERE attempt_id = ?", c.attemptID)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[int64]savedAnswer{}
		for rows.Next() {
			var q int64
			var a savedAnswer
			if err := rows.Scan(&q, &a.given, &a.seq); err != nil {
				t.Fatal(err)
			}
			stored[q] = a
		}
		rows.Close()
		for q, want := range c.acked {
			acked++
			if stored[q] != want {
				lost++
				errs.errorf("attempt %d question %d: %+v in SQL, acknowledged %+v", c.attemptID, q, stored[q], want)
			}
		}
	}
	t.Logf("sql: %d answered questions hold the newest acknowledged answer, %d missing or different; %d deadlines changed", acked-lost, lost, deadlines)
}

// staffClient logs a staff user in on node n; the session works on every node.
func staffClient(t *testing.T, n *examdNode, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	// A login that stops at the second-factor step answers 200 without a user.
	if st, body, err := apiCall(c, "POST", n.url()+"/api/v1/auth/staff/login", map[string]string{"username": username, "password": relPassword}); err != nil || st != 200 || !strings.Contains(string(body), `"user"`) {
		t.Fatalf("staff login %s: %d %s %v", username, st, body, err)
	}
	return c
}

type seatLine struct {
	BookingID int64   `json:"booking_id"`
	State     string  `json:"state"`
	AttemptID int64   `json:"attempt_id"`
	Answered  int     `json:"answered"`
	Total     int     `json:"total"`
	Deadline  *string `json:"deadline"`
	Passed    *bool   `json:"passed"`
	Score     *int    `json:"score"`
}

func (l seatLine) String() string {
	s := fmt.Sprintf("booking %d: %s, %d/%d answered", l.BookingID, l.State, l.Answered, l.Total)
	if l.Deadline != nil {
		s += ", deadline " + *l.Deadline
	}
	if l.Score != nil {
		s += ", score " + strconv.Itoa(*l.Score)
	}
	return s
}

// seatMapsAgree polls the seat map of every session from every node, as
// the proctor console does, until they agree and every line is as want
// says ("" = as expected), within the console's refresh window.
func seatMapsAgree(t *testing.T, c *http.Client, nodes []*examdNode, sessions []int64, want func(seatLine) string) {
	t.Helper()
	t0 := time.Now()
	var problem string
	for time.Since(t0) < 5*time.Second {
		problem = ""
		var first []seatLine
		for _, n := range nodes {
			var lines []seatLine
			for _, id := range sessions {
				st, body, err := apiCall(c, "GET", fmt.Sprintf("%s/api/v1/proctor/sessions/%d/seat-map", n.url(), id), nil)
				var m struct {
					Lines []seatLine `json:"lines"`
				}
				if err != nil || st != 200 || json.Unmarshal(body, &m) != nil {
					t.Fatalf("seat map %d from %s: %d %s %v", id, n.name, st, body, err)
				}
				lines = append(lines, m.Lines...)
			}
			for _, l := range lines {
				if w := want(l); w != "" && problem == "" {
					problem = fmt.Sprintf("from %s: %s: %s", n.name, l, w)
				}
			}
			if first == nil {
				first = lines
			} else if !slices.EqualFunc(first, lines, func(a, b seatLine) bool { return a.String() == b.String() }) && problem == "" {
				problem = "node A and node B show different seat maps"
			}
		}
		if problem == "" {
			t.Logf("seat map: %d lines, the same from A and B after %s", len(first), time.Since(t0).Round(10*time.Millisecond))
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Errorf("seat maps after 5s: %s", problem)
}

// firstErrors reports the first few errors of a check in full (its summary
// line counts them all).
type firstErrors struct {
	t *testing.T
	n atomic.Int64
}

func (e *firstErrors) errorf(format string, args ...any) {
	e.t.Helper()
	if e.n.Add(1) <= 3 {
		e.t.Errorf(format, args...)
	} else {
		e.t.Fail()
	}
}

// parallel runs f(0..n-1) on a few goroutines.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(n, 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}
