// Package archive is the bureau's archive (档案管理): one candidate's whole
// journey as a dossier (application and its submitted versions, police
// decisions, bookings, mock and formal attempts with their exact papers,
// subject results, certificates and their history, deliveries, every SMS,
// every staff action, the ledger entries), viewed masked or, audited, in
// full; exported as a PDF and as a zip of JSON and CSV files; bulk exports
// of a period for the archive office, built in the background; and the
// retention rule's dry run.
//
// The package reads every other domain through small interfaces (Sources)
// that cmd/examd implements over their stores; it owns only the submitted
// form versions, the export jobs and the retention report (archivedb).
package archive

import "time"

// Format names the dossier file format. The dossier's JSON is this format
// everywhere: the API serves it, the zip holds it, a later reader parses it.
const Format = "taxiexam-dossier/1"

// Record is one candidate's dossier. Personal data is masked unless
// FullData (a view that is audited).
type Record struct {
	Format       string              `json:"format"`
	GeneratedAt  time.Time           `json:"generated_at"`
	FullData     bool                `json:"full_personal_data"`
	Scope        string              `json:"scope" doc:"bureau | centre:ID (a proctor) | office:ID (a window clerk): what this viewer may see"`
	Candidate    Person              `json:"candidate"`
	Applications []ApplicationRecord `json:"applications"`
	Bookings     []BookingRecord     `json:"bookings"`
	Attempts     []AttemptRecord     `json:"attempts"`
	Results      []ResultRecord      `json:"results"`
	Certificates []CertificateRecord `json:"certificates"`
	Deliveries   []DeliveryRecord    `json:"deliveries"`
	Messages     []MessageRecord     `json:"messages"`
	StaffActions []ActionRecord      `json:"staff_actions"`
	Ledger       []LedgerRecord      `json:"ledger" doc:"the tamper-evident entries of this candidate's results and certificates"`
}

// Person is who the dossier is about.
type Person struct {
	CandidateID  int64     `json:"candidate_id"`
	Name         string    `json:"name"`
	IDNumber     string    `json:"id_number"`
	Phone        string    `json:"phone"`
	RegisteredAt time.Time `json:"registered_at"`
}

// ApplicationRecord is one application with its versions and history.
type ApplicationRecord struct {
	ID          int64               `json:"id"`
	Channel     string              `json:"channel" doc:"the QR channel it came through (empty: none)"`
	Status      string              `json:"status"`
	CreatedAt   time.Time           `json:"created_at"`
	SubmittedAt *time.Time          `json:"submitted_at"`
	DecidedAt   *time.Time          `json:"decided_at"`
	SubmitCount int                 `json:"submit_count"`
	Form        FormRecord          `json:"form" doc:"the form as it is now"`
	Checks      map[string]string   `json:"police_checks" doc:"pledge item -> clear | found, as the police recorded them"`
	ReasonCode  string              `json:"reason_code"`
	Reason      string              `json:"reason"`
	PhotoOnFile bool                `json:"photo_on_file"`
	Versions    []FormVersionRecord `json:"versions" doc:"every submitted form, oldest first"`
	History     []StatusRecord      `json:"history" doc:"status changes: submissions, police decisions"`
}

// FormRecord is the application form.
type FormRecord struct {
	Name               string         `json:"name"`
	IDNumber           string         `json:"id_number"`
	LicenceClass       string         `json:"licence_class"`
	LicenceFirstIssued string         `json:"licence_first_issued"`
	Address            string         `json:"address"`
	Pledge             []string       `json:"pledge"`
	WantTaxi           bool           `json:"want_taxi"`
	WantRideHailing    bool           `json:"want_ride_hailing"`
	Delivery           string         `json:"delivery"`
	Receiver           ReceiverRecord `json:"receiver"`
	Office             string         `json:"office" doc:"pick-up window"`
}

// ReceiverRecord is where certificates are posted.
type ReceiverRecord struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Province string `json:"province"`
	City     string `json:"city"`
	County   string `json:"county"`
	Address  string `json:"address"`
}

