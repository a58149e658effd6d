package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/configs"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/testenv"
)

// idemServer serves POST /things through the idempotency middleware the way
// New does, with short leases; the caller is the X-User header.
func idemServer(t *testing.T, h gin.HandlerFunc) (*httptest.Server, *idemStore) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	s := &idemStore{r: testenv.Redis(t), pii: testenv.Protector(t),
		policy: idemPolicy{Outcome: time.Hour, Lease: 2 * time.Second, Renew: 250 * time.Millisecond, Wait: 3 * time.Second, Deadline: 10 * time.Second}}
	e := gin.New()
	asUser := func(c *gin.Context) {
		if u := c.GetHeader("X-User"); u != "" {
			c.Request = c.Request.WithContext(reqctx.With(c.Request.Context(), reqctx.Request{Actor: &reqctx.Actor{Kind: "candidate", UserID: int64(len(u))}}))
		}
	}
	e.POST("/things", asUser, idempotency(s), h)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, s
}

type idemResult struct {
	status   int
	body     string
	replayed bool
	err      error
}

func idemPost(ctx context.Context, url, key, user, body string) idemResult {
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/things", strings.NewReader(body))
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-User", user)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return idemResult{err: err}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return idemResult{status: res.StatusCode, body: string(b), replayed: res.Header.Get("Idempotent-Replayed") == "true"}
}

// counted answers 201 {"n":<execution number>} and counts executions.
func counted(n *atomic.Int32, before func(run int32)) gin.HandlerFunc {
	return func(c *gin.Context) {
		_, _ = io.ReadAll(c.Request.Body) // as bindJSON does (net/http then watches the connection)
		run := n.Add(1)
		if before != nil {
			before(run)
		}
		c.Data(http.StatusCreated, "application/json", []byte(`{"n":`+string(rune('0'+run))+`,"name":"张三"}`))
	}
}

