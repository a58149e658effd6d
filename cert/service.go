// Package cert issues the two certificates of one pass (一考两证): the
// cruising-taxi driver's certificate and the ride-hailing driver's
// certificate, each with a GB/T 36904 e-licence identifier and a signed QR
// token checked by the public verify page and the offline verifier; their
// delivery by post (outbox postal orders, waybills entered at the window)
// or pick-up at an issuing window; and revocation, replacement and reissue
// with their history.
//
// The package knows neither HTTP nor SQL: it declares Store, Applicants,
// Notifier, Phones, Auditor, Transactor and Signer, and cmd/examd plugs in
// certdb, registration, the outbox, auth's candidates, the audit log and
// the signing keyring.
package cert

import (
	"context"
	"fmt"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
)

// Store persists certificates, their history and deliveries (certdb).
type Store interface {
	// InsertCertificate writes c unless a certificate with the same
	// (application, kind, version) exists or the candidate already holds a
	// valid one of the kind; inserted says which.
	InsertCertificate(ctx context.Context, c *Certificate) (inserted bool, err error)
	CertificateByID(ctx context.Context, id int64) (Certificate, error)
	CertificatesOfApplication(ctx context.Context, applicationID int64) ([]Certificate, error)
	CertificatesOfCandidate(ctx context.Context, candidateID int64) ([]Certificate, error)
	// UpdateCertificate loads the row for update, lets fn change it and saves it.
	UpdateCertificate(ctx context.Context, id int64, fn func(*Certificate) error) (Certificate, error)
	SearchCertificates(ctx context.Context, f Filter) ([]Certificate, int64, error)
	// CertificatesChangedSince lists certificates with updated_at >= since,
	// by (updated_at, id), after the id afterID of a previous page.
	CertificatesChangedSince(ctx context.Context, since time.Time, afterID int64, limit int) ([]Certificate, error)
	AddEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, certificateID int64) ([]Event, error)

	// InsertDelivery writes d unless the application already has a parcel
	// for the same certificate (CertificateID 0: the first issue).
	InsertDelivery(ctx context.Context, d *Delivery) (inserted bool, err error)
	DeliveryByID(ctx context.Context, id int64) (Delivery, error)
	DeliveriesOfApplication(ctx context.Context, applicationID int64) ([]Delivery, error)
	// UpdateDelivery returns ErrWaybillTaken when the waybill is another parcel's.
	UpdateDelivery(ctx context.Context, id int64, fn func(*Delivery) error) (Delivery, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, int64, error)
	Figures(ctx context.Context, from, to time.Time) (Figures, error)
}

// Applicants is registration seen from here: the approved application the
// certificates are issued for, and its photo.
type Applicants interface {
	Applicant(ctx context.Context, applicationID int64) (Applicant, error)
	Photo(ctx context.Context, applicationID int64) (data []byte, contentType string, err error)
}

// Notifier queues SMS and postal orders in the caller's transaction (notify.Outbox).
type Notifier interface {
	EnqueueSMS(ctx context.Context, m notify.SMS) (int64, error)
	EnqueuePostal(ctx context.Context, p notify.PostalOrder) (int64, error)
}

// Phones gives a candidate's verified phone number (auth's candidates).
type Phones interface {
	CandidatePhone(ctx context.Context, candidateID int64) (string, error)
}

// Offices names the issuing windows (registration's offices).
type Offices interface {
	Office(ctx context.Context, id int64) (Office, error)
}

// Office is an issuing window.
type Office struct {
	ID      int64
	Name    string
	Address string
}

// Auditor records staff actions inside their transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction (joining the caller's).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Limiter counts events per key across nodes (Redis): at most limit per
// window; retryAfter is set when refused.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Ledger appends certificate events to the tamper-evident ledger
// (internal/ledger) in the caller's transaction: the issue, revocation,
// replacement or reissue of a certificate (c is the row after the change)
// and the hand-over of a parcel at the window.
type Ledger interface {
	RecordCertificate(ctx context.Context, action string, c Certificate) error
	RecordHandOver(ctx context.Context, d Delivery) error
}

// Config is what the package needs from the configuration.
type Config struct {
	PublicURL     string         // QR codes point at PublicURL + VerifyPath + token
	Location      *time.Location // the bureau's zone: issue dates are its civil dates
	Authority     string         // issuing authority printed on the certificate
	IssuerCode    string         // its 18-character unified social credit code (e-licence id)
	ValidityYears int            // a certificate is valid this many years from issue
	// DispatchOfficeID is the window that posts parcels (and receives the
	// returned ones) when the application named no office.
	DispatchOfficeID int64
	Sender           notify.Address // the sender of postal orders
	// VerifyPerMinute bounds public verifications per client address.
	VerifyPerMinute int
}

// Deps are the collaborators of the service.
type Deps struct {
	Store      Store
	Applicants Applicants
	Offices    Offices
	Notify     Notifier
	Phones     Phones
	Audit      Auditor
	Tx         Transactor
	Signer     Signer
	Printer    Printer // PDF renderer (certpdf)
	Limiter    Limiter // rate limit of the public verify routes
	Ledger     Ledger  // nil: no ledger (tests of other packages)
	Clock      clock.Clock
}

