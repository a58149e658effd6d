package attemptdb_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

// paper creates an in-progress attempt of n single-answer items.
func paper(t *testing.T, st *attemptdb.Store, candidate int64, n int) []attempt.Item {
	t.Helper()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	a := &attempt.Attempt{Kind: attempt.KindMock, CandidateID: candidate, BlueprintID: 1, Seed: 1, Status: attempt.StatusInProgress,
		StartedAt: now, Deadline: now.Add(time.Hour), Sections: []attempt.Section{{Subject: questionbank.SubjectNational, Count: n}}}
	items := make([]attempt.Item, n)
	for i := range items {
		items[i] = attempt.Item{Position: i + 1, QuestionID: int64(100 + i), Version: 1, Type: questionbank.TypeSingle, Points: 1,
			OptionOrder: []string{"A", "B", "C", "D"}}
	}
	if err := st.Create(context.Background(), a, items); err != nil {
		t.Fatal(err)
	}
	out, err := st.Items(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Saves of one item race with shuffled sequence numbers, alongside saves of
// other items and attempts (so on MariaDB they share statements): the
// newest seq wins, each caller is told whether its own save applied, and
// an unapplied caller sees the newer answer that beat it.
func TestNewestSeqWinsAndEachSaveHearsItsOutcome(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := attemptdb.New(db)
	defer st.Drain(context.Background())
	ctx := context.Background()
	const attempts, seqs = 4, 40
	papers := make([][]attempt.Item, attempts)
	for i := range papers {
		papers[i] = paper(t, st, int64(i)+1, 3)
	}
	keys := []string{"A", "B", "C", "D"}
	now := time.Date(2026, 11, 23, 8, 1, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := map[int64]int{} // attempt -> applied saves of item 1
	for a := range attempts {
		for _, seq := range rand.Perm(seqs) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seq := int64(seq) + 1
				it := papers[a][seq%3] // items 2 and 3 get traffic too
				got, ok, err := st.SaveAnswer(ctx, it, attempt.Answer{Given: []string{keys[seq%4]}, Seq: seq}, now)
				if err != nil {
					t.Error(err)
					return
				}
				switch {
				case ok && (got.Seq != seq || got.Given[0] != keys[seq%4]):
					t.Errorf("applied seq %d but got %+v", seq, got)
				case !ok && got.Seq < seq:
					t.Errorf("seq %d refused but stored seq is only %d", seq, got.Seq)
				case got.AttemptID != it.AttemptID || got.Position != it.Position || got.QuestionID != it.QuestionID:
					t.Errorf("seq %d: answered for another item: %+v", seq, got)
				}
				if ok && it.Position == 1 {
					mu.Lock()
					applied[it.AttemptID]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for a := range attempts {
		items, err := st.Items(ctx, papers[a][0].AttemptID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			// the highest seq sent to each item: 39, 40, 38 for positions 1, 2, 3
			want := int64(map[int]int{1: 39, 2: 40, 3: 38}[it.Position])
			if it.Seq != want || it.Given[0] != keys[want%4] {
				t.Fatalf("attempt %d item %d: stored seq %d %v, want %d", a, it.Position, it.Seq, it.Given, want)
			}
		}
		if applied[papers[a][0].AttemptID] < 1 {
			t.Fatalf("attempt %d: no save of item 1 applied", a)
		}
	}
	// A retry of the stored seq, and an older one: both refused, the
	// stored answer returned.
	it := papers[0][1]
	for _, seq := range []int64{40, 3} {
		got, ok, err := st.SaveAnswer(ctx, it, attempt.Answer{Given: []string{"A"}, Seq: seq}, now)
		if err != nil || ok || got.Seq != 40 || got.Given[0] != keys[0] {
			t.Fatalf("seq %d again: %v %v %+v", seq, ok, err, got)
		}
	}
}

// Once the attempt is closed no save applies; one bad row fails only its
// own request (MariaDB refuses the whole statement, the writer retries
// each row alone).
func TestClosedItemsAndBadRows(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t, schema.All())
	st := attemptdb.New(db)
	defer st.Drain(context.Background())
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 1, 0, 0, time.UTC)
	closed := paper(t, st, 1, 2)
	if _, _, err := st.SaveAnswer(ctx, closed[0], attempt.Answer{Given: []string{"A"}, Seq: 1}, now); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Close(ctx, closed[0].AttemptID, attempt.ReasonCandidate, now); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	for _, it := range closed {
		got, ok, err := st.SaveAnswer(ctx, it, attempt.Answer{Given: []string{"B"}, Seq: 9}, now)
		if err != nil || ok {
			t.Fatalf("save on a closed item: %v %v", ok, err)
		}
		if it.Position == 1 && (got.Seq != 1 || got.Given[0] != "A") {
			t.Fatalf("closed item changed: %+v", got)
		}
	}
	if db.Dialect() != sqldb.MySQL {
		return // SQLite does not enforce column sizes: no bad row to make
	}
	open := paper(t, st, 2, 20)
	var wg sync.WaitGroup
	for _, it := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			given := []string{"C"}
			if it.Position == 7 {
				given = []string{strings.Repeat("X", 100)} // longer than the column
			}
			got, ok, err := st.SaveAnswer(ctx, it, attempt.Answer{Given: given, Seq: 1}, now)
			if it.Position == 7 {
				if err == nil {
					t.Errorf("oversized answer stored: %+v", got)
				}
				return
			}
			if err != nil || !ok || got.Given[0] != "C" {
				t.Errorf("item %d: %v %v %+v", it.Position, ok, err, got)
			}
		}()
	}
	wg.Wait()
}

// kill -9 under load loses no acknowledged answer save: a child process
// saves answers to 16 attempts from 32 goroutines and prints each save
// after SaveAnswer returned applied; it is killed with SIGKILL mid-stream,
// and every printed save must be stored (or overtaken by a newer seq).
func TestAcknowledgedSavesSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	db, cfg := testenv.DBConfig(t, schema.All())
	st := attemptdb.New(db)
	var ids []string
	for c := range 16 {
		ids = append(ids, strconv.FormatInt(paper(t, st, int64(c)+1, 50)[0].AttemptID, 10))
	}
	cfgJSON, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9SavingChild$")
	cmd.Env = append(os.Environ(), "ATTEMPTDB_KILL9_CHILD="+string(cfgJSON), "ATTEMPTDB_KILL9_ATTEMPTS="+strings.Join(ids, ","))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type key struct {
		attempt int64
		pos     int
	}
	acked := map[key]int64{} // highest acknowledged seq per item
	n := 0
	killed := false
	deadline := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var k key
		var seq int64
		if _, err := fmt.Sscanf(sc.Text(), "ack %d %d %d", &k.attempt, &k.pos, &seq); err != nil {
			continue
		}
		acked[k] = max(acked[k], seq)
		if n++; !killed && n >= 3000 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before 3000 saves (%d)", n)
	}
	stored := map[key]int64{}
	for _, id := range ids {
		aid, _ := strconv.ParseInt(id, 10, 64)
		items, err := st.Items(context.Background(), aid)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			stored[key{aid, it.Position}] = it.Seq
		}
	}
	for k, seq := range acked {
		if stored[k] < seq {
			t.Fatalf("acknowledged save %+v seq %d lost after kill -9: stored seq %d", k, seq, stored[k])
		}
	}
	t.Logf("%d acknowledged saves on %d items all present after SIGKILL", n, len(acked))
}

