package slotcache

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// load reads a mentor's slot inputs over a window from three days before
// now to five days past the horizon: an hour later (the TTL) every slot
// the mentor can offer is still inside it, with the two-day margin slot
// computation reads around a window.
func (c *Cache) load(ctx context.Context, mentorID string, now time.Time) (*Inputs, error) {
	db := c.store
	m, err := db.Mentor(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	loc, err := c.location(m.Timezone)
	if err != nil {
		return nil, fmt.Errorf("mentor %s zone: %w", m.ID, err)
	}
	avail, err := mentoring.AvailabilityOf(m, loc)
	if err != nil {
		return nil, err
	}
	horizon := m.HorizonDays
	if horizon <= 0 {
		horizon = 366
	}
	window := calendar.Interval{Start: now.Add(-72 * time.Hour), End: now.AddDate(0, 0, horizon+5)}
	busy, err := db.MentorBusy(ctx, m.ID, window.Start, window.End)
	if err != nil {
		return nil, err
	}
	booked, err := db.MentorSessions(ctx, m.ID, window.Start, window.End)
	if err != nil {
		return nil, err
	}
	oldest, connected, err := db.OldestSuccessfulSync(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	in := &Inputs{Mentor: *m, Location: loc, Availability: avail, Window: window,
		OldestSync: oldest, Connected: connected, LoadedAt: now,
		Booked: make([]calendar.Interval, len(booked))}
	for i, b := range booked {
		in.Booked[i] = calendar.Interval{Start: b.StartAt, End: b.EndAt}
	}
	in.Busy = mergeBusy(busy)
	return in, nil
}

// location loads a zone once for all mentors in it (each load is a copy
// of the zone's rules, 2 KB and more).
func (c *Cache) location(name string) (*time.Location, error) {
	if loc, ok := c.zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := validate.Timezone("timezone", name)
	if err != nil {
		return nil, err
	}
	c.zones.Store(name, loc)
	return loc, nil
}

// mergeBusy joins overlapping and touching busy spans (read by start):
// the same busy time in fewer intervals, less memory per mentor.
func mergeBusy(spans []store.BusySpan) []calendar.Interval {
	out := make([]calendar.Interval, 0, len(spans))
	for _, s := range spans {
		if n := len(out); n > 0 && !s.StartAt.After(out[n-1].End) {
			if s.EndAt.After(out[n-1].End) {
				out[n-1].End = s.EndAt
			}
			continue
		}
		out = append(out, calendar.Interval{Start: s.StartAt, End: s.EndAt})
	}
	return slices.Clip(out)
}
