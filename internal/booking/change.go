package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// OutcomeNames are the outcomes a session can be given, in the order
// forms list them.
func OutcomeNames() []string {
	return []string{OutcomeCompleted, OutcomeNoShow, OutcomeMentorNoShow, OutcomeLateCancel}
}

// The outcomes of a session.
const (
	OutcomeCompleted    = "completed"
	OutcomeNoShow       = "no_show"
	OutcomeMentorNoShow = "mentor_no_show"
	OutcomeLateCancel   = "late_cancel"
)

// byMentee is how a change through a mentee's manage link is recorded.
const byMentee = "mentee"

var errNoBooking = apperr.Errorf(apperr.NotFound, "no such session")

// target finds, under lock in tx, the session a change is about; a session
// the caller may not change is not found.
type target struct {
	// who is recorded with the change (changed_by, cancelled_by): a role,
	// "mentee", or "calendar".
	who string
	// mentee is set for the holder of a manage link, whom some rules
	// treat apart (a mentee cannot cancel a session that has started).
	mentee bool
	lock   func(ctx context.Context, tx *store.Tx) (*store.Booking, error)
}

// asPrincipal is a session changed by a mentor or staff, by id.
func asPrincipal(by access.Principal, id string) target {
	return target{who: by.Name(), lock: func(ctx context.Context, tx *store.Tx) (*store.Booking, error) {
		b, err := tx.LockBooking(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !by.MayActFor(b.MentorID)) {
			return nil, errNoBooking
		}
		return b, err
	}}
}

// asMentee is the session of a manage token, changed by its mentee.
func asMentee(manageToken string) target {
	return target{who: byMentee, mentee: true, lock: func(ctx context.Context, tx *store.Tx) (*store.Booking, error) {
		if !secret.Plausible(manageToken) {
			return nil, errNoBooking
		}
		b, err := tx.BookingByManageHash(ctx, secret.HashToken(manageToken))
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoBooking
		}
		if err != nil {
			return nil, err
		}
		return tx.LockBooking(ctx, b.ID)
	}}
}

// ByManageToken reads the session of a manage token, as its mentee sees it.
func (s *Service) ByManageToken(ctx context.Context, token string) (*Booking, error) {
	b, err := s.bookingByManageToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.view(b, true)
}

func (s *Service) bookingByManageToken(ctx context.Context, token string) (*store.Booking, error) {
	if !secret.Plausible(token) {
		return nil, errNoBooking
	}
	b, err := s.store.BookingByManageHash(ctx, secret.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoBooking
	}
	return b, err
}

// Get reads a session that by may see (staff, or its mentor).
func (s *Service) Get(ctx context.Context, by access.Principal, id string) (*Booking, error) {
	b, err := s.visibleBooking(ctx, by, id)
	if err != nil {
		return nil, err
	}
	return s.view(b, false)
}

// visibleBooking reads a session by may see; any other is not found.
func (s *Service) visibleBooking(ctx context.Context, by access.Principal, id string) (*store.Booking, error) {
	b, err := s.store.Booking(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !by.MayActFor(b.MentorID)) {
		return nil, errNoBooking
	}
	return b, err
}

