package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/statistics"
)

// ---- statistics: the management end's figures (internal/statistics) ----

// StatsQuery selects the statistics.
type StatsQuery struct {
	From     string `form:"from" json:"from" doc:"first day, 2006-01-02 in the bureau's zone (or an RFC 3339 midnight of that zone); default 29 days before to"`
	To       string `form:"to" json:"to" doc:"last day, inclusive (an RFC 3339 midnight: exclusive); default today; at most 732 days (exports 3653)"`
	Zone     string `form:"zone" json:"zone" doc:"optional: the zone the caller means; anything but the bureau's is 422 wrong_zone"`
	Compare  string `form:"compare" json:"compare" doc:"previous (the same number of days before) | year (the same days a year earlier) | empty"`
	Group    string `form:"group" json:"group" doc:"trend buckets: day | week | month; default by the range's length"`
	CentreID int64  `form:"centre_id" json:"centre_id" doc:"one exam centre (proctors: always their own)"`
}

// StatsRatio is a rate and what it is made of.
type StatsRatio struct {
	Num     int64   `json:"num"`
	Den     int64   `json:"den"`
	Percent float64 `json:"percent" doc:"two decimals, rounded half up; 0 when den is 0"`
}

// StatsFigures are the headline figures of a period (definitions: docs/statistics.md).
type StatsFigures struct {
	Scans                    int64      `json:"scans"`
	Registrations            int64      `json:"registrations"`
	RegistrationsOnline      int64      `json:"registrations_online"`
	RegistrationsWindow      int64      `json:"registrations_window"`
	Approved                 int64      `json:"approved"`
	Returned                 int64      `json:"returned"`
	Rejected                 int64      `json:"rejected"`
	ReviewAvgHours           float64    `json:"review_avg_hours"`
	ReviewWithinWeek         StatsRatio `json:"review_within_week"`
	PracticeSessions         int64      `json:"practice_sessions"`
	PracticeAnswers          int64      `json:"practice_answers"`
	PracticeAccuracy         StatsRatio `json:"practice_accuracy"`
	MockStarted              int64      `json:"mock_started"`
	MockSubmitted            int64      `json:"mock_submitted"`
	MockPassed               int64      `json:"mock_passed"`
	Bookings                 int64      `json:"bookings"`
	Cancelled                int64      `json:"cancelled"`
	Rescheduled              int64      `json:"rescheduled"`
	Sittings                 int64      `json:"sittings"`
	NoShows                  int64      `json:"no_shows"`
	NoShowRate               StatsRatio `json:"no_show_rate"`
	Graded                   int64      `json:"graded"`
	Passed                   int64      `json:"passed"`
	PassRate                 StatsRatio `json:"pass_rate"`
	FirstPassRate            StatsRatio `json:"first_pass_rate"`
	Qualified                int64      `json:"qualified"`
	Certificates             int64      `json:"certificates"`
	CertificatesTaxi         int64      `json:"certificates_taxi"`
	CertificatesRideHailing  int64      `json:"certificates_ride_hailing"`
	Replacements             int64      `json:"replacements"`
	Mailed                   int64      `json:"mailed"`
	Collected                int64      `json:"collected"`
	MailRate                 StatsRatio `json:"mail_rate"`
	Certified                int64      `json:"certified"`
	IssueToDispatchHours     float64    `json:"issue_to_dispatch_hours"`
	DispatchToDeliveredHours float64    `json:"dispatch_to_delivered_hours"`
	IssueToCollectedHours    float64    `json:"issue_to_collected_hours"`
	SMSSent                  int64      `json:"sms_sent"`
	HoursSaved               int64      `json:"hours_saved" doc:"online registrations x 2 trips x 2 hours"`
}

// StatsPeriod is a range of whole days.
type StatsPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

// StatsBucket is one step of a trend.
type StatsBucket struct {
	Label  string           `json:"label" doc:"2024-03-05 | 2024-W10 | 2024-03"`
	From   string           `json:"from"`
	To     string           `json:"to"`
	Values map[string]int64 `json:"values" doc:"per metric: scans, registrations, approved, practice_sessions, practice_answers, mock_started, bookings, sittings, no_shows, graded, passed, cert_issued, cert_mailed, sms_sent"`
}

// StatsChannel is one registration channel's figures.
type StatsChannel struct {
	ID            int64      `json:"id" doc:"0 = applications opened without a QR code"`
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	Kind          string     `json:"kind"`
	Scans         int64      `json:"scans"`
	Registrations int64      `json:"registrations"`
	Conversion    StatsRatio `json:"conversion"`
}

// StatsCentre is one exam centre's figures.
type StatsCentre struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Bookings   int64      `json:"bookings"`
	Sittings   int64      `json:"sittings"`
	NoShows    int64      `json:"no_shows"`
	NoShowRate StatsRatio `json:"no_show_rate"`
	Graded     int64      `json:"graded"`
	Passed     int64      `json:"passed"`
	PassRate   StatsRatio `json:"pass_rate"`
}

