package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"taxiexam/configs"
	"taxiexam/internal/platform/sqldb"
)

type counterRow struct {
	ID int64
	N  int
}

// TestSQLiteWritersWaitForEachOther: read-then-write transactions from many
// goroutines on the embedded database must all commit (BEGIN IMMEDIATE plus
// busy_timeout), never fail with "database is locked".
func TestSQLiteWritersWaitForEachOther(t *testing.T) {
	t.Parallel()
	db, err := sqldb.OpenSQLiteFile(filepath.Join(t.TempDir(), "x.db"), configs.Database{MaxOpenConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Conn(ctx).AutoMigrate(&counterRow{}); err != nil {
		t.Fatal(err)
	}
	db.Conn(ctx).Create(&counterRow{ID: 1})
	const writers, rounds = 12, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < rounds; j++ {
				err := db.InTx(ctx, func(ctx context.Context) error {
					var c counterRow
					if err := db.Conn(ctx).Take(&c, 1).Error; err != nil {
						return fmt.Errorf("select: %w", err)
					}
					return db.Conn(ctx).Model(&counterRow{}).Where("id = 1").Update("n", gorm.Expr("n + 1")).Error
				})
				if err != nil {
					errs <- err
					return
				}
				var c counterRow
				db.Conn(ctx).Take(&c, 1) // a read outside any transaction in between
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	var c counterRow
	db.Conn(ctx).Take(&c, 1)
	if c.N != writers*rounds {
		t.Fatalf("n = %d, want %d", c.N, writers*rounds)
	}
}