// List lists a mentor's sessions overlapping [from, to) (staff, or that
// mentor).
func (s *Service) List(ctx context.Context, by access.Principal, mentorID string, from, to time.Time, status string) ([]Booking, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
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
		v, err := s.view(&bs[i], false)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// The rules of what may still happen to a session, with the service's
// clock. The changes below enforce them and the views hand them to pages,
// so that a page never offers a form the service would refuse.

// checkMovable: a session can be moved until it ends.
func checkMovable(b *store.Booking, now time.Time) error {
	if b.Status != store.StatusConfirmed {
		return apperr.Errorf(apperr.Conflict, "this session was cancelled")
	}
	if !b.EndAt.After(now) {
		return apperr.Errorf(apperr.Conflict, "this session is over and can no longer be moved")
	}
	return nil
}

// checkCancellable: a mentee can cancel a session until it starts, its
// mentor and staff until it ends (afterwards its outcome is recorded
// instead).
func checkCancellable(b *store.Booking, now time.Time, mentee bool) error {
	if b.Status != store.StatusConfirmed {
		return apperr.Errorf(apperr.Conflict, "this session was cancelled")
	}
	if mentee && !b.StartAt.After(now) {
		return apperr.Errorf(apperr.Conflict, "this session has started and can no longer be cancelled")
	}
	if !b.EndAt.After(now) {
		return apperr.Errorf(apperr.Conflict, "this session is over; record its outcome instead")
	}
	return nil
}

// checkReportable: an outcome is recorded once a session has started; a
// cancelled session can only be marked late_cancel.
func checkReportable(b *store.Booking, now time.Time, outcome string) error {
	if b.Status == store.StatusCancelled && outcome != "late_cancel" {
		return apperr.Errorf(apperr.Conflict, "a cancelled session can only be marked late_cancel")
	}
	if b.Status == store.StatusConfirmed && b.StartAt.After(now) {
		return apperr.Errorf(apperr.Conflict, "the session has not started yet")
	}
	return nil
}

// mutate runs fn on a locked, live session with its mentor and mentee, then
// stores it with SEQUENCE raised and enqueues the notifications.
func (s *Service) mutate(ctx context.Context, t target, event string, fn func(tx *store.Tx, b *store.Booking, m *store.Mentor) (reason string, err error)) (*Booking, error) {
	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := t.lock(ctx, tx)
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
		previous := b.StartAt
		before := *b
		reason, err := fn(tx, b, mentor)
		if err != nil {
			return err
		}
		b.Sequence++
		b.UpdatedAt = s.now().UTC()
		b.ChangedBy = t.who
		// A refused calendar move is moot once the session changed.
		b.CalendarRefusedStart, b.CalendarRefusedReason, b.CalendarRefusedAt = nil, "", nil
		if err := tx.UpdateBooking(ctx, b); err != nil {
			if errors.Is(err, store.ErrOverlap) {
				return errSlotTaken(b.StartAt)
			}
			return err
		}
		if out, err = s.view(b, t.mentee); err != nil {
			return err
		}
		return s.afterChange(ctx, tx, change{booking: b, mentor: mentor, mentee: mentee, event: event, reason: reason, previous: previous, before: &before})
	})
	if err == nil {
		s.slotsChanged(out.MentorID)
	}
	return out, err
}

// Reschedule moves a session of a mentor to another free slot (staff, or
// that mentor); it keeps its id and UID and raises SEQUENCE.
func (s *Service) Reschedule(ctx context.Context, by access.Principal, id string, start time.Time) (*Booking, error) {
	return s.reschedule(ctx, asPrincipal(by, id), start)
}

// RescheduleByManageToken moves the session of a manage token for its
// mentee.
func (s *Service) RescheduleByManageToken(ctx context.Context, manageToken string, start time.Time) (*Booking, error) {
	return s.reschedule(ctx, asMentee(manageToken), start)
}

