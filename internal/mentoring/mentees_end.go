package mentoring

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Sessions changes sessions on behalf of the mentoring service, with the
// same notices to both parties as any other change. The booking service
// provides it through an adapter in the wiring: booking imports mentoring,
// so mentoring cannot call it directly.
type Sessions interface {
	// CancelSession cancels a session, as by (admin or mentor).
	CancelSession(ctx context.Context, by access.Principal, bookingID, reason string) error
	// MoveSession hands a future session over to another mentor when that
	// mentor is free then; apperr.SlotUnavailable when they are not.
	MoveSession(ctx context.Context, by access.Principal, bookingID, toMentorID string) error
}

// SetSessions wires the session service (once, at start).
func (s *Service) SetSessions(x Sessions) { s.sessions = x }

// Reasons given to both parties when sessions go with a mentorship.
const (
	ReasonEnded      = "mentorship ended"
	ReasonReassigned = "mentee reassigned to another mentor"
)

// EndMentee ends a mentorship: it frees the place and cancels the
// mentee's future sessions with notice to both. Ending again retries any
// cancellation that failed the first time.
func (s *Service) EndMentee(ctx context.Context, by access.Principal, id string) (*Mentee, error) {
	if s.sessions == nil {
		return nil, fmt.Errorf("end mentee %s: no session service wired", id)
	}
	var ended *store.Mentee
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.visibleMentee(ctx, tx.Q, by, id)
		if err != nil {
			return err
		}
		if m.MentorID != nil {
			// The mentor's lock orders this after any booking in flight
			// for the mentee, so the cancellations below see it.
			if _, err := tx.LockMentor(ctx, *m.MentorID); err != nil {
				return err
			}
		}
		if m.Status == store.MenteeActive {
			now := s.now().UTC()
			m.Status, m.EndedAt, m.UpdatedAt = store.MenteeEnded, &now, now
			if err := tx.UpdateMentee(ctx, m); err != nil {
				return err
			}
		}
		ended = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	future, err := s.futureSessions(ctx, ended, "")
	if err != nil {
		return nil, err
	}
	for _, b := range future {
		if !by.MayActFor(b.MentorID) {
			continue // a session left with a former mentor is the staff's to settle
		}
		if err := s.cancelSession(ctx, by, b.ID, ReasonEnded); err != nil {
			return nil, err
		}
	}
	return s.menteeView(ended)
}

// futureSessions lists the mentee's confirmed sessions still to start,
// except those with keepMentorID.
func (s *Service) futureSessions(ctx context.Context, m *store.Mentee, keepMentorID string) ([]store.Booking, error) {
	bs, err := s.store.Bookings(ctx, store.BookingFilter{MenteeID: m.ID, From: s.now(), Status: store.StatusConfirmed})
	if err != nil {
		return nil, fmt.Errorf("sessions of mentee %s: %w", m.ID, err)
	}
	out := bs[:0]
	now := s.now()
	for _, b := range bs {
		if b.StartAt.After(now) && b.MentorID != keepMentorID {
			out = append(out, b)
		}
	}
	return out, nil
}

// cancelSession cancels one session; one cancelled meanwhile is fine.
func (s *Service) cancelSession(ctx context.Context, by access.Principal, bookingID, reason string) error {
	err := s.sessions.CancelSession(ctx, by, bookingID, reason)
	if err != nil && apperr.CodeOf(err) != apperr.Conflict {
		return fmt.Errorf("cancel session %s: %w", bookingID, err)
	}
	return nil
}

// Reassignment is a mentee moved to another mentor and what became of
// their future sessions.
type Reassignment struct {
	Mentee
	SessionsMoved     int
	SessionsCancelled int
}

// ReassignMentee moves an active mentee to another mentor (staff). Future
// sessions move along when the new mentor is free then; the others are
// cancelled with notice. Repeating it finishes a move that failed halfway.
func (s *Service) ReassignMentee(ctx context.Context, by access.Principal, id, toMentorID string) (*Reassignment, error) {
	if err := by.RequireStaff("reassigning a mentee"); err != nil {
		return nil, err
	}
	if s.sessions == nil {
		return nil, fmt.Errorf("reassign mentee %s: no session service wired", id)
	}
	if toMentorID == "" {
		return nil, apperr.Field("mentor_id", "is required")
	}
	var moved *store.Mentee
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		mentor, err := s.lockAssignee(ctx, tx, toMentorID)
		if err != nil {
			return err
		}
		m, err := s.visibleMentee(ctx, tx.Q, by, id)
		if err != nil {
			return err
		}
		if m.Status != store.MenteeActive {
			return apperr.Errorf(apperr.Conflict, "this mentorship has ended; add the mentee again instead")
		}
		moved = m
		if m.MentorID != nil && *m.MentorID == mentor.ID {
			return nil
		}
		return s.moveMenteeTx(ctx, tx, m, mentor)
	})
	if err != nil {
		return nil, err
	}
	out := &Reassignment{}
	future, err := s.futureSessions(ctx, moved, toMentorID)
	if err != nil {
		return nil, err
	}
	for _, b := range future {
		err := s.sessions.MoveSession(ctx, by, b.ID, toMentorID)
		switch {
		case err == nil:
			out.SessionsMoved++
			continue
		case apperr.CodeOf(err) == apperr.Conflict:
			continue // cancelled or started meanwhile: nothing to move
		case apperr.CodeOf(err) != apperr.SlotUnavailable:
			return nil, fmt.Errorf("move session %s: %w", b.ID, err)
		}
		if err := s.cancelSession(ctx, by, b.ID, ReasonReassigned); err != nil {
			return nil, err
		}
		out.SessionsCancelled++
	}
	view, err := s.menteeView(moved)
	if err != nil {
		return nil, err
	}
	out.Mentee = *view
	return out, nil
}

// moveMenteeTx gives m to mentor, whose row tx has locked, when a place is free.
func (s *Service) moveMenteeTx(ctx context.Context, tx *store.Tx, m *store.Mentee, mentor *store.Mentor) error {
	active, err := tx.CountActiveMentees(ctx, mentor.ID)
	if err != nil {
		return err
	}
	if active >= mentor.MaxMentees {
		return apperr.Errorf(apperr.CaseloadFull, "%s already follows %d mentees, their maximum", mentor.Name, mentor.MaxMentees)
	}
	now := s.now().UTC()
	m.MentorID, m.AssignedAt, m.UpdatedAt = &mentor.ID, now, now
	if err := tx.UpdateMentee(ctx, m); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return apperr.Field("mentor_id", "%s already has an active mentee with the address %s", mentor.Name, m.Email)
		}
		return err
	}
	return nil
}
