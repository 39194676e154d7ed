package ical

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-ical"

	"github.com/rendezvous/rendezvous/calendar"
)

// Busy is the busy time found in iCalendar data.
type Busy struct {
	// Intervals are the blocking occurrences that overlap the window, in
	// UTC, sorted by start then end, not merged (overlaps are kept), and
	// not clipped to the window.
	Intervals []calendar.Interval
	// Problems lists the events that were skipped, wholly or in part.
	Problems []EventProblem
}

// EventProblem is an event that could not be read or fully expanded. The
// rest of the calendar is unaffected.
type EventProblem struct {
	UID string // empty when the event had none
	Err error
}

func (p EventProblem) Error() string { return fmt.Sprintf("event %q: %v", p.UID, p.Err) }

func (p EventProblem) Unwrap() error { return p.Err }

// ErrNotICalendar is returned by DecodeBusy when the input holds no
// VCALENDAR object at all.
var ErrNotICalendar = errors.New("calendar: no VCALENDAR object in input")

var errTruncatedEvent = errors.New("event cut off by the end of the data")

// DecodeBusy reads one or more concatenated VCALENDAR objects (a CalDAV
// calendar resource, the calendar-data of a calendar-query response, or an
// .ics feed) and returns the busy intervals of every event occurrence that
// overlaps window. Floating times and all-day dates are read in loc (the
// mentor's zone; UTC when nil).
//
// Semantics (RFC 5545 unless noted):
//   - STATUS:CANCELLED, TRANSP:TRANSPARENT and X-MICROSOFT-CDO-BUSYSTATUS:FREE
//     events block nothing; TENTATIVE ones do. VTODO, VJOURNAL and
//     VFREEBUSY are ignored.
//   - An all-day event without DTEND lasts one day; a timed one without
//     DTEND or DURATION is an instant and blocks nothing.
//   - DTSTART is always the first occurrence of a series, even when the
//     RRULE does not match it.
//   - Overrides (RECURRENCE-ID) are grouped by UID within each VCALENDAR;
//     an override without its master stands alone.
//
// The error is ErrNotICalendar when nothing could be parsed; an event that
// is broken (bad RRULE, no DTSTART, unknown TZID without VTIMEZONE, DTEND
// before DTSTART, too many occurrences) is skipped and listed in Problems.
func DecodeBusy(data []byte, window calendar.Interval, loc *time.Location) (busy Busy, err error) {
	if loc == nil {
		loc = time.UTC
	}
	defer func() {
		// Per-series panics are caught below; this is the last line of
		// defence for the parser itself.
		if r := recover(); r != nil {
			busy, err = Busy{}, fmt.Errorf("calendar: decoding failed: %v", r)
		}
	}()
	parsed := parseICalendar(data)
	if len(parsed.calendars) == 0 {
		return Busy{}, ErrNotICalendar
	}
	for _, uid := range parsed.truncated {
		busy.Problems = append(busy.Problems, EventProblem{uid, errTruncatedEvent})
	}
	if !window.Valid() {
		return busy, nil
	}
	iana := map[string]*time.Location{}
	var perSeries [][]calendar.Interval
	total := 0
	for _, cal := range parsed.calendars {
		rd := eventReader{zones: newZoneResolver(cal, iana), loc: loc}
		for _, s := range groupSeries(cal, rd, &busy.Problems) {
			ivs, err := s.safeBusy(window)
			if len(ivs) > 0 {
				perSeries = append(perSeries, ivs)
				total += len(ivs)
			}
			if err != nil {
				busy.Problems = append(busy.Problems, EventProblem{s.uid, err})
			}
		}
	}
	busy.Intervals = make([]calendar.Interval, 0, total)
	for _, ivs := range perSeries {
		busy.Intervals = append(busy.Intervals, ivs...)
	}
	sortIntervalsFast(busy.Intervals)
	return busy, nil
}

// groupSeries reads the VEVENTs of one VCALENDAR and groups them by UID,
// in order of first appearance. A second master with the same UID (an
// invalid feed) is kept as a series of its own rather than dropped:
// showing too much busy time is safer than double-booking.
func groupSeries(cal *icsComponent, rd eventReader, problems *[]EventProblem) []*series {
	var list []*series
	byUID := map[string]*series{}
	for i, child := range cal.children {
		if child.name != ical.CompEvent {
			continue
		}
		ev, err := rd.safeRead(child)
		if err != nil {
			*problems = append(*problems, EventProblem{propText(child, ical.PropUID), err})
			continue
		}
		key := ev.uid
		if key == "" {
			key = "\x00" + strconv.Itoa(i) // no UID: nothing to group with
		}
		s := byUID[key]
		if s == nil || (!ev.isOverride && s.master != nil) {
			s = &series{uid: ev.uid}
			byUID[key] = s
			list = append(list, s)
		}
		if ev.isOverride {
			s.overrides = append(s.overrides, ev)
		} else {
			s.master = ev
		}
	}
	return list
}

// sortIntervalsFast orders like SortIntervals (start, then end) but sorts
// integer keys: comparing and moving time.Time values was a tenth of the
// decoding time of a large calendar.
func sortIntervalsFast(ivs []calendar.Interval) {
	// Seconds and nanoseconds apart: UnixNano overflows after 2262.
	type key struct {
		startSec, endSec   int64
		startNsec, endNsec int32
		index              int
	}
	keys := make([]key, len(ivs))
	for i, iv := range ivs {
		keys[i] = key{iv.Start.Unix(), iv.End.Unix(), int32(iv.Start.Nanosecond()), int32(iv.End.Nanosecond()), i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.startSec, b.startSec), cmp.Compare(a.startNsec, b.startNsec),
			cmp.Compare(a.endSec, b.endSec), cmp.Compare(a.endNsec, b.endNsec))
	})
	sorted := make([]calendar.Interval, len(ivs))
	for i, k := range keys {
		sorted[i] = ivs[k.index]
	}
	copy(ivs, sorted)
}

func (rd eventReader) safeRead(c *icsComponent) (ev *calEvent, err error) {
	defer func() {
		if r := recover(); r != nil {
			ev, err = nil, fmt.Errorf("internal error reading event: %v", r)
		}
	}()
	return rd.read(c)
}

func (s *series) safeBusy(window calendar.Interval) (ivs []calendar.Interval, err error) {
	defer func() {
		if r := recover(); r != nil {
			ivs, err = nil, fmt.Errorf("internal error expanding event: %v", r)
		}
	}()
	return s.busy(window)
}
