// Package calsync connects mentors' calendars (CalDAV now, Google through
// the same Source interface), keeps their busy time in the database, and
// writes sessions back into the mentor's write-target calendar. Slot
// queries never touch the network: they read what the sync stored.
package calsync

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/netguard"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Enqueuer inserts jobs (the engine, or a test double).
type Enqueuer interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Options configure the service.
type Options struct {
	// Links builds the manage links written into calendar events.
	Links links.Links
	// AllowPrivateHosts permits calendar servers on loopback and private
	// addresses (RENDEZVOUS_ALLOW_PRIVATE_HOSTS), and plain http URLs.
	AllowPrivateHosts bool
	// SyncInterval is how often every connection is synced.
	SyncInterval time.Duration
	// HTTPTimeout bounds one request to a calendar server; 0 means 30s.
	HTTPTimeout time.Duration
	Logger      *slog.Logger
}

// Service manages calendar connections, their sync and write-back.
type Service struct {
	Options
	store   *store.Store
	box     *secret.Box
	jobs    Enqueuer
	client  *http.Client
	openers map[string]Opener
	// google is set by EnableGoogle (see google.go).
	google *googleProvider
	// leaseOwner identifies this service instance in sync leases.
	leaseOwner string
	now        func() time.Time
}

// New builds the service. jobs may be nil until the engine is built; it is
// only used by the periodic scheduler.
func New(s *store.Store, box *secret.Box, jobs Enqueuer, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = 5 * time.Minute
	}
	if opts.HTTPTimeout <= 0 {
		opts.HTTPTimeout = 30 * time.Second
	}
	svc := &Service{
		Options: opts, store: s, box: box, jobs: jobs,
		client:     netguard.NewHTTPClient(netguard.Options{AllowPrivate: opts.AllowPrivateHosts, Timeout: opts.HTTPTimeout}),
		leaseOwner: uuid.NewString(),
		now:        time.Now,
	}
	svc.openers = map[string]Opener{ProviderCalDAV: openCalDAV(svc.client, opts.Logger)}
	return svc
}

// RegisterProvider adds a provider's way of opening stored connections
// (e.g. "google"), so sync and write-back work for its connections too.
func (s *Service) RegisterProvider(name string, open Opener) { s.openers[name] = open }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// HasWriteTarget reports whether the mentor has a calendar that sessions
// are written into; it matches booking.Options.Writeback.
func (s *Service) HasWriteTarget(ctx context.Context, tx *store.Tx, mentorID string) (bool, error) {
	_, err := tx.WriteTarget(ctx, mentorID)
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	}
	return false, fmt.Errorf("check write target: %w", err)
}

// open opens the Source of a stored connection.
func (s *Service) open(ctx context.Context, c *store.Connection) (Source, error) {
	open, ok := s.openers[c.Provider]
	if !ok {
		return nil, fmt.Errorf("connection %s: provider %q is not configured", c.ID, c.Provider)
	}
	creds, err := s.box.Open(c.CredentialsSealed)
	if err != nil {
		return nil, fmt.Errorf("connection %s credentials: %w", c.ID, err)
	}
	return open(ctx, c, creds)
}

// syncWindow is the span whose busy time is stored: from a day back (so a
// session in progress still counts) to past the mentor's booking horizon.
func (s *Service) syncWindow(m *store.Mentor) (start, end time.Time) {
	now := s.now().UTC()
	return now.Add(-24 * time.Hour), now.AddDate(0, 0, m.HorizonDays+2)
}

func mentorZone(m *store.Mentor) *time.Location {
	if loc, err := time.LoadLocation(m.Timezone); err == nil {
		return loc
	}
	return time.UTC
}
