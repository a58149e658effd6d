package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"taxiexam/internal/demo"
	"taxiexam/internal/demo/demodb"
	"taxiexam/internal/wiring"
)

// demoOptions are the flags of `examd demo`.
type demoOptions struct {
	preset   string
	scale    int
	previous bool
	seed     uint64
}

// runDemo is `examd demo`: it fills an EMPTY database with a synthetic
// year of the example city (internal/demo), with the reform preset's exact
// 2024 figures and, unless -previous=false, 2023's. It refuses a database
// that already holds candidates, applications, centres, sessions,
// certificates or messages; the bureau admin and the question bank may be
// there (a fresh `make run` creates them). Dates are the past: every page
// (statistics, applications, certificates, SMS) reads the rows as its own.
// The generator writes the rows behind the services' backs, so no ledger
// entry recorded its results and certificates: the demo takes them into
// the chain as `examd verify-ledger -adopt` would (entries of kind
// ledger.adopted, which say so), and the ledger page then verifies OK.
func runDemo(ctx context.Context, a *wiring.App, o demoOptions, out io.Writer) error {
	if o.scale < 1 || o.scale > 20 {
		return fmt.Errorf("-scale must be 1 (a city) to 20")
	}
	// The embedded default's first start loads the sample bank; do it here
	// too, so the demo's papers and practice name its blueprint and chapters.
	if err := a.LoadSampleBank(ctx); err != nil {
		return err
	}
	cfg := a.Config()
	sink := demodb.New(a.DB(), a.PII())
	started := time.Now()
	last := started
	sink.Progress = func(table string, rows int) {
		if rows > 0 {
			fmt.Fprintf(out, "  %-28s %9d rows %8s\n", table, rows, time.Since(last).Round(time.Millisecond))
		}
		last = time.Now()
	}
	fmt.Fprintf(out, "generating the %q demo (%s, scale %d)...\n", o.preset, cfg.City, o.scale)
	sum, err := demo.Generate(ctx, sink, demo.Options{Preset: o.preset, Scale: o.scale, Previous: o.previous, Seed: o.seed,
		Location: cfg.Location, City: cfg.City, Authority: cfg.Cert.Authority, IssuerCode: cfg.Cert.IssuerCode, Validity: cfg.Cert.ValidityYears,
		Now: a.Clock().Now()})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "done: %d rows in %s\n", sum.Rows, time.Since(started).Round(time.Millisecond))
	// the settled days' figures, so the statistics page reads them at once
	rolled := time.Now()
	days, err := a.Stats().Rollup(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "statistics: %d settled days rolled up in %s\n", days, time.Since(rolled).Round(time.Millisecond))
	adopted := time.Now()
	n, err := a.Ledger().Adopt(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ledger: %d subject results and certificates adopted in %s\n", n, time.Since(adopted).Round(time.Millisecond))
	for _, y := range sum.Years {
		fmt.Fprintf(out, "  %d: %d registrations, %d bookings, %d sittings, %d no-shows, %d passed, %d certificates (%d mailed), %d practice sessions\n",
			y.Year, y.Registrations, y.Bookings, y.Sittings, y.NoShows, y.Passed, y.Certificates, y.Mailed, y.PracticeSessions)
	}
	fmt.Fprintf(out, "open %s/staff/statistics as a bureau admin and choose %d-01-01 to %d-12-31\n", cfg.Server.PublicURL, sum.Years[len(sum.Years)-1].Year, sum.Years[len(sum.Years)-1].Year)
	return nil
}
