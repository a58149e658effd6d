// Package notify delivers every SMS and postal order through one reliable
// queue: an outbox row written in the same transaction as the change that
// causes it, relayed to Redis Streams, handled by worker groups.
//
// Other packages enqueue with Outbox.EnqueueSMS / EnqueuePostal inside their
// own transaction (db.InTx) and declare the one-method interface they need.
package notify

import "time"

// Template codes: every message the product sends. Params are listed with
// each; templates.go holds the texts.
const (
	TplVerificationCode      = "verification_code"       // code
	TplApplicationReceived   = "application_received"    // name
	TplBackgroundPassed      = "background_check_passed" // name
	TplBackgroundRejected    = "background_check_rejected"
	TplReturnedForCorrection = "returned_for_correction" // name, reason
	TplBookingConfirmed      = "booking_confirmed"       // name, date, session, centre, address
	TplExamReminder          = "exam_reminder"           // name, date, time, centre, address
	TplResult                = "exam_result"             // name, result, scores
	TplCertificatesIssued    = "certificates_issued"     // name, kinds, link
	TplCertificateMailed     = "certificate_mailed"      // name, waybill
	TplReadyForPickup        = "ready_for_pickup"        // name, office, address
	TplBookingRescheduled    = "booking_rescheduled"     // name, date, session, centre
	TplBookingCancelled      = "booking_cancelled"       // name, date, time, centre
	TplWaitlistOffer         = "waitlist_offer"          // name, date, time, centre, until
	TplSessionCancelled      = "session_cancelled"       // name, date, time, centre
	TplCertificateReturned   = "certificate_returned"    // name, office, address
	TplCertificateReplaced   = "certificate_replaced"    // name, kind, action, link
	TplCertificateRevoked    = "certificate_revoked"     // name, kind, reason
)

// SMS is one text message to send.
type SMS struct {
	Phone    string            // plaintext; encrypted in the outbox
	Template string            // one of the Tpl* codes
	Params   map[string]string // template variables
	// DedupeKey makes the same business event enqueue once, e.g.
	// "application:42:approved". Required.
	DedupeKey string
	// NotBefore schedules the message (zero = now).
	NotBefore time.Time
	// Urgent messages (codes) ignore quiet hours.
	Urgent bool
	// CandidateID links the message to a candidate's history (0 = none).
	CandidateID int64
}

// Address is a postal address in mainland China.
type Address struct {
	Name     string
	Phone    string
	Province string
	City     string
	County   string
	Detail   string
}

// PostalOrder asks the postal service to collect and deliver a parcel.
type PostalOrder struct {
	DedupeKey   string
	CandidateID int64
	Sender      Address
	Receiver    Address
	Cargo       string // e.g. "出租汽车驾驶员从业资格证 x2"
	// Reference ties the waybill back to the business object (e.g. "cert:17").
	Reference string
	// NotifyMailed sends the receiver the certificate_mailed SMS (with the
	// waybill number) once the carrier has accepted the order.
	NotifyMailed bool
}
