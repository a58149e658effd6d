// Command statsbench measures the statistics dashboard on MariaDB over
// data it generates: the reform demo (internal/demo) scaled to a city
// (-scale 1: about 8,700 candidates and 312,000 practice sessions in 2024,
// and 2023) or a province (-scale 10), in a fresh database it drops after.
//
// For each scale it prints, measured in the same run on the same data:
//
//	floor      SELECT COUNT(*) over practice_sessions (the largest table the dashboard reads), bare SQL
//	live       the service's Dashboard for 2024 compared with 2023, every figure measured from the tables
//	rollup     rolling up the settled days (what the rollup worker does once)
//	dashboard  the same Dashboard reading the rollup (what the page does), median and max of -runs
//	per query  the slowest query of each figure in one live run
//
// Usage: go run ./cmd/statsbench [-dsn root@tcp(127.0.0.1:3306)/] [-scales 1,10] [-runs 5] [-keep]
// Results and how to read them: docs/performance.md ("Statistics").
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/configs"
	"taxiexam/internal/demo"
	"taxiexam/internal/demo/demodb"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/statistics"
	"taxiexam/internal/statistics/statisticsdb"
	"taxiexam/internal/wiring/schema"
)

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (a database is created and dropped)")
	scales := flag.String("scales", "1", "comma-separated scales: 1 = a city, 10 = about a province")
	runs := flag.Int("runs", 5, "dashboard runs per scale")
	keep := flag.Bool("keep", false, "keep the generated databases")
	flag.Parse()
	for _, f := range strings.Split(*scales, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			fmt.Fprintln(os.Stderr, "statsbench: bad scale", f)
			os.Exit(2)
		}
		if err := bench(context.Background(), *dsn, k, *runs, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "statsbench:", err)
			os.Exit(1)
		}
	}
}

func randomKey(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func bench(ctx context.Context, dsn string, scale, runs int, keep bool) error {
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "statsbench_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	if !keep {
		defer admin.Exec("DROP DATABASE IF EXISTS " + name) //nolint:errcheck
	}
	mc, err := mysqldrv.ParseDSN(dsn)
	if err != nil {
		return err
	}
	mc.DBName = name
	db, err := sqldb.Open(configs.Database{Driver: "mysql", DSN: mc.FormatDSN(), MaxOpenConns: 16, MaxIdleConns: 16, ConnMaxLifetime: time.Hour}, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, schema.All()); err != nil {
		return err
	}
	p, err := pii.New("k1:"+randomKey(32), randomKey(32))
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}

	fmt.Printf("== scale %d (database %s)\n", scale, name)
	began := time.Now()
	sum, err := demo.Generate(ctx, demodb.New(db, p), demo.Options{Preset: "reform", Scale: scale, Previous: true, Seed: 2024, Location: loc,
		City: "漳州市", Authority: "漳州市交通运输局", IssuerCode: "11350600MB0000000X", Validity: 6, Now: time.Now()})
	if err != nil {
		return err
	}
	y := sum.Years[len(sum.Years)-1]
	var practice, answers int64
	_ = db.Conn(ctx).Raw("SELECT COUNT(*) FROM practice_sessions").Scan(&practice).Error
	_ = db.Conn(ctx).Raw("SELECT COALESCE(SUM(answers), 0) FROM practice_answer_hours").Scan(&answers).Error
	fmt.Printf("generated %d rows in %s: %d candidates in %d, %d practice sessions and %d practice answers over both years\n",
		sum.Rows, time.Since(began).Round(time.Second), y.Registrations, y.Year, practice, answers)
	if _, err := db.Conn(ctx).Statement.ConnPool.ExecContext(ctx, "ANALYZE TABLE applications, application_events, exam_bookings, exam_sessions, exam_subject_results, certificates, cert_deliveries, notify_outbox, practice_sessions"); err != nil {
		return err
	}

	// The floor: one bare COUNT over the largest table the dashboard reads.
	floor := timed(runs, func() error {
		var n int64
		return db.Conn(ctx).Raw("SELECT COUNT(*) FROM practice_sessions").Scan(&n).Error
	})
	fmt.Printf("floor      SELECT COUNT(*) FROM practice_sessions (%d rows):  median %s  max %s\n", practice, floor[len(floor)/2], floor[len(floor)-1])

	store := statisticsdb.New(db)
	svc := statistics.NewService(store, nil, clock.System{}, loc)
	actx := reqctx.With(ctx, reqctx.Request{ID: "bench", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin"}})
	q := statistics.Query{From: "2024-01-01", To: "2024-12-31", Compare: statistics.CompareYear}
	var d statistics.Dashboard
	dashboard := func() []time.Duration {
		return timed(runs, func() error {
			var err error
			d, err = svc.Dashboard(actx, q)
			return err
		})
	}
	live := dashboard()
	fmt.Printf("live       2024 vs 2023, every figure measured from the tables:    median %s  max %s  (%.1fx the floor)\n",
		live[len(live)/2], live[len(live)-1], float64(live[len(live)/2])/float64(max(1, floor[len(floor)/2])))
	rollStart := time.Now()
	days, err := svc.Rollup(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rollup     %d settled days rolled up in %s\n", days, time.Since(rollStart).Round(time.Millisecond))
	dash := dashboard()
	fmt.Printf("dashboard  2024 vs 2023 from the rollup (what the page does):    median %s  max %s  (%.1fx the floor)\n",
		dash[len(dash)/2], dash[len(dash)-1], float64(dash[len(dash)/2])/float64(max(1, floor[len(floor)/2])))
	fmt.Printf("           2024: %d registrations, %d bookings, no-show %.2f%%, pass %.2f%%, mail %.2f%%, %d certificates, %d practice sessions\n",
		d.Totals.Registrations, d.Totals.Bookings, d.Totals.NoShowRate.Percent, d.Totals.PassRate.Percent, d.Totals.MailRate.Percent, d.Totals.Certificates, d.Totals.PracticeSessions)

	// Per query of a live run (both years measure at once, so keep the slower).
	if err := db.Conn(ctx).Exec("DELETE FROM stats_days").Error; err != nil {
		return err
	}
	slowest := map[statistics.Metric]time.Duration{}
	store.Trace = func(m statistics.Metric, dur time.Duration) {
		slowest[m] = max(slowest[m], dur)
	}
	if _, err := svc.Dashboard(actx, q); err != nil {
		return err
	}
	store.Trace = nil
	ms := make([]statistics.Metric, 0, len(slowest))
	for m := range slowest {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return slowest[ms[i]] > slowest[ms[j]] })
	fmt.Print("per query ")
	for _, m := range ms {
		fmt.Printf(" %s %s;", m, slowest[m].Round(100*time.Microsecond))
	}
	fmt.Println()
	return nil
}

// timed runs fn n times and returns the sorted durations.
func timed(n int, fn func() error) []time.Duration {
	out := make([]time.Duration, 0, n)
	for range n {
		t := time.Now()
		if err := fn(); err != nil {
			fmt.Fprintln(os.Stderr, "statsbench:", err)
			os.Exit(1)
		}
		out = append(out, time.Since(t).Round(time.Millisecond))
	}
	slices.Sort(out)
	return out
}
