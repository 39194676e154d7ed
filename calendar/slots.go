package calendar

import (
	"fmt"
	"time"
)

// Defaults and limits of a SlotQuery.
const (
	// DefaultSession is the session length when SlotQuery.Session is 0.
	DefaultSession = 30 * time.Minute
	// DefaultStep puts starts on the half hours when SlotQuery.Step is 0.
	DefaultStep = 30 * time.Minute
	// SlotGranularity is what session lengths and steps are multiples of.
	SlotGranularity = 15 * time.Minute
	// MinSession and MaxSession bound session lengths and steps.
	MinSession = 15 * time.Minute
	MaxSession = 240 * time.Minute
	// MaxBuffer bounds each of BufferBefore and BufferAfter.
	MaxBuffer = 24 * time.Hour
	// MaxMinNotice bounds MinNotice.
	MaxMinNotice = 366 * 24 * time.Hour
	// MaxHorizonDays bounds HorizonDays (ten years).
	MaxHorizonDays = 3660
	// MaxWindow bounds To - From, as the public API does, which bounds the
	// work of one call.
	MaxWindow = 366 * 24 * time.Hour
)

// SlotQuery is everything that decides which sessions a mentor offers.
//
// Semantics, all in the mentor's zone (Availability.Location):
//   - A slot is [start, start+Session). It is offered when it lies entirely
//     in open hours (neighbouring ranges, including 24:00 and the next day's
//     00:00, join up), when start's wall clock is a multiple of Step from
//     that local date's midnight, when [start-BufferBefore,
//     start+Session+BufferAfter) meets no Busy or Booked interval, when
//     start >= Now+MinNotice, when start's local date is at most today+
//     HorizonDays (Calendly's "N days into the future": through the end of
//     that local day; 0 means no horizon), and when fewer than MaxPerDay
//     Booked sessions start on start's local date (0 means no cap).
//   - A slot is listed when its start lies in [From, To).
//   - DST: wall times in a spring-forward gap do not exist and offer
//     nothing. Wall times of a repeated (fall-back) hour exist twice, as two
//     instants, and each may be offered (01:00, 01:30, 01:00, 01:30 in New
//     York). Where the wall-clock grid yields two starts less than Step
//     apart (a repeat that is not a multiple of Step, like Lord Howe's 30
//     minutes with a 45-minute step, or a step that does not divide 24 hours
//     at midnight), the later one is dropped, so that with Step >= Session
//     no two slots overlap. This thinning looks at open hours only, never at
//     busy time, so busy time cannot shift other slots.
//   - With Step < Session slots overlap by design: they are alternative
//     starts, as in Calendly.
type SlotQuery struct {
	Availability
	// Busy is time taken in the mentor's calendars.
	Busy []Interval
	// Booked are the mentor's existing sessions: busy, and counted for
	// MaxPerDay by the local date of their start.
	Booked []Interval
	// Session is the session length (0 = 30 min; 15-240 min, multiple of 15).
	Session time.Duration
	// Step is the spacing of slot starts on the wall clock (0 = 30 min;
	// 15-240 min, multiple of 15).
	Step time.Duration
	// BufferBefore and BufferAfter are free time kept before and after a
	// session, against any busy or booked time (0-24 h).
	BufferBefore time.Duration
	BufferAfter  time.Duration
	// MinNotice is how long before its start a session can be booked.
	MinNotice time.Duration
	// HorizonDays: starts up to the end of local date today+HorizonDays
	// (0 = no horizon).
	HorizonDays int
	// MaxPerDay caps sessions per local date of the mentor (0 = no cap).
	MaxPerDay int
	// Now is the instant "today" and the notice count from (required).
	Now time.Time
	// From and To select slots by start, [From, To).
	From, To time.Time
	// Visitor is the zone the slots are returned in (nil = UTC). It changes
	// how they print, never which instants they are.
	Visitor *time.Location
}

// Validate checks the query and its availability; errors are
// *AvailabilityError naming the field.
func (q SlotQuery) Validate() error {
	if err := q.Availability.Validate(); err != nil {
		return err
	}
	bad := func(field, format string, args ...any) error {
		return &AvailabilityError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"session", q.Session}, {"step", q.Step}} {
		if d.v != 0 && (d.v < MinSession || d.v > MaxSession || d.v%SlotGranularity != 0) {
			return bad(d.field, "%s is not a multiple of 15 minutes between 15 and 240 minutes", d.v)
		}
	}
	switch {
	case q.BufferBefore < 0 || q.BufferBefore > MaxBuffer:
		return bad("buffer_before", "%s is not between 0 and %s", q.BufferBefore, MaxBuffer)
	case q.BufferAfter < 0 || q.BufferAfter > MaxBuffer:
		return bad("buffer_after", "%s is not between 0 and %s", q.BufferAfter, MaxBuffer)
	case q.MinNotice < 0 || q.MinNotice > MaxMinNotice:
		return bad("min_notice", "%s is not between 0 and %s", q.MinNotice, MaxMinNotice)
	case q.HorizonDays < 0 || q.HorizonDays > MaxHorizonDays:
		return bad("horizon_days", "%d is not between 0 and %d", q.HorizonDays, MaxHorizonDays)
	case q.MaxPerDay < 0:
		return bad("max_per_day", "%d is negative", q.MaxPerDay)
	case q.Now.IsZero():
		return bad("now", "missing")
	case !q.From.Before(q.To):
		return bad("window", "from %s is not before to %s", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	case q.To.Sub(q.From) > MaxWindow:
		return bad("window", "longer than %d days", MaxWindow/(24*time.Hour))
	}
	return nil
}

// Slots lists the offered sessions whose start lies in [q.From, q.To),
// sorted by start, each [start, start+Session) in q.Visitor's zone. See
// SlotQuery for the rules. It never modifies the caller's slices.
func Slots(q SlotQuery) ([]Interval, error) {
	out, err := AppendSlots(nil, q)
	if out == nil && err == nil {
		out = []Interval{}
	}
	return out, err
}

// AppendSlots is Slots appending to dst, for a caller that reuses its
// slices (the slot endpoint: the answer is most of what a request
// allocates, and fewer allocations mean fewer collections in its tail).
func AppendSlots(dst []Interval, q SlotQuery) ([]Interval, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("slot query: %w", err)
	}
	if q.Session == 0 {
		q.Session = DefaultSession
	}
	if q.Step == 0 {
		q.Step = DefaultStep
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	if q.Visitor == nil {
		q.Visitor = time.UTC
	}
	return slotCompute(dst, q), nil
}

// SlotOffered reports whether Slots would list a slot starting exactly at
// start (whatever the window). It is what a booking checks, and costs a few
// days of work instead of the whole window.
func SlotOffered(q SlotQuery, start time.Time) (bool, error) {
	q.From, q.To = start, start.Add(time.Nanosecond)
	slots, err := Slots(q)
	if err != nil {
		return false, err
	}
	return len(slots) == 1 && slots[0].Start.Equal(start), nil
}
