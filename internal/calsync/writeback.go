package calsync

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/store"
)

// writebackRounds bounds how often one job re-reconciles a booking that
// changed while its event was being written.
const writebackRounds = 3

// Writeback brings the booking's event in the mentor's calendar in line
// with the booking: created when confirmed, updated when changed, deleted
// when cancelled. It is idempotent; an error makes River retry it with
// backoff, and never touches the booking itself.
//
// Several write-back jobs of one booking may run at once (confirm, then
// cancel at once). Each one re-reads the booking after its remote write
// and reconciles again if it changed meanwhile, so the last one to finish
// always leaves the calendar matching the booking's final state.
func (s *Service) Writeback(ctx context.Context, bookingID string) error {
	for range writebackRounds {
		before, err := s.store.Booking(ctx, bookingID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if before.SeriesID != "" {
			// A session of a weekly series: the series is one event.
			return s.writebackSeries(ctx, before.SeriesID)
		}
		if err := s.reconcile(ctx, before); err != nil {
			return fmt.Errorf("write back booking %s: %w", bookingID, err)
		}
		after, err := s.store.Booking(ctx, bookingID)
		if err != nil {
			return err
		}
		if after.Status == before.Status && after.Sequence == before.Sequence {
			return nil
		}
	}
	return nil
}

// reconcile performs the remote operations the booking needs: one, or
// two for a session moved to another mentor (its event leaves the former
// mentor's calendar, then goes into the new one's).
func (s *Service) reconcile(ctx context.Context, b *store.Booking) error {
	cal, err := s.eventCalendar(ctx, b)
	if err != nil || cal == nil {
		return err
	}
	src, err := s.calendarSource(ctx, cal)
	if err != nil {
		return err
	}
	prev := Remote{Key: b.WritebackRef, ETag: b.WritebackEtag, UID: b.UID}
	if b.Status == store.StatusCancelled || cal.MentorID != b.MentorID {
		if err := src.Remove(ctx, cal.Ref, prev); err != nil {
			return err
		}
		if err := s.store.SetBookingWriteback(ctx, b.ID, "", "", "", -1); err != nil {
			return err
		}
		if b.Status == store.StatusCancelled {
			return nil
		}
		moved := *b
		moved.WritebackCalendarID, moved.WritebackRef, moved.WritebackEtag = "", "", ""
		return s.reconcile(ctx, &moved)
	}
	sess, err := s.sessionOf(ctx, b)
	if err != nil {
		return err
	}
	remote, meetURL, err := s.saveSession(ctx, src, cal.Ref, sess, prev, b)
	if err != nil {
		return err
	}
	return s.recordWriteback(ctx, b, cal.ID, remote, meetURL)
}

// calendarSource opens the connection a calendar belongs to.
func (s *Service) calendarSource(ctx context.Context, cal *store.Calendar) (Source, error) {
	conn, err := s.store.Connection(ctx, cal.ConnectionID)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, conn)
}

// eventCalendar is the calendar the booking's event lives in, or for a
// confirmed booking without one, the mentor's write target; nil when
// there is nothing to do.
func (s *Service) eventCalendar(ctx context.Context, b *store.Booking) (*store.Calendar, error) {
	if b.WritebackRef != "" {
		cal, err := s.store.Calendar(ctx, b.WritebackCalendarID)
		if err == nil {
			return cal, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
		// The calendar was disconnected: the event is out of our reach.
		s.Logger.Info("write-back: the session's calendar was disconnected", slog.String("booking", b.ID))
		if err := s.store.SetBookingWriteback(ctx, b.ID, "", "", "", -1); err != nil {
			return nil, err
		}
		b.WritebackCalendarID, b.WritebackRef, b.WritebackEtag = "", "", ""
	}
	if b.Status != store.StatusConfirmed {
		return nil, nil
	}
	cal, err := s.store.WriteTarget(ctx, b.MentorID)
	if isNotFound(err) {
		return nil, nil
	}
	return cal, err
}

func (s *Service) sessionOf(ctx context.Context, b *store.Booking) (calendar.Session, error) {
	return s.notices.CalendarForm(ctx, s.store.Q, b)
}
