package calsync

import (
	"context"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/store"
)

// writebackSeries brings a weekly series' one event in the mentor's
// calendar in line with its sessions: a recurring event with its
// exceptions while a session is left, removed once none is. Like
// Writeback it is idempotent and re-reconciles when the series changed
// while it wrote (its SEQUENCE rises with every change of a session).
func (s *Service) writebackSeries(ctx context.Context, seriesID string) error {
	for range writebackRounds {
		before, err := s.store.Series(ctx, seriesID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.reconcileSeries(ctx, before); err != nil {
			return fmt.Errorf("write back series %s: %w", seriesID, err)
		}
		after, err := s.store.Series(ctx, seriesID)
		if err != nil {
			return err
		}
		if after.Sequence == before.Sequence {
			return nil
		}
	}
	return nil
}

func (s *Service) reconcileSeries(ctx context.Context, row *store.BookingSeries) error {
	sessions, err := s.store.SeriesBookings(ctx, row.ID)
	if err != nil {
		return err
	}
	// The event links to the next session still booked (else the first);
	// a series left without sessions (all handed to another mentor) has
	// its event removed.
	var about *store.Booking
	if len(sessions) > 0 {
		about = &sessions[0]
	}
	for i := range sessions {
		if sessions[i].Status == store.StatusConfirmed && sessions[i].EndAt.After(s.now()) {
			about = &sessions[i]
			break
		}
	}
	live := false
	for i := range sessions {
		live = live || sessions[i].Status == store.StatusConfirmed
	}
	var cal *store.Calendar
	if row.WritebackRef != "" {
		cal, err = s.store.Calendar(ctx, row.WritebackCalendarID)
		if isNotFound(err) {
			// Disconnected: the event is out of our reach.
			cal, err = nil, s.store.SetSeriesWriteback(ctx, row.ID, "", "", "")
			row.WritebackRef = ""
		}
		if err != nil {
			return err
		}
	}
	if cal == nil {
		if !live {
			return nil
		}
		cal, err = s.store.WriteTarget(ctx, row.MentorID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	src, err := s.calendarSource(ctx, cal)
	if err != nil {
		return err
	}
	prev := Remote{Key: row.WritebackRef, ETag: row.WritebackEtag, UID: row.UID}
	if !live {
		if err := src.Remove(ctx, cal.Ref, prev); err != nil {
			return err
		}
		return s.store.SetSeriesWriteback(ctx, row.ID, "", "", "")
	}
	sess, err := s.sessionOf(ctx, about)
	if err != nil {
		return err
	}
	remote, err := src.Save(ctx, cal.Ref, sess, prev)
	if err != nil {
		return err
	}
	return s.store.SetSeriesWriteback(ctx, row.ID, cal.ID, remote.Key, remote.ETag)
}