// Service implements issuance, verification, delivery and the bureau's
// certificate work.
type Service struct {
	Deps
	cfg    Config
	tokens tokenCache
	index  certIndex
}

// NewService wires the service.
func NewService(d Deps, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.VerifyPerMinute <= 0 {
		cfg.VerifyPerMinute = 60
	}
	if cfg.ValidityYears <= 0 {
		cfg.ValidityYears = 6
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{Deps: d, cfg: cfg}
}

// civilDate is t's date in the bureau's zone, at UTC midnight.
func (s *Service) civilDate(t time.Time) time.Time {
	l := t.In(s.cfg.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Service) today() time.Time { return s.civilDate(s.Clock.Now()) }

// ---------------------------------------------------------------- issuance

// IssueForQualified issues the certificates a qualified candidate's
// application asked for, with the delivery record, the postal order (when
// posted) and the "certificates issued" SMS, all in the caller's
// transaction (it joins the one in ctx; the formal exam's submit calls it
// there). It is idempotent: unique keys on (application, kind, version) and
// on the candidate's valid certificate of each kind make a repeat, a retry
// or a race on any number of nodes issue nothing more; it returns the
// application's certificates either way.
func (s *Service) IssueForQualified(ctx context.Context, q Qualification) ([]Certificate, error) {
	if q.CandidateID <= 0 || q.ApplicationID <= 0 || q.QualifiedAt.IsZero() {
		return nil, ErrNotQualified
	}
	var out []Certificate
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		ap, err := s.Applicants.Applicant(ctx, q.ApplicationID)
		if err != nil {
			if apperr.ErrNotFound.Is(err) {
				return ErrNotQualified
			}
			return err
		}
		if ap.CandidateID != q.CandidateID || !ap.Approved {
			return ErrNotQualified
		}
		issued := s.civilDate(q.QualifiedAt)
		var fresh []Certificate
		for _, k := range ap.Kinds() {
			c := Certificate{CandidateID: ap.CandidateID, ApplicationID: ap.ApplicationID, Kind: k, Version: 1,
				HolderName: ap.Name, IDNumber: ap.IDNumber, Authority: s.cfg.Authority, IssuedOn: issued,
				ExpiresOn: issued.AddDate(s.cfg.ValidityYears, 0, -1), Status: StatusValid}
			c.LicenceID = s.licenceID(c)
			ok, err := s.Store.InsertCertificate(ctx, &c)
			if err != nil {
				return err
			}
			if ok {
				fresh = append(fresh, c)
				if err := s.addEvent(ctx, c, &Event{CertificateID: c.ID, At: s.Clock.Now().UTC(), Action: ActionIssued, ActorKind: "system", Reason: q.Ref}); err != nil {
					return err
				}
			}
		}
		if out, err = s.Store.CertificatesOfApplication(ctx, ap.ApplicationID); err != nil {
			return err
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := s.startDelivery(ctx, ap); err != nil {
			return err
		}
		return s.smsIssued(ctx, ap, fresh)
	})
	return out, err
}

// addEvent writes a line of a certificate's history and its ledger entry
// (c is the certificate after the event), in the caller's transaction.
func (s *Service) addEvent(ctx context.Context, c Certificate, e *Event) error {
	if err := s.Store.AddEvent(ctx, e); err != nil {
		return err
	}
	if s.Ledger == nil {
		return nil
	}
	return s.Ledger.RecordCertificate(ctx, e.Action, c)
}

// serial is unique per licence type and issuer: the issue year and the
// application (one lineage per application and kind; versions count on).
func (s *Service) licenceID(c Certificate) string {
	return LicenceID{TypeCode: c.Kind.TypeCode(), IssuerCode: s.cfg.IssuerCode,
		Serial: fmt.Sprintf("%04d%09d", c.IssuedOn.Year(), c.ApplicationID), Version: c.Version}.String()
}

func (s *Service) smsIssued(ctx context.Context, ap Applicant, fresh []Certificate) error {
	phone, err := s.Phones.CandidatePhone(ctx, ap.CandidateID)
	if err != nil {
		return err
	}
	titles := make([]string, len(fresh))
	for i, c := range fresh {
		titles[i] = c.Kind.Short()
	}
	_, err = s.Notify.EnqueueSMS(ctx, notify.SMS{Phone: phone, Template: notify.TplCertificatesIssued, CandidateID: ap.CandidateID,
		Params:    map[string]string{"name": ap.Name, "kinds": strings.Join(titles, "、"), "link": s.cfg.PublicURL + CandidatePath},
		DedupeKey: fmt.Sprintf("cert:application:%d:issued:%d", ap.ApplicationID, fresh[0].ID)})
	return err
}

// CandidatePath is the candidate's certificates page in the web app.
const CandidatePath = "/m/certificates"

// Short is the kind's name in an SMS.
func (k Kind) Short() string {
	if k == KindRideHailing {
		return "网约车驾驶员证"
	}
	return "巡游车驾驶员从业资格证"
}

// ---------------------------------------------------------------- cards

// Card is a certificate as shown and printed: fields, masked values and
// the signed QR link.
type Card struct {
	Certificate
	Live           Status
	MaskedName     string
	MaskedIDNumber string
	VerifyURL      string // what the QR code encodes
}

func (s *Service) card(c Certificate) Card {
	cl := Claims{CertificateID: c.ID, Kind: c.Kind, Holder: pii.MaskName(c.HolderName), IDNumber: pii.MaskIDNumber(c.IDNumber),
		IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn, Version: c.Version}
	return Card{Certificate: c, Live: c.LiveStatus(s.today()), MaskedName: cl.Holder, MaskedIDNumber: cl.IDNumber,
		VerifyURL: s.cfg.PublicURL + VerifyPath + SignToken(s.Signer, cl)}
}

// MyCertificates lists the calling candidate's certificates, newest first
// (replaced and revoked versions too, so the history shows).
func (s *Service) MyCertificates(ctx context.Context) ([]Card, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.CertificatesOfCandidate(ctx, cid)
	if err != nil {
		return nil, err
	}
	out := make([]Card, len(list))
	for i, c := range list {
		out[i] = s.card(c)
	}
	return out, nil
}

// MyCertificate is one of the calling candidate's certificates; someone
// else's is not found.
func (s *Service) MyCertificate(ctx context.Context, id int64) (Card, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Card{}, err
	}
	c, err := s.Store.CertificateByID(ctx, id)
	if err != nil {
		return Card{}, err
	}
	if c.CandidateID != cid {
		return Card{}, apperr.ErrNotFound
	}
	return s.card(c), nil
}

