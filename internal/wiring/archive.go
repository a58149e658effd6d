package wiring

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/booking"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/archive"
	"taxiexam/internal/archive/archivedb"
	"taxiexam/internal/archive/archivefs"
	"taxiexam/internal/archive/archivepdf"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
)

// assembleArchive wires the archive over every other domain's store (the
// adapters below), after all of them exist. Bulk exports are built by a
// worker on every node (a conditional UPDATE claims each).
func (a *App) assembleArchive() error {
	cfg := a.cfg
	dir := cfg.Archive.ExportDir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "archive-exports")
	}
	files, err := archivefs.New(dir)
	if err != nil {
		return err
	}
	rules := make([]archive.RetentionRule, len(cfg.Archive.Retention))
	for i, r := range cfg.Archive.Retention {
		rules[i] = archive.RetentionRule(r)
	}
	if err := archive.ValidRules(rules); err != nil {
		return fmt.Errorf("setting archive.retention: %w", err)
	}
	store := archivedb.New(a.db, a.pii)
	a.archive = archive.NewService(archive.Deps{
		Candidates:   archiveCandidates{authdb.New(a.db, a.pii)},
		Applications: registrationdb.New(a.db, a.pii),
		Bookings:     archiveBookings{bookingdb.New(a.db)},
		Attempts:     archiveAttempts{store: attemptdb.New(a.db), engine: a.attempts},
		Results:      resultsdb.New(a.db),
		Certificates: archiveCerts{certdb.New(a.db, a.pii)},
		Messages:     a.notify,
		Audit:        a.audit,
		Ledger:       a.ledger,
		Forms:        store,
		Exports:      store,
		Files:        files,
		Retention:    store,
		Printer:      archivepdf.Renderer{},
		Tx:           a.db,
		Clock:        a.clock,
	}, archive.Config{Location: cfg.Location, Retention: rules, MaxExportDays: cfg.Archive.MaxExportDays})
	a.workers = append(a.workers, worker{name: "archive-exports", run: func(ctx context.Context) error {
		return a.archive.RunExports(ctx, 2*time.Second)
	}})
	return nil
}

type archiveCandidates struct{ store *authdb.Store }

func (c archiveCandidates) CandidateByID(ctx context.Context, id int64) (auth.Candidate, error) {
	return c.store.CandidateByID(ctx, id)
}

func (c archiveCandidates) CandidateByPhone(ctx context.Context, phone string) (auth.Candidate, error) {
	return c.store.CandidateByPhone(ctx, phone, false)
}

type archiveBookings struct{ store *bookingdb.Store }

func (b archiveBookings) BookingsOf(ctx context.Context, cid int64) ([]booking.Booking, error) {
	return b.store.BookingsOf(ctx, cid, 1000)
}

func (b archiveBookings) Session(ctx context.Context, id int64) (booking.SessionView, error) {
	return b.store.SessionByID(ctx, id)
}

type archiveAttempts struct {
	store  *attemptdb.Store
	engine *attempt.Service
}

func (x archiveAttempts) AttemptsOf(ctx context.Context, cid int64, kind attempt.Kind) ([]attempt.Attempt, error) {
	list, _, err := x.store.List(ctx, cid, kind, 0, 1000)
	return list, err
}

func (x archiveAttempts) Paper(ctx context.Context, kind attempt.Kind, id int64) (attempt.View, error) {
	return x.engine.View(ctx, kind, id)
}

type archiveCerts struct{ store *certdb.Store }

func (c archiveCerts) CertificatesOfCandidate(ctx context.Context, cid int64) ([]cert.Certificate, error) {
	return c.store.CertificatesOfCandidate(ctx, cid)
}

func (c archiveCerts) Events(ctx context.Context, id int64) ([]cert.Event, error) {
	return c.store.Events(ctx, id)
}

func (c archiveCerts) DeliveriesOf(ctx context.Context, cid int64) ([]cert.Delivery, error) {
	list, _, err := c.store.ListDeliveries(ctx, cert.DeliveryFilter{CandidateID: cid, Limit: 100})
	return list, err
}
