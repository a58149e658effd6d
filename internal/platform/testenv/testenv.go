// Package testenv gives tests a fresh real database and a real Redis.
//
// Database: TEST_DB=mysql (default when MariaDB answers) creates a new
// database per call on TEST_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/),
// runs the given migrations (the same ones production runs) and drops it
// when the test passes; a failed test keeps it and logs its name.
// TEST_DB=sqlite uses a temp file instead. With CI=true an unreachable
// MariaDB or Redis fails the test instead of falling back.
//
// Redis: TEST_REDIS_ADDR (default 127.0.0.1:6379) with a random key prefix
// per call, removed afterwards; the in-process server only outside CI when no
// Redis answers.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/configs"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
)

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func inCI() bool { return os.Getenv("CI") == "true" }

func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Driver returns "mysql" or "sqlite" for this run.
func Driver(t testing.TB) string {
	switch os.Getenv("TEST_DB") {
	case "sqlite":
		return "sqlite"
	case "mysql":
		return "mysql"
	}
	cfg, _ := mysqldrv.ParseDSN(mysqlDSN())
	if cfg != nil && reachable(cfg.Addr) {
		return "mysql"
	}
	if inCI() {
		t.Fatalf("CI=true but MariaDB at %s does not answer", cfg.Addr)
	}
	return "sqlite"
}

func mysqlDSN() string {
	if v := os.Getenv("TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// DB returns a fresh migrated database for this test.
func DB(t testing.TB, migrations []sqldb.Migration) *sqldb.DB {
	t.Helper()
	db, _ := DBConfig(t, migrations)
	return db
}

// DBConfig is DB plus the settings that open the same database again
// (sqldb.Open), for a test that runs a second process on it.
func DBConfig(t testing.TB, migrations []sqldb.Migration) (*sqldb.DB, configs.Database) {
	t.Helper()
	dbcfg := configs.Database{MaxOpenConns: 32, MaxIdleConns: 16, ConnMaxLifetime: time.Minute}
	var db *sqldb.DB
	var err error
	switch Driver(t) {
	case "sqlite":
		dbcfg.Driver, dbcfg.DSN = "sqlite", filepath.Join(t.TempDir(), "test.db")
		path := dbcfg.DSN
		db, err = sqldb.OpenSQLiteFile(path, dbcfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		reopeners.Store(db, func() (*sqldb.DB, error) { return sqldb.OpenSQLiteFile(path, dbcfg) })
	default:
		name := "t_" + randomSuffix()
		admin, err := sql.Open("mysql", mysqlDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatalf("create test database: %v", err)
		}
		cfg, _ := mysqldrv.ParseDSN(mysqlDSN())
		cfg.DBName = name
		dbcfg.Driver = "mysql"
		dbcfg.DSN = cfg.FormatDSN()
		db, err = sqldb.Open(dbcfg, "")
		if err != nil {
			t.Fatal(err)
		}
		mcfg := dbcfg
		reopeners.Store(db, func() (*sqldb.DB, error) { return sqldb.Open(mcfg, "") })
		t.Cleanup(func() {
			db.Close()
			if t.Failed() {
				t.Logf("kept test database %s for inspection", name)
				return
			}
			if a, err := sql.Open("mysql", mysqlDSN()); err == nil {
				_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
				a.Close()
			}
		})
	}
	if _, err = db.Migrate(context.Background(), migrations); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db, dbcfg
}

// reopeners remembers how each test database was opened, for SecondNode.
var reopeners sync.Map // *sqldb.DB -> func() (*sqldb.DB, error)

// SecondNode opens another connection pool on the test database db, as a
// second application node would, for tests of races between nodes.
func SecondNode(t testing.TB, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	open, ok := reopeners.Load(db)
	if !ok {
		t.Fatal("SecondNode: not a testenv database")
	}
	other, err := open.(func() (*sqldb.DB, error))()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// Redis returns a client with a random key prefix; its keys are deleted
// after the test.
func Redis(t testing.TB) *kv.Redis {
	t.Helper()
	r, _ := RedisConfig(t)
	return r
}

// RedisConfig is Redis plus the settings that reach the same server and
// prefix again, for a test that runs a second process on it. Addr is empty
// when the test runs on the in-process server (no Redis answered, not CI),
// which no other process can reach.
func RedisConfig(t testing.TB) (*kv.Redis, configs.Redis) {
	t.Helper()
	addr := os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	if !reachable(addr) {
		if inCI() {
			t.Fatalf("CI=true but Redis at %s does not answer", addr)
		}
		addr = "" // in-process
	}
	prefix := "test:" + randomSuffix() + ":"
	cfg := configs.Redis{Addr: addr, Prefix: prefix}
	r, err := kv.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := r.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			r.Del(ctx, keys...)
		}
		r.Close()
	})
	return r, cfg
}

// Protector returns a pii.Protector with fresh random keys.
func Protector(t testing.TB) *pii.Protector {
	t.Helper()
	p, err := pii.New("t1:"+pii.NewKey(), pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Signer is a keyring with a fresh random signing key.
func Signer(t testing.TB) *signing.Keyring {
	t.Helper()
	k, err := signing.New("t1:" + signing.NewSeed())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// PlaintextInRedis scans every key under r's prefix (names and values of
// strings, hashes, lists, sets and streams) for any of the needles, also
// inside base64 runs, and returns one line per finding.
func PlaintextInRedis(t testing.TB, r *kv.Redis, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	iter := r.Scan(ctx, 0, r.Prefix()+"*", 500).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		var texts []string
		switch typ, _ := r.Type(ctx, k).Result(); typ {
		case "string":
			v, _ := r.Get(ctx, k).Result()
			texts = append(texts, v)
		case "hash":
			m, _ := r.HGetAll(ctx, k).Result()
			for f, v := range m {
				texts = append(texts, f, v)
			}
		case "list":
			texts, _ = r.LRange(ctx, k, 0, -1).Result()
		case "set":
			texts, _ = r.SMembers(ctx, k).Result()
		case "zset":
			texts, _ = r.ZRange(ctx, k, 0, -1).Result()
		case "stream":
			msgs, _ := r.XRange(ctx, k, "-", "+").Result()
			for _, m := range msgs {
				for f, v := range m.Values {
					texts = append(texts, f, fmt.Sprint(v))
				}
			}
		}
		texts = append(texts, k)
		for _, s := range texts {
			for _, n := range needles {
				if strings.Contains(s, n) || strings.Contains(decodeBase64Runs(s), n) {
					found = append(found, fmt.Sprintf("%s holds %q", k, n))
				}
			}
		}
	}
	return found
}

var base64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]{12,}={0,2}`)

func decodeBase64Runs(s string) string {
	var out strings.Builder
	for _, run := range base64Run.FindAllString(s, -1) {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(run); err == nil {
				out.Write(b)
				out.WriteByte('\n')
				break
			}
		}
	}
	return out.String()
}
