package cert

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
)

// Search lists certificates for the bureau (holder data masked in the API).
func (s *Service) Search(ctx context.Context, f Filter) ([]Card, int64, error) {
	if _, err := reqctx.Staff(ctx, reqctx.RoleBureauAdmin); err != nil {
		return nil, 0, err
	}
	fl := apperr.Fields{}
	f.IDNumber = strings.ToUpper(strings.TrimSpace(f.IDNumber))
	fl.Check(f.IDNumber == "" || len(f.IDNumber) == 18, "id_number", apperr.IDNumber18())
	fl.Check(f.Kind == "" || f.Kind.Valid(), "kind", apperr.OneOf("taxi", "ride_hailing"))
	fl.Check(f.Status == "" || f.Status == StatusValid || f.Status == StatusReplaced || f.Status == StatusRevoked, "status", apperr.OneOf("valid", "replaced", "revoked"))
	if err := fl.Err(); err != nil {
		return nil, 0, err
	}
	list, total, err := s.Store.SearchCertificates(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Card, len(list))
	for i, c := range list {
		out[i] = s.card(c)
	}
	return out, total, nil
}

// Detail is a certificate with its history, for the bureau.
type Detail struct {
	Card
	Events []Event
}

// Certificate is one certificate with its history (bureau).
func (s *Service) Certificate(ctx context.Context, id int64) (Detail, error) {
	if _, err := reqctx.Staff(ctx, reqctx.RoleBureauAdmin); err != nil {
		return Detail{}, err
	}
	c, err := s.Store.CertificateByID(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	ev, err := s.Store.Events(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Card: s.card(c), Events: ev}, nil
}

// Correction is the corrected holder data of a reissue (empty = unchanged).
type Correction struct {
	Name     string
	IDNumber string
}

// Revoke ends a valid certificate (the verify page shows "revoked").
func (s *Service) Revoke(ctx context.Context, id int64, reason string) (Card, error) {
	out, err := s.change(ctx, id, ActionRevoked, reason, nil)
	return out, err
}

// Replace issues a new version after a loss; the old one shows "replaced".
// The new version keeps the holder data and the expiry date.
func (s *Service) Replace(ctx context.Context, id int64, reason string) (Card, error) {
	return s.change(ctx, id, ActionReplaced, reason, &Correction{})
}

// Reissue issues a new version with corrected holder data.
func (s *Service) Reissue(ctx context.Context, id int64, reason string, fix Correction) (Card, error) {
	fix.Name, fix.IDNumber = strings.TrimSpace(fix.Name), strings.ToUpper(strings.TrimSpace(fix.IDNumber))
	f := apperr.Fields{}
	f.Check(fix.Name != "" || fix.IDNumber != "", "name", rsnGiveTheCorrectedNameOrId)
	f.Check(utf8.RuneCountInString(fix.Name) <= 50, "name", apperr.MaxChars(50))
	f.Check(fix.IDNumber == "" || validIDNumber(fix.IDNumber), "id_number", rsnNotAValid18CharacterId)
	if err := f.Err(); err != nil {
		return Card{}, err
	}
	return s.change(ctx, id, ActionReissued, reason, &fix)
}

// change revokes (fix == nil) or supersedes a valid certificate by a new
// version, with history and audit, in one transaction.
func (s *Service) change(ctx context.Context, id int64, action, reason string, fix *Correction) (Card, error) {
	a, err := reqctx.Staff(ctx, reqctx.RoleBureauAdmin)
	if err != nil {
		return Card{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return Card{}, ErrReasonRequired.WithField("reason", apperr.RequiredMaxChars(200))
	}
	var out Certificate
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now().UTC()
		var before Certificate
		old, err := s.Store.UpdateCertificate(ctx, id, func(c *Certificate) error {
			if c.LiveStatus(s.today()) != StatusValid {
				return ErrNotValid
			}
			before = *c
			c.Reason = reason
			if fix == nil {
				c.Status = StatusRevoked
			} else {
				c.Status = StatusReplaced
			}
			return nil
		})
		if err != nil {
			return err
		}
		out = old
		if fix != nil {
			next := Certificate{CandidateID: old.CandidateID, ApplicationID: old.ApplicationID, Kind: old.Kind, Version: old.Version + 1,
				HolderName: old.HolderName, IDNumber: old.IDNumber, Authority: s.cfg.Authority, IssuedOn: s.today(), ExpiresOn: old.ExpiresOn,
				Status: StatusValid, Reason: reason}
			if fix.Name != "" {
				next.HolderName = fix.Name
			}
			if fix.IDNumber != "" {
				next.IDNumber = fix.IDNumber
			}
			next.LicenceID = s.licenceID(next)
			ok, err := s.Store.InsertCertificate(ctx, &next)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.ErrVersionConflict
			}
			if old, err = s.Store.UpdateCertificate(ctx, old.ID, func(c *Certificate) error { c.ReplacedBy = next.ID; return nil }); err != nil {
				return err
			}
			if err := s.addEvent(ctx, next, &Event{CertificateID: next.ID, At: now, Action: ActionIssued, ActorKind: "staff", ActorID: a.UserID,
				Reason: fmt.Sprintf("%s of #%d: %s", action, old.ID, reason)}); err != nil {
				return err
			}
			if err := s.deliverReplacement(ctx, old, next); err != nil {
				return err
			}
			out = next
		}
		if err := s.smsChanged(ctx, action, old, out, reason); err != nil {
			return err
		}
		if err := s.addEvent(ctx, old, &Event{CertificateID: old.ID, At: now, Action: action, ActorKind: "staff", ActorID: a.UserID, Reason: reason}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "cert." + action, TargetType: "certificate", TargetID: fmt.Sprint(old.ID),
			Before: certAudit(before), After: certAudit(out)})
	})
	if err != nil {
		return Card{}, err
	}
	s.index.forget(id, out.ID) // committed: this node's verify page shows it at once
	return s.card(out), nil
}

