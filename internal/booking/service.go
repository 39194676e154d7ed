// Package booking is the mentee's path: booking links, free slots, and
// sessions that never double-book, with their invites, reminders and
// calendar write-back enqueued in the same transaction as the session.
package booking

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error
}

// Options configure the service.
type Options struct {
	Links links.Links
	// Video is the deployment's provider; Videos holds every provider a
	// mentor may choose instead, by name.
	Video  video.Provider
	Videos map[string]video.Provider
	// Reminders are the lead times of reminder mails.
	Reminders []time.Duration
	// SyncInterval is the calendar sync period; slots are stale after two
	// missed intervals.
	SyncInterval time.Duration
	// Writeback reports whether a mentor has a calendar to write sessions
	// into; nil means never.
	Writeback func(ctx context.Context, tx *store.Tx, mentorID string) (bool, error)
	Logger    *slog.Logger
	// Mentoring adds public-link bookers as mentees.
	Mentoring *mentoring.Service
}

// Service books, reschedules and cancels sessions.
type Service struct {
	Options
	links links.Links
	store *store.Store
	jobs  Enqueuer
	box   *secret.Box
	now   func() time.Time
	// zones caches loaded locations by name: every slots request needs
	// two, and loading one reads the zone database.
	zones sync.Map
}

// New builds the service.
func New(s *store.Store, jobs Enqueuer, box *secret.Box, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Options: opts, links: opts.Links, store: s, jobs: jobs, box: box, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// location loads an IANA zone, once per name.
func (s *Service) location(field, name string) (*time.Location, error) {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := validate.Timezone(field, name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, loc)
	return loc, nil
}
