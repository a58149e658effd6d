// Command examd is the whole platform in one binary:
//
//	examd serve     API + web app + background workers
//	examd migrate   apply database migrations and exit
//	examd admin     create a bureau admin non-interactively
//	examd verify-cert  check a certificate QR code offline with the public keys
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

	"taxiexam/configs"
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
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file")
	username := fs.String("username", "", "admin username (admin command)")
	displayName := fs.String("name", "系统管理员", "admin display name (admin command)")
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
		app, err := open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.close()
		fmt.Fprintln(stdout, "migrations up to date")
		return nil
	case "admin":
		pw := os.Getenv("EXAMD_ADMIN_PASSWORD")
		if *username == "" || pw == "" {
			return errors.New("admin needs -username and the password in EXAMD_ADMIN_PASSWORD")
		}
		app, err := open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.close()
		return createAdmin(ctx, app, *username, *displayName, pw, stdout)
	case "testdata": // test-only stand-in for the formal exam (cert.go)
		if err := testdataAllowed(cfg); err != nil {
			return err
		}
		app, err := open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.close()
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
