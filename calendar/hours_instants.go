package calendar

import (
	"cmp"
	"slices"
	"time"
)

// Wall-clock hours are turned into instants without ever calling time.Date
// on a local time: time.Date picks one side of a DST gap or fold
// arbitrarily, and a local midnight may not exist. Instead we list the
// stretches of constant UTC offset of the zone ("segments"); inside one,
// wall time = instant + offset exactly. A wall-clock range of a civil date
// then maps to one piece per segment whose wall times meet it: none in a
// gap, two in a repeated hour. Internally instants are Unix seconds.

// hoursFar stands for "unbounded" in Unix seconds while keeping additions of
// offsets and durations far from overflow.
const hoursFar int64 = 1 << 60

const hoursSecondsPerDay = 24 * 60 * 60

// hoursSpan is a half-open span of Unix seconds.
type hoursSpan struct{ start, end int64 }

// hoursSegment is a span of instants during which the zone's UTC offset is
// constant.
type hoursSegment struct {
	start, end int64 // Unix seconds, ±hoursFar when unbounded
	offset     int64 // seconds east of UTC
}

// hoursDay is one civil date of a plan.
type hoursDay struct {
	// wall is the Unix time of the date's 00:00 read as if it were UTC: the
	// origin of the date's wall clock, whether or not 00:00 happens there.
	wall  int64
	hours []HoursRange
}

// hoursPlan is an availability laid out over a run of consecutive civil
// dates: the zone's offset segments and the open hours as instants.
type hoursPlan struct {
	first Date
	days  []hoursDay
	segs  []hoursSegment
	spans []hoursSpan // open hours, sorted and merged
}

func newHoursPlan(a Availability, first, last Date) hoursPlan {
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	p := hoursPlan{first: first}
	n := last.days() - first.days() + 1
	if n <= 0 {
		return p
	}
	p.days = make([]hoursDay, n)
	firstWall := first.days() * hoursSecondsPerDay
	ranges := 0
	for i := range p.days {
		d := hoursDateFromDays(first.days() + int64(i))
		p.days[i] = hoursDay{wall: firstWall + int64(i)*hoursSecondsPerDay, hours: a.HoursOn(d)}
		ranges += len(p.days[i].hours)
	}
	// No zone is more than 26 hours from UTC, so these bounds cover every
	// instant whose wall clock reads one of the plan's dates.
	p.segs = hoursSegments(loc, firstWall-2*hoursSecondsPerDay, firstWall+(n+2)*hoursSecondsPerDay)
	p.spans = make([]hoursSpan, 0, ranges+4)
	p.eachPiece(func(_ int, _ HoursRange, off, lo, hi int64) {
		p.spans = append(p.spans, hoursSpan{lo - off, hi - off})
	})
	p.spans = hoursMergeSpans(p.spans)
	return p
}

// hoursSegments lists the zone's constant-offset segments that cover
// [from, to), merging neighbours with the same offset.
func hoursSegments(loc *time.Location, from, to int64) []hoursSegment {
	segs := make([]hoursSegment, 0, 4)
	for at := from; ; {
		t := time.Unix(at, 0).In(loc)
		_, off := t.Zone()
		zs, ze := t.ZoneBounds()
		seg := hoursSegment{start: -hoursFar, end: hoursFar, offset: int64(off)}
		if !zs.IsZero() {
			seg.start = zs.Unix()
		}
		if !ze.IsZero() {
			seg.end = ze.Unix()
		}
		if n := len(segs); n > 0 && segs[n-1].offset == seg.offset {
			segs[n-1].end = seg.end
		} else {
			segs = append(segs, seg)
		}
		if seg.end >= to || seg.end <= at {
			return segs
		}
		at = seg.end
	}
}

// eachPiece calls fn for every (day, range, segment) whose wall times meet,
// with the piece's wall-clock bounds [lo, hi) in "wall Unix seconds" and the
// segment's offset: the instants of the piece are [lo-off, hi-off).
func (p *hoursPlan) eachPiece(fn func(day int, r HoursRange, off, lo, hi int64)) {
	for i, d := range p.days {
		for _, r := range d.hours {
			rlo, rhi := d.wall+int64(r.Start)*60, d.wall+int64(r.End)*60
			for _, s := range p.segs {
				lo, hi := max(rlo, s.start+s.offset), min(rhi, s.end+s.offset)
				if lo < hi {
					fn(i, r, s.offset, lo, hi)
				}
			}
		}
	}
}

// hoursMergeSpans sorts (when needed) and merges overlapping or touching
// spans in place, so that a range ending at 24:00 joins one starting at
// 00:00 the next day, and the two sides of a DST change join up.
func hoursMergeSpans(in []hoursSpan) []hoursSpan {
	byStart := func(a, b hoursSpan) int { return cmp.Compare(a.start, b.start) }
	if !slices.IsSortedFunc(in, byStart) {
		slices.SortFunc(in, byStart)
	}
	out := in[:0]
	for _, s := range in {
		if s.end <= s.start {
			continue
		}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Windows returns the mentor's open hours as instants (in the mentor's
// zone) over [from, to), merged and clipped to the window. Hours keep their
// wall-clock meaning: a range loses the part that falls in a DST gap and
// covers both occurrences of a repeated hour.
func (a Availability) Windows(from, to time.Time) []Interval {
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	if !from.Before(to) {
		return []Interval{}
	}
	first := DateOf(from.In(loc)).AddDays(-2)
	last := DateOf(to.In(loc)).AddDays(2)
	plan := newHoursPlan(a, first, last)
	out := make([]Interval, 0, len(plan.spans))
	for _, s := range plan.spans {
		iv := Interval{time.Unix(s.start, 0).In(loc), time.Unix(s.end, 0).In(loc)}
		if iv.Start.Before(from) {
			iv.Start = from.In(loc)
		}
		if iv.End.After(to) {
			iv.End = to.In(loc)
		}
		if iv.Valid() {
			out = append(out, iv)
		}
	}
	return out
}
