package proctoringdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// A run written before 721 reads back with change counter 0; ending it
// bumps the counter (what the nodes' caches follow).
func TestUpgrade721(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 721,
		Seed: func(t testing.TB, db *sqldb.DB) {
			if err := db.Conn(context.Background()).Exec("INSERT INTO exam_session_runs (session_id, centre_id, started_at, started_by, ended_by) VALUES (?, ?, ?, ?, ?)",
				100, 1, now, 901, 0).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			s := New(db)
			r, err := s.Run(ctx, 100)
			if err != nil || r.CentreID != 1 || !r.StartedAt.Equal(now) || !r.EndedAt.IsZero() {
				t.Fatalf("run after 721: %+v %v", r, err)
			}
			got, err := s.RunChanges(ctx, []int64{100, 101})
			if err != nil || len(got) != 1 || got[100] != 0 {
				t.Fatalf("changes after 721: %v %v", got, err)
			}
		}})
}

func TestEndBumpsChanges(t *testing.T) {
	db := testenv.DB(t, Migrations())
	ctx := context.Background()
	s := New(db)
	if err := db.Conn(ctx).Exec("INSERT INTO exam_session_runs (session_id, centre_id, started_at, started_by, ended_by) VALUES (?, ?, ?, ?, ?)",
		100, 1, time.Now().UTC(), 901, 0).Error; err != nil {
		t.Fatal(err)
	}
	if ok, err := s.EndRun(ctx, 100, 901, time.Now()); !ok || err != nil {
		t.Fatalf("end: %v %v", ok, err)
	}
	if got, err := s.RunChanges(ctx, []int64{100}); err != nil || got[100] != 1 {
		t.Fatalf("changes after the end: %v %v", got, err)
	}
}
