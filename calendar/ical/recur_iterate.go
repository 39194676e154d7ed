package ical

import (
	"slices"
	"time"
)

// expandRecurRule returns the starts, in dtstart's location, of the
// occurrences the rule generates with from <= start < to, in increasing
// order. COUNT is counted from DTSTART, so a COUNT rule is walked from its
// first period; without COUNT the walk starts at the period just before
// from, so a daily series begun ten years ago costs what a new one does.
//
// DTSTART itself is not added here: the caller treats it as the first
// instance even when it does not match the rule. Every period walked and
// every start returned is charged to b, whose error stops the expansion.
func expandRecurRule(r *recurRule, dtstart, from, to time.Time, b expansionBudget, out []time.Time) ([]time.Time, error) {
	return newRuleExpander(r, dtstart).expandRange(from, to, b, out)
}

// expandRange is expandRecurRule with an expander already initialised.
func (e *ruleExpander) expandRange(from, to time.Time, b expansionBudget, out []time.Time) ([]time.Time, error) {
	if !from.Before(to) {
		return out, nil
	}
	return e.expand(from, to, b, out)
}

func (e *ruleExpander) expand(from, to time.Time, b expansionBudget, out []time.Time) ([]time.Time, error) {
	r := &e.r
	fromW, toW := wallOf(from.In(e.loc)), wallOf(to.In(e.loc))
	// One day of margin on both sides covers any UTC offset change: exact
	// comparisons are made on instants near the edges.
	firstDay, stopDay := fromW.day-1, toW.day+1
	var untilW wallTime
	if r.hasUntil {
		untilW = wallOf(r.until.In(e.loc))
	}
	u0 := e.unitOf(e.start)
	k := 0
	if r.count == 0 {
		if target := e.unitOf(wallTime{firstDay, 0}); target > u0 {
			k = (target - u0) / r.interval
		}
	}
	var (
		cands   = e.cands
		emitted int
	)
	for {
		if err := b.charge(recurrenceSteps); err != nil {
			return nil, err
		}
		u := u0 + k*r.interval
		var periodStart, jump int
		cands, periodStart, jump = e.candidates(u, cands[:0])
		e.cands = cands
		if periodStart > stopDay {
			return out, nil
		}
		if len(r.bySetPos) > 0 {
			cands = selectSetPos(cands, r.bySetPos)
		}
		for _, c := range cands {
			if c.before(e.start) {
				continue
			}
			if r.hasUntil && e.afterUntil(c, untilW) {
				return out, nil
			}
			emitted++
			if r.count > 0 && emitted > r.count || c.day > stopDay {
				return out, nil
			}
			if c.day < firstDay {
				continue
			}
			if t := c.in(e.loc); !t.Before(from) && t.Before(to) {
				if err := b.charge(occurrences); err != nil {
					return nil, err
				}
				out = append(out, t)
			}
		}
		if jump > u {
			k = max(k+1, ceilDiv(jump-u0, r.interval))
		} else {
			k++
		}
	}
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

func (e *ruleExpander) afterUntil(c, untilW wallTime) bool {
	if e.r.untilDate {
		return c.day > untilW.day
	}
	switch {
	case c.day > untilW.day+1:
		return true
	case c.day < untilW.day-1:
		return false
	}
	return c.in(e.loc).After(e.r.until)
}

// candidates appends the wall times the period numbered u yields, before
// BYSETPOS, in increasing order. It returns the first day of the period
// and, for sub-daily rules whose day, hour or minute is filtered out, the
// unit at which matching can resume (0 otherwise), so that a
// FREQ=SECONDLY;BYHOUR=9 rule does not visit every second of the night.
func (e *ruleExpander) candidates(u int, buf []wallTime) (out []wallTime, firstDay, jump int) {
	r := &e.r
	if r.freq >= freqDaily {
		first, end := e.periodDays(u)
		if r.freq == freqYearly && len(r.byMonth) > 0 {
			// Only the listed months can match: a VTIMEZONE's yearly rules
			// then cost 31 checks a year instead of 365.
			for _, m := range r.byMonth {
				from := civilDays(u, m, 1)
				buf = e.appendMatchingDays(buf, from, from+daysInMonth(u, m))
			}
			return buf, first, 0
		}
		return e.appendMatchingDays(buf, first, end), first, 0
	}
	per := e.unitsPerDay()
	secsPerUnit := 86400 / per
	day, sec := floorDiv(u, per), floorMod(u, per)*secsPerUnit
	hour, minute, second := sec/3600, sec%3600/60, sec%60
	unitAt := func(s int) int { return day*per + s/secsPerUnit }
	switch {
	case !e.dayMatches(day):
		return buf, day, (day + 1) * per
	case len(r.byHour) > 0 && !slices.Contains(r.byHour, hour):
		return buf, day, unitAt((hour + 1) * 3600)
	case r.freq <= freqMinutely && len(r.byMinute) > 0 && !slices.Contains(r.byMinute, minute):
		return buf, day, unitAt(hour*3600 + (minute+1)*60)
	case r.freq == freqSecondly && len(r.bySecond) > 0 && !slices.Contains(r.bySecond, second):
		return buf, day, 0
	}
	_, m0, s0 := e.start.sec/3600, e.start.sec%3600/60, e.start.sec%60
	switch r.freq {
	case freqHourly:
		for _, mm := range orDefault(r.byMinute, m0) {
			for _, ss := range orDefault(r.bySecond, s0) {
				buf = append(buf, wallTime{day, hour*3600 + mm*60 + ss})
			}
		}
	case freqMinutely:
		for _, ss := range orDefault(r.bySecond, s0) {
			buf = append(buf, wallTime{day, hour*3600 + minute*60 + ss})
		}
	default:
		buf = append(buf, wallTime{day, sec})
	}
	return buf, day, 0
}

func (e *ruleExpander) appendMatchingDays(buf []wallTime, first, end int) []wallTime {
	for day := first; day < end; day++ {
		if e.dayMatches(day) {
			for _, s := range e.times {
				buf = append(buf, wallTime{day, s})
			}
		}
	}
	return buf
}

// selectSetPos keeps the BYSETPOS-th candidates of one period (1-based,
// negative from the end), in increasing order.
func selectSetPos(cands []wallTime, positions []int) []wallTime {
	n := len(cands)
	var idx []int
	for _, p := range positions {
		i := p - 1
		if p < 0 {
			i = n + p
		}
		if i >= 0 && i < n {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	out := make([]wallTime, 0, len(idx))
	for _, i := range idx {
		out = append(out, cands[i])
	}
	return out
}
