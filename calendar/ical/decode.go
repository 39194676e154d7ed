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

	"github.com/rendezvous/rendezvous/calendar"
)

// Options say what DecodeBusy looks for. New fields keep today's
// behaviour at their zero value.
type Options struct {
	// Window is the span whose busy time is wanted.
	Window calendar.Interval
	// Location reads floating times and all-day dates: the mentor's zone
	// (UTC when nil).
	Location *time.Location
	// Limits bound this input; zero fields take DefaultObjectLimits.
	Limits Limits
	// Calendar, when set, is charged too, so that the limits of a whole
	// calendar hold across the DecodeBusy calls of its objects.
	Calendar *Budget
	// SelfAddresses are the calendar owner's own addresses (the mentor's
	// e-mail, the account's calendar-user-address-set), as "mailto:…" or
	// bare e-mail addresses, in any case. An event in which the owner
	// attends with PARTSTAT=DECLINED (and under none of them accepts) is
	// an invitation they turned down: it blocks nothing.
	SelfAddresses []string
}

// Busy is the busy time found in iCalendar data.
type Busy struct {
	// Intervals are the blocking occurrences that overlap the window, in
	// UTC, sorted by start then end, not merged (overlaps are kept), and
	// not clipped to the window.
	Intervals []calendar.Interval
	// Problems lists the first events that were skipped, wholly or in
	// part, in file order; ProblemsOmitted counts the others.
	Problems        []EventProblem
	ProblemsOmitted int
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
// overlaps opts.Window.
//
// Semantics (RFC 5545 unless noted):
//   - STATUS:CANCELLED, TRANSP:TRANSPARENT and X-MICROSOFT-CDO-BUSYSTATUS:FREE
//     events block nothing, nor do events whose ATTENDEE that is the owner
//     (opts.SelfAddresses) has PARTSTAT=DECLINED; TENTATIVE ones do. VTODO, VJOURNAL and
//     VFREEBUSY are ignored.
//   - An all-day event without DTEND lasts one day; a timed one without
//     DTEND or DURATION is an instant and blocks nothing.
//   - DTSTART is always the first occurrence of a series, even when the
//     RRULE does not match it.
//   - Overrides (RECURRENCE-ID) are grouped by UID within each VCALENDAR;
//     an override without its master stands alone.
//
// Work is bounded: time is linear in the size of the input (plus the
// occurrences expanded, which the limits bound), and what decoding
// allocates is at most about twice the input plus 100 bytes per
// occurrence (see BENCHMARKS.md). Decoding stops with a *LimitError
// (errors.Is ErrTooLarge) at the first limit crossed, of the object or
// of opts.Calendar, and with the context's error when ctx ends; it then
// returns no busy time, since a part of a calendar would show the rest as
// free.
//
// The error is ErrNotICalendar when nothing could be parsed; an event that
// is broken (bad RRULE, no DTSTART, unknown TZID without VTIMEZONE, DTEND
// before DTSTART) is skipped and listed in Problems.
func DecodeBusy(ctx context.Context, data []byte, opts Options) (busy Busy, err error) {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	m := &meter{ctx: ctx, limits: countsOf(withDefaults(opts.Limits, DefaultObjectLimits())), budget: opts.Calendar}
	if err := m.alive(); err != nil {
		return Busy{}, err
	}
	if len(data) > math.MaxInt32 {
		return Busy{}, &LimitError{What: "bytes", Limit: math.MaxInt32}
	}
	defer func() {
		// Per-series panics are caught below; this is the last line of
		// defence for the scanner itself.
		if r := recover(); r != nil {
			busy, err = Busy{}, fmt.Errorf("calendar: decoding failed: %v", r)
		}
	}()
	text := strings.TrimPrefix(string(data), "\ufeff")
	var problems problemList
	scan, err := scanICalendar(text, m, &problems)
	if err != nil {
		return Busy{}, err
	}
	if scan.calendars == 0 {
		return Busy{}, ErrNotICalendar
	}
	if opts.Window.Valid() {
		d := decoding{text: text, loc: loc, window: opts.Window, m: m, problems: &problems, self: selfSet(opts.SelfAddresses)}
		if busy.Intervals, err = d.run(&scan); err != nil {
			return Busy{}, err
		}
	}
	slices.SortStableFunc(problems.kept, func(a, b rankedProblem) int { return cmp.Compare(a.ord, b.ord) })
	for _, p := range problems.kept {
		busy.Problems = append(busy.Problems, p.p)
	}
	busy.ProblemsOmitted = problems.omitted
	return busy, nil
}

// decoding is the second pass: one series at a time, through buffers
// reused from one series to the next.
type decoding struct {
	text     string
	loc      *time.Location
	self     map[string]bool // the owner's addresses, see selfSet
	window   calendar.Interval
	m        *meter
	problems *problemList
	out      chunkList[span]

	props    eventProps
	events   []calEvent
	series   []series
	occ      []recurDate
	starts   []time.Time
	ovs      []*calEvent
	expander ruleExpander
}

func (d *decoding) run(scan *scanResult) ([]calendar.Interval, error) {
	// Events are in file order, so by calendar: sorting by UID within each
	// calendar groups each series, in file order within it.
	order := scan.events.order(func(a, b *eventSpan) int {
		return cmp.Or(cmp.Compare(a.cal, b.cal), strings.Compare(a.uid, b.uid))
	})
	zones := scan.zones.flatten()
	scan.zones = chunkList[zoneSpan]{}
	slices.SortStableFunc(zones, func(a, b zoneSpan) int {
		return cmp.Or(cmp.Compare(a.cal, b.cal), strings.Compare(a.tzid, b.tzid))
	})
	shared := &zoneShared{iana: map[string]*time.Location{}}
	var rd eventReader
	cal := int32(-1)
	var group []*eventSpan
	for i := 0; i < len(order); {
		first := scan.events.at(int(order[i]))
		group = append(group[:0], first)
		j := i + 1
		for ; j < len(order) && first.uid != ""; j++ {
			next := scan.events.at(int(order[j]))
			if next.cal != first.cal || next.uid != first.uid {
				break
			}
			group = append(group, next)
		}
		if first.cal != cal {
			cal = first.cal
			rd = eventReader{text: d.text, loc: d.loc, self: d.self, zones: newZoneResolver(d.text, zonesOf(zones, cal), shared, d.m)}
		}
		if err := d.readSeries(rd, group); err != nil {
			return nil, err
		}
		i = j
	}
	scan.events = chunkList[eventSpan]{}
	// Sorting 16-byte spans in place is several times faster than sorting
	// through an index or sorting calendar.Intervals.
	spans := d.out.flatten()
	d.out = chunkList[span]{}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	out := make([]calendar.Interval, len(spans))
	for i, s := range spans {
		out[i] = calendar.Interval{Start: time.Unix(s.start, 0).UTC(), End: time.Unix(s.end, 0).UTC()}
	}
	return out, nil
}

// zonesOf returns the VTIMEZONEs of calendar cal (zones is sorted by
// calendar).
func zonesOf(zones []zoneSpan, cal int32) []zoneSpan {
	lo, _ := slices.BinarySearchFunc(zones, cal, func(z zoneSpan, c int32) int { return cmp.Compare(z.cal, c) })
	hi, _ := slices.BinarySearchFunc(zones, cal+1, func(z zoneSpan, c int32) int { return cmp.Compare(z.cal, c) })
	return zones[lo:hi]
}

// readSeries reads the events of one UID (in file order) and expands them.
// A second master with the same UID (an invalid feed) is kept as a series
// of its own rather than dropped: showing too much busy time is safer than
// double-booking. Overrides join the latest master before them, or the
// first series.
func (d *decoding) readSeries(rd eventReader, group []*eventSpan) error {
	d.events = slices.Grow(d.events[:0], len(group))[:len(group)]
	d.props.reuse() // the previous group's events are done with
	n := 0
	for _, sp := range group {
		if err := rd.safeRead(*sp, &d.props, &d.events[n]); err != nil {
			if stop := d.m.stops(err); stop != nil {
				return stop
			}
			d.problems.add(sp.ord, EventProblem{clip(unescapeUID(sp.uid), 200), err})
			continue
		}
		d.events[n].ord = sp.ord
		n++
	}
	// d.events no longer grows: pointers into it stay valid.
	d.series = d.series[:0]
	for i := range d.events[:n] {
		ev := &d.events[i]
		if len(d.series) == 0 || (!ev.isOverride && d.series[len(d.series)-1].master != nil) {
			d.series = append(d.series, series{uid: ev.uid, ord: ev.ord})
		}
		s := &d.series[len(d.series)-1]
		if ev.isOverride {
			s.overrides = append(s.overrides, ev)
		} else {
			s.master = ev
		}
	}
	for i := range d.series {
		s := &d.series[i]
		d.m.uid = clip(s.uid, 200)
		err := d.safeBusy(s)
		d.m.uid = ""
		if err != nil {
			if stop := d.m.stops(err); stop != nil {
				return stop
			}
			d.problems.add(s.ord, EventProblem{clip(s.uid, 200), err})
		}
		*s = series{overrides: s.overrides[:0]}
	}
	return nil
}

// stops returns the error that ends the whole decoding when err is (or
// wraps) a limit or the context's end, and nil for an error of one event.
func (m *meter) stops(err error) error {
	var limit *LimitError
	if errors.As(err, &limit) {
		return limit
	}
	if m.ctx.Err() != nil {
		return m.alive()
	}
	return nil
}

func (rd eventReader) safeRead(sp eventSpan, scratch *eventProps, ev *calEvent) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error reading event: %v", r)
		}
	}()
	return rd.read(sp, scratch, ev)
}

func (d *decoding) safeBusy(s *series) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error expanding event: %v", r)
		}
	}()
	return d.busy(s)
}
