package cert

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
)

// Delivery methods (the candidate's choice at registration).
const (
	MethodPost   = "post"
	MethodPickup = "pickup"
)

// DeliveryStatus is where the parcel with both certificates is.
//
//	post:   ordered --waybill--> dispatched --> delivered
//	                                  '-------> returned --> at_office --> collected
//	pickup: preparing --arrived at the window--> at_office --hand-over--> collected
type DeliveryStatus string

const (
	DeliveryOrdered    DeliveryStatus = "ordered"    // postal order in the outbox; waiting for the waybill
	DeliveryDispatched DeliveryStatus = "dispatched" // handed to the post with a waybill
	DeliveryDelivered  DeliveryStatus = "delivered"
	DeliveryPreparing  DeliveryStatus = "preparing" // being printed for the window
	DeliveryAtOffice   DeliveryStatus = "at_office" // waiting at the window (also returned parcels)
	DeliveryCollected  DeliveryStatus = "collected"
)

// Delivery is a parcel of an application's certificates: the first one
// carries every certificate of the first issue; a replacement or reissued
// certificate that is made after that parcel has left travels in its own.
type Delivery struct {
	ID            int64
	ApplicationID int64
	CertificateID int64 // 0: the first parcel; else the one certificate it carries
	CandidateID   int64
	Method        string
	Status        DeliveryStatus
	OfficeID      int64 // the window that posts it, or where it is collected
	HolderName    string
	IDNumber      string
	Receiver      Receiver
	Waybill       string
	Returned      bool // came back from the post
	OrderedAt     time.Time
	DispatchedAt  time.Time
	DeliveredAt   time.Time
	ArrivedAt     time.Time
	CollectedAt   time.Time
	HandedOverBy  int64  // staff id of the clerk
	CollectedBy   string // name of who took the certificates
	Proxy         bool
	ProxyReason   string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Changeable: the candidate may still switch between post and pick-up.
func (d Delivery) Changeable() bool {
	return d.Status == DeliveryOrdered || d.Status == DeliveryPreparing
}

// DeliveryFilter selects parcels for a window's lists.
type DeliveryFilter struct {
	OfficeID    int64
	Method      string
	Status      []DeliveryStatus
	CandidateID int64
	IDNumber    string // the holder's full ID number (blind index)
	Returned    *bool
	Offset      int
	Limit       int
}

// Figures are the bureau's issuance and delivery counts in a period.
type Figures struct {
	Issued      int64 // certificates issued (first versions)
	Candidates  int64 // candidates who received certificates
	ByKind      map[Kind]int64
	Revoked     int64
	Replaced    int64
	Posted      int64 // parcels sent by post
	PickedUp    int64 // parcels collected at a window
	Returned    int64
	ByStatus    map[DeliveryStatus]int64
	MailedShare float64 // posted / all parcels, for the reform's "66.69% mailed"
}

func (s *Service) officeFor(ap Applicant) int64 {
	if ap.Delivery == MethodPickup && ap.OfficeID > 0 {
		return ap.OfficeID
	}
	return s.cfg.DispatchOfficeID
}

// startDelivery writes the application's delivery (once) and, when it goes
// by post, the postal order.
func (s *Service) startDelivery(ctx context.Context, ap Applicant) error {
	now := s.Clock.Now().UTC()
	d := Delivery{ApplicationID: ap.ApplicationID, CandidateID: ap.CandidateID, Method: MethodPickup, Status: DeliveryPreparing,
		OfficeID: s.officeFor(ap), HolderName: ap.Name, IDNumber: ap.IDNumber, Receiver: ap.Receiver, Version: 1}
	if ap.Delivery == MethodPost {
		d.Method, d.Status, d.OrderedAt = MethodPost, DeliveryOrdered, now
	}
	ok, err := s.Store.InsertDelivery(ctx, &d)
	if err != nil || !ok || d.Method != MethodPost {
		return err
	}
	return s.orderPost(ctx, d)
}

// orderPost writes the postal order: both certificates in one parcel.
func (s *Service) orderPost(ctx context.Context, d Delivery) error {
	r := d.Receiver
	_, err := s.Notify.EnqueuePostal(ctx, notify.PostalOrder{
		DedupeKey: fmt.Sprintf("cert-delivery:%d:order:%d", d.ID, d.Version), CandidateID: d.CandidateID, Sender: s.cfg.Sender,
		Receiver: notify.Address{Name: r.Name, Phone: r.Phone, Province: r.Province, City: r.City, County: r.County, Detail: r.Address},
		Cargo:    "出租汽车驾驶员从业资格证件", Reference: DeliveryReference(d.ID), NotifyMailed: true})
	return err
}

// DeliveryReference names a delivery in postal orders.
func DeliveryReference(id int64) string { return fmt.Sprintf("cert-delivery:%d", id) }

// PostalOrdered records the waybill the carrier gave an order (the China
// Post adapter; notify.PostalListener, inside the worker's transaction).
// The carrier's worker sends the certificate_mailed SMS itself.
func (s *Service) PostalOrdered(ctx context.Context, reference, waybill string) error {
	var id int64
	if _, err := fmt.Sscanf(reference, "cert-delivery:%d", &id); err != nil || DeliveryReference(id) != reference {
		return nil // another domain's order
	}
	_, err := s.Store.UpdateDelivery(ctx, id, func(d *Delivery) error {
		if d.Status != DeliveryOrdered || d.Method != MethodPost {
			return nil // switched to pick-up or already entered by hand
		}
		d.Status, d.Waybill, d.DispatchedAt = DeliveryDispatched, waybill, s.Clock.Now().UTC()
		return nil
	})
	return err
}

// ---------------------------------------------------------------- candidate

// MyDeliveries lists the calling candidate's parcels, newest first.
func (s *Service) MyDeliveries(ctx context.Context) ([]Delivery, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return nil, err
	}
	list, _, err := s.Store.ListDeliveries(ctx, DeliveryFilter{CandidateID: cid, Limit: 20})
	return list, err
}

