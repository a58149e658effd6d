package registration

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// Decision is a police reviewer's verdict on one application.
type Decision struct {
	// Version the reviewer read; 0 skips the check (the weekly import).
	Version    int
	Checks     map[string]string // pledge item code -> clear | found
	Outcome    string            // approve | return | reject
	ReasonCode string            // reject: one of RejectReasons
	Reason     string            // return: what to fix; reject: why
}

// CheckDecision validates a decision on its own.
func CheckDecision(d Decision) apperr.Fields {
	v := apperr.Fields{}
	for code, r := range d.Checks {
		if !knownItem(PledgeItems, code) {
			v.Add("checks."+code, rsnUnknownCheckItem)
			continue
		}
		v.Check(r == CheckClear || r == CheckFound, "checks."+code, apperr.OneOf("clear", "found"))
	}
	d.Reason = strings.TrimSpace(d.Reason)
	v.Check(runes(d.Reason) <= 500, "reason", apperr.MaxChars(500))
	switch d.Outcome {
	case OutcomeApprove:
		for _, it := range PledgeItems {
			r := d.Checks[it.Code]
			if r == "" {
				v.Add("checks."+it.Code, rsnRecordTheResultOfEveryCheck)
			} else if r == CheckFound {
				v.Add("checks."+it.Code, rsnARecordWasFoundTheApplication)
			}
		}
	case OutcomeReturn:
		v.Check(d.Reason != "", "reason", rsnSayWhatTheCandidateMustCorrect)
	case OutcomeReject:
		v.Check(knownItem(RejectReasons, d.ReasonCode), "reason_code", rsnChooseAReasonCode)
		v.Check(d.Reason != "", "reason", rsnGiveTheReason)
	default:
		v.Add("outcome", apperr.OneOf("approve", "return", "reject"))
	}
	return v
}

// Queue lists applications waiting for a check, oldest first.
func (s *Service) Queue(ctx context.Context, overdueOnly bool, offset, limit int) ([]Application, int64, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return nil, 0, err
	}
	f := Filter{Offset: offset, Limit: limit}
	if overdueOnly {
		f.QueuedBefore = s.clock.Now().Add(-OverdueAfter)
	}
	return s.store.SearchApplications(ctx, f, true)
}

// Overdue reports an application waiting longer than a week.
func (s *Service) Overdue(a Application) bool {
	return a.Status.InQueue() && s.clock.Now().Sub(a.QueuedAt) > OverdueAfter
}

// WaitingDays is how many whole days an application has been queued.
func (s *Service) WaitingDays(a Application) int {
	if !a.Status.InQueue() || a.QueuedAt.IsZero() {
		return 0
	}
	return int(s.clock.Now().Sub(a.QueuedAt).Hours() / 24)
}

// ReviewPreview reads an application for the review screen and changes
// nothing (the API masks the ID number on it): taking the case is TakeCase.
func (s *Service) ReviewPreview(ctx context.Context, id int64) (Application, []Event, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Application{}, nil, err
	}
	a, err := s.store.ApplicationByID(ctx, id)
	if err != nil {
		return Application{}, nil, err
	}
	if a.Status == StatusDraft {
		return Application{}, nil, apperr.ErrNotFound // not yet the police's business
	}
	ev, err := s.store.Events(ctx, id)
	return a, ev, err
}

// TakeCase is the reviewer's explicit act of opening a case: the full ID
// number is shown, so the view is audited; a submitted application is now
// under background check (the candidate's timeline shows it).
func (s *Service) TakeCase(ctx context.Context, id int64) (Application, []Event, error) {
	actor, err := reqctx.Staff(ctx)
	if err != nil {
		return Application{}, nil, err
	}
	var out Application
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		moved := false
		a, err := s.store.UpdateApplication(ctx, id, func(a *Application) error {
			moved = false // fn may run again when the transaction is retried
			if a.Status == StatusDraft {
				return apperr.ErrNotFound // not yet the police's business
			}
			if a.Status == StatusSubmitted {
				a.Status = StatusUnderCheck
				a.ReviewerID = actor.UserID
				a.Version++
				moved = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		if moved {
			if err := s.changed(ctx, a, StatusUnderCheck, "staff", actor.UserID, "", "", nil, ""); err != nil {
				return err
			}
		}
		out = a
		return s.audit.Record(ctx, audit.Entry{Action: "application.view_id_number", TargetType: "application", TargetID: strconv.FormatInt(id, 10),
			After: map[string]any{"screen": "review", "status": a.Status}})
	})
	if err != nil {
		return Application{}, nil, err
	}
	ev, err := s.store.Events(ctx, id)
	return out, ev, err
}

// Decide records the check items and the outcome, moves the application on
// and tells the candidate by SMS, in one transaction with the audit entry.
func (s *Service) Decide(ctx context.Context, id int64, d Decision) (Application, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Application{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if err := CheckDecision(d).Err(); err != nil {
		return Application{}, err
	}
	var out Application
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.decide(ctx, id, d)
		out = a
		return err
	})
	return out, err
}

func (s *Service) decide(ctx context.Context, id int64, d Decision) (Application, error) {
	actor := reqctx.ActorFrom(ctx)
	now := s.clock.Now().UTC()
	var before Status
	a, err := s.store.UpdateApplication(ctx, id, func(a *Application) error {
		switch {
		case a.Status == StatusApproved || a.Status == StatusRejected:
			return ErrAlreadyDecided
		case !a.Status.InQueue():
			return ErrNotInQueue
		case d.Version != 0 && d.Version != a.Version:
			return apperr.ErrVersionConflict
		}
		before = a.Status
		a.Checks = map[string]string{}
		for k, v := range d.Checks {
			a.Checks[k] = v
		}
		a.ReasonCode, a.Reason = "", d.Reason
		switch d.Outcome {
		case OutcomeApprove:
			a.Status = StatusApproved
		case OutcomeReturn:
			a.Status = StatusReturned
		case OutcomeReject:
			a.Status, a.ReasonCode = StatusRejected, d.ReasonCode
		}
		a.DecidedAt = now
		a.ReviewerID = actor.UserID
		a.Version++
		return nil
	})
	if err != nil {
		return Application{}, err
	}
	var tpl string
	params := map[string]string{"name": a.Form.Name}
	switch a.Status {
	case StatusApproved:
		tpl = notify.TplBackgroundPassed
	case StatusReturned:
		tpl = notify.TplReturnedForCorrection
		params["reason"] = smsReason(a.Reason)
	case StatusRejected:
		tpl = notify.TplBackgroundRejected
		params["reason"] = smsReason(a.Reason)
	}
	note := a.Reason
	if err := s.changed(ctx, a, a.Status, "staff", actor.UserID, note, tpl, params, fmt.Sprintf("application:%d:decided:%d", a.ID, a.SubmitCount)); err != nil {
		return Application{}, err
	}
	if err := s.audit.Record(ctx, audit.Entry{Action: "application.decide", TargetType: "application", TargetID: strconv.FormatInt(id, 10),
		Before: map[string]any{"status": before},
		After:  map[string]any{"status": a.Status, "outcome": d.Outcome, "checks": a.Checks, "reason_code": a.ReasonCode, "reason": a.Reason}}); err != nil {
		return Application{}, err
	}
	return a, nil
}

// smsReason shortens a reason to fit one SMS variable; the whole text is on
// the candidate's timeline.
func smsReason(r string) string {
	const max = 60
	if runes(r) <= max {
		return r
	}
	return string([]rune(r)[:max-1]) + "…"
}
