// Command examd is the whole platform in one binary:
//
//	examd serve     API + web app + background workers
//	examd migrate   apply database migrations and exit
//	examd admin     create a bureau admin non-interactively
//	examd verify-cert  check a certificate QR code offline with the public keys
//	examd demo      fill an empty database with a synthetic year of the example city
//	examd verify-ledger  walk the results/certificates ledger and point at the first broken entry
//	examd retention  the archive retention rule's dry run
//	examd openapi   print the OpenAPI document of the route table
//	examd testdata  test-only seeding (stands in for the formal exam; see cert.go)
//
// Each takes -config FILE (default: the embedded configs/config.yaml);
// EXAMD_* environment variables override single settings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"taxiexam/api"
	"taxiexam/configs"
	"taxiexam/internal/auth"
	"taxiexam/internal/wiring"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "examd:", err)
		os.Exit(1)
	}
}

const usage = `usage: examd <command> [flags]

commands:
  serve     run the API, the web app and the background workers
  migrate   apply database migrations and exit
  admin     create a bureau admin: examd admin -username NAME (password from EXAMD_ADMIN_PASSWORD)
  verify-cert  check a certificate QR offline: examd verify-cert -keys public-keys.json 'QR text'
  demo      fill an EMPTY database with a synthetic year of the example city:
            examd demo [-preset reform] [-scale 1] [-previous=true] (2024 as the reform reported it, and 2023)
  verify-ledger  verify the ledger of results and certificates (exit 1 if broken):
               examd verify-ledger [-checkpoint exported.json] [-adopt]
  retention  what the archive retention rule would delete or anonymise today (dry run)
  openapi   print the API's OpenAPI document (the web app's types are generated from it)
  testdata  TEST ONLY, throw-away embedded setups: examd testdata qualify -application ID

flags:
  -config FILE   configuration file (default: embedded configs/config.yaml)`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cmd := args[0]
	if cmd == "verify-cert" { // offline: no configuration, database or network
		return verifyCert(args[1:], stdout, stderr)
	}
	if cmd == "openapi" { // the route table's document; no configuration needed
		doc, err := api.Document()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", doc)
		return err
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file")
	username := fs.String("username", "", "admin username (admin command)")
	displayName := fs.String("name", "系统管理员", "admin display name (admin command)")
	var demoOpts demoOptions
	fs.StringVar(&demoOpts.preset, "preset", "reform", "demo: the year to generate (reform: Zhangzhou's 2024 figures)")
	fs.IntVar(&demoOpts.scale, "scale", 1, "demo: 1 = a city, 10 = about a province")
	fs.BoolVar(&demoOpts.previous, "previous", true, "demo: also the year before, with the old process's figures")
	fs.Uint64Var(&demoOpts.seed, "seed", 2024, "demo: random seed (the same seed gives the same people)")
	checkpoint := fs.String("checkpoint", "", "an exported ledger checkpoint to compare the chain with (verify-ledger)")
	adopt := fs.Bool("adopt", false, "take rows no ledger entry recorded into the chain first (verify-ledger; data loaded before the ledger)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := configs.Load(*configPath, os.LookupEnv)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		fmt.Fprintln(stdout, "migrations up to date")
		return nil
	case "admin":
		pw := os.Getenv("EXAMD_ADMIN_PASSWORD")
		if *username == "" || pw == "" {
			return errors.New("admin needs -username and the password in EXAMD_ADMIN_PASSWORD")
		}
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return createAdmin(ctx, app, *username, *displayName, pw, stdout)
	case "demo":
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return runDemo(ctx, app, demoOpts, stdout)
	case "verify-ledger":
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return verifyLedger(ctx, app, *checkpoint, *adopt, stdout)
	case "retention":
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return retentionCommand(ctx, app, stdout)
	case "testdata": // test-only stand-in for the formal exam (cert.go)
		if err := testdataAllowed(cfg); err != nil {
			return err
		}
		app, err := wiring.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return testdataQualify(ctx, app, fs.Args(), stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

func newLogger(c configs.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func createAdmin(ctx context.Context, a *wiring.App, username, name, password string, out io.Writer) error {
	u, err := a.Auth().CreateStaff(ctx, auth.NewStaff{Username: username, DisplayName: name, Role: auth.RoleBureauAdmin, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created bureau admin %q (id %d)\n", u.Username, u.ID)
	return nil
}
