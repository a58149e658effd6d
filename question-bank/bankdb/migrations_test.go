package bankdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	questionbank "taxiexam/question-bank"
)

// A preview saved before 301 keeps its rows in qb_imports.rows; after 301
// it still opens (and can be confirmed) while new previews use chunks.
func TestUpgrade301(t *testing.T) {
	var id int64
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 301,
		Seed: func(t testing.TB, db *sqldb.DB) {
			r := m300Import{FileName: "old.xlsx", Status: questionbank.ImportPending, CreatedBy: 7, CreatedAt: time.Now().UTC(),
				Rows: `[{"row":2,"subject":"national","chapter_id":1,"type":"single","stem":"出租汽车驾驶员应当？","options":["甲","乙"],` +
					`"answer":["A"],"explanation":"","difficulty":2,"tags":["安全"],"context":"taxi"}]`,
				Errors: `[{"row":3,"column":"I","field":"answer","reason":"missing"}]`}
			if err := db.Conn(context.Background()).Table("qb_imports").Create(&r).Error; err != nil {
				t.Fatal(err)
			}
			id = r.ID
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			b, err := New(db).ImportByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Rows) != 1 || b.Rows[0].Row != 2 || b.Rows[0].Question.Stem != "出租汽车驾驶员应当？" || len(b.Rows[0].Question.Options) != 2 ||
				b.Rows[0].Question.Options[1].Key != "B" || len(b.Errors) != 1 || b.Errors[0].Column != "I" || b.CreatedBy != 7 {
				t.Fatalf("pre-301 import after 301: %+v", b)
			}
		}})
}
