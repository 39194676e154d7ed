package calsync

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Sessions written back before edits were followed carry no written
// version (writeback_sequence -1), and edits are followed only at the
// written version. Rather than wait for their next write-back, a sync
// settles them from the event it holds:
//
//   - the event is at the session's time and length: it holds the
//     current version, recorded with its ETag, and the mentor's next
//     edit of it is followed;
//   - it is elsewhere: nobody can tell a mentor's edit made before the
//     upgrade from a write-back of ours that never landed, and the
//     booking was the truth then; the event is written back (once: one
//     pending write-back per session), which records the version.

// backfill is what a sync settles for one legacy session.
type backfill struct {
	bookingID string
	sequence  int
	etag      string // the event's, when it holds the session
	rewrite   bool   // the event is elsewhere: write it back
}

// hasLegacy reports whether any session lacks its written version.
func hasLegacy(written []store.Booking) bool {
	for i := range written {
		if written[i].WritebackSequence == -1 {
			return true
		}
	}
	return false
}

// legacySessions finds the written, live sessions of cal without a
// written version, and compares each with its event among items (the
// calendar's objects after this sync).
func (s *Service) legacySessions(ctx context.Context, m *store.Mentor, cal *store.Calendar, written []store.Booking, items []store.CalendarItem) []backfill {
	byKey := make(map[string]*store.CalendarItem, len(items))
	for i := range items {
		byKey[items[i].Key] = &items[i]
	}
	var out []backfill
	for i := range written {
		b := &written[i]
		if b.WritebackSequence != -1 || b.Status != store.StatusConfirmed || !b.EndAt.After(s.now()) || b.SeriesID != "" {
			continue
		}
		it := byKey[b.WritebackRef]
		if it == nil {
			continue // not listed: the deletion rules decide nothing here either
		}
		start, end, ok := s.storedSpan(ctx, m, b, it)
		if !ok {
			continue
		}
		if start.Equal(b.StartAt) && end.Equal(b.EndAt) {
			out = append(out, backfill{bookingID: b.ID, sequence: b.Sequence, etag: it.ETag})
			continue
		}
		out = append(out, backfill{bookingID: b.ID, sequence: b.Sequence, rewrite: true})
		s.Logger.Info("a session written before edits were followed is elsewhere in the calendar; writing it back",
			slog.String("calendar", cal.ID), slog.String("booking", b.ID), slog.Time("event_start", start))
	}
	return out
}

// storedSpan reads an item's start and end: from its iCalendar data, or
// the busy time a provider computed (Google).
func (s *Service) storedSpan(ctx context.Context, m *store.Mentor, b *store.Booking, it *store.CalendarItem) (start, end time.Time, ok bool) {
	if len(it.ICS) > 0 {
		start, end, err := ical.EventSpan(ctx, it.ICS, b.UID, ical.Options{Location: mentorZone(m)})
		return start, end, err == nil
	}
	var ivs []calendar.Interval
	if it.Busy == "" || json.Unmarshal([]byte(it.Busy), &ivs) != nil || len(ivs) != 1 {
		return start, end, false
	}
	return ivs[0].Start, ivs[0].End, true
}

// writeBackfills records what legacySessions found, in the sync's
// transaction; a session changed meanwhile is left to its own write-back.
func (s *Service) writeBackfills(ctx context.Context, tx *store.Tx, fills []backfill) error {
	var rewrites []river.InsertManyParams
	for _, f := range fills {
		if f.rewrite {
			rewrites = append(rewrites, river.InsertManyParams{Args: jobs.WritebackArgs{BookingID: f.bookingID}, InsertOpts: &river.InsertOpts{
				MaxAttempts: jobs.WritebackArgs{}.InsertOpts().MaxAttempts,
				UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: jobs.UntilDone()},
			}})
			continue
		}
		if err := tx.BackfillWritebackSequence(ctx, f.bookingID, f.sequence, f.etag); err != nil {
			return err
		}
	}
	if len(rewrites) == 0 {
		return nil
	}
	if err := s.jobs.InsertManyTx(ctx, tx, rewrites); err != nil {
		return fmt.Errorf("enqueue write-back of sessions written before edits were followed: %w", err)
	}
	return nil
}
