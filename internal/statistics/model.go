package statistics

import (
	"time"
)

// Metric names one counted figure. The store measures metrics as cells
// (metric, civil day, dimension); every metric is a plain count or a sum
// of seconds, so cells of disjoint periods add up: a year is the sum of
// its months, a dashboard the sum of its days. What each metric counts is
// written in docs/statistics.md and shown as the figure's tooltip.
type Metric string

const (
	// registration (exam/registration); dimension: channel id ("0" = no QR code)
	MScans         Metric = "scans"         // openings of an active channel's QR landing
	MRegistrations Metric = "registrations" // applications submitted for the first time
	// police background check; no dimension
	MApproved       Metric = "approved" // decisions, one per decision (a returned and resubmitted application is decided again)
	MReturned       Metric = "returned"
	MRejected       Metric = "rejected"
	MReviewSeconds  Metric = "review_seconds"   // sum over decisions of (decision - the submission it answered)
	MReviewed       Metric = "reviewed"         // decisions with a known submission time
	MReviewedInWeek Metric = "reviewed_in_week" // of those, decided within 7 days (the weekly feedback)
	// practice and mock exams (exam/practice, exam/attempt); no dimension
	MPracticeSessions Metric = "practice_sessions" // practice sessions started ("practice clicks")
	MPracticeAnswers  Metric = "practice_answers"  // practice answers checked
	MPracticeCorrect  Metric = "practice_correct"
	MMockStarted      Metric = "mock_started"
	MMockSubmitted    Metric = "mock_submitted"
	MMockPassed       Metric = "mock_passed"
	// booking and exam day (exam/booking); dimension: centre id
	MBookings    Metric = "bookings"    // seats booked (a reschedule takes a new seat: a new booking), by booking time
	MCancelled   Metric = "cancelled"   // bookings cancelled by the candidate, by booking time
	MRescheduled Metric = "rescheduled" // bookings replaced by a reschedule, by booking time
	MSittings    Metric = "sittings"    // bookings of sessions in the period whose candidate was checked in
	MNoShows     Metric = "no_shows"    // bookings of sessions in the period still holding the seat at the close, never checked in
	// formal results (exam/results); dimension: centre id
	MGraded      Metric = "graded" // formal attempts with results
	MPassed      Metric = "passed" // of those, every subject sat passed
	MFirstGraded Metric = "first_graded"
	MFirstPassed Metric = "first_passed"
	// per subject; dimension: subject
	MSubjectGraded      Metric = "subject_graded"
	MSubjectPassed      Metric = "subject_passed"
	MSubjectFirstGraded Metric = "subject_first_graded"
	MSubjectFirstPassed Metric = "subject_first_passed"
	MQualified          Metric = "qualified" // candidates who became qualified
	// certificates (cert); dimension: kind
	MCertIssued   Metric = "cert_issued"  // first issues (version 1)
	MCertMailed   Metric = "cert_mailed"  // of those, sent by post
	MCertPickup   Metric = "cert_pickup"  // of those, collected at a window
	MReplacements Metric = "replacements" // later versions: replacements and reissues
	MCertified    Metric = "certified"    // applications that got their first certificates
	// delivery (cert); no dimension
	MDispatchSeconds Metric = "dispatch_seconds" // issue -> handed to the post, over parcels dispatched in the period
	MDispatched      Metric = "dispatched"
	MDeliverSeconds  Metric = "deliver_seconds" // handed to the post -> delivered, over parcels delivered in the period
	MDelivered       Metric = "delivered"
	MCollectSeconds  Metric = "collect_seconds" // issue -> collected at the window, over parcels collected in the period
	MCollected       Metric = "collected"
	// SMS (internal/notify); dimension: template
	MSMSSent Metric = "sms_sent"
)

// CentreMetrics are dimensioned by exam centre id; CentreSubjectMetrics by
// "<centre id>:<subject>". They are what a centre's scope sees.
var (
	CentreMetrics        = []Metric{MBookings, MCancelled, MRescheduled, MSittings, MNoShows, MGraded, MPassed, MFirstGraded, MFirstPassed}
	CentreSubjectMetrics = []Metric{MSubjectGraded, MSubjectPassed, MSubjectFirstGraded, MSubjectFirstPassed}
)

// SettleDays: a day is rolled up (its cells stored, never measured again)
// this many days after it ended; until then its figures may still change
// (a parcel's method while it waits, a session closed late) and are
// measured live.
const SettleDays = 7

// Cell is one measured count: metric, civil day in the bureau's zone, and
// the dimension it is broken down by ("" when none).
type Cell struct {
	Metric Metric
	Day    string // 2006-01-02
	Dim    string
	Value  int64
}

// Period is a range of whole civil days in the bureau's zone.
type Period struct {
	From, To string    // first and last day, inclusive (2006-01-02)
	Start    time.Time // From's midnight, UTC
	End      time.Time // the midnight after To, UTC (exclusive)
}

// Days is the period's length in days.
func (p Period) Days() int {
	a, _ := time.Parse(time.DateOnly, p.From)
	b, _ := time.Parse(time.DateOnly, p.To)
	return int(b.Sub(a).Hours()/24) + 1
}

// Comparison modes.
const (
	CompareNone     = ""
	ComparePrevious = "previous" // the same number of days right before
	CompareYear     = "year"     // the same dates one year earlier
)

