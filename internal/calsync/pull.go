package calsync

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/store"
)

// pulled is one calendar fetched from its server and decoded, ready to be
// written in the sync's transaction.
type pulled struct {
	cal     *store.Calendar
	changes calendar.ChangeSet
	busy    []store.BusyInterval
	err     error
}

// pull fetches what changed in cal since its sync state and recomputes its
// busy time from every item it would then hold. stored are the items held
// now; ownKeys are the objects of our own sessions, which block time as
// bookings already. Network and decoding happen here, outside any
// transaction.
func (s *Service) pull(ctx context.Context, src Source, m *store.Mentor, cal *store.Calendar, stored []store.CalendarItem, ownKeys map[string]bool) pulled {
	start, end := s.syncWindow(m)
	window := calendar.Interval{Start: start, End: end}
	var known map[string]string
	if cal.SyncState != "" {
		known = make(map[string]string, len(stored))
		for _, it := range stored {
			known[it.Key] = it.ETag
		}
	}
	cs, err := src.Changes(ctx, cal.Ref, cal.SyncState, window, known)
	if err != nil {
		return pulled{cal: cal, err: fmt.Errorf("sync calendar %s: %w", cal.ID, err)}
	}
	items := mergeItems(cal.ID, stored, cs)
	opts := ical.Options{Window: window, Location: mentorZone(m), SelfAddresses: selfAddresses(m, src)}
	var busy []store.BusyInterval
	for _, it := range items {
		if ownKeys[it.Key] {
			continue
		}
		for _, iv := range s.itemBusy(ctx, cal, it, opts) {
			busy = append(busy, store.BusyInterval{StartAt: iv.Start, EndAt: iv.End})
		}
	}
	return pulled{cal: cal, changes: cs, busy: busy}
}

// selfAddresses are the mentor's addresses in their calendar: their
// e-mail, and the account's own (CalDAV's calendar-user-address-set), by
// which invitations they declined are recognised.
func selfAddresses(m *store.Mentor, src Source) []string {
	self := []string{m.Email}
	if a, ok := src.(interface{ SelfAddresses() []string }); ok {
		self = append(self, a.SelfAddresses()...)
	}
	return self
}

// mergeItems applies a change set to the stored items.
func mergeItems(calendarID string, stored []store.CalendarItem, cs calendar.ChangeSet) []store.CalendarItem {
	byKey := make(map[string]store.CalendarItem, len(stored)+len(cs.Upserts))
	if !cs.Full {
		for _, it := range stored {
			byKey[it.Key] = it
		}
		for _, k := range cs.Deletes {
			delete(byKey, k)
		}
	}
	for _, it := range toStoredItems(calendarID, cs.Upserts) {
		byKey[it.Key] = it
	}
	out := make([]store.CalendarItem, 0, len(byKey))
	for _, it := range byKey {
		out = append(out, it)
	}
	return out
}

func toStoredItems(calendarID string, items []calendar.Item) []store.CalendarItem {
	out := make([]store.CalendarItem, 0, len(items))
	for _, it := range items {
		row := store.CalendarItem{CalendarID: calendarID, Key: it.Key, ETag: it.ETag, ICS: it.ICS}
		if it.ICS == nil && it.Busy != nil {
			data, _ := json.Marshal(it.Busy)
			row.Busy = string(data)
		}
		out = append(out, row)
	}
	return out
}

// itemBusy is the busy time of one item in opts.Window: decoded from its
// iCalendar data, or the intervals a provider computed (Google). Broken
// events are logged and skipped; they never fail the sync.
func (s *Service) itemBusy(ctx context.Context, cal *store.Calendar, it store.CalendarItem, opts ical.Options) []calendar.Interval {
	if it.ICS == nil {
		var ivs []calendar.Interval
		if it.Busy != "" {
			if err := json.Unmarshal([]byte(it.Busy), &ivs); err != nil {
				s.Logger.Warn("unreadable stored busy time", slog.String("calendar", cal.ID), slog.String("key", it.Key), slog.Any("error", err))
			}
		}
		out := ivs[:0]
		for _, iv := range ivs {
			if iv.Valid() && iv.Overlaps(opts.Window) {
				out = append(out, iv.UTC())
			}
		}
		return out
	}
	busy, err := ical.DecodeBusy(ctx, it.ICS, opts)
	if err != nil {
		s.Logger.Warn("calendar object skipped: not iCalendar", slog.String("calendar", cal.ID), slog.String("key", it.Key), slog.Any("error", err))
		return nil
	}
	for _, p := range busy.Problems {
		s.Logger.Warn("calendar event skipped or partly read", slog.String("calendar", cal.ID), slog.String("key", it.Key),
			slog.String("uid", p.UID), slog.Any("error", p.Err))
	}
	return busy.Intervals
}

// write stores a pulled calendar inside the sync's transaction: its items
// (replaced on a full sync, else upserted and deleted), its busy time and
// its new sync state, so readers see all or nothing of it.
func (p pulled) write(ctx context.Context, tx *store.Tx) error {
	cal := p.cal
	if p.changes.Full {
		if err := tx.ClearCalendarItems(ctx, cal.ID); err != nil {
			return err
		}
	} else if err := tx.DeleteCalendarItems(ctx, cal.ID, p.changes.Deletes); err != nil {
		return err
	}
	if err := tx.UpsertCalendarItems(ctx, toStoredItems(cal.ID, p.changes.Upserts)); err != nil {
		return err
	}
	if err := tx.ReplaceCalendarBusy(ctx, cal.MentorID, cal.ID, p.busy); err != nil {
		return err
	}
	return tx.RecordCalendarSync(ctx, cal.ID, p.changes.State)
}
