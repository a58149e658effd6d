// Package statistics is the bureau's management end (行业管理端) figures:
// for any range of days, compared with the previous period or the same
// days a year earlier, what happened from the QR scan to the certificate
// in the post. It reads what the other packages write (registration,
// practice, attempts, booking, results, certificates, notify) through its
// Store, a read-only reporting adapter over their tables; it writes
// nothing but its own export jobs.
//
// Every figure is a sum of cells (metric, civil day, dimension), so a
// range is the sum of its days and an export of ten years the sum of its
// months (docs/statistics.md: the figures, their definitions and why
// indexed queries instead of aggregate tables).
package statistics

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
)

// Store measures the figures from the tables the other packages write.
type Store interface {
	// Measure counts every metric of the period as cells per civil day of
	// loc. centreID > 0 measures only the centre metrics (bookings,
	// sittings, results) of that centre.
	Measure(ctx context.Context, p Period, centreID int64, loc *time.Location) ([]Cell, error)
	// Channels and Centres name the breakdowns' dimensions.
	Channels(ctx context.Context) ([]Channel, error)
	Centres(ctx context.Context) ([]Centre, error)

	// The daily rollup of settled days: which days of [from, to] are
	// rolled, their cells (centreID > 0: the centre's metrics only), and
	// storing days' cells. FirstDay is the earliest day with any data.
	Rolled(ctx context.Context, from, to string) ([]string, error)
	RolledCells(ctx context.Context, from, to string, centreID int64) ([]Cell, error)
	SaveRollup(ctx context.Context, days []string, cells []Cell) error
	FirstDay(ctx context.Context, loc *time.Location) (string, error)
}

// Service answers the statistics queries.
type Service struct {
	store   Store
	clock   clock.Clock
	loc     *time.Location
	exports *exporter
}

// NewService returns the service; loc is the bureau's zone, in whose days
// everything is counted. exports keeps the export jobs (nil: no exports).
func NewService(store Store, exports Exports, clk clock.Clock, loc *time.Location) *Service {
	s := &Service{store: store, clock: clk, loc: loc}
	if exports != nil {
		s.exports = newExporter(s, exports)
	}
	return s
}

// Zone is the name of the zone the days are counted in.
func (s *Service) Zone() string { return s.loc.String() }

// scope resolves who is asking: a bureau admin sees everything (or one
// centre), a proctor only their own centre's figures.
func scope(ctx context.Context, centreID int64) (int64, string, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return 0, "", apperr.ErrUnauthenticated
	}
	switch a.Role {
	case "bureau_admin":
		if centreID > 0 {
			return centreID, ScopeCentre, nil
		}
		return 0, ScopeBureau, nil
	case "proctor":
		if a.CentreID == 0 {
			return 0, "", apperr.ErrForbidden.WithMessage("this proctor account is not bound to an exam centre")
		}
		if centreID != 0 && centreID != a.CentreID {
			return 0, "", apperr.ErrNotFound // another centre's figures: as if it did not exist
		}
		return a.CentreID, ScopeCentre, nil
	}
	return 0, "", apperr.ErrForbidden
}