// DeliveryChoice is the candidate's change of delivery.
type DeliveryChoice struct {
	Method   string
	OfficeID int64    // pick-up
	Receiver Receiver // post
	Version  int
}

// ChangeDelivery switches between post and pick-up until the parcel is
// dispatched (or, for pick-up, until it has reached the window).
func (s *Service) ChangeDelivery(ctx context.Context, id int64, ch DeliveryChoice) (Delivery, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Delivery{}, err
	}
	f := apperr.Fields{}
	f.Check(ch.Method == MethodPost || ch.Method == MethodPickup, "method", apperr.OneOf("post", "pickup"))
	if ch.Method == MethodPost {
		r := ch.Receiver
		f.Check(strings.TrimSpace(r.Name) != "", "receiver.name", apperr.Required())
		f.Check(mobileRE.MatchString(strings.TrimSpace(r.Phone)), "receiver.phone", apperr.Mobile())
		f.Check(strings.TrimSpace(r.Province) != "", "receiver.province", apperr.Required())
		f.Check(strings.TrimSpace(r.City) != "", "receiver.city", apperr.Required())
		f.Check(strings.TrimSpace(r.County) != "", "receiver.county", apperr.Required())
		f.Check(strings.TrimSpace(r.Address) != "", "receiver.address", apperr.Required())
	}
	if ch.Method == MethodPickup && ch.OfficeID <= 0 {
		f.Add("office_id", rsnChooseAnIssuingWindow)
	}
	if err := f.Err(); err != nil {
		return Delivery{}, err
	}
	if ch.Method == MethodPickup {
		if _, err := s.Offices.Office(ctx, ch.OfficeID); err != nil {
			return Delivery{}, ErrOfficeRequired.WithField("office_id", rsnNoSuchOpenIssuingWindow)
		}
	}
	var out Delivery
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var order bool
		out, err = s.Store.UpdateDelivery(ctx, id, func(d *Delivery) error {
			if d.CandidateID != cid {
				return apperr.ErrNotFound
			}
			if ch.Version != d.Version {
				return apperr.ErrVersionConflict
			}
			if !d.Changeable() {
				return ErrDeliveryFixed
			}
			now := s.Clock.Now().UTC()
			if ch.Method == MethodPost {
				order = d.Method != MethodPost || d.Receiver != ch.Receiver
				d.Method, d.Status, d.OrderedAt, d.Receiver, d.OfficeID = MethodPost, DeliveryOrdered, now, ch.Receiver, s.cfg.DispatchOfficeID
			} else {
				d.Method, d.Status, d.OfficeID = MethodPickup, DeliveryPreparing, ch.OfficeID
			}
			d.Version++
			return nil
		})
		if err != nil || !order {
			return err
		}
		return s.orderPost(ctx, out)
	})
	return out, err
}

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// ---------------------------------------------------------------- window clerk

