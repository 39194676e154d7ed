package calendar

import "time"

// Refusal is why a start is not offered, so that a person can be told
// what to do: pick a later time, a time on the grid, a nearer date, or
// another free time.
type Refusal string

const (
	// Offered: nothing to refuse.
	Offered Refusal = ""
	// RefusedPast: the start has passed.
	RefusedPast Refusal = "past"
	// RefusedTooSoon: the start is within the mentor's notice.
	RefusedTooSoon Refusal = "too_soon"
	// RefusedBeyondHorizon: the start is past the last bookable day.
	RefusedBeyondHorizon Refusal = "beyond_horizon"
	// RefusedOffGrid: the start is not on the wall-clock grid of starts
	// (the half hours, by default).
	RefusedOffGrid Refusal = "off_grid"
	// RefusedOutsideHours: the session does not lie in the mentor's hours.
	RefusedOutsideHours Refusal = "outside_hours"
	// RefusedTaken: within the hours, but busy, booked, inside a buffer or
	// over the day's cap.
	RefusedTaken Refusal = "taken"
)

// WhyNotOffered says why Slots would not list a slot starting at start,
// checking the causes a person can act on first; Offered when it would.
func WhyNotOffered(q SlotQuery, start time.Time) (Refusal, error) {
	ok, err := SlotOffered(q, start)
	if err != nil || ok {
		return Offered, err
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	step := q.Step
	if step == 0 {
		step = DefaultStep
	}
	switch {
	case !start.After(q.Now):
		return RefusedPast, nil
	case start.Before(q.Now.Add(q.MinNotice)):
		return RefusedTooSoon, nil
	case q.HorizonDays > 0 && !start.In(loc).Before(lastBookableDayEnd(q.Now, loc, q.HorizonDays)):
		return RefusedBeyondHorizon, nil
	case offGrid(start.In(loc), step):
		return RefusedOffGrid, nil
	}
	free := q
	free.Busy, free.Booked, free.MaxPerDay = nil, nil, 0
	free.BufferBefore, free.BufferAfter = 0, 0
	if ok, err := SlotOffered(free, start); err != nil {
		return Offered, err
	} else if !ok {
		return RefusedOutsideHours, nil
	}
	return RefusedTaken, nil
}

// lastBookableDayEnd is the end of local date today+days: the horizon.
func lastBookableDayEnd(now time.Time, loc *time.Location, days int) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d+days+1, 0, 0, 0, 0, loc)
}

// offGrid: the wall clock is not a multiple of step from local midnight.
func offGrid(local time.Time, step time.Duration) bool {
	sinceMidnight := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute +
		time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond())
	return sinceMidnight%step != 0
}
