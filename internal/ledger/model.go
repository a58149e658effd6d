// Package ledger is the tamper-evident record of the results and
// certificates the bureau stands behind: formal subject results and
// certificate events (issue, revoke, replace, reissue, hand-over) are
// recorded in the same transaction as the event (a pending record), then
// linked, in batches and in a transaction of their own, as entries of one
// hash chain, each holding the SHA-256 of the entry before it. Recording
// takes no shared lock, so submissions from every node do not queue on the
// chain's head; only the chaining does, a batch at a time.
//
// Verify walks the chain (an edited or removed entry breaks it) and compares
// what the entries say with the rows as they are now (a score, validity or
// certificate edited in the database disagrees with its entry; a row that
// no entry recorded was not made by the application). Signed checkpoints
// (sequence and hash at a moment) can be exported and kept elsewhere, so
// even a chain rewritten end to end is caught against them.
//
// The package knows neither HTTP nor SQL: it declares Store, Sources,
// Indexer and Signer; cmd/examd plugs in ledgerdb, the results and
// certificate stores, the pii blind index and the signing keyring.
package ledger

import "time"

// Kind is what an entry records.
type Kind string

const (
	KindSubjectResult   Kind = "subject_result"     // a formal subject result, as recorded at submission
	KindCertIssued      Kind = "cert.issued"        // a certificate (version) issued
	KindCertRevoked     Kind = "cert.revoked"       // a certificate revoked
	KindCertReplaced    Kind = "cert.replaced"      // superseded by a new version after a loss
	KindCertReissued    Kind = "cert.reissued"      // superseded by a new version with corrected data
	KindCertHandedOver  Kind = "cert.handed_over"   // the parcel handed over at the window
	KindAnonymised      Kind = "archive.anonymised" // personal data removed by the retention rule
	KindAdopted         Kind = "ledger.adopted"     // a row that existed before the ledger, taken in by an operator
	GenesisHash              = "0000000000000000000000000000000000000000000000000000000000000000"
	hashDomain               = "taxiexam-ledger-v1"
	subjectResultPrefix      = "subject_result:"
	certificatePrefix        = "certificate:"
	deliveryPrefix           = "cert_delivery:"
)

// Facts are what an entry asserts about its subject: field name -> value,
// every value as text so the JSON is canonical (keys sorted, no floats).
// Later entries of the same subject override the keys they name (a
// revocation says status=revoked); the folded facts must agree with the
// row as it is now.
type Facts map[string]string

// Entry is one link of the chain.
type Entry struct {
	Seq      int64  // 1, 2, 3... without gaps
	PrevHash string // Hash of entry Seq-1 (GenesisHash for the first)
	Hash     string // SHA-256 over the fields below (see hashOf)
	Kind     Kind
	Subject  string    // "subject_result:12", "certificate:7", "cert_delivery:3"
	At       time.Time // when the event happened (UTC, stored to the millisecond)
	Payload  string    // canonical JSON of the Facts
}

// Pending is an event recorded in its business transaction and not yet
// linked into the chain: Chain turns it into the next Entry (same kind,
// subject, time and payload) within moments. Until then Verify takes its
// facts as the subject's latest.
type Pending struct {
	ID       int64
	Kind     Kind
	Subject  string
	At       time.Time // when the event happened (UTC, millisecond)
	Payload  string    // canonical JSON of the Facts
	QueuedAt time.Time // when it was recorded: one waiting longer than PendingStaleAfter is reported
}

// entry is the record as the chain will hold it, not yet linked (Seq 0, no
// hashes).
func (p Pending) entry() Entry {
	return Entry{Kind: p.Kind, Subject: p.Subject, At: p.At, Payload: p.Payload}
}

// PendingStaleAfter is how long an event may wait to be chained before
// Verify reports it (the chaining worker runs every moment on every node:
// an event this old means none is running).
const PendingStaleAfter = 5 * time.Minute

// Head is the end of the chain: the last sequence number and its hash. It
// is one row, locked for the length of a chaining transaction, so chainers
// on every node line up one after another.
type Head struct {
	Seq  int64
	Hash string
}

// Checkpoint is the chain's head at a moment, signed, to be kept outside
// the database (printed, mailed to the archive office, published).
type Checkpoint struct {
	ID        int64
	Seq       int64
	Hash      string
	At        time.Time
	KeyID     string
	Signature string // base64 of the signature over SignedText
}

// SignedText is exactly what a checkpoint's signature covers.
func (c Checkpoint) SignedText() string {
	return hashDomain + "|checkpoint|" + itoa(c.Seq) + "|" + c.Hash + "|" + c.At.UTC().Format(time.RFC3339)
}

// Problem codes of a verification.
const (
	ProblemHashMismatch       = "hash_mismatch"       // the entry's content was changed after it was written
	ProblemPrevMismatch       = "prev_mismatch"       // the link to the previous entry is broken (an entry removed, inserted or edited)
	ProblemSeqGap             = "seq_gap"             // sequence numbers skip (an entry was removed)
	ProblemHeadMismatch       = "head_mismatch"       // the chain's end is not the recorded head (entries removed at the end)
	ProblemSourceMismatch     = "source_mismatch"     // the row disagrees with what the ledger recorded (edited in the database)
	ProblemSourceMissing      = "source_missing"      // the row the entry names is gone
	ProblemUnrecorded         = "unrecorded"          // a row no entry recorded (inserted behind the application's back)
	ProblemCheckpointMismatch = "checkpoint_mismatch" // a signed checkpoint names a hash the chain does not have at that seq
	ProblemPendingStale       = "pending_stale"       // events have waited longer than PendingStaleAfter to be chained
)

// Problem is one thing verification found wrong.
type Problem struct {
	Seq     int64 // the entry it concerns; 0 for a row no entry names
	Kind    Kind
	Subject string
	Code    string
	Detail  string // English, for the command line: e.g. "score: ledger "72", now "95""
	// Why and Params say the same as Detail for a translated screen: Why
	// names the sentence (see the web app's ledger.why texts), Params fill
	// it; Changes lists a changed record's fields.
	Why     string
	Params  map[string]string
	Changes []Change
}

// Change is one field of a record that differs from what the ledger holds.
type Change struct {
	Field, Recorded, Now string
}

// Report is the outcome of walking the whole chain.
type Report struct {
	OK          bool
	Entries     int64
	Head        Head
	Subjects    int64 // records the chain speaks about
	Checkpoints int   // signed checkpoints compared with the chain
	Pending     int64 // events recorded and not yet chained (their facts are compared too)
	// FirstBroken is the lowest entry something is wrong with (nil when OK).
	FirstBroken *Problem
	Problems    []Problem // at most MaxProblems, lowest seq first
	Total       int       // problems found in all
	CheckedAt   time.Time
	Took        time.Duration
}

// MaxProblems bounds the problems a report lists.
const MaxProblems = 50

// Page selects part of a list.
type Page struct {
	Offset, Limit int
}