func (s *Service) reschedule(ctx context.Context, t target, start time.Time) (*Booking, error) {
	if start.IsZero() {
		return nil, apperr.Field("start", "is required")
	}
	return s.mutate(ctx, t, EventRescheduled, func(tx *store.Tx, b *store.Booking, m *store.Mentor) (string, error) {
		if err := checkMovable(b, s.now()); err != nil {
			return "", err
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

// Cancel scopes: one session, or for a session of a weekly series, it and
// the series' later sessions.
const (
	ScopeThis      = "this"
	ScopeFollowing = "following"
)

// Cancel cancels a session of a mentor (staff, or that mentor).
func (s *Service) Cancel(ctx context.Context, by access.Principal, id, reason string) (*Booking, error) {
	return s.cancel(ctx, asPrincipal(by, id), reason, ScopeThis)
}

// CancelScoped is Cancel with a scope: with ScopeFollowing, also the
// later sessions of the session's series.
func (s *Service) CancelScoped(ctx context.Context, by access.Principal, id, reason, scope string) (*Booking, error) {
	return s.cancel(ctx, asPrincipal(by, id), reason, scope)
}

// CancelByManageToken cancels the session of a manage token for its
// mentee. Less than RENDEZVOUS_LATE_CANCEL before the start, it is
// recorded as late_cancel.
func (s *Service) CancelByManageToken(ctx context.Context, manageToken, reason string) (*Booking, error) {
	return s.cancel(ctx, asMentee(manageToken), reason, ScopeThis)
}

// CancelByManageTokenScoped is CancelByManageToken with a scope: with
// ScopeFollowing, also the later sessions of the session's series.
func (s *Service) CancelByManageTokenScoped(ctx context.Context, manageToken, reason, scope string) (*Booking, error) {
	return s.cancel(ctx, asMentee(manageToken), reason, scope)
}

func (s *Service) cancel(ctx context.Context, t target, reason, scope string) (*Booking, error) {
	if err := validate.Text("reason", reason, validate.MaxNote, false); err != nil {
		return nil, err
	}
	switch scope {
	case "":
		scope = ScopeThis
	case ScopeThis, ScopeFollowing:
	default:
		return nil, apperr.Field("scope", "must be this or following")
	}
	return s.mutate(ctx, t, EventCancelled, func(tx *store.Tx, b *store.Booking, m *store.Mentor) (string, error) {
		now := s.now().UTC()
		if err := checkCancellable(b, now, t.mentee); err != nil {
			return "", err
		}
		if t.mentee && s.LateCancel > 0 && b.StartAt.Sub(now) < s.LateCancel {
			late := OutcomeLateCancel
			b.Outcome, b.ReportedAt, b.ReportedBy = &late, &now, FiledByRendezvous
		}
		b.Status, b.CancelReason, b.CancelledBy, b.CancelledAt = store.StatusCancelled, reason, t.who, &now
		if scope == ScopeFollowing && b.SeriesID != "" {
			if err := s.cancelLaterInSeries(ctx, tx, b, m, reason, t.who, now); err != nil {
				return "", err
			}
		}
		return reason, nil
	})
}

// cancelLaterInSeries cancels the confirmed sessions of b's series that
// come after it by the series' rule; the change of b announces them all to
// the parties (the series' invitation then excludes them), while webhook
// receivers, which follow sessions one by one, get a booking.cancelled for
// each.
func (s *Service) cancelLaterInSeries(ctx context.Context, tx *store.Tx, b *store.Booking, m *store.Mentor, reason, who string, now time.Time) error {
	sessions, err := tx.SeriesBookings(ctx, b.SeriesID)
	if err != nil {
		return err
	}
	var cancelled []*store.Booking
	for i := range sessions {
		o := &sessions[i]
		if o.ID == b.ID || o.Status != store.StatusConfirmed || o.RecurrenceAt == nil || b.RecurrenceAt == nil ||
			!o.RecurrenceAt.After(*b.RecurrenceAt) {
			continue
		}
		o.Status, o.CancelReason, o.CancelledBy, o.CancelledAt = store.StatusCancelled, reason, who, &now
		o.Sequence++
		o.UpdatedAt = now
		if err := tx.UpdateBooking(ctx, o); err != nil {
			return err
		}
		cancelled = append(cancelled, o)
	}
	if len(cancelled) == 0 || s.webhooks == nil {
		return nil
	}
	mentee, err := tx.Mentee(ctx, b.MenteeID)
	if err != nil {
		return err
	}
	events := make([]webhooks.Event, len(cancelled))
	for i, o := range cancelled {
		events[i] = webhooks.Booking(webhooks.BookingCancelled, o, m, mentee, nil)
	}
	return s.emit(ctx, tx, events...)
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
	sess, err := s.outbox.MenteeCalendarForm(ctx, s.store.Q, b)
	if err != nil {
		return nil, err
	}
	sess.VideoURL = s.outbox.VideoURL(b, false) // the file is the mentee's
	data, err := ical.EncodeObject(sess)
	if err != nil {
		return nil, fmt.Errorf("encode session %s: %w", id, err)
	}
	return data, nil
}
