package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
)

// byCalendar is how a change the mentor made to the session's event in
// their own calendar is recorded (changed_by, cancelled_by).
const byCalendar = "calendar"

// Why a move of the session's event in the mentor's calendar was refused.
const (
	MoveRefusedPast         = "past"
	MoveRefusedOutsideHours = "outside_hours"
	MoveRefusedSession      = "overlaps_session"
	MoveRefusedBusy         = "busy"
	// MoveRefusedLength: the event kept its start but got another end.
	// A session lasts what the mentor's settings say (the mentee booked
	// that length, and slots are offered by it): the length is kept.
	MoveRefusedLength = "length"
)

// errStaleEdit: the session changed since the edit was seen (or the
// event is no longer where it was): the booking's own change wins.
var errStaleEdit = errors.New("the session changed since its calendar edit was seen")

// refusedMove carries a refusal out of the change's transaction.
type refusedMove struct{ reason string }

func (r *refusedMove) Error() string { return "calendar move refused: " + r.reason }

// calendarEditWorker applies the mentor's edits of sessions' events,
// found by the calendar sync (see calsync/edits.go).
type calendarEditWorker struct {
	river.WorkerDefaults[jobs.CalendarEditArgs]
	svc *Service
}

func (w *calendarEditWorker) Work(ctx context.Context, job *river.Job[jobs.CalendarEditArgs]) error {
	return w.svc.ApplyCalendarEdit(ctx, job.Args)
}

// ApplyCalendarEdit follows the mentor's edit of a session's event in
// their own calendar, as if the mentor had made it on their page (same
// rules, same mails to both), recorded as changed by "calendar": a
// deleted event cancels the session; a moved one reschedules it when the
// new time is free for the mentor, and otherwise the session keeps its
// time, the refusal is recorded for the mentor's page, and the event is
// written back at the session's time. An edit of a session that changed
// since it was seen is dropped.
func (s *Service) ApplyCalendarEdit(ctx context.Context, e jobs.CalendarEditArgs) error {
	t := asCalendar(e)
	var err error
	if e.Deleted {
		_, err = s.cancel(ctx, t, "", ScopeThis)
	} else {
		_, err = s.mutate(ctx, t, EventRescheduled, func(tx *store.Tx, b *store.Booking, m *store.Mentor) (string, error) {
			if e.Start.Equal(b.StartAt) {
				if !e.End.IsZero() && !e.End.Equal(b.EndAt) {
					return "", &refusedMove{MoveRefusedLength}
				}
				return "", errStaleEdit // the event is where the session is
			}
			reason, err := s.calendarMoveProblem(ctx, tx, m, b, e.Start)
			if err != nil {
				return "", err
			}
			if reason != "" {
				return "", &refusedMove{reason}
			}
			b.StartAt, b.EndAt = e.Start.UTC(), e.Start.UTC().Add(b.EndAt.Sub(b.StartAt))
			return "", nil
		})
	}
	var refused *refusedMove
	switch {
	case errors.As(err, &refused):
		return s.refuseCalendarMove(ctx, e, refused.reason)
	case errors.Is(err, errStaleEdit), errors.Is(err, errNoBooking), apperr.CodeOf(err) == apperr.Conflict:
		// Changed since, or over meanwhile: nothing to follow.
		s.Logger.Info("calendar edit dropped: the session changed since", slog.String("booking", e.BookingID), slog.Any("why", err))
		return nil
	case err != nil:
		return fmt.Errorf("apply calendar edit of booking %s: %w", e.BookingID, err)
	}
	s.Logger.Info("session changed from the mentor's calendar", slog.String("booking", e.BookingID), slog.Bool("cancelled", e.Deleted))
	return nil
}

// asCalendar is the session of a calendar edit, if it is still the
// version whose event was edited.
func asCalendar(e jobs.CalendarEditArgs) target {
	return target{who: byCalendar, lock: func(ctx context.Context, tx *store.Tx) (*store.Booking, error) {
		b, err := tx.LockBooking(ctx, e.BookingID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoBooking
		}
		if err != nil {
			return nil, err
		}
		if b.Status != store.StatusConfirmed || b.Sequence != e.Sequence ||
			b.WritebackCalendarID != e.CalendarID || b.WritebackRef != e.Key {
			return nil, errStaleEdit
		}
		return b, nil
	}}
}

