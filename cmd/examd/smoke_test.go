package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedDefaultBoots runs `examd serve` exactly as the README's first
// command does (embedded config: SQLite file, in-process Redis, SMS to the
// log), checks it is ready and serves the web app shell, then stops it with
// a cancelled context (SIGTERM) and expects a clean shutdown.
func TestEmbeddedDefaultBoots(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("EXAMD_DATA_DIR", dir)
	t.Setenv("EXAMD_SERVER_ADDR", "127.0.0.1:0")
	t.Setenv("EXAMD_BOOTSTRAP_ADMIN_PASSWORD", "")
	t.Setenv("EXAMD_DATABASE_DRIVER", "sqlite")
	t.Setenv("EXAMD_REDIS_ADDR", "")

	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, outW, io.Discard)
		outW.Close()
	}()

	addrRE := regexp.MustCompile(`running on (\S+)`)
	adminRE := regexp.MustCompile(`username "admin" password "([^"]+)"`)
	addrC, pwC := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addrC <- m[1]
			}
			if m := adminRE.FindStringSubmatch(sc.Text()); m != nil {
				pwC <- m[1]
			}
		}
	}()
	var addr, pw string
	timeout := time.After(60 * time.Second)
	for addr == "" || pw == "" {
		select {
		case addr = <-addrC:
		case pw = <-pwC:
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		case <-timeout:
			t.Fatal("serve did not print its address and the first admin's password")
		}
	}
	base := "http://" + addr
	res, err := http.Get(base + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	res, err = http.Get(base + "/staff/login")
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("web app: %v %v", res, err)
	}
	res.Body.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/staff/login", strings.NewReader(`{"username":"admin","password":"`+pw+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "examd")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("admin login: %v %v", res, err)
	}
	// The embedded default requires a second factor of bureau admins: the
	// first login enrols the authenticator.
	if b, _ := io.ReadAll(res.Body); !strings.Contains(string(b), `"enrol":true`) || strings.Contains(string(b), `"user"`) {
		t.Fatalf("admin login without an authenticator: %s", b)
	}
	res.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
}
