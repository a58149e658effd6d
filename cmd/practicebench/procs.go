package main

import (
	"context"
	"database/sql"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }

// processCPU is the user+system CPU time this process has used (server
// and load generator alike; MariaDB and Redis are other processes).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU reads the CPU time Redis and MariaDB have used, so a scenario
// can be charged what it cost them too (both share the machine's cores).
// Redis answers INFO cpu; MariaDB's is read from /proc when it runs here.
// Either is 0 when unknown. Both servers are shared with whatever else
// runs on the machine, so these are upper bounds.
type serverCPU struct {
	rdb      redis.UniversalClient
	mariaPID int
}

func newServerCPU(rdb redis.UniversalClient, admin *sql.DB) *serverCPU {
	s := &serverCPU{rdb: rdb}
	var name, pidFile string
	if admin.QueryRow("SHOW VARIABLES LIKE 'pid_file'").Scan(&name, &pidFile) == nil {
		if b, err := os.ReadFile(pidFile); err == nil {
			s.mariaPID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	return s
}

func (s *serverCPU) redisCPU() time.Duration {
	info, err := s.rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

func (s *serverCPU) mariaCPU() time.Duration {
	if s.mariaPID == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.mariaPID) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the ")" closing the command name: utime and stime are 14 and 15.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

func (s *serverCPU) read() (redisCPU, mariaCPU time.Duration) { return s.redisCPU(), s.mariaCPU() }
