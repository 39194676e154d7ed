// Package mentoring manages mentors and mentees: profiles, hours,
// caseloads and the assignment of mentees within each mentor's caseload.
package mentoring

import (
	"net/url"
	"time"

	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Service is the mentoring core.
type Service struct {
	store   *store.Store
	box     *secret.Box
	baseURL *url.URL
	now     func() time.Time
}

// New builds the service.
func New(s *store.Store, box *secret.Box, baseURL *url.URL) *Service {
	return &Service{store: s, box: box, baseURL: baseURL, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// link builds an absolute URL under the public base.
func (s *Service) link(path string) string {
	return s.baseURL.JoinPath(path).String()
}
