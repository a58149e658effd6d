package statisticsdb_test

import (
	"context"
	"testing"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// (An external test: the migration list imports this package.)
// 803 adds the rollup tables next to 802's indexes (the statistics' first
// migration, over the other stores' tables): both start empty, the indexes
// stay.
func TestUpgrade803(t *testing.T) {
	testenv.CheckUpgrade(t, schema.All(), testenv.Upgrade{ID: 803,
		Seed: func(testing.TB, *sqldb.DB) {}, // 803 only creates tables; nothing of the statistics is stored before it
		Check: func(t testing.TB, db *sqldb.DB) {
			conn := db.Conn(context.Background())
			for _, table := range []string{"stats_daily", "stats_days"} {
				var n int64
				if err := conn.Table(table).Count(&n).Error; err != nil || n != 0 {
					t.Fatalf("%s after 803: %d rows, %v", table, n, err)
				}
			}
			for _, ix := range [][2]string{{"applications", "idx_applications_submitted"}, {"notify_outbox", "idx_notify_outbox_sent"}} {
				if !conn.Migrator().HasIndex(ix[0], ix[1]) {
					t.Fatalf("index %s on %s gone after 803", ix[1], ix[0])
				}
			}
		}})
}
