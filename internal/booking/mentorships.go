package booking

import (
	"context"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Reasons given to both parties when sessions go with a mentorship.
const (
	ReasonEnded      = "mentorship ended"
	ReasonReassigned = "mentee reassigned to another mentor"
)

// EndMentee ends a mentorship (staff, or the mentee's mentor): the
// mentoring service frees the place, then the mentee's future sessions are
// cancelled with notice to both. Ending again retries any cancellation
// that failed the first time.
func (s *Service) EndMentee(ctx context.Context, by access.Principal, id string) (*mentoring.Mentee, error) {
	ended, err := s.mentorships.EndMentorship(ctx, by, id)
	if err != nil {
		return nil, err
	}
	future, err := s.futureSessions(ctx, ended.ID, "")
	if err != nil {
		return nil, err
	}
	for _, b := range future {
		if !by.MayActFor(b.MentorID) {
			continue // a session left with a former mentor is the staff's to settle
		}
		if err := s.cancelForMentorship(ctx, by, b.ID, ReasonEnded); err != nil {
			return nil, err
		}
	}
	return ended, nil
}

// Reassignment is a mentee moved to another mentor and what became of
// their future sessions.
type Reassignment struct {
	mentoring.Mentee
	SessionsMoved     int
	SessionsCancelled int
}

// ReassignMentee moves an active mentee to another mentor (staff) and
// mails them the new mentor and their booking link (unless opts say
// silent). Future sessions move along when the new mentor is free then;
// the others are cancelled with notice. Repeating it finishes a move that
// failed halfway.
func (s *Service) ReassignMentee(ctx context.Context, by access.Principal, id, toMentorID string, opts ...mentoring.MoveOptions) (*Reassignment, error) {
	var o mentoring.MoveOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	moved, err := s.mentorships.MoveMentee(ctx, by, id, toMentorID, o)
	if err != nil {
		return nil, err
	}
	out := &Reassignment{Mentee: *moved}
	future, err := s.futureSessions(ctx, moved.ID, toMentorID)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, b := range future {
		if b.SeriesID != "" {
			// A series moves as one: its sessions by the same rules, its
			// calendars kept coherent.
			if done[b.SeriesID] {
				continue
			}
			done[b.SeriesID] = true
			moved, cancelled, err := s.transferSeries(ctx, by, b.SeriesID, toMentorID)
			if err != nil {
				return nil, fmt.Errorf("move series %s: %w", b.SeriesID, err)
			}
			out.SessionsMoved += moved
			out.SessionsCancelled += cancelled
			continue
		}
		_, err := s.Transfer(ctx, by, b.ID, toMentorID)
		switch {
		case err == nil:
			out.SessionsMoved++
			continue
		case apperr.CodeOf(err) == apperr.Conflict:
			continue // cancelled or started meanwhile: nothing to move
		case apperr.CodeOf(err) != apperr.SlotUnavailable:
			return nil, fmt.Errorf("move session %s: %w", b.ID, err)
		}
		if err := s.cancelForMentorship(ctx, by, b.ID, ReasonReassigned); err != nil {
			return nil, err
		}
		out.SessionsCancelled++
	}
	return out, nil
}

// futureSessions lists the mentee's confirmed sessions still to start,
// except those with keepMentorID.
func (s *Service) futureSessions(ctx context.Context, menteeID, keepMentorID string) ([]store.Booking, error) {
	now := s.now()
	bs, err := s.store.Bookings(ctx, store.BookingFilter{MenteeID: menteeID, From: now, Status: store.StatusConfirmed})
	if err != nil {
		return nil, fmt.Errorf("sessions of mentee %s: %w", menteeID, err)
	}
	out := bs[:0]
	for _, b := range bs {
		if b.StartAt.After(now) && b.MentorID != keepMentorID {
			out = append(out, b)
		}
	}
	return out, nil
}

// cancelForMentorship cancels one session (with the later ones of its
// series: the mentorship ends); one cancelled meanwhile is fine.
func (s *Service) cancelForMentorship(ctx context.Context, by access.Principal, bookingID, reason string) error {
	_, err := s.CancelScoped(ctx, by, bookingID, reason, ScopeFollowing)
	if err != nil && apperr.CodeOf(err) != apperr.Conflict {
		return fmt.Errorf("cancel session %s: %w", bookingID, err)
	}
	return nil
}