// StatsSubject is one subject's pass rates.
type StatsSubject struct {
	Subject       string     `json:"subject"`
	Graded        int64      `json:"graded"`
	Passed        int64      `json:"passed"`
	PassRate      StatsRatio `json:"pass_rate"`
	FirstGraded   int64      `json:"first_graded"`
	FirstPassed   int64      `json:"first_passed"`
	FirstPassRate StatsRatio `json:"first_pass_rate"`
}

// StatsKind is one certificate kind's figures.
type StatsKind struct {
	Kind         string     `json:"kind"`
	Issued       int64      `json:"issued"`
	Mailed       int64      `json:"mailed"`
	Collected    int64      `json:"collected"`
	MailRate     StatsRatio `json:"mail_rate"`
	Replacements int64      `json:"replacements"`
}

// StatsTemplate counts the SMS of one template.
type StatsTemplate struct {
	Template string `json:"template"`
	Sent     int64  `json:"sent"`
}

// StatsStep is one step of the funnel.
type StatsStep struct {
	Step  string `json:"step"`
	Count int64  `json:"count"`
}

// StatsDashboard is the statistics page.
type StatsDashboard struct {
	Zone          string          `json:"zone"`
	Scope         string          `json:"scope" doc:"bureau | centre (then only the centre figures are measured)"`
	CentreID      int64           `json:"centre_id"`
	Group         string          `json:"group"`
	Compare       string          `json:"compare"`
	Period        StatsPeriod     `json:"period"`
	ComparePeriod *StatsPeriod    `json:"compare_period"`
	Totals        StatsFigures    `json:"totals"`
	Previous      *StatsFigures   `json:"previous"`
	Trend         []StatsBucket   `json:"trend"`
	PreviousTrend []StatsBucket   `json:"previous_trend"`
	Channels      []StatsChannel  `json:"channels"`
	Centres       []StatsCentre   `json:"centres"`
	Subjects      []StatsSubject  `json:"subjects"`
	Certificates  []StatsKind     `json:"certificates"`
	Templates     []StatsTemplate `json:"templates"`
	Funnel        []StatsStep     `json:"funnel"`
	GeneratedAt   time.Time       `json:"generated_at"`
}

// StatsExportRequest starts an export of the statistics' tables.
type StatsExportRequest struct {
	StatsQuery
	Lang   string   `json:"lang" doc:"zh-CN (default) | en: the headings"`
	Tables []string `json:"tables" doc:"summary, trend, channels, centres, subjects, certificates, sms, funnel; empty = all"`
}

