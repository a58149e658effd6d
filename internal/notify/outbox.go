package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
)

// QuietHours holds non-urgent SMS between Start and End (local time of Loc;
// Start > End wraps midnight, e.g. 22:00-08:00). Zero value: no quiet hours.
type QuietHours struct {
	Start, End time.Duration // since local midnight
	Loc        *time.Location
}

// ParseQuietHours reads "22:00" and "08:00".
func ParseQuietHours(start, end string, loc *time.Location) (QuietHours, error) {
	s, err := time.Parse("15:04", start)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours start %q: want HH:MM", start)
	}
	e, err := time.Parse("15:04", end)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours end %q: want HH:MM", end)
	}
	if loc == nil {
		loc = time.Local
	}
	return QuietHours{Start: time.Duration(s.Hour())*time.Hour + time.Duration(s.Minute())*time.Minute,
		End: time.Duration(e.Hour())*time.Hour + time.Duration(e.Minute())*time.Minute, Loc: loc}, nil
}

// Release returns t when it is outside quiet hours, else the end of the
// quiet period t falls in.
func (q QuietHours) Release(t time.Time) time.Time {
	if q.Loc == nil || q.Start == q.End {
		return t
	}
	lt := t.In(q.Loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, q.Loc)
	tod := lt.Sub(midnight)
	switch {
	case q.Start < q.End: // e.g. 12:00-14:00
		if tod >= q.Start && tod < q.End {
			return atTimeOfDay(midnight, q.End)
		}
	default: // wraps midnight, e.g. 22:00-08:00
		if tod >= q.Start {
			return atTimeOfDay(midnight.AddDate(0, 0, 1), q.End)
		}
		if tod < q.End {
			return atTimeOfDay(midnight, q.End)
		}
	}
	return t
}

// atTimeOfDay is midnight plus d in wall-clock terms (DST safe).
func atTimeOfDay(midnight time.Time, d time.Duration) time.Time {
	return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, midnight.Location())
}

// Outbox writes messages in the caller's transaction (the one carried by
// ctx, see sqldb.InTx): the message exists exactly when the change that
// causes it commits. Safe for concurrent use.
type Outbox struct {
	store Store
	clock clock.Clock
	quiet QuietHours
}

// NewOutbox returns the enqueue side.
func NewOutbox(store Store, clk clock.Clock, quiet QuietHours) *Outbox {
	return &Outbox{store: store, clock: clk, quiet: quiet}
}

var phoneRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

const maxDedupeKey = 190

// smsPayload is the stored body of an SMS.
type smsPayload struct {
	Phone    string            `json:"phone"`
	Template string            `json:"template"`
	Params   map[string]string `json:"params"`
}

// postalPayload is the stored body of a postal order.
type postalPayload struct {
	Order PostalOrder `json:"order"`
}

// EnqueueSMS writes an SMS to the outbox. The same DedupeKey twice writes
// one message: the second call returns the first message's id and no error.
// Non-urgent messages due in quiet hours wait for their end.
func (o *Outbox) EnqueueSMS(ctx context.Context, m SMS) (int64, error) {
	f := apperr.Fields{}
	m.Phone = strings.TrimSpace(m.Phone)
	f.Check(phoneRE.MatchString(m.Phone), "phone", apperr.Mobile())
	checkDedupe(f, m.DedupeKey)
	tpl, ok := TemplateByCode(m.Template)
	f.Check(ok, "template", apperr.UnknownTemplate())
	if ok {
		if err := tpl.Check(m.Params); err != nil {
			e, _ := apperr.As(err)
			for k, v := range e.Fields {
				f.Add(k, v)
			}
		}
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	urgent := m.Urgent || tpl.Urgent
	notBefore := o.due(m.NotBefore)
	if !urgent {
		notBefore = o.quiet.Release(notBefore)
	}
	params := make(map[string]string, len(m.Params))
	for k, v := range m.Params {
		params[k] = strings.TrimSpace(v)
	}
	body, err := json.Marshal(smsPayload{Phone: m.Phone, Template: m.Template, Params: params})
	if err != nil {
		return 0, err
	}
	return o.insert(ctx, &Message{Topic: TopicSMS, DedupeKey: m.DedupeKey, Template: m.Template, CandidateID: m.CandidateID,
		Recipient: m.Phone, Payload: body, Urgent: urgent, NotBefore: notBefore})
}

// EnqueuePostal writes a postal order to the outbox (dedupe as EnqueueSMS).
func (o *Outbox) EnqueuePostal(ctx context.Context, p PostalOrder) (int64, error) {
	f := apperr.Fields{}
	checkDedupe(f, p.DedupeKey)
	checkAddress(f, "sender", p.Sender)
	checkAddress(f, "receiver", p.Receiver)
	f.Check(strings.TrimSpace(p.Cargo) != "", "cargo", apperr.Required())
	if err := f.Err(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(postalPayload{Order: p})
	if err != nil {
		return 0, err
	}
	return o.insert(ctx, &Message{Topic: TopicPostal, DedupeKey: p.DedupeKey, CandidateID: p.CandidateID,
		Recipient: strings.TrimSpace(p.Receiver.Phone), Payload: body, Urgent: true, NotBefore: o.due(time.Time{})})
}

// SendVerificationCode sends a login code through the queue (auth.CodeSender).
// Every request is its own event, so each gets a fresh dedupe key.
func (o *Outbox) SendVerificationCode(ctx context.Context, phone, code string) error {
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	_, err := o.EnqueueSMS(ctx, SMS{Phone: phone, Template: TplVerificationCode, Params: map[string]string{"code": code},
		DedupeKey: "login-code:" + hex.EncodeToString(nonce), Urgent: true})
	return err
}

// Withdraw stops a scheduled message that has not gone out yet, in the
// caller's transaction: the exam-eve reminder of a booking that is cancelled
// or moved. A queued row whose stream entry is delivered later is not
// claimed by any worker (only queued and sending rows are).
func (o *Outbox) Withdraw(ctx context.Context, dedupeKey string) error {
	_, err := o.store.Withdraw(ctx, dedupeKey, o.clock.Now().UTC())
	return err
}

func (o *Outbox) due(t time.Time) time.Time {
	now := o.clock.Now()
	if t.IsZero() || t.Before(now) {
		return now.UTC()
	}
	return t.UTC()
}

func (o *Outbox) insert(ctx context.Context, m *Message) (int64, error) {
	m.Status = StatusPending
	m.CreatedAt = o.clock.Now().UTC()
	if _, err := o.store.Insert(ctx, m); err != nil {
		return 0, err
	}
	return m.ID, nil
}

func checkDedupe(f apperr.Fields, key string) {
	f.Check(strings.TrimSpace(key) != "", "dedupe_key", rsnRequiredNameTheBusinessEventE)
	f.Check(len(key) <= maxDedupeKey, "dedupe_key", rsnMaxBytes.With("n", maxDedupeKey))
}

func checkAddress(f apperr.Fields, prefix string, a Address) {
	f.Check(strings.TrimSpace(a.Name) != "", prefix+".name", apperr.Required())
	f.Check(phoneRE.MatchString(strings.TrimSpace(a.Phone)), prefix+".phone", apperr.Mobile())
	f.Check(strings.TrimSpace(a.Province) != "", prefix+".province", apperr.Required())
	f.Check(strings.TrimSpace(a.City) != "", prefix+".city", apperr.Required())
	f.Check(strings.TrimSpace(a.County) != "", prefix+".county", apperr.Required())
	f.Check(strings.TrimSpace(a.Detail) != "", prefix+".detail", apperr.Required())
}
