package practicedb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// Records written before 451 read back unchanged, at revision 0 and with no
// sequential resume point.
func TestUpgrade451(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 451,
		Seed: func(t testing.TB, db *sqldb.DB) {
			if err := db.Conn(context.Background()).Create(&m450Record{CandidateID: 5, QuestionID: 100, ChapterID: 3, Subject: "regional",
				Attempts: 2, Rights: 1, Streak: 1, WrongBook: true, LastCorrect: true, LastGiven: "A,C", LastAt: &at}).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			r, err := New(db).Record(ctx, 5, 100)
			if err != nil {
				t.Fatal(err)
			}
			if r.ChapterID != 3 || r.Attempts != 2 || !r.WrongBook || len(r.LastGiven) != 2 || !r.LastAt.Equal(at) {
				t.Fatalf("record after 451: %+v", r)
			}
			var added struct{ Rev, SeqChapterID, SeqPos int64 }
			if err := db.Conn(ctx).Table("practice_records").Select("rev, seq_chapter_id, seq_pos").Where("candidate_id = 5").Take(&added).Error; err != nil {
				t.Fatal(err)
			}
			if added.Rev != 0 || added.SeqChapterID != 0 || added.SeqPos != 0 {
				t.Fatalf("columns added by 451: %+v", added)
			}
		}})
}

// 801 adds the per-hour answer counters beside the records: a record made
// before it reads back unchanged, and answers counted after it add up.
func TestUpgrade801(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 801,
		Seed: func(t testing.TB, db *sqldb.DB) {
			if err := db.Conn(context.Background()).Create(&m450Record{CandidateID: 6, QuestionID: 101, ChapterID: 3, Subject: "national",
				Attempts: 1, Rights: 1, LastCorrect: true, LastGiven: "B", LastAt: &at}).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			r, err := New(db).Record(ctx, 6, 101)
			if err != nil || r.Attempts != 1 || !r.LastAt.Equal(at) {
				t.Fatalf("record after 801: %+v, %v", r, err)
			}
			var n int64
			if err := db.Conn(ctx).Table("practice_answer_hours").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("answer counters after 801: %d, %v", n, err)
			}
		}})
}
