package registration

import (
	"time"
)

// Status is where an application is in its life.
type Status string

const (
	StatusDraft      Status = "draft"       // being filled in; the candidate edits it freely
	StatusSubmitted  Status = "submitted"   // waiting in the police queue
	StatusUnderCheck Status = "under_check" // a reviewer (or the weekly batch) has taken it up
	StatusApproved   Status = "approved"    // background check passed
	StatusReturned   Status = "returned"    // returned for correction; the candidate edits and resubmits
	StatusRejected   Status = "rejected"    // final; the candidate may start a new application
)

// Statuses lists every status, in life order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusUnderCheck, StatusApproved, StatusReturned, StatusRejected}

// Valid reports a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Editable: the candidate may change the form.
func (s Status) Editable() bool { return s == StatusDraft || s == StatusReturned }

// InQueue: waiting for the police.
func (s Status) InQueue() bool { return s == StatusSubmitted || s == StatusUnderCheck }

// HoldsIDNumber: an application in this status blocks another active
// application with the same ID number (drafts and rejected ones do not).
func (s Status) HoldsIDNumber() bool {
	return s == StatusSubmitted || s == StatusUnderCheck || s == StatusApproved || s == StatusReturned
}

// Open: the candidate's current application (one at most per candidate).
func (s Status) Open() bool { return s != StatusRejected }

// Item is one entry of a fixed list (pledge items, licence classes...).
type Item struct {
	Code    string
	Label   string // Chinese text as printed on the paper form
	LabelEn string // the same in English, for the English web app
}

// PledgeItems are the disqualifying records of DESIGN.md §2 the candidate
// pledges not to have; the police check the same items.
var PledgeItems = []Item{
	{"traffic_accident_crime", "无交通肇事犯罪记录", "No record of a traffic accident crime"},
	{"dangerous_driving", "无危险驾驶犯罪记录", "No record of dangerous driving"},
	{"drug_use", "无吸毒记录", "No record of drug use"},
	{"drink_driving", "无饮酒后驾驶记录", "No record of drink driving"},
	{"full_12_points", "最近连续3个记分周期内没有记满12分记录", "No 12-point total in the last three scoring periods"},
	{"violent_crime", "无暴力犯罪记录", "No record of violent crime"},
}

// LicenceClasses a taxi driver may hold (a fitting class: small cars or above).
var LicenceClasses = []string{"A1", "A2", "A3", "B1", "B2", "C1", "C2"}

// LicenceMinYears is how long the licence must be held (art. 10).
const LicenceMinYears = 3

// Delivery methods for the certificates.
const (
	DeliveryPost   = "post"
	DeliveryPickup = "pickup"
)

// Check results recorded by the police per item.
const (
	CheckClear = "clear"
	CheckFound = "found"
)

// Outcomes of a background check.
const (
	OutcomeApprove = "approve"
	OutcomeReturn  = "return"
	OutcomeReject  = "reject"
)

// RejectReasons are the reason codes of a rejection.
var RejectReasons = []Item{
	{"record_found", "存在不予受理的违法犯罪记录", "A disqualifying record was found"},
	{"false_pledge", "承诺内容与核查结果不符", "The pledge does not match the check"},
	{"identity_mismatch", "身份信息核验不一致", "The identity could not be verified"},
	{"other", "其他原因", "Other reason"},
}

// OverdueAfter flags applications waiting longer than this (weekly feedback).
const OverdueAfter = 7 * 24 * time.Hour

// Channel kinds: where the QR code is used. Online channels are posters,
// government apps and web pages the candidate opens alone; a window channel
// is the code at the service hall's counter, where a clerk helps the
// candidate register (the statistics count both kinds apart).
const (
	ChannelOnline = "online"
	ChannelWindow = "window"
)

// ValidChannelKind reports a known channel kind.
func ValidChannelKind(k string) bool { return k == ChannelOnline || k == ChannelWindow }

// Channel is a registration channel with its own QR code.
type Channel struct {
	ID        int64
	Code      string
	Name      string
	Kind      string // online | window
	Disabled  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ChannelCount is a channel with how many applications came through it.
type ChannelCount struct {
	Channel
	Applications int64
}

// Form is everything the candidate fills in. Dates are civil dates
// "2006-01-02".
type Form struct {
	Name               string
	IDNumber           string
	LicenceClass       string
	LicenceFirstIssued string
	Address            string
	Pledge             []string // pledge item codes the candidate confirmed
	WantTaxi           bool
	WantRideHailing    bool
	Delivery           string // post | pickup
	Receiver           Receiver
	OfficeID           int64 // pickup office
}

// Receiver is where certificates are posted.
type Receiver struct {
	Name     string
	Phone    string
	Province string
	City     string
	County   string
	Address  string
}

// Application is one candidate's request to sit the exam.
type Application struct {
	ID          int64
	CandidateID int64
	ChannelID   int64
	Status      Status
	Version     int
	Form        Form
	PhotoKey    string // name of the stored photo ("" = none yet)
	PhotoType   string // image/jpeg | image/png
	SubmitCount int
	SubmittedAt time.Time // first submission
	QueuedAt    time.Time // latest submission: the queue's order
	DecidedAt   time.Time
	ReviewerID  int64
	Checks      map[string]string // pledge item code -> clear | found
	ReasonCode  string
	Reason      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Event is one line of an application's history.
type Event struct {
	ID            int64
	ApplicationID int64
	At            time.Time
	Status        Status
	ActorKind     string
	ActorID       int64
	Note          string
	SMSTemplate   string // the SMS queued with this change, if any
}

// Platform is a compliant ride-hailing platform and its driver demand (供需对接).
type Platform struct {
	ID            int64
	Name          string
	LicenceNo     string
	Contact       string
	DriversWanted int
	UpdatedOn     string // civil date
	Disabled      bool
	Version       int
}

// Office is an issuing window where certificates can be picked up.
type Office struct {
	ID       int64
	Name     string
	Address  string
	Hours    string
	Disabled bool
	Version  int
}

// Filter selects applications for the bureau's search.
type Filter struct {
	Status    Status
	ChannelID int64
	From, To  time.Time // created_at range, [From, To)
	// QueuedBefore keeps applications queued before this time (the overdue
	// flag of the weekly feedback); zero = no limit.
	QueuedBefore time.Time
	Offset       int
	Limit        int
}

// ChannelStat counts applications of one channel by status.
type ChannelStat struct {
	ChannelID int64 // 0 = no channel (opened without a QR code)
	Code      string
	Name      string
	ByStatus  map[Status]int64
	Total     int64
}
