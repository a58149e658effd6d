package testenv

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Upgrade is the upgrade test of one migration: the rows a database held
// before it, and what must be true of them after it.
type Upgrade struct {
	ID int // the migration under test
	// Seed writes rows with the frozen snapshot structs of the migrations
	// before ID (never the live row structs, which describe the newest schema).
	Seed func(t testing.TB, db *sqldb.DB)
	// Check asserts the seeded rows after ID, typically read back through
	// the live store.
	Check func(t testing.TB, db *sqldb.DB)
}

// CheckUpgrade runs migration u.ID on real data (TEST_DB picks MariaDB or
// SQLite): a fresh database migrated up to the migration before u.ID, u.Seed,
// migration u.ID, u.Check; then u.ID's Up again, as after a crash between its
// DDL and its record (MySQL commits DDL implicitly), and u.Check again; then
// the remaining migrations, twice (the second run must apply nothing). The
// guard test next to the migration list fails for a migration without one.
func CheckUpgrade(t *testing.T, migrations []sqldb.Migration, u Upgrade) *sqldb.DB {
	t.Helper()
	var before, through []sqldb.Migration
	var target *sqldb.Migration
	for i, m := range migrations {
		if m.ID < u.ID {
			before = append(before, m)
		}
		if m.ID <= u.ID {
			through = append(through, m)
		}
		if m.ID == u.ID {
			target = &migrations[i]
		}
	}
	if target == nil {
		t.Fatalf("no migration %d in the list", u.ID)
	}
	ctx := context.Background()
	db := DB(t, before)
	u.Seed(t, db)
	if applied, err := db.Migrate(ctx, through); err != nil || len(applied) != 1 || applied[0] != u.ID {
		t.Fatalf("migrate to %d: applied %v, %v", u.ID, applied, err)
	}
	u.Check(t, db)
	if err := db.Conn(ctx).Transaction(func(tx *gorm.DB) error { return target.Up(tx) }); err != nil {
		t.Fatalf("migration %d run again: %v", u.ID, err)
	}
	u.Check(t, db)
	if _, err := db.Migrate(ctx, migrations); err != nil {
		t.Fatalf("migrations after %d: %v", u.ID, err)
	}
	if applied, err := db.Migrate(ctx, migrations); err != nil || len(applied) != 0 {
		t.Fatalf("second run: applied %v, %v", applied, err)
	}
	return db
}