// FormVersionRecord is the form as submitted the n-th time.
type FormVersionRecord struct {
	Version     int        `json:"version"`
	SubmittedAt time.Time  `json:"submitted_at"`
	Form        FormRecord `json:"form"`
	Changed     []string   `json:"changed" doc:"fields that differ from the version before"`
}

// StatusRecord is one line of an application's history.
type StatusRecord struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Actor  string    `json:"actor" doc:"candidate | staff:ID | system"`
	Note   string    `json:"note"`
	SMS    string    `json:"sms" doc:"the SMS template sent with it"`
}

// BookingRecord is one booking (reschedules keep the booking they replaced).
type BookingRecord struct {
	ID          int64      `json:"id"`
	SessionID   int64      `json:"session_id"`
	CentreID    int64      `json:"centre_id"`
	Centre      string     `json:"centre"`
	Room        string     `json:"room"`
	StartsAt    time.Time  `json:"starts_at"`
	Seat        int        `json:"seat"`
	TicketNo    string     `json:"ticket_no"`
	Status      string     `json:"status" doc:"booked | cancelled | rescheduled | session_cancelled | checked_in | absent (a no-show) | sat"`
	ReplacesID  int64      `json:"replaces_id" doc:"the booking this one replaced (a reschedule)"`
	CreatedAt   time.Time  `json:"created_at"`
	ChangedAt   time.Time  `json:"changed_at"`
	CheckedInAt *time.Time `json:"checked_in_at"`
}

// AttemptRecord is one mock or formal attempt and its scores.
type AttemptRecord struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind" doc:"mock | formal"`
	StartedAt   time.Time       `json:"started_at"`
	Deadline    time.Time       `json:"deadline"`
	SubmittedAt *time.Time      `json:"submitted_at"`
	Reason      string          `json:"submitted_by" doc:"candidate | deadline | proctor"`
	Passed      bool            `json:"passed"`
	Sections    []SectionRecord `json:"sections"`
}

// SectionRecord is one subject of an attempt.
type SectionRecord struct {
	Subject     string `json:"subject"`
	Questions   int    `json:"questions"`
	Correct     int    `json:"correct"`
	Score       int    `json:"score"`
	TotalPoints int    `json:"total_points"`
	PassPercent int    `json:"pass_percent"`
	Passed      bool   `json:"passed"`
}

// PaperRecord is the exact paper of an attempt: the frozen question
// versions in the candidate's order, the answers given and the key.
type PaperRecord struct {
	AttemptID int64           `json:"attempt_id"`
	Kind      string          `json:"kind"`
	Questions []PaperQuestion `json:"questions"`
}

// PaperQuestion is one question as the candidate saw and answered it.
type PaperQuestion struct {
	Position   int            `json:"position"`
	Subject    string         `json:"subject"`
	QuestionID int64          `json:"question_id"`
	Version    int            `json:"version"`
	Type       string         `json:"type"`
	Stem       string         `json:"stem"`
	Options    []OptionRecord `json:"options" doc:"in the order shown"`
	Given      []string       `json:"given"`
	Answer     []string       `json:"answer"`
	Correct    bool           `json:"correct"`
	Points     int            `json:"points"`
	AnsweredAt *time.Time     `json:"answered_at"`
}

// OptionRecord is one option of a question.
type OptionRecord struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// ResultRecord is one formal subject result and its validity.
type ResultRecord struct {
	ID          int64     `json:"id"`
	AttemptID   int64     `json:"attempt_id"`
	SessionID   int64     `json:"session_id"`
	CentreID    int64     `json:"centre_id"`
	Subject     string    `json:"subject"`
	Score       int       `json:"score"`
	TotalPoints int       `json:"total_points"`
	PassPercent int       `json:"pass_percent"`
	Passed      bool      `json:"passed"`
	SatAt       time.Time `json:"sat_at"`
	ValidUntil  time.Time `json:"valid_until"`
	ValidNow    bool      `json:"valid_now" doc:"a pass that still counts today"`
}

