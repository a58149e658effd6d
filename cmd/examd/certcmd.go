package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"taxiexam/cert"
	"taxiexam/configs"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/wiring"
)

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
func testdataQualify(ctx context.Context, a *wiring.App, args []string, stdout, stderr io.Writer) error {
	if err := testdataAllowed(a.Config()); err != nil {
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
	list, err := a.IssueForApplication(ctx, *appID, "testdata:qualify")
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
