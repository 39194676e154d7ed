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
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/caldav"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// Enqueuer inserts jobs, alone or inside a store transaction.
type Enqueuer interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error
}

// Notices is what calendar sync needs of the outbox (see package outbox):
// the calendar form of a session, and the mails a session held for its
// Google Meet link.
type Notices interface {
	// CalendarForm is the event written into the mentor's calendar.
	CalendarForm(ctx context.Context, q store.Q, b *store.Booking) (calendar.Session, error)
	// ReleaseHeld enqueues, in tx, the mails held for the Meet link that
	// tx stores.
	ReleaseHeld(ctx context.Context, tx *store.Tx, bookingID string) error
}

// Options configure the service.
type Options struct {
	// Google turns on Google Calendar connections; nil leaves them off.
	Google *GoogleOptions
	// AllowPrivateHosts permits calendar servers on loopback and private
	// addresses (RENDEZVOUS_ALLOW_PRIVATE_HOSTS), and plain http URLs.
	AllowPrivateHosts bool
	// SyncInterval is how often every connection is synced.
	SyncInterval time.Duration
	// HTTPTimeout bounds one request to a calendar server; 0 means 30s.
	HTTPTimeout time.Duration
	// SyncTimeout bounds one connection's sync, all calendars included
	// (2 minutes when 0); keep it within the job engine's job timeout.
	SyncTimeout time.Duration
	Logger      *slog.Logger
	// Now is the service's clock (time.Now when nil).
	Now func() time.Time
}

// Service manages calendar connections, their sync and write-back.
type Service struct {
	Options
	store   *store.Store
	box     *secret.Box
	jobs    Enqueuer
	notices Notices
	client  *http.Client
	// auth keeps each CalDAV server's last challenge between syncs, so a
	// sync's first request is already authorized (see caldav.AuthCache).
	auth    *caldav.AuthCache
	openers map[string]Opener
	// google is nil while Google connections are off (see google.go).
	google *googleProvider
	// leaseOwner identifies this service instance in sync leases.
	leaseOwner string
	logs       *logGate
	// decodedObjects counts the calendar objects decoded (tests).
	decodedObjects atomic.Int64
	now            func() time.Time
}

// New builds the service; jobs enqueues the periodic syncs.
func New(s *store.Store, box *secret.Box, jobs Enqueuer, notices Notices, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = 5 * time.Minute
	}
	if opts.SyncTimeout <= 0 {
		opts.SyncTimeout = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPTimeout <= 0 {
		opts.HTTPTimeout = 30 * time.Second
	}
	svc := &Service{
		Options: opts, store: s, box: box, jobs: jobs, notices: notices,
		client:     netguard.NewHTTPClient(netguard.Options{AllowPrivate: opts.AllowPrivateHosts, Timeout: opts.HTTPTimeout}),
		auth:       caldav.NewAuthCache(0),
		leaseOwner: uuid.NewString(),
		now:        opts.Now,
		// Logs are limited in real time, whatever clock the service uses.
		logs: newLogGate(time.Now),
	}
	svc.openers = map[string]Opener{
		ProviderCalDAV: openCalDAV(svc.client, svc.auth),
		ProviderICS:    openICS(svc.client, opts.AllowPrivateHosts),
	}
	if opts.Google != nil {
		svc.google = &googleProvider{GoogleOptions: *opts.Google}
		svc.openers[ProviderGoogle] = svc.openGoogle
	}
	return svc
}

// HasWriteTarget reports whether the mentor has a calendar that sessions
// are written into.
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
