package wiring

import (
	"context"
	"fmt"
	"path/filepath"
	"taxiexam/exam/results"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/cert/certpdf"
	"taxiexam/exam/registration"
	"taxiexam/exam/registration/photofs"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
)

// assembleCert wires the certificates: issuance (IssueForQualified, which
// the formal exam calls inside its submit transaction), signed QR tokens
// (a.signer), PDFs, delivery through the outbox's postal topic, the
// per-address limit of the public verify page, and registration
// seen through the Applicants adapter below.
func (a *App) assembleCert() error {
	cfg := a.cfg
	photos, err := photofs.New(filepath.Join(cfg.DataDir, "uploads", "photos"))
	if err != nil {
		return err
	}
	reg := registrationdb.New(a.db, a.pii)
	candidates := authdb.New(a.db, a.pii)
	s := cfg.Cert.Sender
	a.certs = cert.NewService(cert.Deps{
		Store:      certdb.New(a.db, a.pii),
		Applicants: applicants{store: reg, photos: photos},
		Offices:    offices{store: reg},
		Notify:     a.outbox,
		Phones: registration.PhonesFunc(func(ctx context.Context, id int64) (string, error) {
			c, err := candidates.CandidateByID(ctx, id)
			return c.Phone, err
		}),
		Audit:   a.audit,
		Tx:      a.db,
		Signer:  a.signer,
		Printer: certpdf.Renderer{},
		Limiter: cert.NewNodeLimiter(), // per node, in memory: see cert/cache.go
		Ledger:  a.ledger,
		Clock:   a.clock,
	}, cert.Config{PublicURL: cfg.Server.PublicURL, Location: cfg.Location, Authority: cfg.Cert.Authority, IssuerCode: cfg.Cert.IssuerCode,
		ValidityYears: cfg.Cert.ValidityYears, DispatchOfficeID: cfg.Cert.DispatchOfficeID, VerifyPerMinute: cfg.Cert.VerifyPerMinute,
		Sender: notify.Address{Name: s.Name, Phone: s.Phone, Province: s.Province, City: s.City, County: s.County, Detail: s.Address}})
	// Every node keeps the verify fields of every certificate in memory,
	// current to about a second (cert/cache.go).
	a.workers = append(a.workers, worker{name: "cert-verify-index", run: func(ctx context.Context) error {
		return a.certs.RunVerifyIndex(ctx, time.Second)
	}})
	return nil
}

// postalOrdered hands carrier waybills to the certificates (the notify
// worker's PostalListener; the worker is built before the certificates).
func (a *App) postalOrdered(ctx context.Context, reference, waybill string) error {
	if a.certs == nil {
		return nil
	}
	return a.certs.PostalOrdered(ctx, reference, waybill)
}

type postalListenerFunc func(ctx context.Context, reference, waybill string) error

func (f postalListenerFunc) PostalOrdered(ctx context.Context, reference, waybill string) error {
	return f(ctx, reference, waybill)
}

// applicants is registration as the certificates see it: an approved
// application's holder data, wishes and photo.
type applicants struct {
	store  *registrationdb.Store
	photos *photofs.Dir
}

func (r applicants) Applicant(ctx context.Context, id int64) (cert.Applicant, error) {
	ap, err := r.store.ApplicationByID(ctx, id)
	if err != nil {
		return cert.Applicant{}, err
	}
	f := ap.Form
	return cert.Applicant{ApplicationID: ap.ID, CandidateID: ap.CandidateID, Approved: ap.Status == registration.StatusApproved,
		Name: f.Name, IDNumber: f.IDNumber, WantTaxi: f.WantTaxi, WantRideHailing: f.WantRideHailing, Delivery: f.Delivery, OfficeID: f.OfficeID,
		Receiver: cert.Receiver{Name: f.Receiver.Name, Phone: f.Receiver.Phone, Province: f.Receiver.Province, City: f.Receiver.City,
			County: f.Receiver.County, Address: f.Receiver.Address}}, nil
}

func (r applicants) Photo(ctx context.Context, id int64) ([]byte, string, error) {
	ap, err := r.store.ApplicationByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if ap.PhotoKey == "" {
		return nil, "", apperr.ErrNotFound
	}
	b, err := r.photos.Open(ctx, ap.PhotoKey)
	return b, ap.PhotoType, err
}

type offices struct{ store *registrationdb.Store }

func (o offices) Office(ctx context.Context, id int64) (cert.Office, error) {
	x, err := o.store.OfficeByID(ctx, id)
	if err != nil {
		return cert.Office{}, err
	}
	if x.Disabled {
		return cert.Office{}, apperr.ErrNotFound
	}
	return cert.Office{ID: x.ID, Name: x.Name, Address: x.Address}, nil
}

// IssueForApplication issues the certificates an approved application asked
// for, as its candidate's qualification would (examd testdata, load tools).
func (a *App) IssueForApplication(ctx context.Context, applicationID int64, ref string) ([]cert.Certificate, error) {
	ap, err := applicants{store: registrationdb.New(a.db, a.pii)}.Applicant(ctx, applicationID)
	if err != nil {
		return nil, fmt.Errorf("application %d: %w", applicationID, err)
	}
	return a.certs.IssueForQualified(ctx, cert.Qualification{CandidateID: ap.CandidateID, ApplicationID: ap.ApplicationID,
		QualifiedAt: a.clock.Now(), Ref: ref})
}

// issueCertificates is one pass, two certificates (一考两证): when a formal
// submit makes the candidate qualified, the certificates the application
// asked for are issued in that same transaction, so the result and the
// certificates commit together or not at all, and the unique keys make a
// retry or a second node issue nothing more.
func (a *App) issueCertificates(ctx context.Context, q results.Qualification) error {
	ref := "formal"
	for _, r := range q.Results {
		ref += fmt.Sprintf(":%s:attempt:%d", r.Subject, r.AttemptID)
	}
	_, err := a.certs.IssueForQualified(ctx, cert.Qualification{CandidateID: q.CandidateID, ApplicationID: q.ApplicationID,
		QualifiedAt: q.QualifiedAt, Ref: ref})
	return err
}