// CertificateRecord is one certificate version with its history.
type CertificateRecord struct {
	ID         int64             `json:"id"`
	Kind       string            `json:"kind"`
	Version    int               `json:"version"`
	LicenceID  string            `json:"licence_id"`
	Holder     string            `json:"holder"`
	IDNumber   string            `json:"id_number"`
	IssuedOn   string            `json:"issued_on"`
	ExpiresOn  string            `json:"expires_on"`
	Status     string            `json:"status" doc:"valid | replaced | revoked | expired, as of today"`
	Reason     string            `json:"reason"`
	ReplacedBy int64             `json:"replaced_by"`
	History    []CertEventRecord `json:"history"`
}

// CertEventRecord is one line of a certificate's history.
type CertEventRecord struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason"`
}

// DeliveryRecord is the parcel of an application's certificates.
type DeliveryRecord struct {
	ID            int64          `json:"id"`
	ApplicationID int64          `json:"application_id"`
	OfficeID      int64          `json:"office_id"`
	Method        string         `json:"method"`
	Status        string         `json:"status"`
	Receiver      ReceiverRecord `json:"receiver"`
	Waybill       string         `json:"waybill"`
	Returned      bool           `json:"returned"`
	OrderedAt     *time.Time     `json:"ordered_at"`
	DispatchedAt  *time.Time     `json:"dispatched_at"`
	DeliveredAt   *time.Time     `json:"delivered_at"`
	ArrivedAt     *time.Time     `json:"arrived_at"`
	CollectedAt   *time.Time     `json:"collected_at"`
	CollectedBy   string         `json:"collected_by"`
	Proxy         bool           `json:"proxy"`
	ProxyReason   string         `json:"proxy_reason"`
	HandedOverBy  int64          `json:"handed_over_by" doc:"staff id of the clerk"`
}

// MessageRecord is one SMS or postal order (codes hidden, names masked).
type MessageRecord struct {
	ID        int64      `json:"id"`
	Topic     string     `json:"topic"`
	Template  string     `json:"template"`
	Title     string     `json:"title"`
	To        string     `json:"to"`
	Summary   string     `json:"summary"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// ActionRecord is one audit-log entry about the candidate's records.
type ActionRecord struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor" doc:"username (role)"`
	Action string    `json:"action"`
	Target string    `json:"target" doc:"type:id"`
	IP     string    `json:"ip"`
	Before string    `json:"before"`
	After  string    `json:"after"`
}

// LedgerRecord is one ledger entry about the candidate.
type LedgerRecord struct {
	Seq     int64     `json:"seq"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
	Hash    string    `json:"hash"`
}

// ---------------------------------------------------------------- bulk exports

// ExportStatus is where a bulk export is.
type ExportStatus string

const (
	ExportQueued  ExportStatus = "queued"
	ExportRunning ExportStatus = "running"
	ExportDone    ExportStatus = "done"
	ExportFailed  ExportStatus = "failed"
)

// Export is a bulk export of a period's dossiers for the archive office.
type Export struct {
	ID         int64
	From, To   string // civil dates, inclusive, in the bureau's zone
	Status     ExportStatus
	Total      int // candidates in the period (known once running)
	Done       int
	Bytes      int64
	Error      string
	CreatedBy  int64
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	LeaseUntil time.Time // a running export's claim; another node takes it over after
}

// ---------------------------------------------------------------- retention

// RetentionRule is one line of the retention rule: what, after how many
// years, and whether it is deleted or anonymised.
type RetentionRule struct {
	What   string // messages | practice | unqualified_applicants | certificate_holders | audit_log
	Years  int
	Action string // delete | anonymise
}

// RetentionLine is the dry run of one rule.
type RetentionLine struct {
	Rule      RetentionRule
	Cutoff    time.Time // records older than this
	Records   int64     // how many would go
	Subjects  int64     // candidates concerned (0 when not per candidate)
	Oldest    time.Time // the oldest record concerned
	Describes string    // what exactly happens
}

// RetentionReport is the dry run of the whole rule.
type RetentionReport struct {
	At    time.Time
	Lines []RetentionLine
}
