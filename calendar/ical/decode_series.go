package ical

import (
	"cmp"
	"slices"
	"time"
)

// series is every VEVENT of one UID in one VCALENDAR: the master (nil when
// only overrides were shared with us, as for an invitation to a single
// instance) and its RECURRENCE-ID overrides.
type series struct {
	uid       string
	ord       int32 // of its first event, for the order of problems
	master    *calEvent
	overrides []*calEvent
}

// span is a busy interval in Unix seconds: every instant decoding produces
// is a whole second, and 16 bytes is a third of a calendar.Interval.
type span struct{ start, end int64 }

// busy adds to d.out the blocking occurrences of the series that overlap
// the window. Overrides replace the master's occurrence that starts at
// their RECURRENCE-ID; a RANGE=THISANDFUTURE override also moves every
// later occurrence by its shift and gives them its length and blocking
// status. Every occurrence is charged to the meter.
func (d *decoding) busy(s *series) error {
	ws, we := d.window.Start.Unix(), d.window.End.Unix()
	emit := emitter{out: &d.out, from: ws, to: we}
	d.ovs = latestOverrides(append(d.ovs[:0], s.overrides...))
	single := d.ovs
	var ranges []*calEvent // sorted by RECURRENCE-ID, as single is
	for _, ov := range single {
		if err := d.m.charge(occurrences); err != nil {
			return err
		}
		emit.add(ov.start, ov.length, ov.blocking)
		if ov.thisAndFuture {
			ranges = append(ranges, ov)
		}
	}
	if s.master == nil {
		return nil
	}
	mst := s.master
	// Occurrences starting this long before the window can still reach
	// into it; range overrides can move starts both ways.
	reach, shift := longestSpan(mst.length), int64(0)
	for _, ov := range ranges {
		d := ov.start.Unix() - ov.recurrenceID.Unix()
		d = max(d, -d)
		shift = max(shift, d)
		reach = max(reach, longestSpan(ov.length)+d)
	}
	if mst.rec != nil {
		for _, l := range mst.rec.rdates {
			for i, end := range l.ends {
				if end != noEnd {
					reach = max(reach, end-l.starts[i])
				}
			}
		}
	}
	from, to := time.Unix(ws-reach, 0).UTC(), time.Unix(we+shift, 0).UTC()
	occ, err := d.masterStarts(mst, from, to)
	if err != nil {
		return err
	}
	for _, o := range occ {
		if replaced(single, o.start) || mst.excludes(o.start) {
			continue
		}
		start, length, blocking := o.start, mst.length, mst.blocking
		if o.hasEnd {
			length = nominalDuration{secs: o.end - o.start.Unix()}
		}
		if i, ok := lastRangeAtOrBefore(ranges, o.start); ok {
			ov := ranges[i]
			start = addSeconds(start, ov.start.Unix()-ov.recurrenceID.Unix())
			length, blocking = ov.length, ov.blocking
		}
		emit.add(start, length, blocking)
	}
	return nil
}

// emitter adds blocking occurrences that overlap [from, to) (Unix
// seconds) to out.
type emitter struct {
	out      *chunkList[span]
	from, to int64
}

func (e emitter) add(start time.Time, length nominalDuration, blocking bool) {
	if !blocking {
		return
	}
	st, en := start.Unix(), length.addTo(start).Unix()
	if en > st && st < e.to && en > e.from {
		e.out.add(span{st, en})
	}
}

// latestOverrides keeps one override per RECURRENCE-ID, the one with the
// highest SEQUENCE (the later in the file on a tie), sorted by
// RECURRENCE-ID.
func latestOverrides(sorted []*calEvent) []*calEvent {
	slices.SortStableFunc(sorted, func(a, b *calEvent) int { return cmp.Compare(a.recurrenceID.Unix(), b.recurrenceID.Unix()) })
	out := sorted[:0]
	for _, ov := range sorted {
		if n := len(out); n > 0 && out[n-1].recurrenceID.Unix() == ov.recurrenceID.Unix() {
			if ov.sequence >= out[n-1].sequence {
				out[n-1] = ov
			}
			continue
		}
		out = append(out, ov)
	}
	return out
}

// replaced reports whether an override has the RECURRENCE-ID t.
func replaced(single []*calEvent, t time.Time) bool {
	_, ok := slices.BinarySearchFunc(single, t.Unix(), func(ov *calEvent, u int64) int {
		return cmp.Compare(ov.recurrenceID.Unix(), u)
	})
	return ok
}

// masterStarts lists the master's occurrences with a start in [from, to):
// DTSTART (always the first instance, even when the rule does not match
// it), the rules' occurrences and RDATEs, sorted and without duplicates.
func (d *decoding) masterStarts(mst *calEvent, from, to time.Time) ([]recurDate, error) {
	m := d.m
	occ := d.occ[:0]
	defer func() { d.occ = occ[:0] }()
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	if in(mst.start) {
		if err := m.charge(occurrences); err != nil {
			return nil, err
		}
		occ = append(occ, recurDate{start: mst.start})
	}
	if mst.rec == nil {
		return occ, nil
	}
	for i := range mst.rec.rules {
		d.expander.init(&mst.rec.rules[i], mst.start)
		starts, err := d.expander.expandRange(from, to, m, d.starts[:0])
		if err != nil {
			return nil, err
		}
		for _, t := range starts {
			occ = append(occ, recurDate{start: t})
		}
		d.starts = starts[:0]
	}
	var err error
	for i := range mst.rec.rdates {
		mst.rec.rdates[i].each(func(rd recurDate) {
			if err == nil && in(rd.start) {
				if err = m.charge(occurrences); err == nil {
					occ = append(occ, rd)
				}
			}
		})
	}
	if err != nil {
		return nil, err
	}
	// Stable, so an RDATE PERIOD does not replace a plain occurrence with
	// the same start: the first one listed wins.
	slices.SortStableFunc(occ, func(a, b recurDate) int { return a.start.Compare(b.start) })
	occ = slices.CompactFunc(occ, func(a, b recurDate) bool { return a.start.Equal(b.start) })
	return occ, nil
}

// excludes reports whether an EXDATE removes the occurrence starting at t.
func (ev *calEvent) excludes(t time.Time) bool {
	r := ev.rec
	if r == nil {
		return false
	}
	if _, ok := slices.BinarySearch(r.exSecs, t.Unix()); ok {
		return true
	}
	if len(r.exDays) == 0 {
		return false
	}
	_, ok := slices.BinarySearch(r.exDays, dayNumber(t))
	return ok
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

// longestSpan bounds the elapsed seconds of a nominal duration (a
// calendar day lasts at most 25 hours).
func longestSpan(d nominalDuration) int64 {
	return int64(d.days)*25*3600 + d.secs
}