// StatsExport is an export job and its progress.
type StatsExport struct {
	ID        string    `json:"id"`
	Status    string    `json:"status" doc:"queued | running | done | failed"`
	Done      int       `json:"done" doc:"months measured"`
	Total     int       `json:"total"`
	Error     string    `json:"error,omitempty"`
	Name      string    `json:"name"`
	Size      int       `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) statsQuery(c *gin.Context) (statistics.Query, error) {
	bad := apperr.Fields{}
	q := statistics.Query{From: c.Query("from"), To: c.Query("to"), Zone: c.Query("zone"), Compare: c.Query("compare"), Group: c.Query("group"),
		CentreID: queryInt(c, bad, "centre_id", 0, rsnCentreID)}
	return q, bad.Err()
}

func statsRatio(r statistics.Ratio) StatsRatio { return StatsRatio(r) }

func statsPeriod(p statistics.Period) StatsPeriod {
	return StatsPeriod{From: p.From, To: p.To, Days: p.Days()}
}

func statsFigures(f statistics.Figures) StatsFigures {
	return StatsFigures{Scans: f.Scans, Registrations: f.Registrations, RegistrationsOnline: f.RegistrationsOnline, RegistrationsWindow: f.RegistrationsWindow,
		Approved: f.Approved, Returned: f.Returned, Rejected: f.Rejected, ReviewAvgHours: f.ReviewAvgHours, ReviewWithinWeek: statsRatio(f.ReviewWithinWeek),
		PracticeSessions: f.PracticeSessions, PracticeAnswers: f.PracticeAnswers, PracticeAccuracy: statsRatio(f.PracticeAccuracy),
		MockStarted: f.MockStarted, MockSubmitted: f.MockSubmitted, MockPassed: f.MockPassed,
		Bookings: f.Bookings, Cancelled: f.Cancelled, Rescheduled: f.Rescheduled, Sittings: f.Sittings, NoShows: f.NoShows, NoShowRate: statsRatio(f.NoShowRate),
		Graded: f.Graded, Passed: f.Passed, PassRate: statsRatio(f.PassRate), FirstPassRate: statsRatio(f.FirstPassRate), Qualified: f.Qualified,
		Certificates: f.Certificates, CertificatesTaxi: f.CertificatesTaxi, CertificatesRideHailing: f.CertificatesRideHailing, Replacements: f.Replacements,
		Mailed: f.Mailed, Collected: f.Collected, MailRate: statsRatio(f.MailRate), Certified: f.Certified,
		IssueToDispatchHours: f.IssueToDispatchHours, DispatchToDeliveredHours: f.DispatchToDeliveredHours, IssueToCollectedHours: f.IssueToCollectedHours,
		SMSSent: f.SMSSent, HoursSaved: f.HoursSaved}
}

func statsBuckets(bs []statistics.Bucket) []StatsBucket {
	return mapSlice(bs, func(b statistics.Bucket) StatsBucket {
		v := make(map[string]int64, len(statistics.TrendMetrics))
		for _, m := range statistics.TrendMetrics {
			v[string(m)] = b.Values[m]
		}
		return StatsBucket{Label: b.Label, From: b.From, To: b.To, Values: v}
	})
}

func (s *Server) statsDashboard(c *gin.Context) (StatsDashboard, error) {
	q, err := s.statsQuery(c)
	if err != nil {
		return StatsDashboard{}, err
	}
	d, err := s.deps.Stats.Dashboard(c.Request.Context(), q)
	if err != nil {
		return StatsDashboard{}, err
	}
	out := StatsDashboard{Zone: d.Zone, Scope: d.Scope, CentreID: d.Query.CentreID, Group: d.Query.Group, Compare: d.Query.Compare,
		Period: statsPeriod(d.Period), Totals: statsFigures(d.Totals), Trend: statsBuckets(d.Trend), PreviousTrend: statsBuckets(d.PreviousTrend),
		Channels: mapSlice(d.Channels, func(r statistics.ChannelRow) StatsChannel {
			return StatsChannel{ID: r.ID, Code: r.Code, Name: r.Name, Kind: r.Kind, Scans: r.Scans, Registrations: r.Registrations, Conversion: statsRatio(r.Conversion)}
		}),
		Centres: mapSlice(d.Centres, func(r statistics.CentreRow) StatsCentre {
			return StatsCentre{ID: r.ID, Name: r.Name, Bookings: r.Bookings, Sittings: r.Sittings, NoShows: r.NoShows, NoShowRate: statsRatio(r.NoShowRate),
				Graded: r.Graded, Passed: r.Passed, PassRate: statsRatio(r.PassRate)}
		}),
		Subjects: mapSlice(d.Subjects, func(r statistics.SubjectRow) StatsSubject {
			return StatsSubject{Subject: r.Subject, Graded: r.Graded, Passed: r.Passed, PassRate: statsRatio(r.PassRate),
				FirstGraded: r.FirstGraded, FirstPassed: r.FirstPassed, FirstPassRate: statsRatio(r.FirstPassRate)}
		}),
		Certificates: mapSlice(d.Certificates, func(r statistics.KindRow) StatsKind {
			return StatsKind{Kind: r.Kind, Issued: r.Issued, Mailed: r.Mailed, Collected: r.Collected, MailRate: statsRatio(r.MailRate), Replacements: r.Replacements}
		}),
		Templates:   mapSlice(d.Templates, func(r statistics.TemplateRow) StatsTemplate { return StatsTemplate(r) }),
		Funnel:      mapSlice(d.Funnel, func(r statistics.FunnelStep) StatsStep { return StatsStep(r) }),
		GeneratedAt: s.at(d.GeneratedAt)}
	if d.Compare != nil {
		p, f := statsPeriod(*d.Compare), statsFigures(*d.Previous)
		out.ComparePeriod, out.Previous = &p, &f
	}
	c.Header("Cache-Control", "no-store")
	return out, nil
}

func (s *Server) statsExportJSON(e statistics.Export) StatsExport {
	return StatsExport{ID: e.ID, Status: e.Status, Done: e.Done, Total: e.Total, Error: e.Error, Name: e.Name, Size: e.Size, CreatedAt: s.at(e.CreatedAt)}
}

func (s *Server) startStatsExport(c *gin.Context, req StatsExportRequest) (StatsExport, error) {
	q := req.StatsQuery
	e, err := s.deps.Stats.StartExport(c.Request.Context(), statistics.ExportRequest{
		Query: statistics.Query{From: q.From, To: q.To, Zone: q.Zone, Compare: q.Compare, Group: q.Group, CentreID: q.CentreID},
		Lang:  req.Lang, Tables: req.Tables})
	return s.statsExportJSON(e), err
}

func (s *Server) statsExport(c *gin.Context) (StatsExport, error) {
	e, err := s.deps.Stats.ExportStatus(c.Request.Context(), c.Param("id"))
	return s.statsExportJSON(e), err
}

// statsExportFile sends the finished workbook (kept in Redis, so any node
// serves it).
func (s *Server) statsExportFile(c *gin.Context) {
	e, b, err := s.deps.Stats.ExportFile(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+e.Name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