// TestIdempotencyResponseLost: the client gives up while the server works;
// the outcome is still stored and the retry gets it, executed once.
func TestIdempotencyResponseLost(t *testing.T) {
	var runs atomic.Int32
	release := make(chan struct{})
	srv, _ := idemServer(t, counted(&runs, func(int32) { <-release }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan idemResult)
	go func() { done <- idemPost(ctx, srv.URL, "lost-response-1", "a", `{"x":1}`) }()
	for runs.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel() // the phone lost its connection
	if r := <-done; r.err == nil {
		t.Fatalf("the first call should have lost its response: %+v", r)
	}
	time.Sleep(200 * time.Millisecond) // the server has seen the client go
	close(release)
	r := idemPost(context.Background(), srv.URL, "lost-response-1", "a", `{"x":1}`)
	if r.status != http.StatusCreated || !r.replayed || !strings.Contains(r.body, `"n":1`) || runs.Load() != 1 {
		t.Fatalf("retry after a lost response: %+v, runs %d", r, runs.Load())
	}
}

// TestIdempotencyServerDiedMidRequest: the node handling the first call dies
// (no response, no outcome, its lease stops being renewed); the retry
// executes once the lease has run out instead of being refused for a day.
func TestIdempotencyServerDiedMidRequest(t *testing.T) {
	var runs atomic.Int32
	srv, _ := idemServer(t, counted(&runs, func(run int32) {
		if run == 1 {
			runtime.Goexit() // the goroutine dies mid-request, as with kill -9
		}
	}))
	if r := idemPost(context.Background(), srv.URL, "crash-key-1", "a", `{"x":1}`); r.err == nil {
		t.Fatalf("the first call should have died: %+v", r)
	}
	r := idemPost(context.Background(), srv.URL, "crash-key-1", "a", `{"x":1}`)
	if r.status != http.StatusCreated || r.replayed || !strings.Contains(r.body, `"n":2`) {
		t.Fatalf("retry after the crash: %+v", r)
	}
	r = idemPost(context.Background(), srv.URL, "crash-key-1", "a", `{"x":1}`)
	if r.status != http.StatusCreated || !r.replayed || !strings.Contains(r.body, `"n":2`) || runs.Load() != 2 {
		t.Fatalf("second retry should replay the re-executed outcome: %+v, runs %d", r, runs.Load())
	}
}

// TestIdempotencyParallelDuplicates: two calls with one key at once execute
// once; both get the same status and body.
func TestIdempotencyParallelDuplicates(t *testing.T) {
	var runs atomic.Int32
	srv, _ := idemServer(t, counted(&runs, func(int32) { time.Sleep(300 * time.Millisecond) }))
	var wg sync.WaitGroup
	res := make([]idemResult, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = idemPost(context.Background(), srv.URL, "parallel-key-1", "a", `{"x":1}`)
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r.status != http.StatusCreated || r.body != res[0].body {
			t.Fatalf("call %d: %+v (first %+v)", i, r, res[0])
		}
	}
	if runs.Load() != 1 || res[0].replayed == res[1].replayed {
		t.Fatalf("executed %d times; replayed %v %v", runs.Load(), res[0].replayed, res[1].replayed)
	}
}

// TestIdempotencyRules: replays give the original status; keys belong to
// their caller; a reused key with another body is refused; our own failures
// and refused keys leave nothing behind; nothing readable is stored.
func TestIdempotencyRules(t *testing.T) {
	var runs atomic.Int32
	fail500 := atomic.Bool{}
	srv, s := idemServer(t, func(c *gin.Context) {
		_, _ = io.ReadAll(c.Request.Body)
		run := runs.Add(1)
		if fail500.Load() {
			c.Status(http.StatusInternalServerError)
			return
		}
		if strings.Contains(c.GetHeader("Idempotency-Key"), "conflict") {
			c.Data(http.StatusConflict, "application/json", []byte(`{"error":{"code":"x"}}`))
			return
		}
		c.Data(http.StatusCreated, "application/json", []byte(`{"n":`+string(rune('0'+run))+`,"id_number":"35050219900101123X"}`))
	})
	bg := context.Background()
	cases := []struct {
		name, key, user, body string
		wantStatus            int
		wantReplayed          bool
	}{
		{"first call", "rules-key-01", "a", `{"x":1}`, 201, false},
		{"replay", "rules-key-01", "a", `{"x":1}`, 201, true},
		{"other caller, same key", "rules-key-01", "bb", `{"x":1}`, 201, false},
		{"same key, other body", "rules-key-01", "a", `{"x":2}`, 422, false},
		{"4xx is an outcome too", "rules-conflict", "a", `{}`, 409, false},
		{"4xx replayed", "rules-conflict", "a", `{}`, 409, true},
		{"key too short", "short", "a", `{}`, 400, false},
		{"key with a space", "has a space in it", "a", `{}`, 400, false},
	}
	for _, tc := range cases {
		r := idemPost(bg, srv.URL, tc.key, tc.user, tc.body)
		if r.status != tc.wantStatus || r.replayed != tc.wantReplayed {
			t.Errorf("%s: %d replayed=%v %s", tc.name, r.status, r.replayed, r.body)
		}
	}
	fail500.Store(true)
	before := runs.Load()
	idemPost(bg, srv.URL, "rules-500-key", "a", `{}`)
	idemPost(bg, srv.URL, "rules-500-key", "a", `{}`)
	if runs.Load() != before+2 {
		t.Errorf("a 5xx must not be replayed: %d runs", runs.Load()-before)
	}
	if found := testenv.PlaintextInRedis(t, s.r, "35050219900101123X", "rules-key"); len(found) > 0 {
		t.Errorf("plaintext in Redis: %v", found)
	}
}

// TestIdempotencyNodeKilledMidRequest: a real process (this test binary as a
// helper node) is killed with SIGKILL while it handles the first call; a
// second node over the same Redis executes the retry once the dead node's
// lease has run out, and a further retry replays that outcome.
func TestIdempotencyNodeKilledMidRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes")
	}
	addr := os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		t.Skip("needs a real Redis shared by two processes")
	} else {
		c.Close()
	}
	r := testenv.Redis(t) // for its prefix and clean-up
	keys := "n1:" + pii.NewKey() + "|" + pii.NewKey()
	start := func(block string) (*exec.Cmd, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIdempotencyHelperNode$")
		cmd.Env = append(os.Environ(), "IDEM_NODE=1", "IDEM_BLOCK="+block, "IDEM_REDIS="+addr, "IDEM_PREFIX="+r.Prefix(), "IDEM_KEYS="+keys)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				go func() { _, _ = io.Copy(io.Discard, out) }()
				return cmd, "http://" + a
			}
		}
		t.Fatal("helper node did not start")
		return nil, ""
	}
	first, firstURL := start("1")
	go idemPost(context.Background(), firstURL, "killed-node-key", "a", `{"x":1}`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if n, _ := r.Keys(context.Background(), r.Key("idem", "*")).Result(); len(n) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first node never claimed the key")
		}
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL mid-request
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	_, secondURL := start("0")
	res := idemPost(context.Background(), secondURL, "killed-node-key", "a", `{"x":1}`)
	if res.status != http.StatusCreated || res.replayed {
		t.Fatalf("retry on the second node: %+v", res)
	}
	again := idemPost(context.Background(), secondURL, "killed-node-key", "a", `{"x":1}`)
	if again.status != http.StatusCreated || !again.replayed || again.body != res.body {
		t.Fatalf("replay after the re-execution: %+v (first %+v)", again, res)
	}
}