// MyPhoto is the holder photo of one of the caller's certificates.
func (s *Service) MyPhoto(ctx context.Context, id int64) ([]byte, string, error) {
	c, err := s.MyCertificate(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return s.Applicants.Photo(ctx, c.ApplicationID)
}

// ---------------------------------------------------------------- verify

// Verification is what the public verify page shows.
type Verification struct {
	Genuine   bool
	Claims    Claims
	Status    Status // live status of the certificate the token names
	LicenceID string // its e-licence identifier
	Authority string
}

// Verify checks a token: its signature, that the certificate it names
// exists with the same fields, and the certificate's live status. A token
// that fails any check is ErrNotGenuine (never a server error).
func (s *Service) Verify(ctx context.Context, token string) (Verification, error) {
	if err := s.limit(ctx); err != nil {
		return Verification{}, err
	}
	cl, err := s.verifyToken(token)
	if err != nil {
		return Verification{}, err
	}
	c, err := s.certificate(ctx, cl.CertificateID)
	if err != nil {
		if apperr.ErrNotFound.Is(err) {
			return Verification{}, ErrNotGenuine
		}
		return Verification{}, err
	}
	if c.Kind != cl.Kind || c.Version != cl.Version || !c.IssuedOn.Equal(cl.IssuedOn) || !c.ExpiresOn.Equal(cl.ExpiresOn) ||
		pii.MaskIDNumber(c.IDNumber) != cl.IDNumber {
		return Verification{}, ErrNotGenuine
	}
	return Verification{Genuine: true, Claims: cl, Status: c.LiveStatus(s.today()), LicenceID: c.LicenceID, Authority: c.Authority}, nil
}

// VerifiedPhoto is the holder photo for a genuine token (the verify page
// shows it so the person in front of you can be compared).
func (s *Service) VerifiedPhoto(ctx context.Context, token string) ([]byte, string, error) {
	if err := s.limit(ctx); err != nil {
		return nil, "", err
	}
	cl, err := s.verifyToken(token)
	if err != nil {
		return nil, "", err
	}
	c, err := s.certificate(ctx, cl.CertificateID)
	if err != nil {
		return nil, "", ErrNotGenuine
	}
	return s.Applicants.Photo(ctx, c.ApplicationID)
}

// limit applies the per-address verification limit (none without a Limiter).
func (s *Service) limit(ctx context.Context) error {
	if s.Limiter == nil {
		return nil
	}
	ok, wait, err := s.Limiter.Allow(ctx, "cert-verify:"+reqctx.From(ctx).ClientIP, s.cfg.VerifyPerMinute, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		secs := int(wait/time.Second) + 1
		return ErrRateLimited.WithMessage("too many verifications from this address; try again in %d seconds", secs).WithRetryAfter(secs)
	}
	return nil
}

// verifyToken is VerifyToken with this node's memory of genuine tokens.
func (s *Service) verifyToken(token string) (Claims, error) {
	if cl, ok := s.tokens.get(token); ok {
		return cl, nil
	}
	cl, err := VerifyToken(s.Signer, token)
	if err == nil {
		s.tokens.put(token, cl)
	}
	return cl, err
}

// certificate reads a certificate's verify fields from the node's index,
// or from SQL when the index has not seen it yet (cache.go).
func (s *Service) certificate(ctx context.Context, id int64) (Certificate, error) {
	if c, ok := s.index.get(id); ok {
		return c, nil
	}
	c, err := s.Store.CertificateByID(ctx, id)
	if err != nil {
		return Certificate{}, err
	}
	s.index.put(c)
	return c, nil
}
