// Package mentoring manages mentors and mentees: profiles, hours,
// caseloads and the assignment of mentees within each mentor's caseload.
package mentoring

import (
	"context"
	"time"

	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// Service is the mentoring core.
type Service struct {
	store *store.Store
	box   *secret.Box
	links links.Links
	now   func() time.Time
	// expectedInterval: a mentee with no session within it is overdue.
	expectedInterval time.Duration
	// mentorsPerMentee: active mentorships one person may have at once.
	mentorsPerMentee int
	// webhooks records the events of mentorships (nil: none).
	webhooks webhooks.Emitter
	// slotsChanged tells this process's slot cache at once that a
	// mentor changed (nil: none); other processes learn it from the
	// database's change feed.
	slotsChanged func(mentorID string)
	// welcomes mails people who join or change mentor (nil: none).
	welcomes Welcomer
}

// Welcomer enqueues the welcome mails, in the transaction of the change
// they announce (see internal/engage).
type Welcomer interface {
	MentorJoinedTx(ctx context.Context, tx *store.Tx, m *store.Mentor) error
	MenteeJoinedTx(ctx context.Context, tx *store.Tx, e *store.Mentee, mentor *store.Mentor) error
	MenteeReassignedTx(ctx context.Context, tx *store.Tx, e *store.Mentee, mentor, previous *store.Mentor) error
}

// WithWelcomes mails a welcome to each new mentor and mentee, and to a
// mentee given another mentor, unless the change asks for silence.
func WithWelcomes(w Welcomer) Option {
	return func(s *Service) { s.welcomes = w }
}

// Option configures the service.
type Option func(*Service)

// WithExpectedInterval sets how often a mentee is expected to meet their
// mentor (RENDEZVOUS_EXPECTED_INTERVAL); the default is a week.
func WithExpectedInterval(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.expectedInterval = d
		}
	}
}

// WithWebhooks records mentee events for webhook endpoints, in the
// transaction of each change.
func WithWebhooks(e webhooks.Emitter) Option {
	return func(s *Service) { s.webhooks = e }
}

// emit records webhook events in a change's transaction.
func (s *Service) emit(ctx context.Context, tx *store.Tx, events ...webhooks.Event) error {
	if s.webhooks == nil {
		return nil
	}
	return s.webhooks.EmitTx(ctx, tx, events...)
}

// WithSlotChanges has each change to a mentor reported to fn after it
// commits (the slot cache's Changed), so this process's next slot answer
// shows it.
func WithSlotChanges(fn func(mentorID string)) Option {
	return func(s *Service) { s.slotsChanged = fn }
}

// WithClock replaces the service's clock (tests).
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.now = now }
}

// New builds the service.
func New(s *store.Store, box *secret.Box, l links.Links, opts ...Option) *Service {
	svc := &Service{store: s, box: box, links: l, now: time.Now, expectedInterval: 7 * 24 * time.Hour, mentorsPerMentee: 1}
	for _, o := range opts {
		o(svc)
	}
	return svc
}
