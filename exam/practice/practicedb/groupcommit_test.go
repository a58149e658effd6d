package practicedb_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"taxiexam/configs"
	"taxiexam/exam/practice"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/internal/platform/groupcommit"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// Concurrent answers share commits (on MariaDB) yet each caller gets the
// marks of its own row: per record the revisions handed out are exactly
// 1..n, attempts add up, and the streak/wrong-book logic holds per row.
func TestConcurrentAnswersEachGetTheirOwnMarks(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := practicedb.New(db)
	defer st.Drain(context.Background())
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	const goroutines, each = 32, 20
	type key struct{ cand, q int64 }
	var mu sync.Mutex
	revs := map[key]map[int64]bool{}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := key{cand: int64(g%8) + 1, q: int64(g%3) + 10} // several goroutines share a record
			for range each {
				m, err := st.RecordAnswer(ctx, k.cand, q(k.q, 1), true, []string{"B"}, 3, nil, at)
				if err != nil {
					t.Error(err)
					return
				}
				if m.QuestionID != k.q || !m.Answered || m.Streak != int(m.Rev) {
					t.Errorf("%+v: marks %+v (all answers right: streak = rev)", k, m)
				}
				mu.Lock()
				if revs[k] == nil {
					revs[k] = map[int64]bool{}
				}
				if revs[k][m.Rev] {
					t.Errorf("%+v: rev %d handed out twice", k, m.Rev)
				}
				revs[k][m.Rev] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for k, rs := range revs {
		rec, err := st.Record(ctx, k.cand, k.q)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Attempts != len(rs) || rec.Rights != len(rs) || rec.Streak != len(rs) {
			t.Fatalf("%+v: record %+v after %d answers", k, rec, len(rs))
		}
		for r := int64(1); r <= int64(len(rs)); r++ {
			if !rs[r] {
				t.Fatalf("%+v: rev %d missing from 1..%d", k, r, len(rs))
			}
		}
	}
}

// After Drain nothing is accepted (503, retried elsewhere) and everything
// accepted before it has committed.
func TestDrainCommitsWhatItHolds(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := practicedb.New(db)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	acked := make(chan int64, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.RecordAnswer(ctx, 5, q(int64(i)+1, 1), false, []string{"A"}, 3, nil, at); err == nil {
				acked <- int64(i) + 1
			} else if !errors.Is(err, groupcommit.ErrClosed) {
				t.Error(err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(acked)
	for id := range acked {
		if rec, err := st.Record(ctx, 5, id); err != nil || rec.Attempts != 1 || !rec.WrongBook {
			t.Fatalf("acknowledged answer %d: %+v %v", id, rec, err)
		}
	}
	if _, err := st.RecordAnswer(ctx, 5, q(1, 1), true, []string{"B"}, 3, nil, at); !errors.Is(err, groupcommit.ErrClosed) {
		t.Fatalf("answer after Drain: %v", err)
	}
}

// kill -9 under load loses no acknowledged answer: a child process answers
// from 32 goroutines and prints each answer after RecordAnswer returned;
// it is killed with SIGKILL mid-stream, and every printed answer must be in
// the database.
func TestAcknowledgedAnswersSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	db, cfg := testenv.DBConfig(t, schema.All())
	cfgJSON, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9AnsweringChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), "PRACTICEDB_KILL9_CHILD="+string(cfgJSON))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type ack struct{ cand, q int64 }
	var acks []ack
	sc := bufio.NewScanner(out)
	killed := false
	deadline := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		var a ack
		if _, err := fmt.Sscanf(sc.Text(), "ack %d %d", &a.cand, &a.q); err != nil {
			continue // the test framework's own lines
		}
		acks = append(acks, a)
		if !killed && len(acks) >= 3000 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true // lines already in the pipe were acknowledged before the kill
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before 3000 answers (%d): %v", len(acks), err)
	}
	ctx := context.Background()
	var rows int64
	if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM practice_records").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	st := practicedb.New(db)
	for _, a := range acks {
		rec, err := st.Record(ctx, a.cand, a.q)
		if err != nil || rec.Attempts != 1 {
			t.Fatalf("acknowledged answer %d/%d lost after kill -9: %+v %v", a.cand, a.q, rec, err)
		}
	}
	t.Logf("%d acknowledged answers all present after SIGKILL (%d rows committed in all)", len(acks), rows)
}

// TestKill9AnsweringChild is the child of TestAcknowledgedAnswersSurviveKill9;
// it does nothing unless started by it.
func TestKill9AnsweringChild(t *testing.T) {
	raw := os.Getenv("PRACTICEDB_KILL9_CHILD")
	if raw == "" {
		t.Skip("child process of TestAcknowledgedAnswersSurviveKill9")
	}
	var cfg configs.Database
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	st := practicedb.New(db)
	ctx := context.Background()
	var mu sync.Mutex
	stop := time.Now().Add(50 * time.Second) // bounded even if nobody kills it
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cand := int64(g) + 1
			for i := int64(1); time.Now().Before(stop); i++ {
				if _, err := st.RecordAnswer(ctx, cand, q(i, 1), i%3 == 0, []string{"B"}, 3, &practice.Resume{ChapterID: 1, Position: int(i) + 1, At: time.Now()}, time.Now()); err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %d %d\n", cand, i) // unbuffered: a write(2) per acknowledgement
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
