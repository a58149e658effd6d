package wiring

import (
	"context"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/ledger"
	"taxiexam/internal/ledger/ledgerdb"
)

// assembleLedger builds the tamper-evident ledger before the services that
// append to it (results, certificates): they call it inside their own
// transactions. Verification reads the rows through the results and
// certificate stores (ledgerSources). Every node runs the chaining worker
// (the events its and the other nodes' transactions recorded are linked
// within chainPoll) and signs a checkpoint every
// ledger.checkpoint_interval (one per head: a unique key).
func (a *App) assembleLedger() {
	a.ledger = ledger.NewService(ledger.Deps{
		Store:   ledgerdb.New(a.db),
		Sources: ledgerSources{results: resultsdb.New(a.db), certs: certdb.New(a.db, a.pii)},
		Index:   a.pii,
		Signer:  a.signer,
		Tx:      a.db,
		Audit:   a.audit,
		Clock:   a.clock,
		Log:     a.log,
	})
	a.workers = append(a.workers, worker{name: "ledger-chain", run: func(ctx context.Context) error {
		return a.ledger.RunChain(ctx, chainPoll)
	}})
	if iv := a.cfg.Ledger.CheckpointInterval; iv > 0 {
		a.workers = append(a.workers, worker{name: "ledger-checkpoint", run: func(ctx context.Context) error {
			return a.ledger.RunCheckpoints(ctx, iv)
		}})
	}
}

// chainPoll bounds how long a committed event waits to be chained; one
// cheap indexed read per poll when nothing waits.
const chainPoll = 200 * time.Millisecond

// ledgerSources is the rows the ledger speaks about, read in batches.
type ledgerSources struct {
	results *resultsdb.Store
	certs   *certdb.Store
}

func (s ledgerSources) SubjectResults(ctx context.Context, ids []int64) (map[int64]results.SubjectResult, error) {
	return s.results.ResultsByIDs(ctx, ids)
}

func (s ledgerSources) Certificates(ctx context.Context, ids []int64) (map[int64]cert.Certificate, error) {
	return s.certs.CertificatesByIDs(ctx, ids)
}

func (s ledgerSources) Deliveries(ctx context.Context, ids []int64) (map[int64]cert.Delivery, error) {
	return s.certs.DeliveriesByIDs(ctx, ids)
}

func (s ledgerSources) SubjectResultIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return s.results.ResultIDs(ctx, afterID, limit)
}

func (s ledgerSources) CertificateIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return s.certs.CertificateIDs(ctx, afterID, limit)
}