// clerkOffice is the calling window clerk's office.
func clerkOffice(ctx context.Context) (*reqctx.Actor, error) {
	a, err := reqctx.Staff(ctx, reqctx.RoleWindowClerk)
	if err != nil {
		return nil, err
	}
	if _, err := a.Office(); err != nil {
		return nil, err
	}
	return a, nil
}

// Parcels lists the clerk's office parcels in the given statuses (the
// "to send" list: ordered posts; the desk: at_office; returned ones).
func (s *Service) Parcels(ctx context.Context, f DeliveryFilter) ([]Delivery, int64, error) {
	a, err := clerkOffice(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.OfficeID, f.CandidateID = a.OfficeID, 0
	return s.Store.ListDeliveries(ctx, f)
}

// Parcel is one parcel of the clerk's office with its certificates.
func (s *Service) Parcel(ctx context.Context, id int64) (Delivery, []Card, error) {
	a, err := clerkOffice(ctx)
	if err != nil {
		return Delivery{}, nil, err
	}
	d, err := s.Store.DeliveryByID(ctx, id)
	if err != nil {
		return Delivery{}, nil, err
	}
	if d.OfficeID != a.OfficeID {
		return Delivery{}, nil, ErrOtherOffice
	}
	certs, err := s.parcelCertificates(ctx, d)
	if err != nil {
		return Delivery{}, nil, err
	}
	cards := make([]Card, len(certs))
	for i, c := range certs {
		cards[i] = s.card(c)
	}
	return d, cards, nil
}

// parcelCertificates are the valid certificates a parcel carries: its own
// one, or for the first parcel every valid one no later parcel carries.
func (s *Service) parcelCertificates(ctx context.Context, d Delivery) ([]Certificate, error) {
	certs, err := s.Store.CertificatesOfApplication(ctx, d.ApplicationID)
	if err != nil {
		return nil, err
	}
	carried := map[int64]bool{}
	if d.CertificateID == 0 {
		all, err := s.Store.DeliveriesOfApplication(ctx, d.ApplicationID)
		if err != nil {
			return nil, err
		}
		for _, x := range all {
			carried[x.CertificateID] = true
		}
	}
	var out []Certificate
	for _, c := range certs {
		mine := c.ID == d.CertificateID || (d.CertificateID == 0 && !carried[c.ID])
		if c.Status == StatusValid && mine {
			out = append(out, c)
		}
	}
	return out, nil
}

// deliverReplacement gets a new version of a certificate to its holder
// (inside change's transaction): a parcel that carries the old one and has
// not left yet carries the new one instead; otherwise the new one travels
// in a parcel of its own, the way the last parcel went (a parcel the post
// returned sends it to that window instead of the same address again).
func (s *Service) deliverReplacement(ctx context.Context, old, next Certificate) error {
	all, err := s.Store.DeliveriesOfApplication(ctx, old.ApplicationID)
	if err != nil || len(all) == 0 {
		return err
	}
	carrier := all[0] // the first parcel carries whatever no later one does
	for _, d := range all {
		if d.CertificateID == old.ID {
			carrier = d
		}
	}
	if carrier.Changeable() {
		_, err := s.Store.UpdateDelivery(ctx, carrier.ID, func(d *Delivery) error {
			if d.CertificateID == old.ID {
				d.CertificateID = next.ID
			}
			d.HolderName, d.IDNumber = next.HolderName, next.IDNumber
			d.Version++
			return nil
		})
		return err
	}
	last := all[len(all)-1]
	d := Delivery{ApplicationID: old.ApplicationID, CertificateID: next.ID, CandidateID: old.CandidateID, Method: MethodPickup,
		Status: DeliveryPreparing, OfficeID: last.OfficeID, HolderName: next.HolderName, IDNumber: next.IDNumber, Receiver: last.Receiver, Version: 1}
	if last.Method == MethodPost && !last.Returned {
		d.Method, d.Status, d.OfficeID, d.OrderedAt = MethodPost, DeliveryOrdered, s.cfg.DispatchOfficeID, s.Clock.Now().UTC()
	}
	ok, err := s.Store.InsertDelivery(ctx, &d)
	if err != nil || !ok || d.Method != MethodPost {
		return err
	}
	return s.orderPost(ctx, d)
}

// ParcelPhoto is the holder photo of a parcel of the clerk's office.
func (s *Service) ParcelPhoto(ctx context.Context, id int64) ([]byte, string, error) {
	d, _, err := s.Parcel(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return s.Applicants.Photo(ctx, d.ApplicationID)
}

var waybillRE = regexp.MustCompile(`^\d{13}$`)

// clerkUpdate changes a parcel of the clerk's own office in a transaction
// with its audit entry; fn returns the SMS to send, if any.
func (s *Service) clerkUpdate(ctx context.Context, id int64, action string, fn func(d *Delivery, now time.Time) (*notify.SMS, error)) (Delivery, error) {
	a, err := clerkOffice(ctx)
	if err != nil {
		return Delivery{}, err
	}
	var out Delivery
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var before Delivery
		var sms *notify.SMS
		out, err = s.Store.UpdateDelivery(ctx, id, func(d *Delivery) error {
			if d.OfficeID != a.OfficeID {
				return ErrOtherOffice
			}
			before = *d
			var err error
			// to the millisecond, as the databases keep it (the ledger compares)
			sms, err = fn(d, s.Clock.Now().UTC().Truncate(time.Millisecond))
			d.Version++
			return err
		})
		if err != nil {
			return err
		}
		if out.Status == DeliveryCollected && before.Status != DeliveryCollected && s.Ledger != nil {
			if err := s.Ledger.RecordHandOver(ctx, out); err != nil {
				return err
			}
		}
		if sms != nil {
			if _, err := s.Notify.EnqueueSMS(ctx, *sms); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Entry{Action: "cert.delivery." + action, TargetType: "cert_delivery", TargetID: fmt.Sprint(id),
			Before: deliveryAudit(before), After: deliveryAudit(out)})
	})
	return out, err
}

