package practicedb_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taxiexam/exam/practice/practicedb"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// BenchmarkAnswerWrites measures durable practice answers per second from
// 64 goroutines (one per connection of the API bench), in the same run:
//
//	alone    each answer its own single-row upsert and commit (the floor)
//	grouped  RecordAnswer: the group-commit writer, one multi-row upsert
//	         per commit (MariaDB); acknowledged after the commit
//
// Rows are spread over 64 candidates x 300 questions, so most answers
// update an existing record as in practice. It prints answers/s and
// latency p50/p99 (n = every answer). The test pool has 32 connections.
//
//	go test ./exam/practice/practicedb -run '^$' -bench AnswerWrites -benchtime 1x
//
// With -practice.candidates=100000 the table first gets 30 records per
// candidate (3M rows, ~0.5 GiB with its index: more than MariaDB's default
// 128 MiB buffer pool) and the answers go to random candidates, as a
// province's candidates would spread them (docs/performance.md,
// "Production settings").
func BenchmarkAnswerWrites(b *testing.B) {
	for range b.N {
		db := testenv.DB(b, schema.All())
		st := practicedb.New(db)
		ctx := context.Background()
		at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		const goroutines, per = 64, 150
		cands := int64(*benchCandidates)
		if cands > goroutines {
			prefill(b, db, cands, at)
		}
		pick := func(g, i int) (int64, int64) {
			if cands > goroutines {
				h := uint64(g*per+i+1) * 0x9E3779B97F4A7C15 // spread, no shared state
				return int64(h%uint64(cands)) + 1, int64(h>>32%30) + 1
			}
			return int64(g) + 1, int64((g*7+i)%300) + 1
		}
		run := func(name string, write func(cand, qid int64, correct bool) error) float64 {
			lat := make([][]time.Duration, goroutines)
			var failed atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						t0 := time.Now()
						cand, qid := pick(g, i)
						if err := write(cand, qid, i%3 != 0); err != nil {
							failed.Add(1)
							continue
						}
						lat[g] = append(lat[g], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
			rate := float64(len(all)) / el.Seconds()
			fmt.Fprintf(os.Stdout, "practice answer writes (%s, %d candidates, %s): %d answers in %s = %.0f/s, p50 %.2f ms p99 %.2f ms (n=%d), %d failed\n",
				testenv.Driver(b), max(cands, goroutines), name, len(all), el.Round(time.Millisecond), rate,
				float64(all[len(all)/2].Microseconds())/1000, float64(all[len(all)*99/100].Microseconds())/1000, len(all), failed.Load())
			if failed.Load() > 0 {
				b.Fatalf("%s: %d writes failed", name, failed.Load())
			}
			return rate
		}
		alone := run("alone", func(cand, qid int64, correct bool) error {
			_, err := st.RecordAnswerAlone(ctx, cand, q(qid, 1), correct, []string{"B"}, 3, at)
			return err
		})
		grouped := run("grouped", func(cand, qid int64, correct bool) error {
			_, err := st.RecordAnswer(ctx, cand, q(qid, 1), correct, []string{"B"}, 3, nil, at)
			return err
		})
		b.ReportMetric(alone, "alone/s")
		b.ReportMetric(grouped, "grouped/s")
		fmt.Fprintf(os.Stdout, "practice answer writes (%s): grouped = %.1fx alone\n", testenv.Driver(b), grouped/alone)
		_ = st.Drain(ctx)
	}
}

var benchCandidates = flag.Int("practice.candidates", 64, "BenchmarkAnswerWrites: candidates the answers spread over (above 64: 30 records each written first)")

// prefill writes 30 records for each of n candidates, 1,000 rows per statement.
func prefill(b *testing.B, db *sqldb.DB, n int64, at time.Time) {
	ctx := context.Background()
	start := time.Now()
	const perStmt = 1000
	var sb []byte
	var args []any
	flush := func() {
		if len(args) == 0 {
			return
		}
		q := "INSERT INTO practice_records (candidate_id, question_id, chapter_id, subject, attempts, rights, streak, last_given, last_at, rev) VALUES " + string(sb[:len(sb)-1])
		if err := db.Conn(ctx).Exec(q, args...).Error; err != nil {
			b.Fatal(err)
		}
		sb, args = sb[:0], args[:0]
	}
	for c := int64(1); c <= n; c++ {
		for q := int64(1); q <= 30; q++ {
			sb = append(sb, "(?, ?, 1, 'national', 1, 1, 1, 'B', ?, 1),"...)
			args = append(args, c, q, at)
			if len(args) >= 3*perStmt {
				flush()
			}
		}
	}
	flush()
	fmt.Fprintf(os.Stdout, "practice answer writes: %d records of %d candidates written in %s\n", n*30, n, time.Since(start).Round(time.Second))
}
