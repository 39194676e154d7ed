package mentoring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Mentee is a mentee as the services show it.
type Mentee struct {
	ID         string
	MentorID   string
	Name       string
	Email      string
	Timezone   string
	Language   string
	Status     string
	BookingURL string // empty once the mentorship has ended: the link is dead
	AssignedAt time.Time
	EndedAt    *time.Time
	// NudgedAt is when the mentee and their mentor were last sent the
	// engagement nudge (one mail each, at once); nil when never.
	NudgedAt *time.Time
}

// errNoMentee is the one answer for a mentee that does not exist or that
// the caller may not see, so ids cannot be probed across mentors.
func errNoMentee(id string) error { return apperr.Errorf(apperr.NotFound, "no mentee %s", id) }

// Mentee reads a mentee the caller may see: staff, or its mentor.
func (s *Service) Mentee(ctx context.Context, by access.Principal, id string) (*Mentee, error) {
	m, err := s.visibleMentee(ctx, s.store.Q, by, id)
	if err != nil {
		return nil, err
	}
	return s.menteeView(m)
}

func (s *Service) visibleMentee(ctx context.Context, q store.Q, by access.Principal, id string) (*store.Mentee, error) {
	if id == "" || len(id) > 100 {
		return nil, errNoMentee(id)
	}
	m, err := q.Mentee(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoMentee(id)
	}
	if err != nil {
		return nil, err
	}
	if !by.IsStaff() && (m.MentorID == nil || !by.MayActFor(*m.MentorID)) {
		return nil, errNoMentee(id)
	}
	return m, nil
}

func (s *Service) menteeView(m *store.Mentee) (*Mentee, error) {
	v := &Mentee{
		ID: m.ID, Name: m.Name, Email: m.Email, Timezone: m.Timezone, Language: m.Language, Status: m.Status,
		AssignedAt: m.AssignedAt.UTC(), EndedAt: m.EndedAt, NudgedAt: m.NudgedAt,
	}
	if m.MentorID != nil {
		v.MentorID = *m.MentorID
	}
	if m.Status == store.MenteeActive {
		link, err := s.box.OpenString(m.LinkTokenSealed)
		if err != nil {
			return nil, fmt.Errorf("mentee %s link token: %w", m.ID, err)
		}
		v.BookingURL = s.links.Book(link)
	}
	return v, nil
}