// Normalize checks a query against the limits (maxDays) and fills in the
// defaults: the last 30 days, the grouping by length.
func (s *Service) normalize(q Query, maxDays int) (Query, Period, error) {
	bad := apperr.Fields{}
	if z := strings.TrimSpace(q.Zone); z != "" && z != s.loc.String() {
		return q, Period{}, ErrWrongZone.WithMessage("statistics are counted in days of %s, not %s", s.loc, z).
			WithField("zone", rsnZone.With("zone", s.loc.String()))
	}
	today := s.clock.Now().In(s.loc).Format(time.DateOnly)
	from, errFrom := s.day(q.From, false)
	to, errTo := s.day(q.To, true)
	for name, err := range map[string]error{"from": errFrom, "to": errTo} {
		if err == nil {
			continue
		}
		if ErrWrongZone.Is(err) {
			return q, Period{}, ErrWrongZone.WithMessage("%s is not a midnight of %s", name, s.loc).WithField(name, rsnDateOrMidnight.With("zone", s.loc.String()))
		}
		bad.Add(name, rsnMustBeADateLike2024)
	}
	if q.Compare != CompareNone && q.Compare != ComparePrevious && q.Compare != CompareYear {
		bad.Add("compare", apperr.OneOf("previous", "year", "empty"))
	}
	if q.Group != "" && q.Group != GroupDay && q.Group != GroupWeek && q.Group != GroupMonth {
		bad.Add("group", apperr.OneOf("day", "week", "month"))
	}
	bad.Check(q.CentreID >= 0, "centre_id", apperr.NotNegative())
	if err := bad.Err(); err != nil {
		return q, Period{}, err
	}
	if to == "" {
		to = today
	}
	if from == "" {
		from = addDays(to, -29)
	}
	p := s.period(from, to)
	if p.End.Before(p.Start) || p.End.Equal(p.Start) {
		return q, Period{}, ErrRangeReversed.WithMessage("%s is before %s", to, from).WithField("to", apperr.NotBeforeFrom())
	}
	if n := p.Days(); n > maxDays {
		return q, Period{}, ErrRangeTooLong.WithMessage("the range has %d days; at most %d days at a time", n, maxDays).
			WithField("to", rsnMaxDaysAfterFrom.With("n", maxDays-1))
	}
	q.From, q.To, q.Zone = from, to, s.loc.String()
	if q.Group == "" {
		switch n := p.Days(); {
		case n <= 62:
			q.Group = GroupDay
		case n <= 366:
			q.Group = GroupWeek
		default:
			q.Group = GroupMonth
		}
	}
	return q, p, nil
}

// day reads a civil date, or an RFC 3339 midnight in the bureau's zone
// (exclusive when it ends the range, as everywhere in the API).
func (s *Service) day(v string, end bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format(time.DateOnly), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "", apperr.Invalid(nil)
	}
	local := t.In(s.loc)
	if _, off := t.Zone(); off != offsetAt(local) || local.Hour() != 0 || local.Minute() != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
		return "", ErrWrongZone
	}
	if end {
		local = local.AddDate(0, 0, -1)
	}
	return local.Format(time.DateOnly), nil
}

func offsetAt(t time.Time) int { _, off := t.Zone(); return off }

func addDays(day string, n int) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

// period turns civil days into the instants that bound them.
func (s *Service) period(from, to string) Period {
	a, _ := time.ParseInLocation(time.DateOnly, from, s.loc)
	b, _ := time.ParseInLocation(time.DateOnly, to, s.loc)
	return Period{From: from, To: to, Start: a.UTC(), End: b.AddDate(0, 0, 1).UTC()}
}

// comparison is the period the query is compared with.
func (s *Service) comparison(p Period, mode string) *Period {
	switch mode {
	case ComparePrevious:
		n := p.Days()
		c := s.period(addDays(p.From, -n), addDays(p.From, -1))
		return &c
	case CompareYear:
		c := s.period(yearEarlier(p.From), yearEarlier(p.To))
		return &c
	}
	return nil
}

