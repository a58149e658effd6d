package ledgerdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/ledger"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// m860Entry and m860Head are the rows as migration 860 made them.
type m860Entry struct {
	Seq      int64 `gorm:"primaryKey;autoIncrement:false"`
	PrevHash string
	Hash     string
	Kind     string
	Subject  string
	At       time.Time
	Payload  string
}

func (m860Entry) TableName() string { return "ledger_entries" }

// A chain written before 861 (entries appended under the head lock) keeps
// its head; the next event is recorded as pending and chained after it.
func TestUpgrade861(t *testing.T) {
	at := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 861,
		Seed: func(t testing.TB, db *sqldb.DB) {
			conn := db.Conn(context.Background())
			e := m860Entry{Seq: 1, PrevHash: ledger.GenesisHash, Hash: "1111111111111111111111111111111111111111111111111111111111111111",
				Kind: "subject_result", Subject: "subject_result:1", At: at, Payload: `{"score":"90"}`}
			if err := conn.Create(&e).Error; err != nil {
				t.Fatal(err)
			}
			if err := conn.Exec("UPDATE ledger_heads SET seq = 1, hash = ? WHERE id = 1", e.Hash).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			s := New(db)
			if h, err := s.Head(ctx); err != nil || h.Seq != 1 {
				t.Fatalf("head after 861: %+v %v", h, err)
			}
			if p, err := s.Pending(ctx, 0, 10); err != nil || len(p) != 0 {
				t.Fatalf("pending after 861: %+v %v", p, err)
			}
			l := ledger.NewService(ledger.Deps{Store: s, Tx: db, Clock: clock.NewFake(at)})
			if err := l.Append(ctx, ledger.KindSubjectResult, "subject_result:2", at, ledger.Facts{"score": "85"}); err != nil {
				t.Fatal(err)
			}
			if err := l.ChainAll(ctx); err != nil {
				t.Fatal(err)
			}
			list, err := s.Entries(ctx, 0, 10, 10)
			if err != nil || len(list) != 2 || list[1].Seq != 2 || list[1].PrevHash != list[0].Hash || list[1].Subject != "subject_result:2" {
				t.Fatalf("entries after the first chaining: %+v %v", list, err)
			}
			// Check runs twice (after a re-run of 861's Up): start clean again.
			if err := db.Conn(ctx).Exec("DELETE FROM ledger_entries WHERE seq = 2").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Conn(ctx).Exec("UPDATE ledger_heads SET seq = 1, hash = ? WHERE id = 1", list[0].Hash).Error; err != nil {
				t.Fatal(err)
			}
		}})
}