// smsChanged tells the holder, through the outbox in change's transaction,
// that a certificate was revoked or superseded by a new version.
func (s *Service) smsChanged(ctx context.Context, action string, old, now Certificate, reason string) error {
	phone, err := s.Phones.CandidatePhone(ctx, old.CandidateID)
	if err != nil {
		return err
	}
	sms := notify.SMS{Phone: phone, CandidateID: old.CandidateID, DedupeKey: fmt.Sprintf("cert:%d:%s", old.ID, action),
		Template: notify.TplCertificateReplaced,
		Params:   map[string]string{"name": now.HolderName, "kind": old.Kind.Short(), "action": actionWord[action], "link": s.cfg.PublicURL + CandidatePath}}
	if action == ActionRevoked {
		sms.Template, sms.Params = notify.TplCertificateRevoked, map[string]string{"name": old.HolderName, "kind": old.Kind.Short(), "reason": reason}
	}
	_, err = s.Notify.EnqueueSMS(ctx, sms)
	return err
}

// actionWord is how an SMS names a new version.
var actionWord = map[string]string{ActionReplaced: "补发", ActionReissued: "换发"}

func certAudit(c Certificate) map[string]any {
	return map[string]any{"id": c.ID, "licence_id": c.LicenceID, "status": c.Status, "version": c.Version,
		"holder": pii.MaskName(c.HolderName), "id_number": pii.MaskIDNumber(c.IDNumber), "reason": c.Reason}
}

// validIDNumber checks a GB 11643 citizen ID number's shape and its
// ISO 7064 MOD 11-2 check character.
func validIDNumber(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11] == id[17]
}

// Figures are the issuance and delivery counts of certificates issued in
// [from, to) (bureau statistics).
func (s *Service) Figures(ctx context.Context, from, to time.Time) (Figures, error) {
	if _, err := reqctx.Staff(ctx, reqctx.RoleBureauAdmin); err != nil {
		return Figures{}, err
	}
	if !to.After(from) {
		return Figures{}, apperr.Invalid(apperr.Fields{"to": apperr.AfterFrom()})
	}
	return s.Store.Figures(ctx, from, to)
}
