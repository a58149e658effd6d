// Package statisticskv keeps the statistics' export jobs in Redis, so the
// console can poll the progress and download the workbook through any node:
//
//	<prefix>stats:export:<id>        JSON of the job (status, progress), TTL statistics.ExportTTL
//	<prefix>stats:export:<id>:file   the finished workbook, same TTL
//
// Both hold aggregate figures only, no personal data.
package statisticskv

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/redis/go-redis/v9"

	"taxiexam/internal/platform/kv"
	"taxiexam/internal/statistics"
)

// Exports implements statistics.Exports.
type Exports struct{ r *kv.Redis }

// New returns the store.
func New(r *kv.Redis) *Exports { return &Exports{r: r} }

var _ statistics.Exports = (*Exports)(nil)

func (x *Exports) key(id string, parts ...string) string {
	return x.r.Key(append([]string{"stats", "export", id}, parts...)...)
}

// Put implements statistics.Exports.
func (x *Exports) Put(ctx context.Context, e statistics.Export) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return x.r.Set(ctx, x.key(e.ID), b, statistics.ExportTTL).Err()
}

// Get implements statistics.Exports.
func (x *Exports) Get(ctx context.Context, id string) (statistics.Export, error) {
	b, err := x.r.Get(ctx, x.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return statistics.Export{}, statistics.ErrExportNotFound
	}
	if err != nil {
		return statistics.Export{}, err
	}
	var e statistics.Export
	return e, json.Unmarshal(b, &e)
}

// PutFile implements statistics.Exports.
func (x *Exports) PutFile(ctx context.Context, id string, data []byte) error {
	return x.r.Set(ctx, x.key(id, "file"), data, statistics.ExportTTL).Err()
}

// File implements statistics.Exports.
func (x *Exports) File(ctx context.Context, id string) ([]byte, error) {
	b, err := x.r.Get(ctx, x.key(id, "file")).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, statistics.ErrExportNotFound
	}
	return b, err
}
