// Package sqldb opens the SQL database (MySQL/MariaDB or the embedded SQLite
// file) through GORM and carries transactions in the context, so a domain
// service can run several store calls in one transaction without any store
// knowing about the others.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"taxiexam/configs"
)

// Dialect names the SQL flavour, for the few statements that differ.
type Dialect string

const (
	MySQL  Dialect = "mysql"
	SQLite Dialect = "sqlite"
)

// DB is the database handle every store receives.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
}

// Open connects and applies pool settings. dataDir is used for the default
// SQLite file.
func Open(cfg configs.Database, dataDir string) (*DB, error) {
	gcfg := &gorm.Config{
		// Hot paths write single rows; wrapping each in its own transaction
		// halves throughput (DESIGN.md §3). Multi-row writes use InTx.
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         false,
	}
	switch cfg.Driver {
	case "mysql":
		dsn, err := normalizeMySQLDSN(cfg.DSN)
		if err != nil {
			return nil, fmt.Errorf("setting database.dsn: %w", err)
		}
		g, err := gorm.Open(mysql.Open(dsn), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		return pool(&DB{gorm: g, dialect: MySQL}, cfg)
	case "sqlite":
		path := cfg.DSN
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("data_dir: %w", err)
			}
			path = filepath.Join(dataDir, "examd.db")
		}
		return OpenSQLiteFile(path, cfg)
	default:
		return nil, fmt.Errorf("setting database.driver: unknown %q", cfg.Driver)
	}
}

// OpenSQLiteFile opens (creating) a SQLite file in WAL mode. Transactions
// take the write lock at BEGIN (_txlock=immediate) so two writers wait for
// each other instead of failing with SQLITE_BUSY half way.
//
// No _time_format parameter: the driver (glebarez/go-sqlite 1.21) stops
// reading parameters after it and would silently drop _txlock
// (TestSQLiteWritersWaitForEachOther guards this).
func OpenSQLiteFile(path string, cfg configs.Database) (*DB, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	g, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if cfg.MaxOpenConns <= 0 || cfg.MaxOpenConns > 8 {
		cfg.MaxOpenConns = 8 // one writer at a time anyway
	}
	return pool(&DB{gorm: g, dialect: SQLite}, cfg)
}

// normalizeMySQLDSN forces the settings the code relies on: UTC times parsed
// into time.Time, utf8mb4, and client-side interpolation (one round trip per
// statement instead of prepare+execute; DESIGN.md measured 3x).
func normalizeMySQLDSN(dsn string) (string, error) {
	c, err := mysqldrv.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.InterpolateParams = true
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["charset"] = "utf8mb4"
	c.Collation = "utf8mb4_unicode_ci"
	c.Params["time_zone"] = "'+00:00'"
	return c.FormatDSN(), nil
}

func pool(d *DB, cfg configs.Database) (*DB, error) {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return nil, err
	}
	if cfg.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	}
	if cfg.MaxIdleConns > 0 {
		sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	}
	if cfg.ConnMaxLifetime > 0 {
		sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database not reachable: %w", err)
	}
	return d, nil
}

// Dialect reports the SQL flavour.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes the pool.
func (d *DB) Close() error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks the connection (readiness).
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

type txKey struct{}

// Conn returns the transaction carried by ctx, or the pool bound to ctx.
// Every store method starts with it.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return d.gorm.WithContext(ctx)
}

// InTx runs fn in a transaction carried by the context it passes to fn. A
// nested call joins the outer transaction. On MySQL a deadlock or lock wait
// timeout retries the whole function a few times, so fn must not have side
// effects outside the database (enqueue messages through the outbox instead).
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return d.inTx(ctx, nil, fn)
}

// InReadCommittedTx is InTx at READ COMMITTED on MySQL, for queue claims
// (SELECT ... FOR UPDATE SKIP LOCKED, then UPDATE): at that level InnoDB
// takes no gap locks, so a business transaction inserting into the same
// table never waits for the claim and cannot end in a deadlock with it.
// SQLite has one writer at a time: plain InTx.
func (d *DB) InReadCommittedTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.dialect != MySQL {
		return d.inTx(ctx, nil, fn)
	}
	return d.inTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
}

func (d *DB) inTx(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		var o []*sql.TxOptions
		if opts != nil {
			o = append(o, opts)
		}
		err = d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, txKey{}, tx))
		}, o...)
		if !IsRetryable(err) {
			return err
		}
		slog.WarnContext(ctx, "transaction retried", "attempt", i+1, "err", err)
		time.Sleep(time.Duration(10*(i+1)) * time.Millisecond)
	}
	return err
}

// InTransaction reports whether ctx carries a transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// IsRetryable reports a deadlock or lock-wait timeout (MySQL 1213/1205) or a
// busy SQLite database.
func IsRetryable(err error) bool {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}

// IsDuplicate reports a unique-key violation on either database, so stores
// can translate it to a domain error.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "constraint failed: UNIQUE")
}

// IsNotFound reports gorm's record-not-found.
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// ForUpdate adds SELECT ... FOR UPDATE on MySQL. SQLite needs nothing: its
// transactions hold the database write lock from BEGIN (_txlock=immediate).
func (d *DB) ForUpdate(q *gorm.DB) *gorm.DB {
	if d.dialect == MySQL {
		return q.Clauses(lockingClause("UPDATE", ""))
	}
	return q
}

// SkipLocked adds FOR UPDATE SKIP LOCKED on MySQL (MariaDB 10.6+, MySQL 8),
// for queues claimed by several nodes at once.
func (d *DB) SkipLocked(q *gorm.DB) *gorm.DB {
	if d.dialect == MySQL {
		return q.Clauses(lockingClause("UPDATE", "SKIP LOCKED"))
	}
	return q
}