func deliveryAudit(d Delivery) map[string]any {
	return map[string]any{"status": d.Status, "method": d.Method, "waybill": d.Waybill, "collected_by": pii.MaskName(d.CollectedBy), "proxy": d.Proxy}
}

func (s *Service) candidateSMS(ctx context.Context, d *Delivery, tpl string, params map[string]string, event string) (*notify.SMS, error) {
	phone, err := s.Phones.CandidatePhone(ctx, d.CandidateID)
	if err != nil {
		return nil, err
	}
	params["name"] = d.HolderName
	return &notify.SMS{Phone: phone, Template: tpl, Params: params, CandidateID: d.CandidateID,
		DedupeKey: fmt.Sprintf("cert-delivery:%d:%s:%d", d.ID, event, d.Version)}, nil
}

// EnterWaybill records the 13-digit waybill of a posted parcel (manual
// postal provider): the parcel is dispatched and the candidate gets the
// tracking number by SMS.
func (s *Service) EnterWaybill(ctx context.Context, id int64, waybill string) (Delivery, error) {
	waybill = strings.TrimSpace(waybill)
	if !waybillRE.MatchString(waybill) {
		return Delivery{}, ErrWaybillInvalid.WithField("waybill", rsnExactly13Digits)
	}
	return s.clerkUpdate(ctx, id, "waybill", func(d *Delivery, now time.Time) (*notify.SMS, error) {
		if d.Method != MethodPost || d.Status != DeliveryOrdered {
			return nil, ErrDeliveryState
		}
		d.Status, d.Waybill, d.DispatchedAt = DeliveryDispatched, waybill, now
		return s.candidateSMS(ctx, d, notify.TplCertificateMailed, map[string]string{"waybill": waybill}, "mailed")
	})
}

// MarkDelivered records that the post delivered a parcel.
func (s *Service) MarkDelivered(ctx context.Context, id int64) (Delivery, error) {
	return s.clerkUpdate(ctx, id, "delivered", func(d *Delivery, now time.Time) (*notify.SMS, error) {
		if d.Status != DeliveryDispatched {
			return nil, ErrDeliveryState
		}
		d.Status, d.DeliveredAt = DeliveryDelivered, now
		return nil, nil
	})
}

