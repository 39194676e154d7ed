package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// ManageSlots lists the slots a manage-link holder may move the session
// to: the mentor's free slots, counting the session itself as free, so it
// can move by half an hour into its own time.
func (s *Service) ManageSlots(ctx context.Context, manageToken string, from, to time.Time, tz string) (*Slots, error) {
	if err := validate.Window(from, to); err != nil {
		return nil, err
	}
	visitor, err := s.location("tz", tz)
	if err != nil {
		return nil, err
	}
	b, err := s.bookingByManageToken(ctx, manageToken)
	if err != nil {
		return nil, err
	}
	mentor, err := s.store.Mentor(ctx, b.MentorID)
	if err != nil {
		return nil, fmt.Errorf("manage slots of booking %s: %w", b.ID, err)
	}
	return s.slotsToMove(ctx, b, mentor, from, to, visitor)
}

// SlotsToMove lists the times a session may be moved to by its mentor or
// staff, in the mentor's zone: as for the mentee's manage link, the
// mentor's free slots with the session's own time counted as free.
func (s *Service) SlotsToMove(ctx context.Context, by access.Principal, id string, from, to time.Time) (*Slots, error) {
	if err := validate.Window(from, to); err != nil {
		return nil, err
	}
	b, err := s.visibleBooking(ctx, by, id)
	if err != nil {
		return nil, err
	}
	mentor, err := s.store.Mentor(ctx, b.MentorID)
	if err != nil {
		return nil, err
	}
	zone, err := s.location("timezone", mentor.Timezone)
	if err != nil {
		return nil, err
	}
	return s.slotsToMove(ctx, b, mentor, from, to, zone)
}

// slotsToMove is b's mentor's free slots in [from, to) with b's own time
// counted as free, shown in visitor's zone; none once b is cancelled.
func (s *Service) slotsToMove(ctx context.Context, b *store.Booking, mentor *store.Mentor, from, to time.Time, visitor *time.Location) (*Slots, error) {
	if b.Status != store.StatusConfirmed {
		return &Slots{Timezone: visitor}, nil
	}
	q, err := s.slotQuery(ctx, s.store.Q, mentor, from, to, b.ID)
	if err != nil {
		return nil, err
	}
	q.Visitor = visitor
	slots, err := calendar.Slots(q)
	if err != nil {
		return nil, fmt.Errorf("compute slots of mentor %s: %w", mentor.ID, err)
	}
	stale, err := s.stale(ctx, mentor.ID)
	if err != nil {
		return nil, err
	}
	return &Slots{Timezone: visitor, Stale: stale, Slots: slots}, nil
}
