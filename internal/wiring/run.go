package wiring

import (
	"context"
	"errors"
	"sync"
	"taxiexam/internal/archive"
	"taxiexam/internal/ledger"
	"taxiexam/internal/statistics"

	"taxiexam/cert"
	"taxiexam/configs"
	"taxiexam/exam/attempt"
	"taxiexam/exam/booking"
	"taxiexam/exam/practice"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/registration"
	"taxiexam/exam/results"
	"taxiexam/internal/audit"
	"taxiexam/internal/auth"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
	questionbank "taxiexam/question-bank"
)

// StartWorkers runs every background worker (notify relay and senders,
// sweepers, session invalidation, the certificate verify index) until ctx
// ends; wait returns once all have stopped. A worker that stops with an
// error other than ctx's end is logged.
func (a *App) StartWorkers(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, w := range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("worker stopped", "worker", w.name, "err", err)
			}
		}()
	}
	return wg.Wait
}

// What the product is made of, for cmd/examd's commands, its tests and the
// load tools (which seed data through the services and stores).

func (a *App) Config() *configs.Config             { return a.cfg }
func (a *App) DB() *sqldb.DB                       { return a.db }
func (a *App) Redis() *kv.Redis                    { return a.redis }
func (a *App) PII() *pii.Protector                 { return a.pii }
func (a *App) Clock() clock.Clock                  { return a.clock }
func (a *App) Audit() *audit.Service               { return a.audit }
func (a *App) Auth() *auth.Service                 { return a.auth }
func (a *App) Notify() *notify.Service             { return a.notify }
func (a *App) Bank() *questionbank.Service         { return a.bank }
func (a *App) Practice() *practice.Service         { return a.practice }
func (a *App) Attempts() *attempt.Service          { return a.attempts }
func (a *App) Registration() *registration.Service { return a.registration }
func (a *App) Booking() *booking.Service           { return a.booking }
func (a *App) Results() *results.Service           { return a.results }
func (a *App) Proctoring() *proctoring.Service     { return a.proctoring }
func (a *App) Certs() *cert.Service                { return a.certs }
func (a *App) Stats() *statistics.Service          { return a.stats }
func (a *App) Ledger() *ledger.Service             { return a.ledger }
func (a *App) Archive() *archive.Service           { return a.archive }
