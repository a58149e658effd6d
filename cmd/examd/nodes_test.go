package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nodeEnv, when set, makes this test binary run examd's main() with the
// arguments in it (space separated) instead of the tests: the reliability
// test starts real examd processes from the binary it is already running,
// so a SIGKILL hits a process and nothing needs building.
const nodeEnv = "TAXIEXAM_TEST_EXAMD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(nodeEnv); args != "" {
		// A node outlives no test: if the test binary dies (a timeout
		// panic skips its cleanups), the node is re-parented and exits.
		parent := os.Getppid()
		go func() {
			for range time.Tick(time.Second) {
				if os.Getppid() != parent {
					os.Exit(2)
				}
			}
		}()
		os.Args = append([]string{"examd"}, strings.Fields(args)...)
		main() // exits non-zero on error
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// examdNode is one `examd serve` process on a fixed address; restarting it
// brings it back on the same port, as a supervisor (systemd) would.
type examdNode struct {
	name, addr string
	env        []string
	logPath    string
	cmd        *exec.Cmd
	exited     chan error
	starts     int
}

// newNode prepares a node with settings (EXAMD_* values) on a free
// loopback port; the parent's EXAMD_* variables are not inherited.
func newNode(t *testing.T, name string, settings map[string]string) *examdNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := &examdNode{name: name, addr: addr, logPath: filepath.Join(t.TempDir(), name+".log")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EXAMD_") && !strings.HasPrefix(kv, nodeEnv+"=") {
			n.env = append(n.env, kv)
		}
	}
	for k, v := range settings {
		n.env = append(n.env, k+"="+v)
	}
	n.env = append(n.env, nodeEnv+"=serve", "EXAMD_SERVER_ADDR="+addr, "EXAMD_SERVER_PUBLIC_URL=http://"+addr, "EXAMD_DATA_DIR="+t.TempDir())
	t.Cleanup(func() {
		n.stop()
		if t.Failed() {
			t.Logf("node %s log (tail):\n%s", n.name, n.logTail(40))
		}
	})
	return n
}

func (n *examdNode) url() string { return "http://" + n.addr }

// start runs the process and waits until /readyz answers 200; it returns
// how long that took.
func (n *examdNode) start(t *testing.T) time.Duration {
	t.Helper()
	t0 := time.Now()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(logf, "---- start %d\n", n.starts+1)
	cmd := exec.Command(exe)
	cmd.Env, cmd.Stdout, cmd.Stderr = n.env, logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	n.cmd, n.exited, n.starts = cmd, make(chan error, 1), n.starts+1
	go func(exited chan error) { exited <- cmd.Wait() }(n.exited)
	ready := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-n.exited:
			n.exited <- err
			t.Fatalf("node %s exited while starting: %v\n%s", n.name, err, n.logTail(30))
		default:
		}
		if res, err := ready.Get(n.url() + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(t0)
			}
		}
	}
	t.Fatalf("node %s not ready within 90s\n%s", n.name, n.logTail(30))
	return 0
}

// kill9 sends SIGKILL: no drain, no deferred code, the process is gone.
func (n *examdNode) kill9(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-n.exited
	n.cmd = nil
}

// stop ends the process gracefully (SIGTERM), or kills it after 30s.
func (n *examdNode) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

func (n *examdNode) log() string {
	b, _ := os.ReadFile(n.logPath)
	return string(b)
}

// logTail is the end of the node's log without its access log of
// answered requests (5xx kept).
func (n *examdNode) logTail(lines int) string {
	var l []string
	for _, line := range strings.Split(strings.TrimRight(n.log(), "\n"), "\n") {
		if !strings.Contains(line, "msg=http ") || strings.Contains(line, "status=5") {
			l = append(l, line)
		}
	}
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}

// apiCall sends a JSON request the way the web app does; err is a transport
// failure (connection refused or reset: the node is down).
func apiCall(c *http.Client, method, url string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "examd")
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}
