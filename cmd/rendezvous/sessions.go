package main

import (
	"context"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
)

// mentoringSessions lets the mentoring service cancel and move sessions
// through the booking service (which imports mentoring, so the dependency
// is wired here rather than imported).
type mentoringSessions struct{ booking *booking.Service }

func (m mentoringSessions) CancelSession(ctx context.Context, by access.Principal, bookingID, reason string) error {
	_, err := m.booking.Cancel(ctx, booking.Actor{Admin: by.Admin, MentorID: by.MentorID}, bookingID, reason)
	return err
}

// MoveSession needs the booking service to re-check the slot against the
// new mentor and re-send invites in one transaction; until it offers
// that, every session counts as not free and is cancelled with notice.
func (m mentoringSessions) MoveSession(ctx context.Context, bookingID, toMentorID string) error {
	return apperr.Errorf(apperr.SlotUnavailable, "sessions cannot move between mentors yet")
}
