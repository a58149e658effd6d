package wiring

import (
	"context"
	"time"

	"taxiexam/internal/statistics"
	"taxiexam/internal/statistics/statisticsdb"
	"taxiexam/internal/statistics/statisticskv"
)

// assembleStatistics wires the management end's figures: read-only queries
// over the other stores' tables and the daily rollup of settled days
// (statisticsdb), rolled up by every node every 10 minutes, and export jobs
// whose progress and workbook live in Redis (statisticskv), run by one
// export worker per node.
func (a *App) assembleStatistics() {
	a.stats = statistics.NewService(statisticsdb.New(a.db), statisticskv.New(a.redis), a.clock, a.cfg.Location)
	a.workers = append(a.workers,
		worker{name: "statistics-exports", run: a.stats.RunExports},
		worker{name: "statistics-rollup", run: func(ctx context.Context) error { return a.stats.RunRollups(ctx, 10*time.Minute) }})
}
