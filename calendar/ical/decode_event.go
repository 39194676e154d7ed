package ical

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// calEvent is one VEVENT reduced to what busy time needs.
type calEvent struct {
	uid string
	// start is in the event's zone: its TZID, UTC, or the mentor's zone for
	// floating times and dates, so that rules expand in wall-clock time.
	start    time.Time
	length   nominalDuration
	blocking bool
	sequence int

	isOverride    bool
	recurrenceID  time.Time
	thisAndFuture bool

	rules   []*recurRule
	rdates  []recurDate
	exdates []exceptionDate
}

// recurDate is one RDATE; a PERIOD value carries its own end.
type recurDate struct {
	start, end time.Time
	hasEnd     bool
}

// exceptionDate is one EXDATE. A DATE value in a timed series removes
// every occurrence on that day.
type exceptionDate struct {
	at       time.Time
	dateOnly bool
}

var errNoStart = errors.New("event has no DTSTART")

// eventReader reads VEVENTs of one VCALENDAR.
type eventReader struct {
	zones *zoneResolver
	loc   *time.Location // the mentor's zone: floating times and dates
}

func (rd eventReader) read(c *icsComponent) (*calEvent, error) {
	ev := &calEvent{uid: propText(c, ical.PropUID), blocking: isBlocking(c)}
	if seq := propText(c, ical.PropSequence); seq != "" {
		ev.sequence, _ = strconv.Atoi(seq)
	}
	startProp := c.get(ical.PropDateTimeStart)
	if startProp == nil {
		return nil, errNoStart
	}
	start, allDay, err := rd.dateTime(startProp, startProp.value)
	if err != nil {
		return nil, fmt.Errorf("DTSTART: %w", err)
	}
	ev.start = start
	if ev.length, err = rd.length(c, start, allDay); err != nil {
		return nil, err
	}
	if p := c.get(ical.PropRecurrenceID); p != nil {
		if ev.recurrenceID, _, err = rd.dateTime(p, p.value); err != nil {
			return nil, fmt.Errorf("RECURRENCE-ID: %w", err)
		}
		ev.isOverride = true
		ev.thisAndFuture = strings.EqualFold(p.rangeParam, "THISANDFUTURE")
	}
	for p := range c.all(ical.PropRecurrenceRule) {
		rule, err := parseRecurRule(p.value, start.Location())
		if err != nil {
			return nil, err
		}
		ev.rules = append(ev.rules, rule)
	}
	if err := rd.readRecurDates(c, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// length computes the event's duration. With DTEND, dates give calendar
// days and date-times the exact elapsed time (RFC 5545 §3.8.5.3); DURATION
// is kept nominal. Without either, a date lasts one day and a date-time
// is an instant, which blocks nothing.
func (rd eventReader) length(c *icsComponent, start time.Time, allDay bool) (nominalDuration, error) {
	if p := c.get(ical.PropDateTimeEnd); p != nil {
		end, endIsDate, err := rd.dateTime(p, p.value)
		if err != nil {
			return nominalDuration{}, fmt.Errorf("DTEND: %w", err)
		}
		if end.Before(start) {
			return nominalDuration{}, errors.New("DTEND is before DTSTART")
		}
		if allDay && endIsDate {
			return nominalDuration{days: dayNumber(end) - dayNumber(start)}, nil
		}
		return nominalDuration{exact: end.Sub(start)}, nil
	}
	if p := c.get(ical.PropDuration); p != nil {
		d, err := parseDuration(p.value)
		if err != nil {
			return d, fmt.Errorf("DURATION: %w", err)
		}
		if d.negative() {
			return d, errors.New("DURATION is negative")
		}
		return d, nil
	}
	if allDay {
		return nominalDuration{days: 1}, nil
	}
	return nominalDuration{}, nil
}

func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return civilDays(y, int(m), d)
}

// dateTime reads one DATE or DATE-TIME value of prop (value may be one
// element of a comma-separated list). It reports whether it was a DATE.
func (rd eventReader) dateTime(prop *icsProp, value string) (time.Time, bool, error) {
	v, err := parseDateTimeText(value)
	if err != nil {
		return time.Time{}, false, err
	}
	if v.dateOnly || strings.EqualFold(prop.valueType, "DATE") {
		if !v.dateOnly {
			return time.Time{}, false, fmt.Errorf("VALUE=DATE with a time: %q", value)
		}
		return v.in(rd.loc), true, nil
	}
	if v.utc {
		return v.in(time.UTC), false, nil
	}
	if tzid := prop.tzid; normalizeTZID(tzid) != "" {
		loc, err := rd.zones.resolve(tzid)
		if err != nil {
			return time.Time{}, false, err
		}
		return v.in(loc), false, nil
	}
	return v.in(rd.loc), false, nil
}

// readRecurDates reads RDATE and EXDATE, splitting comma-separated values
// (which go-ical's Prop.DateTime rejects).
func (rd eventReader) readRecurDates(c *icsComponent, ev *calEvent) error {
	for p := range c.all(ical.PropRecurrenceDates) {
		for v := range strings.SplitSeq(p.value, ",") {
			startText, endText, isPeriod := strings.Cut(strings.TrimSpace(v), "/")
			start, _, err := rd.dateTime(p, startText)
			if err != nil {
				return fmt.Errorf("RDATE: %w", err)
			}
			rdate := recurDate{start: start}
			if isPeriod {
				if rdate.end, err = rd.periodEnd(p, start, endText); err != nil {
					return fmt.Errorf("RDATE period: %w", err)
				}
				rdate.hasEnd = true
			}
			ev.rdates = append(ev.rdates, rdate)
		}
	}
	for p := range c.all(ical.PropExceptionDates) {
		for v := range strings.SplitSeq(p.value, ",") {
			at, dateOnly, err := rd.dateTime(p, strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("EXDATE: %w", err)
			}
			ev.exdates = append(ev.exdates, exceptionDate{at, dateOnly})
		}
	}
	return nil
}

// periodEnd reads the second half of a PERIOD: an end date-time or a
// duration.
func (rd eventReader) periodEnd(p *icsProp, start time.Time, text string) (time.Time, error) {
	if strings.HasPrefix(strings.TrimLeft(text, "+-"), "P") {
		d, err := parseDuration(text)
		if err != nil || d.negative() {
			return time.Time{}, fmt.Errorf("bad duration %q", text)
		}
		return d.addTo(start), nil
	}
	end, _, err := rd.dateTime(p, text)
	if err == nil && end.Before(start) {
		err = errors.New("period ends before it starts")
	}
	return end, err
}

// isBlocking reports whether the event makes its time busy. Cancelled and
// transparent events do not; tentative ones do. Outlook's "Show as: Free"
// (X-MICROSOFT-CDO-BUSYSTATUS:FREE) counts as transparent even when TRANSP
// is missing, as Exchange itself treats it.
func isBlocking(c *icsComponent) bool {
	return !strings.EqualFold(propText(c, ical.PropStatus), "CANCELLED") &&
		!strings.EqualFold(propText(c, ical.PropTransparency), "TRANSPARENT") &&
		!strings.EqualFold(propText(c, "X-MICROSOFT-CDO-BUSYSTATUS"), "FREE")
}
