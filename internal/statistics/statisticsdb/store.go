// Package statisticsdb measures the statistics from the tables the other
// stores write (registration, practice, attempts, booking, results,
// certificates, the notification outbox). It is a read-only reporting
// adapter: it never writes those tables, and the domains never read it.
//
// Each figure is one indexed query over the period, grouped by the UTC hour
// of its time (or by the civil day where the table keeps one), folded into
// civil days of the bureau's zone in Go; the indexes they need are this
// package's migrations. Hours fold into days exactly for every zone whose
// offset is a whole number of hours (Asia/Shanghai: +08:00, no DST).
package statisticsdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/statistics"
)

// Store implements statistics.Store.
type Store struct {
	db *sqldb.DB
	// Trace, when set, hears each query's first metric and duration (the
	// benchmark prints them).
	Trace func(metric statistics.Metric, d time.Duration)
}

// New returns the store.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

var _ statistics.Store = (*Store)(nil)

// hourExpr is col's UTC hour as "2006-01-02 15".
func (s *Store) hourExpr(col string) string {
	if s.db.Dialect() == sqldb.MySQL {
		return "DATE_FORMAT(" + col + ", '%Y-%m-%d %H')"
	}
	return "strftime('%Y-%m-%d %H', " + col + ")"
}

// dayExpr is a civil-date column (stored as UTC midnight) as "2006-01-02".
func (s *Store) dayExpr(col string) string {
	if s.db.Dialect() == sqldb.MySQL {
		return "DATE_FORMAT(" + col + ", '%Y-%m-%d')"
	}
	return "strftime('%Y-%m-%d', " + col + ")"
}

// localDayExpr is col's civil day ("2006-01-02") in a zone of fixed offset
// off seconds.
func (s *Store) localDayExpr(col string, off int) string {
	if s.db.Dialect() == sqldb.MySQL {
		return fmt.Sprintf("DATE_FORMAT(DATE_ADD(%s, INTERVAL %d SECOND), '%%Y-%%m-%%d')", col, off)
	}
	return fmt.Sprintf("date(%s, '%+d seconds')", col, off)
}

// fixedOffset is the zone's offset if it is the same all over the period.
func fixedOffset(p statistics.Period, loc *time.Location) (int, bool) {
	_, off := p.Start.In(loc).Zone()
	for t := p.Start; t.Before(p.End); t = t.Add(7 * 24 * time.Hour) {
		if _, o := t.In(loc).Zone(); o != off {
			return 0, false
		}
	}
	_, last := p.End.Add(-time.Second).In(loc).Zone()
	return off, last == off
}

// noSort ends a GROUP BY: MariaDB would otherwise sort the groups.
const noSort = " ORDER BY NULL"

