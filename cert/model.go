package cert

import "time"

// Kind is which of the two certificates of one pass.
type Kind string

const (
	KindTaxi        Kind = "taxi"         // 巡游出租汽车驾驶员从业资格证
	KindRideHailing Kind = "ride_hailing" // 网络预约出租汽车驾驶员证
)

// Kinds lists both, in the order they are shown.
var Kinds = []Kind{KindTaxi, KindRideHailing}

// Valid reports a known kind.
func (k Kind) Valid() bool { return k == KindTaxi || k == KindRideHailing }

// Title is the certificate's printed name.
func (k Kind) Title() string {
	if k == KindRideHailing {
		return "网络预约出租汽车驾驶员证"
	}
	return "出租汽车驾驶员从业资格证（巡游）"
}

// Licence type codes of the national e-licence catalogue (GB/T 36904).
const (
	TypeCodeTaxi        = "1.2.156.3005.2.11100000000019713D075" // 巡游出租汽车驾驶员从业资格证
	TypeCodeRideHailing = "1.2.156.3005.2.11100000000019713D072" // 网络预约出租汽车驾驶员证
)

// TypeCode is the kind's licence type code.
func (k Kind) TypeCode() string {
	if k == KindRideHailing {
		return TypeCodeRideHailing
	}
	return TypeCodeTaxi
}

// Status is a certificate's state as stored. Expiry is not stored: a valid
// certificate past its expiry date is shown as expired (Certificate.LiveStatus).
type Status string

const (
	StatusValid    Status = "valid"
	StatusReplaced Status = "replaced" // a newer version (replacement after loss, or reissue after a correction) took its place
	StatusRevoked  Status = "revoked"
	StatusExpired  Status = "expired" // shown only, never stored
)

// Certificate is one issued certificate (one version of it).
type Certificate struct {
	ID            int64
	CandidateID   int64
	ApplicationID int64
	Kind          Kind
	Version       int // 1 = first issue; each replacement or reissue adds one
	LicenceID     string
	HolderName    string
	IDNumber      string // the certificate number (JT/T 905: the holder's ID number)
	Authority     string
	IssuedOn      time.Time // civil date (UTC midnight)
	ExpiresOn     time.Time // civil date: last day of validity
	Status        Status
	Reason        string // of the revocation, replacement or reissue
	ReplacedBy    int64  // the version that took this one's place
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// LiveStatus is the status as of the civil date today.
func (c Certificate) LiveStatus(today time.Time) Status {
	if c.Status == StatusValid && today.After(c.ExpiresOn) {
		return StatusExpired
	}
	return c.Status
}

// Event is one line of a certificate's history.
type Event struct {
	ID            int64
	CertificateID int64
	At            time.Time
	Action        string // issued | revoked | replaced | reissued
	ActorKind     string // system | staff
	ActorID       int64
	Reason        string
}

// History actions.
const (
	ActionIssued   = "issued"
	ActionRevoked  = "revoked"
	ActionReplaced = "replaced"
	ActionReissued = "reissued"
)

// Qualification is what the formal exam reports when a candidate has
// passed both subjects with results still valid.
type Qualification struct {
	CandidateID   int64
	ApplicationID int64
	QualifiedAt   time.Time
	// Ref names the result that qualified (e.g. "formal:attempt:812"),
	// kept in the history.
	Ref string
}

// Applicant is what registration knows of the person (exam/registration,
// through the Applicants interface).
type Applicant struct {
	ApplicationID   int64
	CandidateID     int64
	Approved        bool // the background check passed
	Name            string
	IDNumber        string
	WantTaxi        bool
	WantRideHailing bool
	Delivery        string // post | pickup
	OfficeID        int64  // pick-up office
	Receiver        Receiver
}

// Kinds the applicant asked for (both when the form said neither).
func (a Applicant) Kinds() []Kind {
	var out []Kind
	if a.WantTaxi {
		out = append(out, KindTaxi)
	}
	if a.WantRideHailing {
		out = append(out, KindRideHailing)
	}
	if len(out) == 0 {
		return Kinds
	}
	return out
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

// Filter selects certificates for the bureau's search.
type Filter struct {
	IDNumber string // exact, through the blind index
	Kind     Kind
	Status   Status
	Offset   int
	Limit    int
}
