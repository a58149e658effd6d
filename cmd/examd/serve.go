package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"taxiexam/configs"
	"taxiexam/internal/wiring"
)

// serve runs HTTP and the workers until ctx ends (SIGINT/SIGTERM), then
// drains: the listener closes, in-flight requests finish within
// shutdown_timeout, workers stop after acknowledging what they hold.
func serve(ctx context.Context, cfg *configs.Config, log *slog.Logger, stdout io.Writer) error {
	a, err := wiring.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	created, pw, err := a.Auth().EnsureBootstrapAdmin(ctx, cfg.Bootstrap.AdminUsername, cfg.Bootstrap.AdminPassword)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if err := a.LoadSampleBank(ctx); err != nil { // question bank: embedded default only
		return err
	}

	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("setting server.addr: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	// Prometheus on its own listener (server.metrics_addr), away from users.
	var metricsSrv *http.Server
	var mln net.Listener
	if cfg.Server.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", cfg.Server.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("setting server.metrics_addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.MetricsHandler())
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	}

	workCtx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	waitWorkers := a.StartWorkers(workCtx)

	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	if metricsSrv != nil {
		go func() { httpErr <- metricsSrv.Serve(mln) }()
		fmt.Fprintf(stdout, "  metrics: http://%s/metrics\n", mln.Addr())
	}

	mode := "MySQL + Redis"
	if cfg.Embedded() {
		mode = "embedded defaults (SQLite in " + cfg.DataDir + ", in-process Redis, SMS to this log)"
	}
	fmt.Fprintf(stdout, "examd is running on %s\n  open %s\n  mode: %s\n", ln.Addr(), cfg.Server.PublicURL, mode)
	if created {
		if cfg.Bootstrap.AdminPassword == "" {
			fmt.Fprintf(stdout, "  first bureau admin created: username %q password %q (shown once; the first login asks for a new one)\n", cfg.Bootstrap.AdminUsername, pw)
		} else {
			fmt.Fprintf(stdout, "  first bureau admin created: username %q with the password from EXAMD_BOOTSTRAP_ADMIN_PASSWORD\n", cfg.Bootstrap.AdminUsername)
		}
	}
	fmt.Fprintf(stdout, "  staff console: %s/staff/login   candidate: %s/m/login\n", cfg.Server.PublicURL, cfg.Server.PublicURL)

	select {
	case err := <-httpErr:
		stopWorkers()
		waitWorkers()
		a.Drain(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	a.Drain(sctx) // after HTTP: handlers still waiting on a commit have been answered
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	stopWorkers()
	waitWorkers()
	log.Info("stopped")
	return err
}
