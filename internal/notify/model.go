package notify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// Topics: one Redis stream and one consumer group each.
const (
	TopicSMS    = "sms"
	TopicPostal = "postal"
)

// Topics lists every topic the workers serve.
var Topics = []string{TopicSMS, TopicPostal}

// Status is where a message is in its life.
//
//	pending --relay--> queued --worker claims--> sending --> sent
//	   ^                 |                          |-----> pending (retry after backoff)
//	   |                 |                          '-----> dead (after max attempts; an admin may retry)
//	   '--- lease expired and the stream lost it (Redis restarted) ---'
//
//	pending | queued --Withdraw--> withdrawn (the event it announced was undone)
type Status string

const (
	StatusPending Status = "pending" // in the outbox, due at NotBefore
	StatusQueued  Status = "queued"  // in the Redis stream
	StatusSending Status = "sending" // a worker holds it until LeaseUntil
	StatusSent    Status = "sent"
	StatusDead    Status = "dead"
	// StatusWithdrawn: a message not sent yet that must not go out any more
	// (the reminder of a booking that was cancelled or moved).
	StatusWithdrawn Status = "withdrawn"
)

// Valid reports a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusQueued, StatusSending, StatusSent, StatusDead, StatusWithdrawn:
		return true
	}
	return false
}

// Message is one outbox row.
type Message struct {
	ID          int64
	Topic       string
	DedupeKey   string
	Template    string // SMS template code; "" for postal orders
	CandidateID int64
	// Recipient is the plaintext phone (SMS) or the receiver's phone
	// (postal), used for the blind index and the masked display.
	Recipient string
	// Payload is the JSON body (SMS or PostalOrder); encrypted at rest.
	Payload     []byte
	Urgent      bool
	Status      Status
	Attempts    int
	LastError   string
	NotBefore   time.Time
	LeaseUntil  time.Time
	StreamID    string
	ProviderRef string // the carrier's id: SMS BizId, postal waybill number
	CreatedAt   time.Time
	QueuedAt    time.Time
	SentAt      time.Time
}

// Ref is a row's identity and queue position, as the relay sees it.
type Ref struct {
	ID       int64
	Topic    string
	Status   Status
	StreamID string
	// FirstTime is true the first time the row is relayed (for counting).
	FirstTime bool
}

// Sent records one delivered message.
type Sent struct {
	ID  int64
	Ref string
}

// Filter narrows the message list.
type Filter struct {
	Topic       string
	Status      Status
	CandidateID int64
	Phone       string // plaintext; the store looks it up by blind index
	Offset      int
	Limit       int
}

// TopicStats is the state of one topic's queue.
type TopicStats struct {
	Topic     string
	Pending   int64 // due now, waiting for the relay
	Scheduled int64 // pending with NotBefore in the future (reminders, quiet hours, backoff)
	Queued    int64
	Sending   int64
	Sent      int64
	Dead      int64
	// OldestDue is the age of the oldest message that is due and not yet
	// sent or dead (0 when none): the queue's lag.
	OldestDue time.Duration
	// StreamLength and StreamPending are read from Redis (entries in the
	// stream; delivered to a consumer but not acknowledged).
	StreamLength  int64
	StreamPending int64
}

// Store persists the outbox (notifydb). Every method runs on the
// transaction in ctx when there is one.
type Store interface {
	// Insert writes m unless its DedupeKey exists; inserted is false then
	// and m.ID is the existing row's id.
	Insert(ctx context.Context, m *Message) (inserted bool, err error)
	// ClaimDue moves up to limit due pending rows to queued with a lease,
	// without two relays ever taking the same row.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Ref, error)
	// SetStreamIDs remembers where each row sits in its stream.
	SetStreamIDs(ctx context.Context, ids map[int64]string) error
	// Release puts queued rows back to pending (the stream write failed).
	Release(ctx context.Context, ids []int64) error
	// ExpiredLeases lists queued/sending rows whose lease ended before now.
	ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]Ref, error)
	// Requeue moves rows whose lease is still expired back to pending, due now.
	Requeue(ctx context.Context, ids []int64, now time.Time) (int64, error)
	// ExtendLease renews still-expired leases of rows whose stream entry lives.
	ExtendLease(ctx context.Context, ids []int64, now, until time.Time) error
	// ClaimForSend takes the rows a worker may send now: queued ones, and
	// sending ones whose lease expired (their worker died). Each claimed
	// row's attempts go up by one and it is leased until now+lease.
	ClaimForSend(ctx context.Context, ids []int64, now time.Time, lease time.Duration) ([]Message, error)
	MarkSent(ctx context.Context, sent []Sent, now time.Time) error
	MarkRetry(ctx context.Context, id int64, notBefore time.Time, lastError string) error
	MarkDead(ctx context.Context, id int64, lastError string) error
	// Hold puts a claimed row back to pending until notBefore without
	// counting the attempt (quiet hours).
	Hold(ctx context.Context, id int64, notBefore time.Time) error
	// Withdraw moves the pending or queued row with this dedupe key to
	// withdrawn (nothing when there is none or it is being sent or sent).
	Withdraw(ctx context.Context, dedupeKey string, now time.Time) (bool, error)
	// Revive makes a dead row pending again with zero attempts.
	Revive(ctx context.Context, id int64, now time.Time) (Message, error)
	Get(ctx context.Context, id int64) (Message, error)
	List(ctx context.Context, f Filter) ([]Message, int64, error)
	Stats(ctx context.Context, now time.Time) ([]TopicStats, error)
}

