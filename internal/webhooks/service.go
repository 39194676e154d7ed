// Package webhooks tells the systems a program already runs (a learning
// platform, a CRM, a chat bot) what changed, per the Standard Webhooks
// specification. Admins register endpoints and their events; every event
// is stored with one delivery per subscribed endpoint, and its delivery
// jobs enqueued, in the transaction of the change it reports, so an event
// exists if and only if its change committed. Deliveries are signed with
// the endpoint's secret (both secrets for a day after a rotation), sent
// at least once with the same webhook-id, retried with exponential
// backoff for more than a day, then marked failed; an endpoint that kept
// failing all that time is disabled and the admins are mailed once.
package webhooks

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// RotationOverlap is how long the previous secret still signs after a
// rotation, so receivers can switch without losing a delivery.
const RotationOverlap = 24 * time.Hour

// maxURL bounds an endpoint URL.
const maxURL = 2000

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error
}

// Options configure the service.
type Options struct {
	// AllowPrivate lets endpoints live on loopback and private addresses
	// (RENDEZVOUS_ALLOW_PRIVATE_HOSTS).
	AllowPrivate bool
	// RetrySpan is how long a delivery is retried before it is marked
	// failed (RENDEZVOUS_WEBHOOK_RETRY_SPAN; 24h when 0). The backoff
	// schedule scales with it.
	RetrySpan time.Duration
	// Timeout bounds one delivery attempt, response included (15s when 0).
	Timeout time.Duration
	// Admins are who is mailed when an endpoint is disabled.
	Admins func(ctx context.Context) ([]calendar.Person, error)
	// Mailer and From send that mail (the service's mail path).
	Mailer mail.Sender
	From   calendar.Person
	Logger *slog.Logger
	// Now is the service's clock (time.Now when nil).
	Now func() time.Time
}

// endpointCacheTTL is how long a process uses the list of enabled
// endpoints it read: a booking should not pay a query for it (on SQLite,
// a statement costs a quarter of a millisecond). Changes made through
// this process apply at once; those made through another process within
// this delay.
const endpointCacheTTL = 2 * time.Second

// Service registers endpoints, records events and delivers them.
type Service struct {
	Options
	store     *store.Store
	box       *secret.Box
	jobs      Enqueuer
	client    *http.Client
	sched     schedule
	endpoints endpointCache
}

// endpointCache is the list of enabled endpoints as last read.
type endpointCache struct {
	mu     sync.Mutex
	list   []store.WebhookEndpoint
	readAt time.Time
	valid  bool
}

// enabledEndpoints is the cached list of enabled endpoints, read again
// through q once it is older than endpointCacheTTL.
func (s *Service) enabledEndpoints(ctx context.Context, q store.Q) ([]store.WebhookEndpoint, error) {
	now := time.Now()
	s.endpoints.mu.Lock()
	if s.endpoints.valid && now.Sub(s.endpoints.readAt) < endpointCacheTTL {
		list := s.endpoints.list
		s.endpoints.mu.Unlock()
		return list, nil
	}
	s.endpoints.mu.Unlock()
	list, err := q.WebhookEndpoints(ctx, true)
	if err != nil {
		return nil, err
	}
	s.endpoints.mu.Lock()
	s.endpoints.list, s.endpoints.readAt, s.endpoints.valid = list, now, true
	s.endpoints.mu.Unlock()
	return list, nil
}

// forgetEndpoints makes the next event read the endpoints again.
func (s *Service) forgetEndpoints() {
	s.endpoints.mu.Lock()
	s.endpoints.valid = false
	s.endpoints.mu.Unlock()
}

// New builds the service; box seals the signing secrets.
func New(s *store.Store, box *secret.Box, jobs Enqueuer, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetrySpan <= 0 {
		opts.RetrySpan = 24 * time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	client := netguard.NewHTTPClient(netguard.Options{AllowPrivate: opts.AllowPrivate, Timeout: opts.Timeout})
	// A redirect is an answer that is not 2xx: following it could lead
	// anywhere the registered URL was not checked to go.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Service{Options: opts, store: s, box: box, jobs: jobs, client: client, sched: schedule{span: opts.RetrySpan}}
}
