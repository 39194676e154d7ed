// Package booking is the mentee's path: booking links, free slots, and
// sessions that never double-book, with their invites, reminders and
// calendar write-back enqueued in the same transaction as the session; and
// what becomes of sessions when a mentorship ends or changes hands.
package booking

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/slotcache"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/internal/webhooks"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error
}

// Mentorships is what booking needs of the mentoring service: adding a
// public-link booker as a mentee, and ending or moving a mentorship, whose
// sessions booking then cancels or moves.
type Mentorships interface {
	// AddMenteeTx adds a mentee to a mentor whose row tx has locked.
	AddMenteeTx(ctx context.Context, tx *store.Tx, mentor *store.Mentor, in mentoring.MenteeInput) (*store.Mentee, string, error)
	// EndMentorship ends a mentorship by may act on.
	EndMentorship(ctx context.Context, by access.Principal, menteeID string) (*mentoring.Mentee, error)
	// MoveMentee gives an active mentee to another mentor (staff).
	MoveMentee(ctx context.Context, by access.Principal, menteeID, toMentorID string, opts mentoring.MoveOptions) (*mentoring.Mentee, error)
}

// Calendars is what booking needs of calendar sync.
type Calendars interface {
	// HasWriteTarget reports whether the mentor has a calendar that
	// sessions are written into.
	HasWriteTarget(ctx context.Context, tx *store.Tx, mentorID string) (bool, error)
}

// Deps are what the service is built with; all are required but
// Webhooks and SlotCache (without it, every slot request reads the
// database).
type Deps struct {
	Store       *store.Store
	Jobs        Enqueuer
	Box         *secret.Box
	Links       links.Links
	Outbox      *outbox.Outbox
	Mentorships Mentorships
	Calendars   Calendars
	// Webhooks records the events of each change (optional).
	Webhooks  webhooks.Emitter
	SlotCache *slotcache.Cache
}

// Options configure the service.
type Options struct {
	// Video is the deployment's provider; Videos holds every provider a
	// mentor may choose instead, by name.
	Video  video.Provider
	Videos map[string]video.Provider
	// Reminders are the lead times of reminder mails.
	Reminders []time.Duration
	// ReminderSweepBatch bounds the sessions of one transaction of the
	// reminder sweep (200 when 0), ReminderSweepRounds its transactions
	// per lead in one run (50 when 0; the next run takes the rest).
	ReminderSweepBatch, ReminderSweepRounds int
	// LateCancel: a mentee cancelling less than this before the start
	// is recorded late_cancel (RENDEZVOUS_LATE_CANCEL); 0 never.
	LateCancel time.Duration
	// ReportReminder: how long after an unreported session's end its
	// mentor is reminded (RENDEZVOUS_REPORT_REMINDER); 0 never.
	ReportReminder time.Duration
	// SyncInterval is the calendar sync period; slots are stale after two
	// missed intervals.
	SyncInterval time.Duration
	Logger       *slog.Logger
	// Now is the service's clock (time.Now when nil).
	Now func() time.Time
}

// Service books, reschedules and cancels sessions.
type Service struct {
	Options
	store       *store.Store
	jobs        Enqueuer
	box         *secret.Box
	links       links.Links
	outbox      *outbox.Outbox
	mentorships Mentorships
	calendars   Calendars
	webhooks    webhooks.Emitter
	slotCache   *slotcache.Cache
	now         func() time.Time
	// zones caches loaded locations by name: every slots request needs
	// two, and loading one reads the zone database.
	zones sync.Map
	// sqliteSeries queues series transactions on SQLite (see inWriteTx).
	sqliteSeries sync.Mutex
}

// New builds the service.
func New(d Deps, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReminderSweepBatch <= 0 {
		opts.ReminderSweepBatch = 200
	}
	if opts.ReminderSweepRounds <= 0 {
		opts.ReminderSweepRounds = 50
	}
	return &Service{Options: opts, store: d.Store, jobs: d.Jobs, box: d.Box, links: d.Links, outbox: d.Outbox,
		mentorships: d.Mentorships, calendars: d.Calendars, webhooks: d.Webhooks,
		slotCache: d.SlotCache, now: opts.Now}
}

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

// slotsChanged makes this process's own change to a mentor's sessions
// show in its slots at once (other processes learn it from the change
// feed).
func (s *Service) slotsChanged(mentorID string) {
	if s.slotCache != nil && mentorID != "" {
		s.slotCache.Changed(mentorID)
	}
}