// TestIdempotencyHelperNode is the helper process of the test above; it does
// nothing in a normal run.
func TestIdempotencyHelperNode(t *testing.T) {
	if os.Getenv("IDEM_NODE") != "1" {
		t.Skip("helper process only")
	}
	rdb, err := kv.Open(context.Background(), configs.Redis{Addr: os.Getenv("IDEM_REDIS"), Prefix: os.Getenv("IDEM_PREFIX")})
	if err != nil {
		t.Fatal(err)
	}
	dk, bk, _ := strings.Cut(os.Getenv("IDEM_KEYS"), "|")
	p, err := pii.New(dk, bk)
	if err != nil {
		t.Fatal(err)
	}
	s := &idemStore{r: rdb, pii: p, policy: idemPolicy{Outcome: time.Hour, Lease: time.Second, Renew: 300 * time.Millisecond, Wait: 5 * time.Second, Deadline: time.Hour}}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.POST("/things", func(c *gin.Context) {
		c.Request = c.Request.WithContext(reqctx.With(c.Request.Context(), reqctx.Request{Actor: &reqctx.Actor{Kind: "candidate", UserID: 1}}))
	}, idempotency(s), func(c *gin.Context) {
		_, _ = io.ReadAll(c.Request.Body)
		if os.Getenv("IDEM_BLOCK") == "1" {
			select {} // busy until killed
		}
		c.Data(http.StatusCreated, "application/json", []byte(fmt.Sprintf(`{"pid":%d}`, os.Getpid())))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("LISTEN " + ln.Addr().String())
	_ = http.Serve(ln, e)
}

// TestIdempotencyOldRecordsAreIgnored: a record in the format of the
// previous release (a bare "pending", or a plaintext JSON outcome) is
// neither replayed nor allowed to block the key.
func TestIdempotencyOldRecordsAreIgnored(t *testing.T) {
	var runs atomic.Int32
	srv, s := idemServer(t, counted(&runs, nil))
	bg := context.Background()
	// Find the Redis key the middleware uses for this caller and key.
	if r := idemPost(bg, srv.URL, "old-format-1", "a", `{"x":1}`); r.status != http.StatusCreated {
		t.Fatal(r)
	}
	keys, _ := s.r.Keys(bg, s.r.Key("idem", "*")).Result()
	for _, old := range []string{"pending", `{"status":200,"content_type":"application/json","body":"e30="}`} {
		s.r.Set(bg, keys[0], old, time.Hour)
		before := runs.Load()
		if r := idemPost(bg, srv.URL, "old-format-1", "a", `{"x":1}`); r.status != http.StatusCreated || r.replayed || runs.Load() != before+1 {
			t.Fatalf("old record %q: %+v", old, r)
		}
	}
}
