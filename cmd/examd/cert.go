package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"taxiexam/exam/results"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/cert/certpdf"
	"taxiexam/configs"
	"taxiexam/exam/registration"
	"taxiexam/exam/registration/photofs"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/signing"
)

// assembleCert wires the certificates: issuance (IssueForQualified, which
// the formal exam calls inside its submit transaction), signed QR tokens
// (a.signer), PDFs, delivery through the outbox's postal topic, the
// per-address limit of the public verify page, and registration
// seen through the Applicants adapter below.
func (a *app) assembleCert() error {
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
		Clock:   a.clock,
	}, cert.Config{PublicURL: cfg.Server.PublicURL, Location: cfg.Location, Authority: cfg.Cert.Authority, IssuerCode: cfg.Cert.IssuerCode,
		ValidityYears: cfg.Cert.ValidityYears, DispatchOfficeID: cfg.Cert.DispatchOfficeID,
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
func (a *app) postalOrdered(ctx context.Context, reference, waybill string) error {
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

// verifyCert is `examd verify-cert -keys FILE TOKEN-OR-URL`: the offline
// verifier. It needs no configuration, database or network: the public
// keys document (GET /api/v1/cert/public-keys, saved to a file) and the QR
// text are enough. Exit status 0 = genuine, 1 = not.
func verifyCert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify-cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keysPath := fs.String("keys", "", "public keys JSON (GET /api/v1/cert/public-keys)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keysPath == "" || fs.NArg() != 1 {
		return errors.New("usage: examd verify-cert -keys public-keys.json 'QR text (link or token)'")
	}
	doc, err := os.ReadFile(*keysPath)
	if err != nil {
		return err
	}
	v, err := signing.ParsePublished(doc)
	if err != nil {
		return err
	}
	cl, err := cert.VerifyToken(v, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stdout, "NOT GENUINE: the signature does not verify with the published keys (forged, altered or truncated)")
		return errNotGenuine
	}
	fmt.Fprintf(stdout, "GENUINE: certificate %d, %s, version %d\n  holder %s, ID %s\n  issued %s, expires %s\n",
		cl.CertificateID, cl.Kind.Title(), cl.Version, cl.Holder, cl.IDNumber, cl.IssuedOn.Format("2006-01-02"), cl.ExpiresOn.Format("2006-01-02"))
	fmt.Fprintln(stdout, "  (offline: the live status — revoked, replaced — needs the verify page)")
	return nil
}

var errNotGenuine = errors.New("certificate not genuine")

// testdataAllowed is the guard of `examd testdata`, checked before anything
// is opened.
func testdataAllowed(cfg *configs.Config) error {
	if os.Getenv("EXAMD_TESTDATA") != "1" || cfg.Database.Driver != "sqlite" || !cfg.Security.GenerateMissingKeys || cfg.SMS.Provider != "log" {
		return errors.New("testdata runs only against a throw-away embedded setup (sqlite, generated keys, log SMS) with EXAMD_TESTDATA=1")
	}
	return nil
}

// testdataQualify is `examd testdata qualify -application ID`: TEST-ONLY
// seeding that reports the application's candidate as qualified through the
// same IssueForQualified call the formal exam's submit makes, so the
// certificate browser tests need not sit a whole formal exam first (the
// exam-day tests do that). It refuses to run unless the configuration is
// the embedded default's kind (SQLite, generated keys, log SMS) and
// EXAMD_TESTDATA=1 is set, so it cannot touch a production database.
func testdataQualify(ctx context.Context, a *app, args []string, stdout, stderr io.Writer) error {
	if err := testdataAllowed(a.cfg); err != nil {
		return err
	}
	if len(args) == 0 || args[0] != "qualify" {
		return errors.New("usage: examd testdata qualify -application ID")
	}
	fs := flag.NewFlagSet("testdata qualify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appID := fs.Int64("application", 0, "the approved application whose candidate passed")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ap, err := applicants{store: registrationdb.New(a.db, a.pii)}.Applicant(ctx, *appID)
	if err != nil {
		return fmt.Errorf("application %d: %w", *appID, err)
	}
	list, err := a.certs.IssueForQualified(ctx, cert.Qualification{CandidateID: ap.CandidateID, ApplicationID: ap.ApplicationID,
		QualifiedAt: a.clock.Now(), Ref: "testdata:qualify"})
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = strconv.FormatInt(c.ID, 10)
	}
	fmt.Fprintf(stdout, "application %d qualified: certificates %s\n", *appID, strings.Join(ids, ","))
	return nil
}

// issueCertificates is one pass, two certificates (一考两证): when a formal
// submit makes the candidate qualified, the certificates the application
// asked for are issued in that same transaction, so the result and the
// certificates commit together or not at all, and the unique keys make a
// retry or a second node issue nothing more.
func (a *app) issueCertificates(ctx context.Context, q results.Qualification) error {
	ref := "formal"
	for _, r := range q.Results {
		ref += fmt.Sprintf(":%s:attempt:%d", r.Subject, r.AttemptID)
	}
	_, err := a.certs.IssueForQualified(ctx, cert.Qualification{CandidateID: q.CandidateID, ApplicationID: q.ApplicationID,
		QualifiedAt: q.QualifiedAt, Ref: ref})
	return err
}
