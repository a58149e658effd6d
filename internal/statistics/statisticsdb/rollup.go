package statisticsdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"taxiexam/internal/statistics"
)

// Rolled implements statistics.Store.
func (s *Store) Rolled(ctx context.Context, from, to string) ([]string, error) {
	var days []string
	err := s.db.Conn(ctx).Raw("SELECT day FROM stats_days WHERE day >= ? AND day <= ? ORDER BY day", from, to).Scan(&days).Error
	return days, err
}

// RolledCells implements statistics.Store: the stored cells of the days,
// for a centre only its centre metrics (dimension = the centre; subjects
// "<centre>:<subject>").
func (s *Store) RolledCells(ctx context.Context, from, to string, centreID int64) ([]statistics.Cell, error) {
	q := s.db.Conn(ctx).Table("stats_daily").Select("day, metric, dim, value").Where("day >= ? AND day <= ?", from, to)
	if centreID > 0 {
		id := strconv.FormatInt(centreID, 10)
		q = q.Where("(metric IN ? AND dim = ?) OR (metric IN ? AND dim LIKE ?)", statistics.CentreMetrics, id, statistics.CentreSubjectMetrics, id+":%")
	}
	var rows []struct {
		Day, Metric, Dim string
		Value            int64
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]statistics.Cell, len(rows))
	for i, r := range rows {
		out[i] = statistics.Cell{Metric: statistics.Metric(r.Metric), Day: r.Day, Dim: r.Dim, Value: r.Value}
	}
	return out, nil
}

// SaveRollup implements statistics.Store: the days' cells replace whatever
// was stored for them, and the days are marked rolled, in one transaction
// (a day is rolled completely or not at all; two nodes rolling the same
// days write the same cells).
func (s *Store) SaveRollup(ctx context.Context, days []string, cells []statistics.Cell) error {
	if len(days) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec("DELETE FROM stats_daily WHERE day IN ?", days).Error; err != nil {
			return err
		}
		if err := conn.Exec("DELETE FROM stats_days WHERE day IN ?", days).Error; err != nil {
			return err
		}
		const per = 1000
		for i := 0; i < len(cells); i += per {
			batch := cells[i:min(len(cells), i+per)]
			var sb strings.Builder
			sb.WriteString("INSERT INTO stats_daily (day, metric, dim, value) VALUES ")
			args := make([]any, 0, len(batch)*4)
			for k, c := range batch {
				if k > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?)")
				args = append(args, c.Day, string(c.Metric), c.Dim, c.Value)
			}
			if err := conn.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		for i := 0; i < len(days); i += per {
			batch := days[i:min(len(days), i+per)]
			var sb strings.Builder
			sb.WriteString("INSERT INTO stats_days (day, rolled_at) VALUES ")
			args := make([]any, 0, len(batch)*2)
			for k, d := range batch {
				if k > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?)")
				args = append(args, d, now)
			}
			if err := conn.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// FirstDay implements statistics.Store: the earliest day anything was
// recorded ("" when nothing was); each MIN reads one end of an index.
func (s *Store) FirstDay(ctx context.Context, loc *time.Location) (string, error) {
	first := ""
	keep := func(day string) {
		if day != "" && (first == "" || day < first) {
			first = day
		}
	}
	for _, q := range []string{"SELECT MIN(submitted_at) FROM applications", "SELECT MIN(starts_at) FROM exam_sessions",
		"SELECT MIN(hour) FROM registration_channel_scans", "SELECT MIN(hour) FROM practice_answer_hours", "SELECT MIN(created_at) FROM exam_bookings"} {
		// MySQL answers a time, SQLite the stored text
		var v any
		if err := s.db.Conn(ctx).Raw(q).Row().Scan(&v); err != nil {
			return "", err
		}
		switch x := v.(type) {
		case time.Time:
			keep(x.In(loc).Format(time.DateOnly))
		case string, []byte:
			if t, err := time.Parse(time.RFC3339Nano, asString(x)); err == nil {
				keep(t.In(loc).Format(time.DateOnly))
			}
		}
	}
	var day sql.NullString
	if err := s.db.Conn(ctx).Raw("SELECT MIN(day) FROM practice_sessions").Row().Scan(&day); err != nil {
		return "", err
	}
	keep(day.String)
	return first, nil
}

func asString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}