// refuseCalendarMove records why the move was refused, mails the mentor
// (which session, where they moved it, why not, and that it keeps its
// time) and writes the event back at the session's time: the mentor's
// calendar must not show the session where it is not happening. All in
// one transaction: the mail exists if and only if the refusal does, once
// per edit (a job run again after its commit finds it recorded).
func (s *Service) refuseCalendarMove(ctx context.Context, e jobs.CalendarEditArgs, reason string) error {
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := asCalendar(e).lock(ctx, tx)
		if err != nil {
			return err
		}
		now, start := s.now().UTC(), e.Start.UTC()
		if e.ETag != "" && b.WritebackEtag == e.ETag && b.CalendarRefusedStart != nil && b.CalendarRefusedStart.Equal(start) {
			return nil // this very edit was refused already
		}
		b.CalendarRefusedStart, b.CalendarRefusedReason, b.CalendarRefusedAt = &start, reason, &now
		// Seen: the same edited object is not refused again at each sync.
		b.WritebackEtag = e.ETag
		if err := tx.UpdateBooking(ctx, b); err != nil {
			return err
		}
		mentor, mentee, err := outbox.Parties(ctx, tx.Q, b)
		if err != nil {
			return err
		}
		tried := outbox.Tried{Start: start, End: e.End.UTC(), Reason: reason}
		if tried.End.IsZero() || reason != MoveRefusedLength {
			tried.End = start.Add(b.EndAt.Sub(b.StartAt))
		}
		mail, err := s.outbox.MoveRefusedMail(b, mentor, mentee, tried)
		if err != nil {
			return err
		}
		return s.jobs.InsertManyTx(ctx, tx, []river.InsertManyParams{mail, {Args: jobs.WritebackArgs{BookingID: b.ID}}})
	})
	if errors.Is(err, errStaleEdit) || errors.Is(err, errNoBooking) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record refused calendar move of booking %s: %w", e.BookingID, err)
	}
	s.Logger.Info("calendar move refused: the time is not free", slog.String("booking", e.BookingID),
		slog.Time("start", e.Start), slog.String("reason", reason))
	return nil
}

// calendarMoveProblem says why the mentor may not move the session to
// start from their calendar ("" when they may): the time must be in
// their hours and free of busy time and other sessions, with their
// buffers and daily cap, as for a booking. Notice and horizon protect
// mentees from their mentor's choices only, and calendar apps move
// events by quarter hours: neither the notice, the horizon nor the
// half-hour grid apply.
func (s *Service) calendarMoveProblem(ctx context.Context, tx *store.Tx, m *store.Mentor, b *store.Booking, start time.Time) (string, error) {
	q, err := s.slotQuery(ctx, tx.Q, m, start, start.Add(time.Minute), b.ID)
	if err != nil {
		return "", err
	}
	if length := b.EndAt.Sub(b.StartAt); length >= calendar.MinSession && length <= calendar.MaxSession && length%calendar.SlotGranularity == 0 {
		q.Session = length
	}
	q.Step, q.MinNotice, q.HorizonDays = calendar.SlotGranularity, 0, 0
	why, err := calendar.WhyNotOffered(q, start)
	switch {
	case err != nil || why == calendar.Offered:
		return "", err
	case why == calendar.RefusedPast:
		return MoveRefusedPast, nil
	case why != calendar.RefusedTaken:
		// Notice and horizon are off: off the quarter-hour grid or
		// outside the hours.
		return MoveRefusedOutsideHours, nil
	}
	// Taken: by another session (or its buffer, or the day's cap), or by
	// busy time in the mentor's calendars.
	withoutBusy := q
	withoutBusy.Busy = nil
	if ok, err := calendar.SlotOffered(withoutBusy, start); err != nil || !ok {
		return MoveRefusedSession, err
	}
	return MoveRefusedBusy, nil
}
