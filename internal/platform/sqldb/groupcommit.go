package sqldb

import (
	"errors"

	mysqldrv "github.com/go-sql-driver/mysql"

	"taxiexam/internal/platform/groupcommit"
)

// GroupCommitOptions are the writer settings for a statement shape on d:
// up to 256 rows per statement on MySQL; one on SQLite, where every commit
// takes the single write lock anyway. key names the row a request writes
// (see groupcommit.Options.Key).
func GroupCommitOptions[Req any](d *DB, key func(Req) uint64) groupcommit.Options[Req] {
	o := groupcommit.Options[Req]{Key: key, Retryable: IsRetryable, RolledBack: RefusedByServer}
	if d.dialect != MySQL {
		o.MaxBatch = 1
	}
	return o
}

// RefusedByServer reports an error the MySQL server answered for a
// statement (a duplicate, a deadlock, a value out of range): the statement
// was rolled back as a whole, so none of its rows were written. A lost
// connection is not such an error: the statement may have committed.
func RefusedByServer(err error) bool {
	var me *mysqldrv.MySQLError
	return errors.As(err, &me)
}
