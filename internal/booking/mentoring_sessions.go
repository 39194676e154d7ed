package booking

import (
	"context"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// ForMentoring is the session service the mentoring service cancels and
// moves sessions through when mentorships end or change hands (mentoring
// cannot import this package, which imports it).
func (s *Service) ForMentoring() mentoring.Sessions { return mentoringSessions{s} }

type mentoringSessions struct{ booking *Service }

func (m mentoringSessions) CancelSession(ctx context.Context, by access.Principal, bookingID, reason string) error {
	_, err := m.booking.Cancel(ctx, by, bookingID, reason)
	return err
}

func (m mentoringSessions) MoveSession(ctx context.Context, by access.Principal, bookingID, toMentorID string) error {
	_, err := m.booking.Transfer(ctx, by, bookingID, toMentorID)
	return err
}
