package calendar

import (
	"sort"
	"time"
)

// Interval is a half-open span of time [Start, End). Instants are compared
// as absolute times, so the zone of Start and End does not matter.
type Interval struct {
	Start time.Time
	End   time.Time
}

// Valid reports whether the interval is non-empty.
func (i Interval) Valid() bool { return i.End.After(i.Start) }

// Duration is End - Start.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// Overlaps reports whether the two half-open intervals share an instant.
func (i Interval) Overlaps(o Interval) bool {
	return i.Start.Before(o.End) && o.Start.Before(i.End)
}

// Contains reports whether o lies entirely inside i.
func (i Interval) Contains(o Interval) bool {
	return !o.Start.Before(i.Start) && !o.End.After(i.End)
}

// UTC returns the interval with both ends in UTC, the form we store.
func (i Interval) UTC() Interval { return Interval{i.Start.UTC(), i.End.UTC()} }

// SortIntervals orders intervals by start, then end.
func SortIntervals(in []Interval) {
	sort.Slice(in, func(a, b int) bool {
		if !in[a].Start.Equal(in[b].Start) {
			return in[a].Start.Before(in[b].Start)
		}
		return in[a].End.Before(in[b].End)
	})
}

// MergeIntervals sorts in place and merges overlapping or touching
// intervals, dropping empty ones. The result reuses in's storage.
func MergeIntervals(in []Interval) []Interval {
	SortIntervals(in)
	out := in[:0]
	for _, iv := range in {
		if !iv.Valid() {
			continue
		}
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}
