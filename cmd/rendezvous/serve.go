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
	"path/filepath"
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
	var adminHash, newAdminToken string
	if demo && cfg.AdminToken == "" {
		adminHash, newAdminToken, err = demoAdminToken(ctx, db, cfg.DataDir)
	} else {
		adminHash, newAdminToken, err = signin.AdminToken(ctx, db, cfg.AdminToken, false)
	}
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
		m, err := seedDemo(ctx, db, program.Mentoring)
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		link, err := program.Signin.IssueLink(ctx, m.ID)
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		if cfg.AdminToken == "" {
			fmt.Fprintf(stdout, "(the demo keeps its admin token in %s across restarts)\n", filepath.Join(cfg.DataDir, demoAdminTokenFile))
		}
		fmt.Fprintf(stdout, "demo mentor: %s <%s>\n", m.Name, m.Email)
		fmt.Fprintln(stdout, "demo mentor sign-in link (single use, 15 minutes; ask for another at /mentor/signin):", link)
		fmt.Fprintln(stdout, "demo booking URL:", m.BookingURL)
	}

	// Before any session is booked without a reminder job: from now on
	// reminders are the sweep's.
	if err := program.Booking.TakeOverReminders(ctx); err != nil {
		return err
	}
	if err := program.Jobs.Start(ctx); err != nil {
		return err
	}
	// Slots are answered from memory while the cache follows the
	// database's changes; it stops with ctx, before the database closes.
	slotCacheDone := make(chan struct{})
	go func() {
		defer close(slotCacheDone)
		program.SlotCache.Run(ctx)
	}()
	defer func() { <-slotCacheDone }()
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
