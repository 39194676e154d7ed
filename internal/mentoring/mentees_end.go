package mentoring

import (
	"context"
	"errors"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// EndMentorship ends a mentorship (staff, or the mentee's mentor): the
// place is free at once. Ending an ended one changes nothing. The
// mentee's sessions are the booking service's to cancel.
func (s *Service) EndMentorship(ctx context.Context, by access.Principal, id string) (*Mentee, error) {
	var ended *store.Mentee
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.visibleMentee(ctx, tx.Q, by, id)
		if err != nil {
			return err
		}
		var mentor *store.Mentor
		if m.MentorID != nil {
			// The mentor's lock orders this after any booking in flight
			// for the mentee, so cancellations that follow see it.
			if mentor, err = tx.LockMentor(ctx, *m.MentorID); err != nil {
				return err
			}
		}
		if m.Status == store.MenteeActive {
			now := s.now().UTC()
			m.Status, m.EndedAt, m.UpdatedAt = store.MenteeEnded, &now, now
			if err := tx.UpdateMentee(ctx, m); err != nil {
				return err
			}
			if err := s.emit(ctx, tx, webhooks.Mentee(webhooks.MenteeEnded, m, mentor, nil)); err != nil {
				return err
			}
		}
		ended = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.menteeView(ended)
}

// MoveOptions tune a reassignment.
type MoveOptions struct {
	// Silent sends the mentee no mail about their new mentor ("notify":
	// false); the mails of their sessions still go.
	Silent bool
}

// MoveMentee gives an active mentee to another mentor (staff), when a
// place is free there, and mails them the new mentor and their booking
// link. Moving a mentee to their own mentor changes nothing. The
// mentee's sessions are the booking service's to move.
func (s *Service) MoveMentee(ctx context.Context, by access.Principal, id, toMentorID string, opts MoveOptions) (*Mentee, error) {
	if err := by.RequireStaff("reassigning a mentee"); err != nil {
		return nil, err
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
		return s.moveMenteeTx(ctx, tx, m, mentor, opts)
	})
	if err != nil {
		return nil, err
	}
	return s.menteeView(moved)
}

// moveMenteeTx gives m to mentor, whose row tx has locked, when a place is free.
func (s *Service) moveMenteeTx(ctx context.Context, tx *store.Tx, m *store.Mentee, mentor *store.Mentor, opts MoveOptions) error {
	if err := takesMentees(mentor); err != nil {
		return err
	}
	// Their other mentorships stay as they are: only this mentor changes.
	if err := tx.LockPerson(ctx, m.EmailKey); err != nil {
		return err
	}
	if others, err := tx.ActiveMenteeByEmail(ctx, mentor.ID, m.EmailKey); err == nil && others.ID != m.ID {
		return apperr.Errorf(apperr.AlreadyMentored, "%s is already an active mentee of %s", m.Email, mentor.Name)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	active, err := tx.CountActiveMentees(ctx, mentor.ID)
	if err != nil {
		return err
	}
	if active >= mentor.MaxMentees {
		return apperr.Errorf(apperr.CaseloadFull, "%s already follows %d mentees, their maximum", mentor.Name, mentor.MaxMentees)
	}
	var previous *store.Mentor
	if m.MentorID != nil {
		if previous, err = tx.Mentor(ctx, *m.MentorID); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	m.MentorID, m.AssignedAt, m.UpdatedAt = &mentor.ID, now, now
	if err := tx.UpdateMentee(ctx, m); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return apperr.Errorf(apperr.AlreadyMentored, "%s is already an active mentee of %s", m.Email, mentor.Name)
		}
		return err
	}
	if err := s.emit(ctx, tx, webhooks.Mentee(webhooks.MenteeReassigned, m, mentor, previous)); err != nil {
		return err
	}
	if opts.Silent || s.welcomes == nil {
		return nil
	}
	return s.welcomes.MenteeReassignedTx(ctx, tx, m, mentor, previous)
}