// Delivery is one stream entry handed to a consumer.
type Delivery struct {
	EntryID   string
	MessageID int64
}

// Queue is the Redis Streams side (notifykv).
type Queue interface {
	// EnsureGroup creates the stream and its consumer group if missing.
	EnsureGroup(ctx context.Context, topic string) error
	// Add appends one entry per id and returns the entry ids in order.
	Add(ctx context.Context, topic string, ids []int64) ([]string, error)
	// Read delivers new entries to consumer (XREADGROUP), waiting up to block.
	Read(ctx context.Context, topic, consumer string, count int, block time.Duration) ([]Delivery, error)
	// Reclaim takes entries idle longer than minIdle from any consumer (XAUTOCLAIM).
	Reclaim(ctx context.Context, topic, consumer string, minIdle time.Duration, count int) ([]Delivery, error)
	// Ack acknowledges and deletes entries, atomically.
	Ack(ctx context.Context, topic string, entryIDs []string) error
	// Alive reports whether the entry is still in the stream (not yet
	// acknowledged: waiting, or held by a consumer).
	Alive(ctx context.Context, topic, entryID string) (bool, error)
	// Depth reports the stream length and the group's pending count.
	Depth(ctx context.Context, topic string) (length, pending int64, err error)
}

// SMSRequest is what an SMS provider sends.
type SMSRequest struct {
	// IdempotencyKey is the outbox id ("examd-<id>"): the same key twice
	// must not make two messages at a provider that honours it.
	IdempotencyKey string
	Phone          string
	Template       Template
	Params         map[string]string
	Signature      string
}

// SMSProvider delivers a text message; ref is the carrier's id for it.
type SMSProvider interface {
	SendSMS(ctx context.Context, req SMSRequest) (ref string, err error)
}

// PostalProvider places a postal order and returns the 13-digit waybill
// number ("" when the order is handled by hand and the number comes later).
type PostalProvider interface {
	CreateOrder(ctx context.Context, idempotencyKey string, o PostalOrder) (waybill string, err error)
}

// PostalListener learns the waybill of an order (cert delivery records it).
// It runs inside the transaction that marks the order sent.
type PostalListener interface {
	PostalOrdered(ctx context.Context, reference, waybill string) error
}

// Observer counts what happens, for metrics (notifyprom).
type Observer interface {
	Enqueued(topic string, n int)
	Sent(topic string)
	Failed(topic string)
	Dead(topic string)
}

type nopObserver struct{}

func (nopObserver) Enqueued(string, int) {}
func (nopObserver) Sent(string)          {}
func (nopObserver) Failed(string)        {}
func (nopObserver) Dead(string)          {}

// Auditor records staff actions (audit.Service).
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction (sqldb.DB).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// permanentError marks a provider error that retrying cannot fix (a number
// the carrier rejects, an unregistered template): the message dies at once.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the worker does not retry it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports an error wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Errors of the admin API.
var (
	ErrNotDead = apperr.New(apperr.KindConflict, "message_not_dead", "only a dead message can be retried")
)

// RecipientOf reads the phone number out of a message's payload.
func RecipientOf(m Message) string {
	switch m.Topic {
	case TopicSMS:
		var p smsPayload
		if json.Unmarshal(m.Payload, &p) == nil {
			return p.Phone
		}
	case TopicPostal:
		var p postalPayload
		if json.Unmarshal(m.Payload, &p) == nil {
			return p.Order.Receiver.Phone
		}
	}
	return ""
}