// yearEarlier is the same date a year before (29 February -> 28 February).
func yearEarlier(day string) string {
	d, _ := time.Parse(time.DateOnly, day)
	y := time.Date(d.Year()-1, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	if y.Month() != d.Month() {
		y = y.AddDate(0, 0, -y.Day())
	}
	return y.Format(time.DateOnly)
}

// Dashboard answers the statistics page: the figures of the range, the
// comparison, the trend, the breakdowns and the funnel.
func (s *Service) Dashboard(ctx context.Context, q Query) (Dashboard, error) {
	centre, sc, err := scope(ctx, q.CentreID)
	if err != nil {
		return Dashboard{}, err
	}
	q.CentreID = centre
	q, p, err := s.normalize(q, MaxDays)
	if err != nil {
		return Dashboard{}, err
	}
	cmp := s.comparison(p, q.Compare)
	// The two periods are measured at once (each is one query per table).
	type result struct {
		cells []Cell
		err   error
	}
	prev := make(chan result, 1)
	if cmp != nil {
		go func() {
			c, err := s.cells(ctx, *cmp, centre)
			prev <- result{c, err}
		}()
	}
	cells, err := s.cells(ctx, p, centre)
	var prevCells []Cell
	if cmp != nil {
		r := <-prev
		if err == nil {
			prevCells, err = r.cells, r.err
		}
	}
	if err != nil {
		return Dashboard{}, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	d := s.build(q, sc, p, cells, names)
	if cmp != nil {
		pd := s.build(q, sc, *cmp, prevCells, names)
		d.Compare, d.Previous, d.PreviousTrend = cmp, &pd.Totals, pd.Trend
	}
	return d, nil
}

// cells are the period's cells: the stored ones of rolled-up days, and the
// rest (the last days, or days not rolled up yet) measured live, one
// measurement per run of consecutive days.
func (s *Service) cells(ctx context.Context, p Period, centre int64) ([]Cell, error) {
	rolled, err := s.store.Rolled(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	var out []Cell
	if len(rolled) > 0 {
		if out, err = s.store.RolledCells(ctx, p.From, p.To, centre); err != nil {
			return nil, err
		}
	}
	for _, run := range unrolled(p, rolled) {
		c, err := s.store.Measure(ctx, s.period(run[0], run[1]), centre, s.loc)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	return out, nil
}

// unrolled are the runs [first, last] of the period's days not in rolled
// (sorted).
func unrolled(p Period, rolled []string) [][2]string {
	var out [][2]string
	i := 0
	for d := p.From; d <= p.To; d = addDays(d, 1) {
		for i < len(rolled) && rolled[i] < d {
			i++
		}
		if i < len(rolled) && rolled[i] == d {
			continue
		}
		if n := len(out); n > 0 && out[n-1][1] == addDays(d, -1) {
			out[n-1][1] = d
		} else {
			out = append(out, [2]string{d, d})
		}
	}
	return out
}

// Rollup stores the cells of every settled day not rolled up yet, a
// calendar month (one measurement) at a time, and returns how many days it
// rolled. Safe on every node at once: the same days give the same cells.
func (s *Service) Rollup(ctx context.Context) (int, error) {
	first, err := s.store.FirstDay(ctx, s.loc)
	if err != nil || first == "" {
		return 0, err
	}
	last := addDays(s.clock.Now().In(s.loc).Format(time.DateOnly), -SettleDays-1)
	if first > last {
		return 0, nil
	}
	all := s.period(first, last)
	rolled, err := s.store.Rolled(ctx, first, last)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, run := range unrolled(all, rolled) {
		for _, m := range chunks(s.period(run[0], run[1])) {
			cells, err := s.store.Measure(ctx, s.period(m.From, m.To), 0, s.loc)
			if err != nil {
				return n, err
			}
			var days []string
			for d := m.From; d <= m.To; d = addDays(d, 1) {
				days = append(days, d)
			}
			if err := s.store.SaveRollup(ctx, days, cells); err != nil {
				return n, err
			}
			n += len(days)
		}
	}
	return n, nil
}

// RunRollups rolls up settled days now and then every interval (each node;
// see Rollup).
func (s *Service) RunRollups(ctx context.Context, every time.Duration) error {
	for {
		if n, err := s.Rollup(ctx); err != nil && ctx.Err() == nil {
			slog.ErrorContext(ctx, "statistics rollup", "err", err)
		} else if n > 0 {
			slog.InfoContext(ctx, "statistics rolled up", "days", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// names are the channels and centres the breakdowns name.
type names struct {
	channels []Channel
	centres  []Centre
}

func (s *Service) names(ctx context.Context) (names, error) {
	ch, err := s.store.Channels(ctx)
	if err != nil {
		return names{}, err
	}
	ce, err := s.store.Centres(ctx)
	return names{ch, ce}, err
}

// tally sums cells by metric and by metric and dimension.
type tally struct {
	total map[Metric]int64
	dim   map[Metric]map[string]int64
}

func newTally(cells []Cell) tally {
	t := tally{total: map[Metric]int64{}, dim: map[Metric]map[string]int64{}}
	for _, c := range cells {
		t.total[c.Metric] += c.Value
		if t.dim[c.Metric] == nil {
			t.dim[c.Metric] = map[string]int64{}
		}
		t.dim[c.Metric][c.Dim] += c.Value
	}
	return t
}

// build turns the cells of one period into a dashboard.
func (s *Service) build(q Query, sc string, p Period, cells []Cell, n names) Dashboard {
	t := newTally(cells)
	d := Dashboard{Query: q, Zone: s.loc.String(), Scope: sc, Period: p, GeneratedAt: s.clock.Now().UTC()}
	d.Totals = figures(t, n.channels)
	d.Trend = trend(p, q.Group, cells)
	if sc == ScopeBureau {
		d.Channels = channelRows(t, n.channels)
		d.Certificates = kindRows(t)
		d.Templates = templateRows(t)
		d.Funnel = funnel(d.Totals)
	}
	d.Centres = centreRows(t, n.centres, q.CentreID)
	d.Subjects = subjectRows(t)
	return d
}

// ratio is num/den with a percentage of two decimals, rounded half up.
func ratio(num, den int64) Ratio {
	r := Ratio{Num: num, Den: den}
	if den > 0 {
		r.Percent = math.Floor(float64(num)*10000/float64(den)+0.5) / 100
	}
	return r
}

// hours is an average of seconds in hours, one decimal.
func hours(seconds, n int64) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(float64(seconds)/float64(n)/360) / 10
}

func figures(t tally, channels []Channel) Figures {
	v := t.total
	f := Figures{
		Scans: v[MScans], Registrations: v[MRegistrations],
		Approved: v[MApproved], Returned: v[MReturned], Rejected: v[MRejected],
		ReviewAvgHours:   hours(v[MReviewSeconds], v[MReviewed]),
		ReviewWithinWeek: ratio(v[MReviewedInWeek], v[MReviewed]),
		PracticeSessions: v[MPracticeSessions], PracticeAnswers: v[MPracticeAnswers],
		PracticeAccuracy: ratio(v[MPracticeCorrect], v[MPracticeAnswers]),
		MockStarted:      v[MMockStarted], MockSubmitted: v[MMockSubmitted], MockPassed: v[MMockPassed],
		Bookings: v[MBookings], Cancelled: v[MCancelled], Rescheduled: v[MRescheduled],
		Sittings: v[MSittings], NoShows: v[MNoShows],
		NoShowRate: ratio(v[MNoShows], v[MSittings]+v[MNoShows]),
		Graded:     v[MGraded], Passed: v[MPassed],
		PassRate:      ratio(v[MPassed], v[MGraded]),
		FirstPassRate: ratio(v[MFirstPassed], v[MFirstGraded]),
		Qualified:     v[MQualified],
		Certificates:  v[MCertIssued], CertificatesTaxi: t.dim[MCertIssued]["taxi"], CertificatesRideHailing: t.dim[MCertIssued]["ride_hailing"],
		Replacements: v[MReplacements], Mailed: v[MCertMailed], Collected: v[MCertPickup],
		MailRate:                 ratio(v[MCertMailed], v[MCertIssued]),
		Certified:                v[MCertified],
		IssueToDispatchHours:     hours(v[MDispatchSeconds], v[MDispatched]),
		DispatchToDeliveredHours: hours(v[MDeliverSeconds], v[MDelivered]),
		IssueToCollectedHours:    hours(v[MCollectSeconds], v[MCollected]),
		SMSSent:                  v[MSMSSent],
	}
	kind := map[string]string{}
	for _, c := range channels {
		kind[strconv.FormatInt(c.ID, 10)] = c.Kind
	}
	for id, n := range t.dim[MRegistrations] {
		if kind[id] == "window" {
			f.RegistrationsWindow += n
		} else { // online channels, and the direct link without a QR code
			f.RegistrationsOnline += n
		}
	}
	f.HoursSaved = f.RegistrationsOnline * TripsSaved * HoursPerTrip
	return f
}

// trend sums the trend metrics per bucket; every bucket of the period is
// there, empty ones too.
func trend(p Period, group string, cells []Cell) []Bucket {
	var out []Bucket
	index := map[string]int{}
	start, _ := time.Parse(time.DateOnly, p.From)
	end, _ := time.Parse(time.DateOnly, p.To)
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		label := bucketLabel(d, group)
		day := d.Format(time.DateOnly)
		i, ok := index[label]
		if !ok {
			i = len(out)
			index[label] = i
			out = append(out, Bucket{Label: label, From: day, Values: map[Metric]int64{}})
		}
		out[i].To = day
		index[day] = i
	}
	for _, c := range cells {
		if !slices.Contains(TrendMetrics, c.Metric) {
			continue
		}
		if i, ok := index[c.Day]; ok {
			out[i].Values[c.Metric] += c.Value
		}
	}
	return out
}

func bucketLabel(d time.Time, group string) string {
	switch group {
	case GroupMonth:
		return d.Format("2006-01")
	case GroupWeek:
		y, w := d.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return d.Format(time.DateOnly)
}

func channelRows(t tally, channels []Channel) []ChannelRow {
	var out []ChannelRow
	seen := map[string]bool{}
	add := func(id string, c Channel) {
		seen[id] = true
		sc, rg := t.dim[MScans][id], t.dim[MRegistrations][id]
		out = append(out, ChannelRow{ID: c.ID, Code: c.Code, Name: c.Name, Kind: c.Kind, Scans: sc, Registrations: rg, Conversion: ratio(rg, sc)})
	}
	for _, c := range channels {
		add(strconv.FormatInt(c.ID, 10), c)
	}
	// applications opened without a QR code (a shared link)
	if n := t.dim[MRegistrations]["0"]; n > 0 {
		add("0", Channel{Kind: "online"})
	}
	return out
}

func centreRows(t tally, centres []Centre, only int64) []CentreRow {
	ids := map[string]Centre{}
	for _, c := range centres {
		if only == 0 || c.ID == only {
			ids[strconv.FormatInt(c.ID, 10)] = c
		}
	}
	for _, m := range []Metric{MBookings, MSittings, MNoShows, MGraded} {
		for id := range t.dim[m] {
			if _, ok := ids[id]; !ok {
				n, _ := strconv.ParseInt(id, 10, 64)
				if only == 0 || n == only {
					ids[id] = Centre{ID: n}
				}
			}
		}
	}
	out := make([]CentreRow, 0, len(ids))
	for id, c := range ids {
		g := func(m Metric) int64 { return t.dim[m][id] }
		out = append(out, CentreRow{ID: c.ID, Name: c.Name, Bookings: g(MBookings), Sittings: g(MSittings), NoShows: g(MNoShows),
			NoShowRate: ratio(g(MNoShows), g(MSittings)+g(MNoShows)), Graded: g(MGraded), Passed: g(MPassed), PassRate: ratio(g(MPassed), g(MGraded))})
	}
	slices.SortFunc(out, func(a, b CentreRow) int { return int(a.ID - b.ID) })
	return out
}

// Subjects are listed national first, as on the paper.
var subjects = []string{"national", "regional"}

// subjectRows sums the subject cells ("<centre>:<subject>") per subject.
func subjectRows(t tally) []SubjectRow {
	out := make([]SubjectRow, 0, len(subjects))
	for _, sub := range subjects {
		g := func(m Metric) int64 {
			var n int64
			for dim, v := range t.dim[m] {
				if strings.HasSuffix(dim, ":"+sub) || dim == sub {
					n += v
				}
			}
			return n
		}
		out = append(out, SubjectRow{Subject: sub, Graded: g(MSubjectGraded), Passed: g(MSubjectPassed), PassRate: ratio(g(MSubjectPassed), g(MSubjectGraded)),
			FirstGraded: g(MSubjectFirstGraded), FirstPassed: g(MSubjectFirstPassed), FirstPassRate: ratio(g(MSubjectFirstPassed), g(MSubjectFirstGraded))})
	}
	return out
}

var kinds = []string{"taxi", "ride_hailing"}

func kindRows(t tally) []KindRow {
	out := make([]KindRow, 0, len(kinds))
	for _, k := range kinds {
		g := func(m Metric) int64 { return t.dim[m][k] }
		out = append(out, KindRow{Kind: k, Issued: g(MCertIssued), Mailed: g(MCertMailed), Collected: g(MCertPickup),
			MailRate: ratio(g(MCertMailed), g(MCertIssued)), Replacements: g(MReplacements)})
	}
	return out
}

func templateRows(t tally) []TemplateRow {
	out := make([]TemplateRow, 0, len(t.dim[MSMSSent]))
	for tpl, n := range t.dim[MSMSSent] {
		out = append(out, TemplateRow{Template: tpl, Sent: n})
	}
	slices.SortFunc(out, func(a, b TemplateRow) int {
		if a.Sent != b.Sent {
			return int(b.Sent - a.Sent)
		}
		return strings.Compare(a.Template, b.Template)
	})
	return out
}

func funnel(f Figures) []FunnelStep {
	return []FunnelStep{{"scans", f.Scans}, {"registrations", f.Registrations}, {"approved", f.Approved},
		{"bookings", f.Bookings}, {"sittings", f.Sittings}, {"passed", f.Passed}, {"certified", f.Certified}}
}
