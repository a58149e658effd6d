package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// A contended route runs its slots' worth of requests at once; the next
// waits its turn and runs when a slot frees, or gets 503 server_busy with
// Retry-After once it has waited the limit. Waiters are served in arrival
// order.
func TestAdmissionQueuesInArrivalOrder(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	e := gin.New()
	e.GET("/book", newAdmission(1, 2*time.Second).handler(), func(c *gin.Context) {
		mu.Lock()
		order = append(order, c.Query("who"))
		mu.Unlock()
		if c.Query("who") == "first" {
			<-release
		}
		c.Status(http.StatusNoContent)
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	get := func(who string) int {
		res, err := http.Get(srv.URL + "/book?who=" + who)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	var wg sync.WaitGroup
	codes := map[string]int{}
	var cmu sync.Mutex
	run := func(who string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := get(who)
			cmu.Lock()
			codes[who] = code
			cmu.Unlock()
		}()
	}
	run("first")
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	for _, who := range []string{"second", "third", "fourth"} {
		run(who)
		time.Sleep(30 * time.Millisecond) // arrive in this order
	}
	close(release)
	wg.Wait()
	if got := strings.Join(order, ","); got != "first,second,third,fourth" {
		t.Fatalf("served in order %s", got)
	}
	for who, code := range codes {
		if code != http.StatusNoContent {
			t.Errorf("%s: %d", who, code)
		}
	}

	// One slot held past the wait: the next request is refused.
	hold := make(chan struct{})
	e2 := gin.New()
	e2.GET("/book", newAdmission(1, 50*time.Millisecond).handler(), func(c *gin.Context) { <-hold; c.Status(http.StatusNoContent) })
	srv2 := httptest.NewServer(e2)
	defer srv2.Close()
	go func() {
		res, err := http.Get(srv2.URL + "/book")
		if err == nil {
			res.Body.Close()
		}
	}()
	time.Sleep(30 * time.Millisecond)
	res, err := http.Get(srv2.URL + "/book")
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	buf := make([]byte, 512)
	n, _ := res.Body.Read(buf)
	body.Write(buf[:n])
	res.Body.Close()
	close(hold)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2" || !strings.Contains(body.String(), `"code":"server_busy"`) {
		t.Fatalf("after the wait: %d Retry-After=%q %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached")
}
