package calendar

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// slotCandidate is a wall-clock grid start that lies in open hours.
type slotCandidate struct {
	start   int64 // Unix seconds
	day     int32 // index of its local date in the plan
	blocked int32 // scratch for slotDropBusy
}

// slotCompute does the work of Slots on a validated query with defaults
// filled in. Everything runs on Unix seconds: slot starts are whole seconds
// (whole minutes of the wall clock), and flooring busy starts / ceiling busy
// ends to whole seconds does not change which of them a slot meets.
func slotCompute(dst []Interval, q SlotQuery) []Interval {
	loc := q.Location
	session, step := int64(q.Session/time.Second), int64(q.Step/time.Second)
	lo := max(slotCeilUnix(q.From), slotCeilUnix(q.Now.Add(q.MinNotice)))
	hi := slotCeilUnix(q.To)
	if lo >= hi {
		return dst
	}
	// Two days of margin on each side: a repeated hour can put a local date
	// on either side of its neighbour's instants, and the grid thinning
	// must have settled before the window starts.
	first := DateOf(time.Unix(lo, 0).In(loc)).AddDays(-2)
	last := DateOf(time.Unix(hi, 0).In(loc)).AddDays(2)
	lastOffered := last
	if q.HorizonDays > 0 {
		horizon := DateOf(q.Now.In(loc)).AddDays(q.HorizonDays)
		if horizon.Compare(lastOffered) < 0 {
			lastOffered = horizon
		}
		if horizon.AddDays(2).Compare(last) < 0 {
			last = horizon.AddDays(2)
		}
	}
	if lastOffered.Compare(first) < 0 {
		return dst
	}
	plan := newHoursPlan(q.Availability, first, last)
	scratch := candidatePool.Get().(*[]slotCandidate)
	defer func() {
		// Keep ordinary windows' scratch only: a year-long one would pin
		// its slice.
		if cap(*scratch) <= 8192 {
			candidatePool.Put(scratch)
		}
	}()
	*scratch = slotCandidates((*scratch)[:0], &plan, step)
	cands := slotFitHours(*scratch, plan.spans, session, step)
	var perDay []int
	if q.MaxPerDay > 0 {
		perDay = slotCountPerDay(q.Booked, loc, first, len(plan.days))
	}
	maxDay := lastOffered.days() - first.days()
	kept := cands[:0]
	for _, c := range cands {
		if c.start >= lo && c.start < hi && int64(c.day) <= maxDay &&
			(perDay == nil || perDay[c.day] < q.MaxPerDay) {
			c.blocked = 0
			kept = append(kept, c)
		}
	}
	kept = slotDropBusy(kept, q, session)
	out := slices.Grow(dst, len(kept))
	for _, c := range kept {
		out = append(out, Interval{time.Unix(c.start, 0).In(q.Visitor), time.Unix(c.start+session, 0).In(q.Visitor)})
	}
	return out
}

// candidatePool holds slotCandidates' scratch between computations.
var candidatePool = sync.Pool{New: func() any { return new([]slotCandidate) }}

// slotCandidates walks each date's wall clock in steps from its midnight
// over every piece of open hours and converts the grid times to instants,
// sorted. A wall time in a gap belongs to no piece; one in a repeated hour
// belongs to two.
func slotCandidates(out []slotCandidate, p *hoursPlan, step int64) []slotCandidate {
	n := 8
	for _, d := range p.days {
		for _, r := range d.hours {
			n += int(int64(r.End-r.Start)*60/step) + 2
		}
	}
	out = slices.Grow(out[:0], n)
	p.eachPiece(func(day int, _ HoursRange, off, lo, hi int64) {
		wall := p.days[day].wall
		for g := wall + (lo-wall+step-1)/step*step; g < hi; g += step {
			out = append(out, slotCandidate{start: g - off, day: int32(day)})
		}
	})
	byStart := func(a, b slotCandidate) int { return cmp.Compare(a.start, b.start) }
	if !slices.IsSortedFunc(out, byStart) {
		slices.SortFunc(out, byStart)
	}
	return out
}

