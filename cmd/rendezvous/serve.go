package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/rendezvous/rendezvous/api"
	"github.com/rendezvous/rendezvous/internal/app"
	"github.com/rendezvous/rendezvous/internal/config"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store"
)

// shutdownGrace bounds how long in-flight requests and jobs may take to
// finish after SIGTERM.
const shutdownGrace = 25 * time.Second

func serve(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	var demo bool
	cfg, err := loadConfig("serve", args, lookupEnv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "seed a demo mentor with weekly hours and print its booking URL")
	})
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)

	key := cfg.SecretKey
	if key == nil {
		if key, _, err = secret.LoadOrCreateKey(cfg.DataDir); err != nil {
			return fmt.Errorf("RENDEZVOUS_SECRET_KEY: %w", err)
		}
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return fmt.Errorf("RENDEZVOUS_SECRET_KEY: %w", err)
	}

	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	adminHash, newAdminToken, err := signin.AdminToken(ctx, db, cfg.AdminToken, demo && cfg.AdminToken == "")
	if err != nil {
		return fmt.Errorf("admin token: %w", err)
	}

	program, err := app.New(cfg, db, box, adminHash, logger, app.Tuning{})
	if err != nil {
		return err
	}
	if newAdminToken != "" {
		fmt.Fprintln(stdout, "admin token:", newAdminToken)
	}
	if demo {
		url, err := seedDemo(ctx, db, program.Mentoring)
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		fmt.Fprintln(stdout, "demo booking URL:", url)
	}

	if err := program.Jobs.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("RENDEZVOUS_ADDR: %w", err)
	}
	srv := &http.Server{
		Handler:           program.HTTP.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      api.WriteTimeout, // longer than every handler may run
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	logger.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("database", string(db.Dialect())), slog.String("version", versionString()))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down: draining requests and jobs")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	httpErr := srv.Shutdown(shutdownCtx)
	if errors.Is(httpErr, http.ErrServerClosed) {
		httpErr = nil
	}
	jobsErr := program.Jobs.Stop(shutdownCtx)
	if err := errors.Join(httpErr, jobsErr); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
