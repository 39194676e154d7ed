package ical

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// We expand RRULEs ourselves instead of through teambition/rrule-go (which
// go-ical wraps): its iterator loops until year 9999, or forever, on rules
// that never match (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 ran for more than ten
// minutes; FREQ=HOURLY;INTERVAL=24;BYHOUR=3 from 09:00 never returns), and
// it cannot start iterating near the window. A calendar feed is untrusted
// input, so expansion must be bounded by the window whatever the rule says.

type recurFreq int

const (
	freqSecondly recurFreq = iota
	freqMinutely
	freqHourly
	freqDaily
	freqWeekly
	freqMonthly
	freqYearly
)

var recurFreqNames = map[string]recurFreq{
	"SECONDLY": freqSecondly, "MINUTELY": freqMinutely, "HOURLY": freqHourly,
	"DAILY": freqDaily, "WEEKLY": freqWeekly, "MONTHLY": freqMonthly, "YEARLY": freqYearly,
}

var recurWeekdays = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// ordinalWeekday is one BYDAY entry: a weekday, with an ordinal (2MO, -1FR)
// or 0 for every such weekday.
type ordinalWeekday struct {
	n  int
	wd time.Weekday
}

// recurRule is a parsed RRULE (RFC 5545 §3.3.10).
type recurRule struct {
	freq     recurFreq
	interval int
	count    int // 0: unbounded
	// until bounds the last start. untilDate means UNTIL was a DATE: the
	// whole day counts, compared on the wall-clock date.
	until     time.Time
	hasUntil  bool
	untilDate bool
	wkst      time.Weekday

	bySecond, byMinute, byHour               []int
	byDay                                    []ordinalWeekday
	byMonthDay, byYearDay, byWeekNo, byMonth []int
	bySetPos                                 []int
}

// parseRecurRule parses an RRULE value. A floating UNTIL (not allowed by
// RFC 5545 but written by some clients) is read in startLoc, the zone of
// DTSTART.
func parseRecurRule(value string, startLoc *time.Location) (*recurRule, error) {
	r := &recurRule{}
	if err := parseRecurRuleInto(r, value, startLoc); err != nil {
		return nil, err
	}
	return r, nil
}

// parseRecurRuleInto is parseRecurRule into r, which it overwrites.
func parseRecurRuleInto(r *recurRule, value string, startLoc *time.Location) error {
	*r = recurRule{interval: 1, wkst: time.Monday}
	freqSet := false
	for part := range strings.SplitSeq(strings.TrimSpace(value), ";") {
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("rrule: malformed part %q", part)
		}
		key, val = strings.ToUpper(strings.TrimSpace(key)), strings.ToUpper(strings.TrimSpace(val))
		var err error
		switch key {
		case "FREQ":
			r.freq, freqSet = recurFreqNames[val]
			if !freqSet {
				err = fmt.Errorf("unknown FREQ %q", val)
			}
		case "INTERVAL":
			r.interval, err = strconv.Atoi(val)
			if err == nil && (r.interval < 1 || r.interval > 1_000_000) {
				err = errors.New("INTERVAL out of range")
			}
		case "COUNT":
			r.count, err = strconv.Atoi(val)
			if err == nil && r.count < 1 {
				err = errors.New("COUNT must be positive")
			}
		case "UNTIL":
			err = r.parseUntil(val, startLoc)
		case "WKST":
			var ok bool
			if r.wkst, ok = recurWeekdays[val]; !ok {
				err = fmt.Errorf("unknown WKST %q", val)
			}
		case "BYSECOND":
			r.bySecond, err = parseIntList(val, 0, 60, false)
		case "BYMINUTE":
			r.byMinute, err = parseIntList(val, 0, 59, false)
		case "BYHOUR":
			r.byHour, err = parseIntList(val, 0, 23, false)
		case "BYDAY":
			r.byDay, err = parseByDay(val)
		case "BYMONTHDAY":
			r.byMonthDay, err = parseIntList(val, 1, 31, true)
		case "BYYEARDAY":
			r.byYearDay, err = parseIntList(val, 1, 366, true)
		case "BYWEEKNO":
			r.byWeekNo, err = parseIntList(val, 1, 53, true)
		case "BYMONTH":
			r.byMonth, err = parseIntList(val, 1, 12, false)
		case "BYSETPOS":
			r.bySetPos, err = parseIntList(val, 1, 366, true)
		case "RSCALE":
			if val != "GREGORIAN" {
				err = fmt.Errorf("unsupported RSCALE %q", val)
			}
		default:
			// X- names and RFC 7529's SKIP: ignoring them keeps the series.
		}
		if err != nil {
			return fmt.Errorf("rrule %s: %w", key, err)
		}
	}
	if !freqSet {
		return errors.New("rrule: FREQ is required")
	}
	// BYSECOND=60 names a leap second, which civil time does not have.
	r.bySecond = slices.DeleteFunc(r.bySecond, func(s int) bool { return s == 60 })
	return nil
}

func (r *recurRule) parseUntil(val string, startLoc *time.Location) error {
	v, err := parseDateTimeText(val)
	if err != nil {
		return err
	}
	r.hasUntil = true
	switch {
	case v.dateOnly:
		r.untilDate = true
		r.until = time.Date(v.year, time.Month(v.month), v.day, 0, 0, 0, 0, startLoc)
	case v.utc:
		r.until = v.in(time.UTC)
	default:
		r.until = v.in(startLoc)
	}
	return nil
}

// parseIntList parses a comma-separated list of integers in [lo, hi], or
// also in [-hi, -lo] when negative values are allowed, sorted and unique.
func parseIntList(val string, lo, hi int, allowNegative bool) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(val, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		abs := n
		if n < 0 && allowNegative {
			abs = -n
		}
		if abs < lo || abs > hi {
			return nil, fmt.Errorf("%d out of range", n)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseByDay(val string) ([]ordinalWeekday, error) {
	var out []ordinalWeekday
	for f := range strings.SplitSeq(val, ",") {
		f = strings.TrimSpace(f)
		if len(f) < 2 {
			return nil, fmt.Errorf("malformed BYDAY %q", f)
		}
		wd, ok := recurWeekdays[f[len(f)-2:]]
		if !ok {
			return nil, fmt.Errorf("malformed BYDAY %q", f)
		}
		n := 0
		if prefix := f[:len(f)-2]; prefix != "" {
			var err error
			if n, err = strconv.Atoi(prefix); err != nil || n == 0 || n < -53 || n > 53 {
				return nil, fmt.Errorf("malformed BYDAY %q", f)
			}
		}
		if !slices.Contains(out, ordinalWeekday{n, wd}) {
			out = append(out, ordinalWeekday{n, wd})
		}
	}
	return out, nil
}
