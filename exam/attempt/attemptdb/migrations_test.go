package attemptdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// Attempts and items written before 401 read back unchanged, with no save
// outcome (save_id 0) until their next answer.
func TestUpgrade401(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	var id int64
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 401,
		Seed: func(t testing.TB, db *sqldb.DB) {
			one := 1
			a := m400Attempt{Kind: "mock", CandidateID: 9, OpenSlot: &one, BlueprintID: 1, Seed: 42, Status: "open", StartedAt: now, Deadline: now.Add(time.Hour),
				Sections: `[{"Subject":"national","DurationMinutes":90,"PassPercent":90,"TotalPoints":100,"Count":2,"Score":0,"Correct":0,"Passed":false}]`}
			conn := db.Conn(context.Background())
			if err := conn.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
			id = a.ID
			if err := conn.Create(&[]m400Item{{AttemptID: id, Position: 1, QuestionID: 11, Version: 1, QType: "single", Points: 1, OptionOrder: "B,A", Given: "A", Seq: 1},
				{AttemptID: id, Position: 2, QuestionID: 12, Version: 1, QType: "true_false", Points: 1, OptionOrder: "A,B"}}).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			s := New(db)
			a, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Sections) != 1 || a.Sections[0].Subject != "national" || a.Sections[0].TotalPoints != 100 || a.Seed != 42 {
				t.Fatalf("attempt after 401: %+v", a)
			}
			items, err := s.Items(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 || items[0].Given[0] != "A" || items[0].OptionOrder[0] != "B" || items[1].Given != nil {
				t.Fatalf("items after 401: %+v", items)
			}
			var saveIDs []int64
			if err := db.Conn(ctx).Table("exam_attempt_items").Where("attempt_id = ?", id).Pluck("save_id", &saveIDs).Error; err != nil {
				t.Fatal(err)
			}
			if len(saveIDs) != 2 || saveIDs[0] != 0 || saveIDs[1] != 0 {
				t.Fatalf("save_id after 401: %v", saveIDs)
			}
		}})
}