// Trend groupings.
const (
	GroupDay   = "day"
	GroupWeek  = "week" // ISO weeks, Monday first
	GroupMonth = "month"
)

// Query is what the dashboard (or an export) is asked for.
type Query struct {
	From, To string // civil days in the bureau's zone, inclusive; RFC 3339 midnights in that zone are accepted
	Zone     string // optional: the zone the caller means; must be the bureau's
	Compare  string // CompareNone | ComparePrevious | CompareYear
	Group    string // GroupDay | GroupWeek | GroupMonth; "" picks by length
	CentreID int64  // 0 = every centre (a proctor always gets their own)
}

// Limits of a query.
const (
	MaxDays       = 732  // the dashboard: two years and a leap day, e.g. 2023-01-01..2024-12-31
	MaxExportDays = 3653 // an export: ten years, computed month by month
)

// Scopes of a dashboard.
const (
	ScopeBureau = "bureau" // every figure
	ScopeCentre = "centre" // only what happens at exam centres (bookings, sittings, results)
)

// Ratio is a rate with what it is made of. Percent has two decimals,
// rounded half up; it is 0 when Den is 0 (the UI shows a dash).
type Ratio struct {
	Num, Den int64
	Percent  float64
}

// Figures are the headline numbers of one period.
type Figures struct {
	Scans, Registrations, RegistrationsOnline, RegistrationsWindow int64
	Approved, Returned, Rejected                                   int64
	ReviewAvgHours                                                 float64
	ReviewWithinWeek                                               Ratio
	PracticeSessions, PracticeAnswers                              int64
	PracticeAccuracy                                               Ratio
	MockStarted, MockSubmitted, MockPassed                         int64
	Bookings, Cancelled, Rescheduled, Sittings, NoShows            int64
	NoShowRate                                                     Ratio // no-shows / (sittings + no-shows)
	Graded, Passed                                                 int64
	PassRate, FirstPassRate                                        Ratio
	Qualified                                                      int64
	Certificates, CertificatesTaxi, CertificatesRideHailing        int64 // first issues
	Replacements, Mailed, Collected                                int64
	MailRate                                                       Ratio // mailed / certificates
	Certified                                                      int64 // applications with their first certificates
	IssueToDispatchHours, DispatchToDeliveredHours                 float64
	IssueToCollectedHours                                          float64
	SMSSent                                                        int64
	HoursSaved                                                     int64
}

// Hours saved (the reform's own estimate, docs/statistics.md): an online
// registration spares the trips of the old process ("at least 3 trips" ->
// "only 1": the registration trip and the pick-up trip), each about 2 hours
// (travel and queueing at the window). 7,788 x 2 x 2 = 31,152, the reform's
// "about 31,000 hours".
const (
	TripsSaved   = 2
	HoursPerTrip = 2
)

// Bucket is one step of a trend: a day, an ISO week or a month, clipped to
// the period.
type Bucket struct {
	Label    string // 2024-03-05 | 2024-W10 | 2024-03
	From, To string // days, inclusive
	Values   map[Metric]int64
}

// TrendMetrics are the metrics a trend carries per bucket.
var TrendMetrics = []Metric{MScans, MRegistrations, MApproved, MPracticeSessions, MPracticeAnswers, MMockStarted,
	MBookings, MSittings, MNoShows, MGraded, MPassed, MCertIssued, MCertMailed, MSMSSent}

// ChannelRow is one registration channel's figures.
type ChannelRow struct {
	ID            int64
	Code, Name    string
	Kind          string // online | window
	Scans         int64
	Registrations int64
	Conversion    Ratio // registrations / scans
}

// CentreRow is one exam centre's figures.
type CentreRow struct {
	ID                int64
	Name              string
	Bookings          int64
	Sittings, NoShows int64
	NoShowRate        Ratio
	Graded, Passed    int64
	PassRate          Ratio
}

// SubjectRow is one subject's pass rates.
type SubjectRow struct {
	Subject                  string // national | regional
	Graded, Passed           int64
	PassRate                 Ratio
	FirstGraded, FirstPassed int64
	FirstPassRate            Ratio
}

// KindRow is one certificate kind's figures.
type KindRow struct {
	Kind                      string // taxi | ride_hailing
	Issued, Mailed, Collected int64
	MailRate                  Ratio
	Replacements              int64
}

// TemplateRow counts the SMS of one template.
type TemplateRow struct {
	Template string
	Sent     int64
}

// FunnelStep is one step from QR scan to certificate (counts of the
// period, not a cohort: see docs/statistics.md).
type FunnelStep struct {
	Step  string // scans, registrations, approved, bookings, sittings, passed, certified
	Count int64
}

// Dashboard is everything the statistics page shows for one query.
type Dashboard struct {
	Query         Query // as normalised (group chosen, centre scoped)
	Zone          string
	Scope         string // ScopeBureau | ScopeCentre
	Period        Period
	Compare       *Period
	Totals        Figures
	Previous      *Figures
	Trend         []Bucket
	PreviousTrend []Bucket
	Channels      []ChannelRow
	Centres       []CentreRow
	Subjects      []SubjectRow
	Certificates  []KindRow
	Templates     []TemplateRow
	Funnel        []FunnelStep
	GeneratedAt   time.Time
}

// Channel and Centre name the dimensions of the breakdowns.
type Channel struct {
	ID         int64
	Code, Name string
	Kind       string
}

// Centre is an exam centre's id and name.
type Centre struct {
	ID   int64
	Name string
}
