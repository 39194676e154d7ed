package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// Actor is who changes a booking: the mentee through the manage link, or
// a mentor or the admin through the API.
type Actor struct {
	Mentee   bool
	MentorID string // set for a mentor's token
	Admin    bool
}

func (a Actor) name() string {
	switch {
	case a.Mentee:
		return "mentee"
	case a.Admin:
		return "admin"
	}
	return "mentor"
}

// OutcomeNames are the outcomes a session can be given, in the order
// forms list them.
func OutcomeNames() []string {
	return []string{"completed", "no_show", "mentor_no_show", "late_cancel"}
}

var errNoBooking = apperr.Errorf(apperr.NotFound, "no such session")

// ByManageToken resolves a manage token to its booking id.
func (s *Service) ByManageToken(ctx context.Context, token string) (*Booking, error) {
	if !secret.Plausible(token) {
		return nil, errNoBooking
	}
	b, err := s.store.BookingByManageHash(ctx, secret.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoBooking
	}
	if err != nil {
		return nil, err
	}
	return s.view(b)
}

// Get reads a booking the actor may see.
func (s *Service) Get(ctx context.Context, actor Actor, id string) (*Booking, error) {
	b, err := s.store.Booking(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoBooking
	}
	if err != nil {
		return nil, err
	}
	if !actor.Admin && actor.MentorID != b.MentorID {
		return nil, errNoBooking
	}
	return s.view(b)
}

// List lists a mentor's bookings overlapping [from, to).
func (s *Service) List(ctx context.Context, mentorID string, from, to time.Time, status string) ([]Booking, error) {
	if err := validate.Window(from, to); err != nil {
		return nil, err
	}
	if status != "" && status != store.StatusConfirmed && status != store.StatusCancelled {
		return nil, apperr.Field("status", "must be confirmed or cancelled")
	}
	bs, err := s.store.Bookings(ctx, store.BookingFilter{MentorID: mentorID, From: from, To: to, Status: status})
	if err != nil {
		return nil, err
	}
	out := make([]Booking, 0, len(bs))
	for i := range bs {
		v, err := s.view(&bs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// mutate runs fn on a locked, live booking with its mentor and mentee, then
// stores it with SEQUENCE raised and enqueues the notifications.
func (s *Service) mutate(ctx context.Context, actor Actor, id, event string, fn func(tx *store.Tx, b *store.Booking, m *store.Mentor) (reason string, err error)) (*Booking, error) {
	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !actor.Mentee && !actor.Admin && actor.MentorID != b.MentorID) {
			return errNoBooking
		}
		if err != nil {
			return err
		}
		if b.Status != store.StatusConfirmed {
			return apperr.Errorf(apperr.Conflict, "this session was cancelled")
		}
		mentor, err := tx.LockMentor(ctx, b.MentorID)
		if err != nil {
			return err
		}
		mentee, err := tx.Mentee(ctx, b.MenteeID)
		if err != nil {
			return err
		}
		reason, err := fn(tx, b, mentor)
		if err != nil {
			return err
		}
		b.Sequence++
		b.UpdatedAt = s.now().UTC()
		if err := tx.UpdateBooking(ctx, b); err != nil {
			if errors.Is(err, store.ErrOverlap) {
				return errSlotTaken(b.StartAt)
			}
			return err
		}
		if out, err = s.view(b); err != nil {
			return err
		}
		return s.afterChange(ctx, tx, change{booking: b, mentor: mentor, mentee: mentee, event: event, reason: reason})
	})
	return out, err
}

// Reschedule moves a session to another free slot; it keeps its id and
// UID and raises SEQUENCE.
func (s *Service) Reschedule(ctx context.Context, actor Actor, id string, start time.Time) (*Booking, error) {
	if start.IsZero() {
		return nil, apperr.Field("start", "is required")
	}
	return s.mutate(ctx, actor, id, EventRescheduled, func(tx *store.Tx, b *store.Booking, m *store.Mentor) (string, error) {
		if !b.EndAt.After(s.now()) {
			return "", apperr.Errorf(apperr.Conflict, "this session is over and can no longer be moved")
		}
		if start.Equal(b.StartAt) {
			return "", apperr.Field("start", "is the session's current time")
		}
		if err := s.offered(ctx, tx, m, start, b.ID, nil); err != nil {
			return "", err
		}
		b.StartAt, b.EndAt = start.UTC(), start.UTC().Add(b.EndAt.Sub(b.StartAt))
		return "", nil
	})
}

// Cancel cancels a session. A mentee cancelling less than the mentor's
// notice before the start is recorded as late_cancel.
func (s *Service) Cancel(ctx context.Context, actor Actor, id, reason string) (*Booking, error) {
	if err := validate.Text("reason", reason, validate.MaxNote, false); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, id, EventCancelled, func(tx *store.Tx, b *store.Booking, m *store.Mentor) (string, error) {
		now := s.now().UTC()
		if !b.StartAt.After(now) && actor.Mentee {
			return "", apperr.Errorf(apperr.Conflict, "this session has started and can no longer be cancelled")
		}
		notice := time.Duration(m.MinNoticeMinutes) * time.Minute
		if actor.Mentee && b.StartAt.Sub(now) < notice {
			late := "late_cancel"
			b.Outcome = &late
		}
		b.Status, b.CancelReason, b.CancelledBy, b.CancelledAt = store.StatusCancelled, reason, actor.name(), &now
		return reason, nil
	})
}

// SetOutcome records how a session went, once it has started.
func (s *Service) SetOutcome(ctx context.Context, actor Actor, id, outcome string) (*Booking, error) {
	if !slices.Contains(OutcomeNames(), outcome) {
		return nil, apperr.Field("outcome", "must be one of completed, no_show, mentor_no_show, late_cancel")
	}
	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !actor.Admin && actor.MentorID != b.MentorID) {
			return errNoBooking
		}
		if err != nil {
			return err
		}
		if b.Status == store.StatusCancelled && outcome != "late_cancel" {
			return apperr.Errorf(apperr.Conflict, "a cancelled session can only be marked late_cancel")
		}
		if b.Status == store.StatusConfirmed && b.StartAt.After(s.now()) {
			return apperr.Errorf(apperr.Conflict, "the session has not started yet")
		}
		b.Outcome = &outcome
		b.UpdatedAt = s.now().UTC()
		if err := tx.UpdateBooking(ctx, b); err != nil {
			return fmt.Errorf("record outcome: %w", err)
		}
		out, err = s.view(b)
		return err
	})
	return out, err
}

// ICS renders one session as an .ics file for "add to calendar"; the
// manage token is the key.
func (s *Service) ICS(ctx context.Context, id, token string) ([]byte, error) {
	b, err := s.store.Booking(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !secret.MatchesHash(token, b.ManageTokenHash)) {
		return nil, errNoBooking
	}
	if err != nil {
		return nil, err
	}
	_, sess, err := s.loadChange(ctx, s.store.Q, b, "")
	if err != nil {
		return nil, err
	}
	data, err := ical.EncodeObject(sess)
	if err != nil {
		return nil, fmt.Errorf("encode session %s: %w", id, err)
	}
	return data, nil
}
