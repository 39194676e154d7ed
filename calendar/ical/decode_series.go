package ical

import (
	"slices"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// series is every VEVENT of one UID in one VCALENDAR: the master (nil when
// only overrides were shared with us, as for an invitation to a single
// instance) and its RECURRENCE-ID overrides.
type series struct {
	uid       string
	master    *calEvent
	overrides []*calEvent
}

// busy returns the blocking occurrences of the series that overlap window.
// Overrides replace the master's occurrence that starts at their
// RECURRENCE-ID; a RANGE=THISANDFUTURE override also moves every later
// occurrence by its shift and gives them its length and blocking status.
func (s *series) busy(window calendar.Interval) ([]calendar.Interval, error) {
	out := make([]calendar.Interval, 0, len(s.overrides)+1)
	emit := func(start time.Time, length nominalDuration, blocking bool) {
		if !blocking {
			return
		}
		iv := calendar.Interval{Start: start.UTC(), End: length.addTo(start).UTC()}
		if iv.Valid() && iv.Overlaps(window) {
			out = append(out, iv)
		}
	}
	single := map[int64]*calEvent{}
	var ranges []*calEvent
	for _, ov := range s.overrides {
		key := ov.recurrenceID.Unix()
		if prev, ok := single[key]; !ok || ov.sequence >= prev.sequence {
			single[key] = ov
		}
	}
	for _, ov := range single {
		emit(ov.start, ov.length, ov.blocking)
		if ov.thisAndFuture {
			ranges = append(ranges, ov)
		}
	}
	if s.master == nil {
		return out, nil
	}
	slices.SortFunc(ranges, func(a, b *calEvent) int { return a.recurrenceID.Compare(b.recurrenceID) })

	m := s.master
	// Occurrences starting this long before the window can still reach
	// into it; range overrides can move starts both ways.
	reach, shift := longestSpan(m.length), time.Duration(0)
	for _, ov := range ranges {
		d := ov.start.Sub(ov.recurrenceID).Abs()
		shift = max(shift, d)
		reach = max(reach, longestSpan(ov.length)+d)
	}
	for _, rd := range m.rdates {
		if rd.hasEnd {
			reach = max(reach, rd.end.Sub(rd.start))
		}
	}
	from, to := window.Start.Add(-reach), window.End.Add(shift)

	occ, err := s.masterStarts(from, to)
	out = slices.Grow(out, len(occ))
	for _, o := range occ {
		if _, replaced := single[o.start.Unix()]; replaced || m.excludes(o.start) {
			continue
		}
		start, length, blocking := o.start, m.length, m.blocking
		if o.hasEnd {
			length = nominalDuration{exact: o.end.Sub(o.start)}
		}
		if i, ok := lastRangeAtOrBefore(ranges, o.start); ok {
			ov := ranges[i]
			start = start.Add(ov.start.Sub(ov.recurrenceID))
			length, blocking = ov.length, ov.blocking
		}
		emit(start, length, blocking)
	}
	return out, err
}

// masterStarts lists the master's occurrences with a start in [from, to):
// DTSTART (always the first instance, even when the rule does not match
// it), the rules' occurrences and RDATEs, sorted and without duplicates.
func (s *series) masterStarts(from, to time.Time) ([]recurDate, error) {
	m := s.master
	var occ []recurDate
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	if in(m.start) {
		occ = append(occ, recurDate{start: m.start})
	}
	var firstErr error
	for _, rule := range m.rules {
		starts, err := expandRecurRule(rule, m.start, from, to)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		occ = slices.Grow(occ, len(starts)+len(m.rdates)+1)
		for _, t := range starts {
			occ = append(occ, recurDate{start: t})
		}
	}
	for _, rd := range m.rdates {
		if in(rd.start) {
			occ = append(occ, rd)
		}
	}
	// Stable, so an RDATE PERIOD does not replace a plain occurrence with
	// the same start: the first one listed wins.
	slices.SortStableFunc(occ, func(a, b recurDate) int { return a.start.Compare(b.start) })
	occ = slices.CompactFunc(occ, func(a, b recurDate) bool { return a.start.Equal(b.start) })
	return occ, firstErr
}

func (ev *calEvent) excludes(t time.Time) bool {
	for _, ex := range ev.exdates {
		if ex.dateOnly {
			if dayNumber(t) == dayNumber(ex.at) {
				return true
			}
		} else if ex.at.Equal(t) {
			return true
		}
	}
	return false
}

// lastRangeAtOrBefore finds the latest THISANDFUTURE override whose
// RECURRENCE-ID is at or before t (ranges is sorted).
func lastRangeAtOrBefore(ranges []*calEvent, t time.Time) (int, bool) {
	i, _ := slices.BinarySearchFunc(ranges, t, func(ov *calEvent, t time.Time) int {
		if ov.recurrenceID.After(t) {
			return 1
		}
		return -1
	})
	return i - 1, i > 0
}

// longestSpan bounds the elapsed time of a nominal duration (a calendar
// day lasts at most 25 hours).
func longestSpan(d nominalDuration) time.Duration {
	return time.Duration(d.days)*25*time.Hour + d.exact
}
