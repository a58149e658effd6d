package schema_test

import (
	"context"
	"testing"

	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// TestMigrationsApplyAndAreIdempotent runs every migration on a fresh
// database (MariaDB or SQLite per TEST_DB), then again: the second run must
// apply nothing. CI runs it on both databases.
func TestMigrationsApplyAndAreIdempotent(t *testing.T) {
	db := testenv.DB(t, schema.All())
	applied, err := db.Migrate(context.Background(), schema.All())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second run applied %v", applied)
	}
	var n int64
	if err := db.Conn(context.Background()).Table("schema_migrations").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if int(n) != len(schema.All()) {
		t.Fatalf("recorded %d migrations, have %d", n, len(schema.All()))
	}
}
