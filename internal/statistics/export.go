package statistics

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// An export is a job, not a request: a ten-year range of a province is
// many seconds of queries. The node that took the request measures the
// range month by month in its export worker and records the progress and,
// at the end, the workbook in Exports (Redis), so the console can poll any
// node and download from any node. A job whose node stopped stops beating
// and is reported as failed.

// Export statuses.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// Export is one export job.
type Export struct {
	ID        string
	Owner     int64 // staff user id: only they see it
	Query     Query // normalised, centre scoped
	Scope     string
	Lang      string   // zh-CN | en: the headings
	Tables    []string // sheets, in order
	Status    string
	Done      int // months measured
	Total     int
	Error     string
	Name      string // file name
	Size      int
	CreatedAt time.Time
	UpdatedAt time.Time // the worker's heartbeat
}

// ExportRequest is what the console asks for.
type ExportRequest struct {
	Query
	Lang   string
	Tables []string // empty = every table
}

// Exports keeps export jobs and their files for ExportTTL.
type Exports interface {
	Put(ctx context.Context, e Export) error
	Get(ctx context.Context, id string) (Export, error) // ErrExportNotFound
	PutFile(ctx context.Context, id string, data []byte) error
	File(ctx context.Context, id string) ([]byte, error)
}

// Export limits.
const (
	ExportTTL     = 30 * time.Minute
	exportStale   = time.Minute // no heartbeat for this long: the node is gone
	exportQueue   = 4           // jobs waiting per node
	MaxExportSize = 32 << 20
)

// Tables of an export, in sheet order.
var Tables = []string{"summary", "trend", "channels", "centres", "subjects", "certificates", "sms", "funnel"}

type exporter struct {
	s     *Service
	store Exports
	jobs  chan Export
}

func newExporter(s *Service, store Exports) *exporter {
	return &exporter{s: s, store: store, jobs: make(chan Export, exportQueue)}
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// StartExport checks the request like a dashboard query (with the longer
// export limit) and queues the job on this node.
func (s *Service) StartExport(ctx context.Context, r ExportRequest) (Export, error) {
	if s.exports == nil {
		return Export{}, ErrExportBusy
	}
	centre, sc, err := scope(ctx, r.CentreID)
	if err != nil {
		return Export{}, err
	}
	r.CentreID = centre
	q, _, err := s.normalize(r.Query, MaxExportDays)
	if err != nil {
		return Export{}, err
	}
	bad := apperr.Fields{}
	if r.Lang == "" {
		r.Lang = "zh-CN"
	}
	bad.Check(r.Lang == "zh-CN" || r.Lang == "en", "lang", rsnZhCnOrEn)
	for _, t := range r.Tables {
		bad.Check(slices.Contains(Tables, t), "tables", rsnUnknownTable.With("table", t))
	}
	if err := bad.Err(); err != nil {
		return Export{}, err
	}
	tables := Tables
	if len(r.Tables) > 0 {
		tables = nil
		for _, t := range Tables { // sheet order, no duplicates
			if slices.Contains(r.Tables, t) {
				tables = append(tables, t)
			}
		}
	}
	now := s.clock.Now().UTC()
	e := Export{ID: newID(), Owner: reqctx.ActorFrom(ctx).UserID, Query: q, Scope: sc, Lang: r.Lang, Tables: tables, Status: ExportQueued,
		Name: fmt.Sprintf("statistics-%s-%s.xlsx", q.From, q.To), CreatedAt: now, UpdatedAt: now}
	e.Total = len(chunks(s.period(q.From, q.To)))
	if c := s.comparison(s.period(q.From, q.To), q.Compare); c != nil {
		e.Total += len(chunks(*c))
	}
	if err := s.exports.store.Put(ctx, e); err != nil {
		return Export{}, err
	}
	select {
	case s.exports.jobs <- e:
		return e, nil
	default:
		e.Status, e.Error = ExportFailed, ErrExportBusy.Message
		_ = s.exports.store.Put(ctx, e)
		return Export{}, ErrExportBusy.WithRetryAfter(30)
	}
}

// ExportStatus is the job as its owner may see it.
func (s *Service) ExportStatus(ctx context.Context, id string) (Export, error) {
	if s.exports == nil {
		return Export{}, ErrExportNotFound
	}
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return Export{}, apperr.ErrUnauthenticated
	}
	e, err := s.exports.store.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if e.Owner != a.UserID {
		return Export{}, ErrExportNotFound
	}
	if (e.Status == ExportQueued || e.Status == ExportRunning) && s.clock.Now().Sub(e.UpdatedAt) > exportStale {
		e.Status, e.Error = ExportFailed, "the server preparing it stopped; start it again"
	}
	return e, nil
}

