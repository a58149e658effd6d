// Package audit records who did what, when, from where, with the state
// before and after. Entries are append-only: the API can list them, never
// change them.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"taxiexam/internal/platform/reqctx"
)

// Entry is what a service reports; the caller's identity comes from ctx.
type Entry struct {
	Action     string // e.g. "staff.create", "application.approve"
	TargetType string
	TargetID   string
	Before     any // marshalled to JSON; nil for creations
	After      any
}

// Record is a stored entry.
type Record struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorKind  string
	ActorRole  string
	ActorName  string
	Action     string
	TargetType string
	TargetID   string
	IP         string
	RequestID  string
	Before     string // JSON
	After      string // JSON
}

// Target names one record entries are about.
type Target struct {
	Type, ID string
}

// Filter narrows a listing.
type Filter struct {
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string
	// Targets keeps entries about any of these records (a dossier: the
	// candidate, their applications, bookings, certificates...).
	Targets  []Target
	From, To time.Time
	Offset   int
	Limit    int
}

// Store persists records (auditdb).
type Store interface {
	Append(ctx context.Context, r *Record) error
	List(ctx context.Context, f Filter) ([]Record, int64, error)
}

// Service is the audit log.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService wires the log.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Record appends e with the caller from ctx. Call it inside the transaction
// of the change so the log and the change commit together.
func (s *Service) Record(ctx context.Context, e Entry) error {
	req := reqctx.From(ctx)
	r := Record{At: s.now().UTC(), Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, IP: req.ClientIP, RequestID: req.ID}
	if a := req.Actor; a != nil {
		r.ActorID, r.ActorKind, r.ActorRole, r.ActorName = a.UserID, string(a.Kind), string(a.Role), a.Username
	} else {
		r.ActorKind = "system"
	}
	var err error
	if r.Before, err = marshal(e.Before); err != nil {
		return err
	}
	if r.After, err = marshal(e.After); err != nil {
		return err
	}
	return s.store.Append(ctx, &r)
}

// List returns matching records, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Record, int64, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return s.store.List(ctx, f)
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