// TestKill9SavingChild is the child of TestAcknowledgedSavesSurviveKill9;
// it does nothing unless started by it.
func TestKill9SavingChild(t *testing.T) {
	raw := os.Getenv("ATTEMPTDB_KILL9_CHILD")
	if raw == "" {
		t.Skip("child process of TestAcknowledgedSavesSurviveKill9")
	}
	var cfg configs.Database
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	st := attemptdb.New(db)
	ctx := context.Background()
	var papers [][]attempt.Item
	for _, id := range strings.Split(os.Getenv("ATTEMPTDB_KILL9_ATTEMPTS"), ",") {
		aid, _ := strconv.ParseInt(id, 10, 64)
		items, err := st.Items(ctx, aid)
		if err != nil {
			t.Fatal(err)
		}
		papers = append(papers, items)
	}
	var mu sync.Mutex
	var seq atomic.Int64
	stop := time.Now().Add(50 * time.Second)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				it := papers[(g+i)%len(papers)][(g*7+i)%50]
				s := seq.Add(1)
				_, ok, err := st.SaveAnswer(ctx, it, attempt.Answer{Given: []string{"ABCD"[s%4 : s%4+1]}, Seq: s}, time.Now())
				if err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					return
				}
				if ok {
					mu.Lock()
					fmt.Fprintf(os.Stdout, "ack %d %d %d\n", it.AttemptID, it.Position, s)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
}
