package notify

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
)

// Service is the bureau's view of the queue: depth per topic, recent
// messages, dead ones and their retry, a candidate's history.
type Service struct {
	store Store
	queue Queue
	tx    Transactor
	audit Auditor
	clock clock.Clock
}

// NewService wires the admin side.
func NewService(store Store, queue Queue, tx Transactor, auditor Auditor, clk clock.Clock) *Service {
	return &Service{store: store, queue: queue, tx: tx, audit: auditor, clock: clk}
}

// View is a message as staff see it: the recipient masked, codes hidden.
type View struct {
	ID              int64
	Topic           string
	Template        string
	TemplateTitle   string
	RecipientMasked string
	CandidateID     int64
	Summary         string // the SMS text (codes hidden, names masked) or the order's cargo and destination
	Status          Status
	Attempts        int
	LastError       string
	NotBefore       time.Time
	CreatedAt       time.Time
	SentAt          time.Time
	ProviderRef     string
}

// Stats reports every topic's queue, the database and the stream side.
func (s *Service) Stats(ctx context.Context) ([]TopicStats, error) {
	st, err := s.store.Stats(ctx, s.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	by := map[string]*TopicStats{}
	for i := range st {
		by[st[i].Topic] = &st[i]
	}
	out := make([]TopicStats, 0, len(Topics))
	for _, t := range Topics {
		x := TopicStats{Topic: t}
		if p := by[t]; p != nil {
			x = *p
		}
		if s.queue != nil {
			if x.StreamLength, x.StreamPending, err = s.queue.Depth(ctx, t); err != nil {
				return nil, err
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// List returns messages, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]View, int64, error) {
	bad := apperr.Fields{}
	if f.Topic != "" {
		bad.Check(f.Topic == TopicSMS || f.Topic == TopicPostal, "topic", rsnWantSmsOrPostal)
	}
	if f.Status != "" {
		bad.Check(f.Status.Valid(), "status", rsnWantPendingQueuedSendingSentOr)
	}
	bad.Check(f.CandidateID >= 0, "candidate_id", rsnMustBePositive)
	if f.Phone != "" {
		bad.Check(phoneRE.MatchString(f.Phone), "phone", apperr.Mobile())
	}
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	f.Offset = max(f.Offset, 0)
	list, total, err := s.store.List(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]View, len(list))
	for i, m := range list {
		out[i] = ViewOf(m)
	}
	return out, total, nil
}

// ViewOf masks a message for staff.
func ViewOf(m Message) View {
	v := View{ID: m.ID, Topic: m.Topic, Template: m.Template, RecipientMasked: pii.MaskPhone(m.Recipient), CandidateID: m.CandidateID,
		Status: m.Status, Attempts: m.Attempts, LastError: m.LastError, NotBefore: m.NotBefore, CreatedAt: m.CreatedAt, SentAt: m.SentAt, ProviderRef: m.ProviderRef}
	switch m.Topic {
	case TopicSMS:
		var p smsPayload
		if json.Unmarshal(m.Payload, &p) == nil {
			if tpl, ok := TemplateByCode(p.Template); ok {
				v.TemplateTitle = tpl.Title
				v.Summary = tpl.RenderForStaff(p.Params)
			}
		}
	case TopicPostal:
		v.TemplateTitle = "邮寄订单"
		var p postalPayload
		if json.Unmarshal(m.Payload, &p) == nil {
			r := p.Order.Receiver
			v.Summary = p.Order.Cargo + " → " + pii.MaskName(r.Name) + " " + r.Province + r.City + r.County
		}
	}
	return v
}

// Retry makes a dead message pending again (attempts start over). The
// change and its audit entry commit together.
func (s *Service) Retry(ctx context.Context, id int64) (View, error) {
	var out View
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		before, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if before.Status != StatusDead {
			return ErrNotDead.WithMessage("message %d is %s; only a dead message can be retried", id, before.Status)
		}
		after, err := s.store.Revive(ctx, id, s.clock.Now().UTC())
		if err != nil {
			return err
		}
		out = ViewOf(after)
		return s.audit.Record(ctx, audit.Entry{Action: "notify.retry", TargetType: "notify_message", TargetID: strconv.FormatInt(id, 10),
			Before: map[string]any{"status": before.Status, "attempts": before.Attempts, "last_error": before.LastError},
			After:  map[string]any{"status": after.Status, "attempts": after.Attempts}})
	})
	return out, err
}
