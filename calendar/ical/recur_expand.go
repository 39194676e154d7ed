package ical

import (
	"slices"
	"time"
)

// expansionBudget is charged for every period a rule walks
// (recurrenceSteps) and every start it yields (occurrences); its error
// ends the expansion. Nothing else bounds it: a rule that never matches
// walks period by period to the end of the searched range, and a COUNT
// rule from its DTSTART.
type expansionBudget interface {
	charge(measure) error
}

// wallTime is a civil date-time in the zone of a series: a day number
// (civilDays) and seconds since midnight.
type wallTime struct{ day, sec int }

func wallOf(t time.Time) wallTime {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return wallTime{civilDays(y, int(m), d), h*3600 + mi*60 + s}
}

func (w wallTime) before(o wallTime) bool {
	return w.day < o.day || w.day == o.day && w.sec < o.sec
}

// in converts the wall time to an instant. Go resolves a time in a DST gap
// with the offset in force before the gap, which is what RFC 5545 §3.3.5
// asks for.
func (w wallTime) in(loc *time.Location) time.Time {
	y, m, d := civilDate(w.day)
	return time.Date(y, time.Month(m), d, 0, 0, w.sec, 0, loc)
}

// ruleExpander holds a rule with its DTSTART-derived defaults resolved.
type ruleExpander struct {
	r          recurRule // copy: defaults are filled in
	loc        *time.Location
	start      wallTime
	times      []int // seconds of day, for DAILY and coarser
	useOrdinal bool  // BYDAY ordinals count (MONTHLY, YEARLY without BYWEEKNO)
	inMonth    bool  // ordinals count within the month, else within the year

	// Room reused from one rule to the next: the defaults taken from
	// DTSTART, and the candidates of a period.
	defMonth, defMonthDay [1]int
	defDay                [1]ordinalWeekday
	cands                 []wallTime
}

func newRuleExpander(r *recurRule, dtstart time.Time) *ruleExpander {
	e := &ruleExpander{}
	e.init(r, dtstart)
	return e
}

// init prepares e for r from dtstart, reusing e's room.
func (e *ruleExpander) init(r *recurRule, dtstart time.Time) {
	*e = ruleExpander{r: *r, loc: dtstart.Location(), start: wallOf(dtstart), times: e.times[:0], cands: e.cands[:0]}
	rr := &e.r
	_, m, d := dtstart.Date()
	if len(rr.byWeekNo) == 0 && len(rr.byYearDay) == 0 && len(rr.byMonthDay) == 0 && len(rr.byDay) == 0 {
		switch rr.freq {
		case freqYearly:
			if len(rr.byMonth) == 0 {
				e.defMonth[0] = int(m)
				rr.byMonth = e.defMonth[:]
			}
			e.defMonthDay[0] = d
			rr.byMonthDay = e.defMonthDay[:]
		case freqMonthly:
			e.defMonthDay[0] = d
			rr.byMonthDay = e.defMonthDay[:]
		case freqWeekly:
			e.defDay[0] = ordinalWeekday{0, dtstart.Weekday()}
			rr.byDay = e.defDay[:]
		}
	}
	e.useOrdinal = rr.freq == freqMonthly || rr.freq == freqYearly && len(rr.byWeekNo) == 0
	e.inMonth = rr.freq == freqMonthly || len(rr.byMonth) > 0
	h, mi, s := dtstart.Clock()
	if rr.freq >= freqDaily {
		for _, hh := range orDefault(rr.byHour, h) {
			for _, mm := range orDefault(rr.byMinute, mi) {
				for _, ss := range orDefault(rr.bySecond, s) {
					e.times = append(e.times, hh*3600+mm*60+ss)
				}
			}
		}
	}
}

func orDefault(list []int, def int) []int {
	if len(list) > 0 {
		return list
	}
	return []int{def} // does not escape: no allocation
}

// unitsPerDay is how many FREQ units a day holds, for sub-daily rules.
func (e *ruleExpander) unitsPerDay() int {
	switch e.r.freq {
	case freqHourly:
		return 24
	case freqMinutely:
		return 1440
	case freqSecondly:
		return 86400
	}
	return 1
}

// unitOf numbers the FREQ period containing w (years, months, weeks,
// days, hours, minutes or seconds since an epoch).
func (e *ruleExpander) unitOf(w wallTime) int {
	switch e.r.freq {
	case freqYearly:
		y, _, _ := civilDate(w.day)
		return y
	case freqMonthly:
		y, m, _ := civilDate(w.day)
		return y*12 + m - 1
	case freqWeekly:
		return floorDiv(weekStart(w.day, e.r.wkst)-weekStart(0, e.r.wkst), 7)
	case freqDaily:
		return w.day
	}
	per := e.unitsPerDay()
	return w.day*per + w.sec/(86400/per)
}

// periodDays returns the days [first, end) of the period numbered u, for
// DAILY and coarser rules.
func (e *ruleExpander) periodDays(u int) (first, end int) {
	switch e.r.freq {
	case freqYearly:
		return civilDays(u, 1, 1), civilDays(u+1, 1, 1)
	case freqMonthly:
		y, m := floorDiv(u, 12), floorMod(u, 12)+1
		first = civilDays(y, m, 1)
		return first, first + daysInMonth(y, m)
	case freqWeekly:
		first = weekStart(0, e.r.wkst) + 7*u
		return first, first + 7
	}
	return u, u + 1
}

func (e *ruleExpander) dayMatches(day int) bool {
	r := &e.r
	y, m, d := civilDate(day)
	if len(r.byMonth) > 0 && !slices.Contains(r.byMonth, m) {
		return false
	}
	if len(r.byWeekNo) > 0 && r.freq == freqYearly {
		n, weeks := weekNumber(day, r.wkst)
		if !slices.Contains(r.byWeekNo, n) && !slices.Contains(r.byWeekNo, n-weeks-1) {
			return false
		}
	}
	if len(r.byYearDay) > 0 {
		doy, n := day-civilDays(y, 1, 1)+1, daysInYear(y)
		if !slices.Contains(r.byYearDay, doy) && !slices.Contains(r.byYearDay, doy-n-1) {
			return false
		}
	}
	if len(r.byMonthDay) > 0 {
		n := daysInMonth(y, m)
		if !slices.Contains(r.byMonthDay, d) && !slices.Contains(r.byMonthDay, d-n-1) {
			return false
		}
	}
	return len(r.byDay) == 0 || e.weekdayMatches(day, y, m, d)
}

func (e *ruleExpander) weekdayMatches(day, y, m, d int) bool {
	wd := civilWeekday(day)
	for _, bd := range e.r.byDay {
		if bd.wd != wd {
			continue
		}
		if bd.n == 0 || !e.useOrdinal {
			return true
		}
		pos, n := d, daysInMonth(y, m)
		if !e.inMonth {
			pos, n = day-civilDays(y, 1, 1)+1, daysInYear(y)
		}
		if bd.n == (pos-1)/7+1 || bd.n == -((n-pos)/7+1) {
			return true
		}
	}
	return false
}