// ExportFile is the finished workbook.
func (s *Service) ExportFile(ctx context.Context, id string) (Export, []byte, error) {
	e, err := s.ExportStatus(ctx, id)
	if err != nil {
		return Export{}, nil, err
	}
	switch e.Status {
	case ExportDone:
	case ExportFailed:
		return e, nil, ErrExportFailed.WithMessage("the export failed: %s", e.Error)
	default:
		return e, nil, ErrExportNotReady
	}
	b, err := s.exports.store.File(ctx, id)
	return e, b, err
}

// RunExports is this node's export worker: one job at a time, so a long
// export takes one database connection, not all of them.
func (s *Service) RunExports(ctx context.Context) error {
	if s.exports == nil {
		<-ctx.Done()
		return ctx.Err()
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-s.exports.jobs:
			if err := s.exports.run(ctx, e); err != nil {
				slog.ErrorContext(ctx, "statistics export failed", "export", e.ID, "err", err)
				e.Status, e.Error, e.UpdatedAt = ExportFailed, "could not be prepared", s.clock.Now().UTC()
				_ = s.exports.store.Put(context.WithoutCancel(ctx), e)
			}
		}
	}
}

// chunks splits a period into calendar months (clipped), the unit of an
// export's progress.
func chunks(p Period) []Period {
	var out []Period
	from, _ := time.Parse(time.DateOnly, p.From)
	end, _ := time.Parse(time.DateOnly, p.To)
	for !from.After(end) {
		to := time.Date(from.Year(), from.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		if to.After(end) {
			to = end
		}
		out = append(out, Period{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
		from = to.AddDate(0, 0, 1)
	}
	return out
}

func (x *exporter) measure(ctx context.Context, e *Export, p Period) ([]Cell, error) {
	var all []Cell
	for _, c := range chunks(p) {
		cells, err := x.s.cells(ctx, x.s.period(c.From, c.To), e.Query.CentreID)
		if err != nil {
			return nil, err
		}
		all = append(all, cells...)
		e.Done++
		e.UpdatedAt = x.s.clock.Now().UTC()
		if err := x.store.Put(ctx, *e); err != nil {
			return nil, err
		}
	}
	return all, nil
}

func (x *exporter) run(ctx context.Context, e Export) error {
	e.Status = ExportRunning
	p := x.s.period(e.Query.From, e.Query.To)
	cells, err := x.measure(ctx, &e, p)
	if err != nil {
		return err
	}
	n, err := x.s.names(ctx)
	if err != nil {
		return err
	}
	d := x.s.build(e.Query, e.Scope, p, cells, n)
	if c := x.s.comparison(p, e.Query.Compare); c != nil {
		prev, err := x.measure(ctx, &e, *c)
		if err != nil {
			return err
		}
		pd := x.s.build(e.Query, e.Scope, *c, prev, n)
		d.Compare, d.Previous = c, &pd.Totals
	}
	b, err := workbook(d, e.Tables, e.Lang)
	if err != nil {
		return err
	}
	if len(b) > MaxExportSize {
		return fmt.Errorf("workbook of %d bytes is over the limit", len(b))
	}
	if err := x.store.PutFile(ctx, e.ID, b); err != nil {
		return err
	}
	e.Status, e.Size, e.UpdatedAt = ExportDone, len(b), x.s.clock.Now().UTC()
	return x.store.Put(ctx, e)
}

// workbook writes the dashboard's tables, one sheet each, with headings in
// lang.
func workbook(d Dashboard, tables []string, lang string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	l := func(key string) string { return label(lang, key) }
	first := true
	for _, t := range tables {
		rows := sheetRows(d, t, l)
		if rows == nil {
			continue
		}
		name := l("sheet." + t)
		if first {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
			first = false
		} else if _, err := x.NewSheet(name); err != nil {
			return nil, err
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow(name, cell, &r); err != nil {
				return nil, err
			}
		}
		_ = x.SetColWidth(name, "A", "A", 28)
		_ = x.SetColWidth(name, "B", "P", 14)
	}
	if first { // a centre scope asked only for bureau tables
		if err := x.SetSheetName("Sheet1", l("sheet.summary")); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetRows is one table as rows (heading first); nil when the scope has
// no such table.
// generatedAt is when the figures were read, on the bureau's wall clock
// (the zone the sheet names), e.g. 2026-12-07 19:58:55 +08:00.
func generatedAt(d Dashboard) string {
	t := d.GeneratedAt
	if loc, err := time.LoadLocation(d.Zone); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}

func sheetRows(d Dashboard, table string, l func(string) string) [][]any {
	pct := func(r Ratio) any {
		if r.Den == 0 {
			return ""
		}
		return r.Percent
	}
	switch table {
	case "summary":
		rows := [][]any{{l("col.figure"), fmt.Sprintf("%s ~ %s", d.Period.From, d.Period.To)}}
		if d.Compare != nil {
			rows[0] = append(rows[0], fmt.Sprintf("%s ~ %s", d.Compare.From, d.Compare.To))
		}
		for _, f := range summaryFigures(d.Scope) {
			row := []any{l("fig." + f.key), f.value(d.Totals)}
			if d.Previous != nil {
				row = append(row, f.value(*d.Previous))
			}
			rows = append(rows, row)
		}
		rows = append(rows, []any{}, []any{l("col.zone"), d.Zone}, []any{l("col.generated"), generatedAt(d)})
		return rows
	case "trend":
		head := []any{l("col.bucket"), l("col.from"), l("col.to")}
		for _, m := range TrendMetrics {
			head = append(head, l("m."+string(m)))
		}
		head = append(head, l("fig.no_show_rate"), l("fig.pass_rate"))
		rows := [][]any{head}
		for _, b := range d.Trend {
			row := []any{b.Label, b.From, b.To}
			for _, m := range TrendMetrics {
				row = append(row, b.Values[m])
			}
			row = append(row, pct(ratio(b.Values[MNoShows], b.Values[MSittings]+b.Values[MNoShows])), pct(ratio(b.Values[MPassed], b.Values[MGraded])))
			rows = append(rows, row)
		}
		return rows
	case "channels":
		if d.Scope != ScopeBureau {
			return nil
		}
		rows := [][]any{{l("col.code"), l("col.name"), l("col.kind"), l("m.scans"), l("m.registrations"), l("col.conversion")}}
		for _, c := range d.Channels {
			name := c.Name
			if c.ID == 0 {
				name = l("col.direct")
			}
			rows = append(rows, []any{c.Code, name, l("kind." + c.Kind), c.Scans, c.Registrations, pct(c.Conversion)})
		}
		return rows
	case "centres":
		rows := [][]any{{l("col.centre"), l("m.bookings"), l("m.sittings"), l("m.no_shows"), l("fig.no_show_rate"), l("m.graded"), l("m.passed"), l("fig.pass_rate")}}
		for _, c := range d.Centres {
			rows = append(rows, []any{c.Name, c.Bookings, c.Sittings, c.NoShows, pct(c.NoShowRate), c.Graded, c.Passed, pct(c.PassRate)})
		}
		return rows
	case "subjects":
		rows := [][]any{{l("col.subject"), l("m.graded"), l("m.passed"), l("fig.pass_rate"), l("col.first_graded"), l("col.first_passed"), l("fig.first_pass_rate")}}
		for _, s := range d.Subjects {
			rows = append(rows, []any{l("subject." + s.Subject), s.Graded, s.Passed, pct(s.PassRate), s.FirstGraded, s.FirstPassed, pct(s.FirstPassRate)})
		}
		return rows
	case "certificates":
		if d.Scope != ScopeBureau {
			return nil
		}
		rows := [][]any{{l("col.kind"), l("m.cert_issued"), l("m.cert_mailed"), l("m.cert_pickup"), l("fig.mail_rate"), l("m.replacements")}}
		for _, k := range d.Certificates {
			rows = append(rows, []any{l("cert." + k.Kind), k.Issued, k.Mailed, k.Collected, pct(k.MailRate), k.Replacements})
		}
		return rows
	case "sms":
		if d.Scope != ScopeBureau {
			return nil
		}
		rows := [][]any{{l("col.template"), l("m.sms_sent")}}
		for _, t := range d.Templates {
			rows = append(rows, []any{t.Template, t.Sent})
		}
		return rows
	case "funnel":
		if d.Scope != ScopeBureau {
			return nil
		}
		rows := [][]any{{l("col.step"), l("col.count")}}
		for _, s := range d.Funnel {
			rows = append(rows, []any{l("funnel." + s.Step), s.Count})
		}
		return rows
	}
	return nil
}

type summaryFigure struct {
	key    string
	centre bool // shown in a centre's scope too
	value  func(Figures) any
}

func summaryFigures(sc string) []summaryFigure {
	n := func(f func(Figures) int64) func(Figures) any { return func(x Figures) any { return f(x) } }
	p := func(f func(Figures) Ratio) func(Figures) any { return func(x Figures) any { return f(x).Percent } }
	h := func(f func(Figures) float64) func(Figures) any { return func(x Figures) any { return f(x) } }
	all := []summaryFigure{
		{"scans", false, n(func(f Figures) int64 { return f.Scans })},
		{"registrations", false, n(func(f Figures) int64 { return f.Registrations })},
		{"registrations_online", false, n(func(f Figures) int64 { return f.RegistrationsOnline })},
		{"registrations_window", false, n(func(f Figures) int64 { return f.RegistrationsWindow })},
		{"approved", false, n(func(f Figures) int64 { return f.Approved })},
		{"returned", false, n(func(f Figures) int64 { return f.Returned })},
		{"rejected", false, n(func(f Figures) int64 { return f.Rejected })},
		{"review_hours", false, h(func(f Figures) float64 { return f.ReviewAvgHours })},
		{"practice_sessions", false, n(func(f Figures) int64 { return f.PracticeSessions })},
		{"practice_answers", false, n(func(f Figures) int64 { return f.PracticeAnswers })},
		{"mock_started", false, n(func(f Figures) int64 { return f.MockStarted })},
		{"bookings", true, n(func(f Figures) int64 { return f.Bookings })},
		{"sittings", true, n(func(f Figures) int64 { return f.Sittings })},
		{"no_shows", true, n(func(f Figures) int64 { return f.NoShows })},
		{"no_show_rate", true, p(func(f Figures) Ratio { return f.NoShowRate })},
		{"pass_rate", true, p(func(f Figures) Ratio { return f.PassRate })},
		{"first_pass_rate", true, p(func(f Figures) Ratio { return f.FirstPassRate })},
		{"certificates", false, n(func(f Figures) int64 { return f.Certificates })},
		{"mailed", false, n(func(f Figures) int64 { return f.Mailed })},
		{"mail_rate", false, p(func(f Figures) Ratio { return f.MailRate })},
		{"dispatch_hours", false, h(func(f Figures) float64 { return f.IssueToDispatchHours })},
		{"deliver_hours", false, h(func(f Figures) float64 { return f.DispatchToDeliveredHours })},
		{"sms_sent", false, n(func(f Figures) int64 { return f.SMSSent })},
		{"hours_saved", false, n(func(f Figures) int64 { return f.HoursSaved })},
	}
	if sc == ScopeBureau {
		return all
	}
	var out []summaryFigure
	for _, f := range all {
		if f.centre {
			out = append(out, f)
		}
	}
	return out
}
