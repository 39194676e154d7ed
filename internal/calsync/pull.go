package calsync

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
)

// pulled is one calendar fetched from its server and decoded, ready to be
// written in the sync's transaction.
type pulled struct {
	cal     *store.Calendar
	changes calendar.ChangeSet
	busy    []store.BusyInterval
	// decoded holds the busy time decoded in this sync, by object key, to
	// be stored with the objects.
	decoded map[string]string
	// edits are the mentor's edits of our sessions' events (edits.go),
	// enqueued with the sync's transaction.
	edits []jobs.CalendarEditArgs
	// fills settle sessions written before edits were followed
	// (backfill.go).
	fills []backfill
	// follows are sessions whose events moved to another calendar of the
	// account (edits.go).
	follows []calendarFollow
	err     error
}

// pull fetches what changed in cal since its sync state and recomputes its
// busy time from every item it would then hold: objects unchanged since
// they were last decoded are not decoded again. stored are the items held
// now; ownKeys are the objects of our own sessions, which block time as
// bookings already. Network and decoding happen here, outside any
// transaction. The calendar's busy time is merged, and fails the pull
// when it is more than a calendar may hold.
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
	dec := newObjectDecoder(ical.Options{Window: window, Location: mentorZone(m), SelfAddresses: selfAddresses(m, src)})
	merger := busyMerger{limit: maxBusyIntervals, days: int(end.Sub(start).Hours()/24 + 0.5)}
	for _, it := range items {
		if ownKeys[it.Key] {
			continue
		}
		ivs, err := s.itemBusy(ctx, cal, it, window, dec)
		if err == nil {
			err = merger.add(ivs)
		}
		if err != nil {
			return pulled{cal: cal, err: fmt.Errorf("sync calendar %s: %w", cal.ID, err)}
		}
	}
	ivs, err := merger.result()
	if err != nil {
		return pulled{cal: cal, err: fmt.Errorf("sync calendar %s: %w", cal.ID, err)}
	}
	s.logProblems(cal, &dec.problems)
	s.decodedObjects.Add(int64(dec.decoded))
	busy := make([]store.BusyInterval, len(ivs))
	for i, iv := range ivs {
		busy[i] = store.BusyInterval{StartAt: iv.Start, EndAt: iv.End}
	}
	s.Logger.Debug("calendar pulled", slog.String("calendar", cal.ID), slog.Int("objects", len(items)),
		slog.Int("decoded", dec.decoded), slog.Int("busy_intervals", len(busy)))
	return pulled{cal: cal, changes: cs, busy: busy, decoded: dec.fresh}
}

// logProblems logs, rate-limited, the events a sync skipped.
func (s *Service) logProblems(cal *store.Calendar, p *problemSummary) {
	if p.events == 0 && p.notICalendar == 0 {
		return
	}
	s.warn(cal.ConnectionID, "calendar events skipped or partly read", slog.String("calendar", cal.ID),
		slog.Int("events", p.events), slog.Int("objects", p.objects), slog.Int("objects_not_icalendar", p.notICalendar),
		slog.Any("examples", p.examples))
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

// itemBusy is the busy time of one item in window: decoded from its
// iCalendar data (or its cache), or the intervals a provider computed
// (Google). Broken events are skipped and reported; limits fail the sync.
func (s *Service) itemBusy(ctx context.Context, cal *store.Calendar, it store.CalendarItem, window calendar.Interval, dec *objectDecoder) ([]calendar.Interval, error) {
	// A provider's item is stored without data, which the database may
	// give back as empty rather than nil.
	if len(it.ICS) > 0 {
		return dec.busy(ctx, it)
	}
	var ivs []calendar.Interval
	if it.Busy != "" {
		if err := json.Unmarshal([]byte(it.Busy), &ivs); err != nil {
			s.warn(cal.ConnectionID, "unreadable stored busy time", slog.String("calendar", cal.ID), slog.String("key", it.Key), slog.Any("error", err))
		}
	}
	out := ivs[:0]
	for _, iv := range ivs {
		if iv.Valid() && iv.Overlaps(window) {
			out = append(out, iv.UTC())
		}
	}
	return out, nil
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
	upserts := toStoredItems(cal.ID, p.changes.Upserts)
	fresh := maps.Clone(p.decoded)
	for i := range upserts {
		upserts[i].Decoded = fresh[upserts[i].Key]
		delete(fresh, upserts[i].Key)
	}
	if err := tx.UpsertCalendarItems(ctx, upserts); err != nil {
		return err
	}
	// Unchanged objects decoded again (the window slid past their cache).
	if err := tx.SetCalendarItemsDecoded(ctx, cal.ID, fresh); err != nil {
		return err
	}
	if err := tx.ReplaceCalendarBusy(ctx, cal.MentorID, cal.ID, p.busy); err != nil {
		return err
	}
	return tx.RecordCalendarSync(ctx, cal.ID, p.changes.State)
}