// concat joins SQL expressions as text.
func (s *Store) concat(parts ...string) string {
	if s.db.Dialect() == sqldb.MySQL {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// secondsExpr is b - a in whole seconds.
func (s *Store) secondsExpr(a, b string) string {
	if s.db.Dialect() == sqldb.MySQL {
		return "TIMESTAMPDIFF(SECOND, " + a + ", " + b + ")"
	}
	return "CAST(ROUND((julianday(" + b + ") - julianday(" + a + ")) * 86400) AS INTEGER)"
}

// row is what every measuring query returns: a time bucket, a dimension
// and up to four values (which metrics they are is the query's business).
type row struct {
	Bucket     string
	Dim        string
	V1, V2, V3 int64
	V4         int64
}

// query is one measuring statement: its SQL (selecting bucket, dim, v1..),
// its arguments, whether the bucket is an hour (else a civil day), and the
// metrics of v1..v4 ("" = unused).
type query struct {
	sql     string
	args    []any
	hourly  bool
	metrics [4]statistics.Metric
}

// Measure implements statistics.Store.
func (s *Store) Measure(ctx context.Context, p statistics.Period, centreID int64, loc *time.Location) ([]statistics.Cell, error) {
	var out []statistics.Cell
	days := map[string]string{} // hour bucket -> civil day, memoised
	for _, q := range s.queries(p, centreID, loc) {
		var rows []row
		began := time.Now()
		if err := s.db.Conn(ctx).Raw(q.sql, q.args...).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("statistics %s: %w", q.metrics[0], err)
		}
		if s.Trace != nil {
			s.Trace(q.metrics[0], time.Since(began))
		}
		for _, r := range rows {
			day := r.Bucket
			if q.hourly {
				d, ok := days[r.Bucket]
				if !ok {
					h, err := time.ParseInLocation("2006-01-02 15", r.Bucket, time.UTC)
					if err != nil {
						return nil, fmt.Errorf("statistics %s: bucket %q: %w", q.metrics[0], r.Bucket, err)
					}
					d = h.In(loc).Format(time.DateOnly)
					days[r.Bucket] = d
				}
				day = d
			}
			for i, v := range []int64{r.V1, r.V2, r.V3, r.V4} {
				if q.metrics[i] != "" && v != 0 {
					out = append(out, statistics.Cell{Metric: q.metrics[i], Day: day, Dim: r.Dim, Value: v})
				}
			}
		}
	}
	return out, nil
}

func (s *Store) queries(p statistics.Period, centreID int64, loc *time.Location) []query {
	start, end := p.Start.UTC(), p.End.UTC()
	// civil-date columns are stored as UTC midnights of the date
	d0, _ := time.Parse(time.DateOnly, p.From)
	d1, _ := time.Parse(time.DateOnly, p.To)
	dayStart, dayEnd := d0, d1.AddDate(0, 0, 1)
	// Rows are grouped by civil day in SQL when the zone keeps one offset
	// over the period (Asia/Shanghai always does): 24 times fewer groups
	// than hours. Otherwise by UTC hour, folded into days in Go.
	off, fixed := fixedOffset(p, loc)
	hourly := !fixed
	h := func(col string) string {
		if fixed {
			return s.localDayExpr(col, off)
		}
		return s.hourExpr(col)
	}
	centreArgs := []any{}
	centre := func(col string) string { return "" }
	if centreID > 0 {
		centreArgs = []any{centreID}
		centre = func(col string) string { return " AND " + col + " = ?" }
	}
	within := func(col string) string { return col + " >= ? AND " + col + " < ?" }
	args := func(extra ...any) []any { return append([]any{start, end}, extra...) }
	m := func(ms ...statistics.Metric) (out [4]statistics.Metric) {
		copy(out[:], ms)
		return out
	}

	// Centre figures: what happens at the exam centres.
	qs := []query{
		{hourly: hourly, metrics: m(statistics.MBookings),
			sql: "SELECT " + h("b.created_at") + " AS bucket, s.centre_id AS dim, COUNT(*) AS v1" +
				" FROM exam_bookings b JOIN exam_sessions s ON s.id = b.session_id WHERE " + within("b.created_at") + centre("s.centre_id") +
				" GROUP BY bucket, s.centre_id" + noSort, args: args(centreArgs...)},
		// cancellations and reschedules when they happened (a settled day never changes)
		{hourly: hourly, metrics: m(statistics.MCancelled, statistics.MRescheduled),
			sql: "SELECT " + h("b.changed_at") + " AS bucket, s.centre_id AS dim," +
				" SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END) AS v1, SUM(CASE WHEN b.status = 'rescheduled' THEN 1 ELSE 0 END) AS v2" +
				" FROM exam_bookings b JOIN exam_sessions s ON s.id = b.session_id WHERE b.status IN ('cancelled', 'rescheduled') AND " + within("b.changed_at") + centre("s.centre_id") +
				" GROUP BY bucket, s.centre_id" + noSort, args: args(centreArgs...)},
		{hourly: hourly, metrics: m(statistics.MSittings, statistics.MNoShows),
			sql: "SELECT " + h("s.starts_at") + " AS bucket, s.centre_id AS dim," +
				" SUM(CASE WHEN b.status IN ('sat', 'checked_in') THEN 1 ELSE 0 END) AS v1, SUM(CASE WHEN b.status = 'absent' THEN 1 ELSE 0 END) AS v2" +
				" FROM exam_sessions s JOIN exam_bookings b ON b.session_id = s.id" +
				" WHERE " + within("s.starts_at") + " AND b.status IN ('sat', 'checked_in', 'absent')" + centre("s.centre_id") +
				" GROUP BY bucket, s.centre_id" + noSort, args: args(centreArgs...)},
		// A formal attempt passes when every subject it sat passed; it is a
		// first sitting when the candidate has no earlier result.
		{hourly: hourly, metrics: m(statistics.MGraded, statistics.MPassed, statistics.MFirstGraded, statistics.MFirstPassed),
			sql: "SELECT " + h("x.sat") + " AS bucket, x.centre_id AS dim, COUNT(*) AS v1, SUM(x.ok) AS v2, SUM(x.first) AS v3, SUM(x.first * x.ok) AS v4 FROM (" +
				"SELECT r.attempt_id, MIN(r.sat_at) AS sat, MIN(r.centre_id) AS centre_id, MIN(CASE WHEN r.passed THEN 1 ELSE 0 END) AS ok," +
				" MIN(CASE WHEN EXISTS (SELECT 1 FROM exam_subject_results e WHERE e.candidate_id = r.candidate_id AND e.sat_at < r.sat_at) THEN 0 ELSE 1 END) AS first" +
				" FROM exam_subject_results r WHERE " + within("r.sat_at") + centre("r.centre_id") + " GROUP BY r.attempt_id) x GROUP BY bucket, x.centre_id" + noSort,
			args: args(centreArgs...)},
		{hourly: hourly, metrics: m(statistics.MSubjectGraded, statistics.MSubjectPassed, statistics.MSubjectFirstGraded, statistics.MSubjectFirstPassed),
			// dimension "<centre>:<subject>", so a centre's subjects come from the same cells
			sql: "SELECT " + h("x.sat_at") + " AS bucket, x.dim, COUNT(*) AS v1, SUM(x.ok) AS v2, SUM(x.first) AS v3, SUM(x.first * x.ok) AS v4 FROM (" +
				"SELECT r.sat_at, " + s.concat("r.centre_id", "':'", "r.subject") + " AS dim, CASE WHEN r.passed THEN 1 ELSE 0 END AS ok," +
				" CASE WHEN EXISTS (SELECT 1 FROM exam_subject_results e WHERE e.candidate_id = r.candidate_id AND e.subject = r.subject AND e.sat_at < r.sat_at) THEN 0 ELSE 1 END AS first" +
				" FROM exam_subject_results r WHERE " + within("r.sat_at") + centre("r.centre_id") + ") x GROUP BY bucket, x.dim" + noSort,
			args: args(centreArgs...)},
	}
	if centreID > 0 {
		return qs
	}

	// Bureau figures.
	return append(qs,
		query{hourly: hourly, metrics: m(statistics.MScans),
			sql:  "SELECT " + h("hour") + " AS bucket, channel_id AS dim, SUM(scans) AS v1 FROM registration_channel_scans WHERE " + within("hour") + " GROUP BY bucket, channel_id" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MRegistrations),
			sql:  "SELECT " + h("submitted_at") + " AS bucket, channel_id AS dim, COUNT(*) AS v1 FROM applications WHERE " + within("submitted_at") + " GROUP BY bucket, channel_id" + noSort,
			args: args()},
		// Each decision is measured against the submission it answered:
		// the latest submitted event before it.
		query{hourly: hourly, metrics: m(statistics.MApproved, statistics.MReturned, statistics.MRejected),
			sql: "SELECT " + h("at") + " AS bucket, '' AS dim, SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END) AS v1," +
				" SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS v2, SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS v3" +
				" FROM application_events WHERE status IN ('approved', 'returned', 'rejected') AND " + within("at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MReviewSeconds, statistics.MReviewed, statistics.MReviewedInWeek),
			sql: "SELECT " + h("x.at") + " AS bucket, '' AS dim, COALESCE(SUM(x.secs), 0) AS v1, COUNT(x.secs) AS v2, SUM(CASE WHEN x.secs <= 604800 THEN 1 ELSE 0 END) AS v3 FROM (" +
				"SELECT e.at, " + s.secondsExpr("(SELECT MAX(q.at) FROM application_events q WHERE q.application_id = e.application_id AND q.status = 'submitted' AND q.at <= e.at)", "e.at") + " AS secs" +
				" FROM application_events e WHERE e.status IN ('approved', 'returned', 'rejected') AND " + within("e.at") + ") x GROUP BY bucket" + noSort,
			args: args()},
		query{metrics: m(statistics.MPracticeSessions),
			sql:  "SELECT day AS bucket, '' AS dim, COUNT(*) AS v1 FROM practice_sessions WHERE day >= ? AND day <= ? GROUP BY day" + noSort,
			args: []any{p.From, p.To}},
		query{hourly: hourly, metrics: m(statistics.MPracticeAnswers, statistics.MPracticeCorrect),
			sql:  "SELECT " + h("hour") + " AS bucket, '' AS dim, SUM(answers) AS v1, SUM(correct) AS v2 FROM practice_answer_hours WHERE " + within("hour") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MMockStarted, statistics.MMockSubmitted, statistics.MMockPassed),
			sql: "SELECT " + h("started_at") + " AS bucket, '' AS dim, COUNT(*) AS v1, SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END) AS v2," +
				" SUM(CASE WHEN status = 'submitted' AND passed THEN 1 ELSE 0 END) AS v3 FROM exam_attempts WHERE kind = 'mock' AND " + within("started_at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MQualified),
			sql:  "SELECT " + h("qualified_at") + " AS bucket, '' AS dim, COUNT(*) AS v1 FROM exam_qualifications WHERE " + within("qualified_at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{metrics: m(statistics.MCertIssued, statistics.MCertMailed, statistics.MCertPickup, statistics.MReplacements),
			sql: "SELECT " + s.dayExpr("c.issued_on") + " AS bucket, c.kind AS dim," +
				" SUM(CASE WHEN c.version = 1 THEN 1 ELSE 0 END) AS v1," +
				" SUM(CASE WHEN c.version = 1 AND d.method = 'post' THEN 1 ELSE 0 END) AS v2," +
				" SUM(CASE WHEN c.version = 1 AND d.method = 'pickup' THEN 1 ELSE 0 END) AS v3," +
				" SUM(CASE WHEN c.version > 1 THEN 1 ELSE 0 END) AS v4" +
				" FROM certificates c LEFT JOIN cert_deliveries d ON d.application_id = c.application_id WHERE " + within("c.issued_on") +
				" GROUP BY bucket, c.kind" + noSort,
			args: []any{dayStart, dayEnd}},
		query{metrics: m(statistics.MCertified),
			sql: "SELECT " + s.dayExpr("issued_on") + " AS bucket, '' AS dim, COUNT(DISTINCT application_id) AS v1 FROM certificates" +
				" WHERE version = 1 AND " + within("issued_on") + " GROUP BY bucket" + noSort,
			args: []any{dayStart, dayEnd}},
		query{hourly: hourly, metrics: m(statistics.MDispatchSeconds, statistics.MDispatched),
			sql: "SELECT " + h("dispatched_at") + " AS bucket, '' AS dim, COALESCE(SUM(" + s.secondsExpr("created_at", "dispatched_at") + "), 0) AS v1, COUNT(*) AS v2" +
				" FROM cert_deliveries WHERE " + within("dispatched_at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MDeliverSeconds, statistics.MDelivered),
			sql: "SELECT " + h("delivered_at") + " AS bucket, '' AS dim, COALESCE(SUM(" + s.secondsExpr("dispatched_at", "delivered_at") + "), 0) AS v1, COUNT(*) AS v2" +
				" FROM cert_deliveries WHERE dispatched_at IS NOT NULL AND " + within("delivered_at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MCollectSeconds, statistics.MCollected),
			sql: "SELECT " + h("collected_at") + " AS bucket, '' AS dim, COALESCE(SUM(" + s.secondsExpr("created_at", "collected_at") + "), 0) AS v1, COUNT(*) AS v2" +
				" FROM cert_deliveries WHERE " + within("collected_at") + " GROUP BY bucket" + noSort,
			args: args()},
		query{hourly: hourly, metrics: m(statistics.MSMSSent),
			sql: "SELECT " + h("sent_at") + " AS bucket, template AS dim, COUNT(*) AS v1 FROM notify_outbox" +
				" WHERE status = 'sent' AND " + within("sent_at") + " AND topic = 'sms' GROUP BY bucket, template" + noSort,
			args: args()},
	)
}

// Channels implements statistics.Store.
func (s *Store) Channels(ctx context.Context) ([]statistics.Channel, error) {
	var rows []struct {
		ID         int64
		Code, Name string
		Kind       string
	}
	err := s.db.Conn(ctx).Raw("SELECT id, code, name, kind FROM registration_channels ORDER BY id").Scan(&rows).Error
	out := make([]statistics.Channel, len(rows))
	for i, r := range rows {
		out[i] = statistics.Channel{ID: r.ID, Code: r.Code, Name: r.Name, Kind: r.Kind}
	}
	return out, err
}

// Centres implements statistics.Store.
func (s *Store) Centres(ctx context.Context) ([]statistics.Centre, error) {
	var rows []struct {
		ID   int64
		Name string
	}
	err := s.db.Conn(ctx).Raw("SELECT id, name FROM exam_centres ORDER BY id").Scan(&rows).Error
	out := make([]statistics.Centre, len(rows))
	for i, r := range rows {
		out[i] = statistics.Centre{ID: r.ID, Name: r.Name}
	}
	return out, err
}
