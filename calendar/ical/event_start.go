package ical

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// ErrNoSuchEvent is returned by EventStart when the data holds no event
// (other than overrides) with the UID asked for.
var ErrNoSuchEvent = errors.New("calendar: no event with this UID")

// EventStart reads the start (DTSTART, in UTC) of the event uid in one
// calendar object, as DecodeBusy would read it: TZIDs through the IANA
// database, Windows names and the object's VTIMEZONEs; floating times
// and dates in opts.Location. Overrides (RECURRENCE-ID) are not the
// event. It is how a session written into a calendar is found moved
// there. Work is bounded by opts.Limits as in DecodeBusy.
func EventStart(ctx context.Context, data []byte, uid string, opts Options) (time.Time, error) {
	start, _, err := EventSpan(ctx, data, uid, opts)
	return start, err
}

// EventSpan reads the start and end (both in UTC) of the event uid, as
// EventStart reads its start; the end is DTEND, or DTSTART plus
// DURATION, or the start's default length (a day for a date, none for a
// time). It is how a session's event is found shortened or lengthened.
func EventSpan(ctx context.Context, data []byte, uid string, opts Options) (start, end time.Time, err error) {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	m := &meter{ctx: ctx, limits: countsOf(withDefaults(opts.Limits, DefaultObjectLimits()))}
	if err := m.alive(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if len(data) > math.MaxInt32 {
		return time.Time{}, time.Time{}, &LimitError{What: "bytes", Limit: math.MaxInt32}
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	var problems problemList
	scan, err := scanICalendar(text, m, &problems)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if scan.calendars == 0 {
		return time.Time{}, time.Time{}, ErrNotICalendar
	}
	zones := scan.zones.flatten()
	slices.SortStableFunc(zones, func(a, b zoneSpan) int {
		return cmp.Or(cmp.Compare(a.cal, b.cal), strings.Compare(a.tzid, b.tzid))
	})
	shared := &zoneShared{iana: map[string]*time.Location{}}
	var props eventProps
	var ev calEvent
	for _, sp := range scan.events.flatten() {
		if unescapeUID(sp.uid) != uid {
			continue
		}
		rd := eventReader{text: text, loc: loc, zones: newZoneResolver(text, zonesOf(zones, sp.cal), shared, m)}
		if err := rd.safeRead(sp, &props, &ev); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("event %q: %w", clip(uid, 200), err)
		}
		if !ev.isOverride {
			return ev.start.UTC(), ev.length.addTo(ev.start).UTC(), nil
		}
	}
	return time.Time{}, time.Time{}, ErrNoSuchEvent
}