// MarkReturned records a parcel the post brought back: it waits at the
// window and the candidate is told.
func (s *Service) MarkReturned(ctx context.Context, id int64) (Delivery, error) {
	return s.clerkUpdate(ctx, id, "returned", func(d *Delivery, now time.Time) (*notify.SMS, error) {
		if d.Status != DeliveryDispatched {
			return nil, ErrDeliveryState
		}
		d.Status, d.Returned, d.ArrivedAt = DeliveryAtOffice, true, now
		return s.pickupSMS(ctx, d, notify.TplCertificateReturned, "returned")
	})
}

// MarkArrived records that printed certificates reached the window; the
// candidate gets the "ready for pick-up" SMS.
func (s *Service) MarkArrived(ctx context.Context, id int64) (Delivery, error) {
	return s.clerkUpdate(ctx, id, "arrived", func(d *Delivery, now time.Time) (*notify.SMS, error) {
		if d.Status != DeliveryPreparing {
			return nil, ErrDeliveryState
		}
		d.Status, d.ArrivedAt = DeliveryAtOffice, now
		return s.pickupSMS(ctx, d, notify.TplReadyForPickup, "arrived")
	})
}

func (s *Service) pickupSMS(ctx context.Context, d *Delivery, tpl, event string) (*notify.SMS, error) {
	o, err := s.Offices.Office(ctx, d.OfficeID)
	if err != nil {
		return nil, err
	}
	return s.candidateSMS(ctx, d, tpl, map[string]string{"office": o.Name, "address": o.Address}, event)
}

// HandOver is the pick-up desk's record.
type HandOver struct {
	// IDNumber is the full number typed, or only its last digits (at
	// least 4) with PhotoChecked: the clerk compared the photo.
	IDNumber     string
	PhotoChecked bool
	Proxy        bool   // someone else collects
	ProxyName    string // required for a proxy
	ProxyReason  string // required for a proxy
	Version      int
}

// HandOverParcel records the hand-over at the window: who, when, to whom.
func (s *Service) HandOverParcel(ctx context.Context, id int64, h HandOver) (Delivery, error) {
	f := apperr.Fields{}
	h.IDNumber = strings.ToUpper(strings.TrimSpace(h.IDNumber))
	f.Check(len(h.IDNumber) == 18 || (len(h.IDNumber) >= 4 && len(h.IDNumber) < 18 && h.PhotoChecked), "id_number",
		rsnIDNumberOrLastDigits)
	if h.Proxy {
		f.Check(strings.TrimSpace(h.ProxyName) != "", "proxy_name", rsnRequiredForAProxy)
		f.Check(strings.TrimSpace(h.ProxyReason) != "", "proxy_reason", rsnRequiredForAProxy)
	}
	if err := f.Err(); err != nil {
		return Delivery{}, err
	}
	clerk := reqctx.ActorFrom(ctx)
	return s.clerkUpdate(ctx, id, "handover", func(d *Delivery, now time.Time) (*notify.SMS, error) {
		if h.Version != 0 && h.Version != d.Version {
			return nil, apperr.ErrVersionConflict
		}
		if d.Status == DeliveryCollected {
			return nil, ErrAlreadyCollected
		}
		if d.Status != DeliveryAtOffice {
			return nil, ErrDeliveryState
		}
		if !strings.HasSuffix(strings.ToUpper(d.IDNumber), h.IDNumber) {
			return nil, ErrIdentityMismatch.WithField("id_number", rsnDoesNotMatchTheHolder)
		}
		d.Status, d.CollectedAt, d.HandedOverBy = DeliveryCollected, now, clerk.UserID
		d.CollectedBy, d.Proxy, d.ProxyReason = d.HolderName, h.Proxy, ""
		if h.Proxy {
			d.CollectedBy, d.ProxyReason = strings.TrimSpace(h.ProxyName), strings.TrimSpace(h.ProxyReason)
		}
		return nil, nil
	})
}

// FindForPickup finds the parcel at the clerk's office by the holder's
// full ID number.
func (s *Service) FindForPickup(ctx context.Context, idNumber string) ([]Delivery, error) {
	idNumber = strings.ToUpper(strings.TrimSpace(idNumber))
	if len(idNumber) != 18 {
		return nil, apperr.Invalid(apperr.Fields{"id_number": apperr.IDNumber18()})
	}
	list, _, err := s.Parcels(ctx, DeliveryFilter{IDNumber: idNumber, Limit: 20})
	return list, err
}