// slotFitHours keeps, in place, the sorted candidates whose whole session
// lies in open hours and that start at least step after the previous kept
// one (see SlotQuery on repeated hours).
func slotFitHours(cands []slotCandidate, spans []hoursSpan, session, step int64) []slotCandidate {
	out, w, last := cands[:0], 0, -hoursFar
	for _, c := range cands {
		for w < len(spans) && spans[w].end <= c.start {
			w++
		}
		if w == len(spans) {
			break
		}
		if spans[w].start > c.start || c.start+session > spans[w].end || c.start < last+step {
			continue
		}
		last = c.start
		out = append(out, c)
	}
	return out
}

// slotDropBusy removes, in place, the sorted candidates whose session,
// widened by the buffers, meets a busy or booked interval. All sessions
// have the same length, so the candidates one interval blocks are a
// contiguous run, found by binary search and recorded in a difference
// array: O((busy + candidates) log candidates), no sorting or copying of
// the caller's intervals, whatever order they come in.
func slotDropBusy(cands []slotCandidate, q SlotQuery, session int64) []slotCandidate {
	if len(cands) == 0 {
		return cands
	}
	lo, hi := cands[0].start, cands[len(cands)-1].start
	after, before := int64(q.BufferAfter), int64(q.BufferBefore)
	idx := newSlotIndex(cands)
	for _, list := range [2][]Interval{q.Busy, q.Booked} {
		for _, iv := range list {
			// Plain integer arithmetic on (seconds, nanoseconds): this loop
			// runs over every busy interval, time.Time.Add is too slow.
			ss, sn := iv.Start.Unix(), int64(iv.Start.Nanosecond())
			es, en := iv.End.Unix(), int64(iv.End.Nanosecond())
			if es < ss || es == ss && en <= sn {
				continue // empty or reversed
			}
			// Widened to whole seconds: floor the start, ceil the end. A
			// candidate c is blocked when c < busyEnd and c+session > busyStart.
			busyStart := ss + slotFloorDiv(sn-after, int64(time.Second))
			busyEnd := es - slotFloorDiv(-(en+before), int64(time.Second))
			if busyEnd <= lo || busyStart-session >= hi {
				continue
			}
			from, to := idx.search(cands, busyStart-session+1), idx.search(cands, busyEnd)
			if from < to {
				cands[from].blocked++
				if to < len(cands) {
					cands[to].blocked--
				}
			}
		}
	}
	out, depth := cands[:0], int32(0)
	for _, c := range cands {
		if depth += c.blocked; depth == 0 {
			out = append(out, c)
		}
	}
	return out
}

// slotIndex finds candidates by start in O(1): hour k of the run of
// candidates maps to the first candidate starting at or after it, and at
// most a few candidates start within one hour.
type slotIndex struct {
	base  int64
	first []int32
}

const slotIndexBucket = 3600

func newSlotIndex(cands []slotCandidate) slotIndex {
	base := cands[0].start
	n := (cands[len(cands)-1].start-base)/slotIndexBucket + 1
	idx := slotIndex{base: base, first: make([]int32, n)}
	j := 0
	for k := range idx.first {
		for cands[j].start < base+int64(k)*slotIndexBucket {
			j++
		}
		idx.first[k] = int32(j)
	}
	return idx
}

// search is the index of the first candidate starting at or after t.
func (x slotIndex) search(cands []slotCandidate, t int64) int {
	if t <= x.base {
		return 0
	}
	k := (t - x.base) / slotIndexBucket
	if k >= int64(len(x.first)) {
		return len(cands)
	}
	j := int(x.first[k])
	for j < len(cands) && cands[j].start < t {
		j++
	}
	return j
}

// slotCountPerDay counts booked sessions by the local date of their start,
// indexed from first.
func slotCountPerDay(booked []Interval, loc *time.Location, first Date, n int) []int {
	counts := make([]int, n)
	base := first.days()
	for _, b := range booked {
		if !b.Valid() {
			continue
		}
		if i := DateOf(b.Start.In(loc)).days() - base; i >= 0 && i < int64(n) {
			counts[i]++
		}
	}
	return counts
}

// slotFloorDiv is a/b rounded towards minus infinity, for b > 0.
func slotFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// slotCeilUnix is t in Unix seconds, rounded up.
func slotCeilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}
