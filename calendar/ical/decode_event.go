package ical

import (
	"errors"
	"fmt"
	"slices"
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

	// rec is what makes the event repeat: nil without RRULE, RDATE and
	// EXDATE. It comes from eventProps' pool, reused series after series.
	rec *recurrenceSet
	ord int32 // position in the input, for the order of problems
}

// recurrenceSet is what makes an event repeat, or not at some instants.
type recurrenceSet struct {
	rules  []recurRule
	rdates []rdateLine
	// EXDATEs: date-times as Unix seconds, dates (which remove every
	// occurrence on that day) as civil day numbers; both sorted.
	exSecs []int64
	exDays []int
}

// maxRules bounds the RRULEs of one event: RFC 5545 says there SHOULD be
// one.
const maxRules = 10

var errNoStart = errors.New("event has no DTSTART")

// eventReader reads VEVENTs of one VCALENDAR.
type eventReader struct {
	text  string
	zones *zoneResolver
	loc   *time.Location  // the mentor's zone: floating times and dates
	self  map[string]bool // the owner's addresses, see selfSet
}

// The properties of which an event's first occurrence is read.
const (
	slotUID = iota
	slotStart
	slotEnd
	slotDuration
	slotRecurrenceID
	slotSequence
	slotStatus
	slotTransp
	slotBusyStatus
	slots
)

func slotOf(name string) int {
	switch name {
	case ical.PropUID:
		return slotUID
	case ical.PropDateTimeStart:
		return slotStart
	case ical.PropDateTimeEnd:
		return slotEnd
	case ical.PropDuration:
		return slotDuration
	case ical.PropRecurrenceID:
		return slotRecurrenceID
	case ical.PropSequence:
		return slotSequence
	case ical.PropStatus:
		return slotStatus
	case ical.PropTransparency:
		return slotTransp
	case "X-MICROSOFT-CDO-BUSYSTATUS":
		return slotBusyStatus
	}
	return -1
}

// eventProps are the properties of one event that busy time reads. One
// is reused for every event of a decoding.
type eventProps struct {
	first [slots]icsProp
	has   [slots]bool
	rules []icsProp
	// RDATE and EXDATE are read as they come (an event may list
	// thousands), so only the first error is kept for later.
	rec    *recurrenceSet // the event's, once it needs one
	recErr error
	// pool holds the recurrence sets of the events read since reuse;
	// pooled of them are in use.
	pool   []*recurrenceSet
	pooled int
	// How the owner answered, when they are among the attendees.
	selfDeclined, selfAccepted bool
}

// recurrence is the event's recurrence set, taken from the pool.
func (ep *eventProps) recurrence() *recurrenceSet {
	if ep.rec != nil {
		return ep.rec
	}
	if ep.pooled == len(ep.pool) {
		ep.pool = append(ep.pool, &recurrenceSet{})
	}
	rec := ep.pool[ep.pooled]
	ep.pooled++
	*rec = recurrenceSet{rules: rec.rules[:0], rdates: rec.rdates[:0], exSecs: rec.exSecs[:0], exDays: rec.exDays[:0]}
	ep.rec = rec
	return rec
}

// reuse makes the pool's recurrence sets free again: the events that
// held them are done with.
func (ep *eventProps) reuse() { ep.pooled = 0 }

// read reads the event at sp into ev, using ep as scratch.
func (rd eventReader) read(sp eventSpan, ep *eventProps, ev *calEvent) error {
	*ep = eventProps{rules: ep.rules[:0], pool: ep.pool, pooled: ep.pooled}
	eachOwnLine(rd.text, sp, len(rd.self) > 0, func(name, line string) {
		p, ok := parseContentLine(line)
		if !ok {
			return
		}
		switch name {
		case ical.PropRecurrenceRule:
			if len(ep.rules) <= maxRules {
				ep.rules = append(ep.rules, p)
			}
		case ical.PropRecurrenceDates:
			if ep.recErr == nil {
				ep.recErr = rd.readRDate(&p, ep.recurrence())
			}
		case ical.PropExceptionDates:
			if ep.recErr == nil {
				ep.recErr = rd.readExDate(&p, ep.recurrence())
			}
		case ical.PropAttendee:
			if len(rd.self) > 0 && rd.self[addressKey(p.value)] {
				if strings.EqualFold(p.param("PARTSTAT"), "DECLINED") {
					ep.selfDeclined = true
				} else {
					ep.selfAccepted = true
				}
			}
		default:
			if i := slotOf(name); i >= 0 && !ep.has[i] {
				ep.first[i], ep.has[i] = p, true
			}
		}
	})
	return rd.build(ep, ev)
}

// isAttendeeLine reports a line starting "ATTENDEE;" or "ATTENDEE:".
func isAttendeeLine(first string) bool {
	const n = len("ATTENDEE")
	return len(first) > n && strings.EqualFold(first[:n], "ATTENDEE") && (first[n] == ';' || first[n] == ':')
}

// selfSet indexes the owner's addresses by addressKey.
func selfSet(addresses []string) map[string]bool {
	if len(addresses) == 0 {
		return nil
	}
	set := make(map[string]bool, len(addresses))
	for _, a := range addresses {
		if k := addressKey(a); k != "" {
			set[k] = true
		}
	}
	return set
}

// addressKey is a calendar user address compared as e-mail addresses are
// here: without its mailto: scheme, case-insensitively.
func addressKey(address string) string {
	address = strings.TrimSpace(address)
	if len(address) >= 7 && strings.EqualFold(address[:7], "mailto:") {
		address = address[7:]
	}
	return strings.ToLower(address)
}

// eachOwnLine calls fn for the lines of the event itself that busy time
// reads, skipping those of its sub-components (VALARM…); ATTENDEE lines
// too when attendees is set (they are most of an invitation's bytes, and
// only matter when the owner's addresses are known). It follows the
// scan's rules for unbalanced BEGIN and END lines.
func eachOwnLine(text string, sp eventSpan, attendees bool, fn func(name, line string)) {
	var open []string                     // sub-components, innermost last
	pos := nextLine(text, int(sp.lo)).end // the BEGIN:VEVENT line
	for pos < int(sp.hi) {
		l := nextLine(text, pos)
		pos = l.end
		name, line := l.name(text)
		if name == "" && attendees && isAttendeeLine(l.first) {
			name, line = ical.PropAttendee, l.unfolded(text)
		}
		switch name {
		case "":
		case "BEGIN":
			cn := componentName(line)
			if i := slices.Index(open, cn); i >= 0 {
				open = open[:i]
			}
			open = append(open, cn)
		case "END":
			cn := componentName(line)
			if i := slices.Index(open, cn); i >= 0 {
				open = open[:i]
			} else if cn == ical.CompEvent {
				return
			}
		default:
			if len(open) == 0 {
				fn(name, line)
			}
		}
	}
}

func (rd eventReader) build(ep *eventProps, ev *calEvent) error {
	text := func(i int) string {
		if ep.has[i] {
			return ep.first[i].text()
		}
		return ""
	}
	*ev = calEvent{uid: text(slotUID)}
	ev.blocking = !strings.EqualFold(text(slotStatus), "CANCELLED") &&
		!strings.EqualFold(text(slotTransp), "TRANSPARENT") &&
		// Outlook's "Show as: Free" counts as transparent even when TRANSP
		// is missing, as Exchange itself treats it.
		!strings.EqualFold(text(slotBusyStatus), "FREE") &&
		// An invitation the owner declined stays in their calendar.
		!(ep.selfDeclined && !ep.selfAccepted)
	if seq := text(slotSequence); seq != "" {
		ev.sequence, _ = strconv.Atoi(seq)
	}
	if !ep.has[slotStart] {
		return errNoStart
	}
	startProp := &ep.first[slotStart]
	start, allDay, err := rd.dateTime(startProp, startProp.value)
	if err != nil {
		return fmt.Errorf("DTSTART: %w", err)
	}
	ev.start = start
	if ev.length, err = rd.length(ep, start, allDay); err != nil {
		return err
	}
	if ep.has[slotRecurrenceID] {
		p := &ep.first[slotRecurrenceID]
		if ev.recurrenceID, _, err = rd.dateTime(p, p.value); err != nil {
			return fmt.Errorf("RECURRENCE-ID: %w", err)
		}
		ev.isOverride = true
		ev.thisAndFuture = strings.EqualFold(p.rangeParam(), "THISANDFUTURE")
	}
	if len(ep.rules) > maxRules {
		return fmt.Errorf("more than %d RRULEs", maxRules)
	}
	for i := range ep.rules {
		rec := ep.recurrence()
		rec.rules = append(rec.rules, recurRule{})
		if err := parseRecurRuleInto(&rec.rules[len(rec.rules)-1], ep.rules[i].value, start.Location()); err != nil {
			return err
		}
	}
	if ep.recErr != nil {
		return ep.recErr
	}
	if rec := ep.rec; rec != nil {
		slices.Sort(rec.exSecs)
		slices.Sort(rec.exDays)
		ev.rec = rec
	}
	return nil
}

// length computes the event's duration. With DTEND, dates give calendar
// days and date-times the exact elapsed time (RFC 5545 §3.8.5.3); DURATION
// is kept nominal. Without either, a date lasts one day and a date-time
// is an instant, which blocks nothing.
func (rd eventReader) length(ep *eventProps, start time.Time, allDay bool) (nominalDuration, error) {
	if ep.has[slotEnd] {
		p := &ep.first[slotEnd]
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
		// In seconds, not a time.Duration: an event may last longer than
		// the 292 years a Duration holds, and must still block its time.
		return nominalDuration{secs: end.Unix() - start.Unix()}, nil
	}
	if ep.has[slotDuration] {
		d, err := parseDuration(ep.first[slotDuration].value)
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
	if v.dateOnly || strings.EqualFold(prop.valueType(), "DATE") {
		if !v.dateOnly {
			return time.Time{}, false, fmt.Errorf("VALUE=DATE with a time: %q", clip(value, 40))
		}
		return v.in(rd.loc), true, nil
	}
	if v.utc {
		return v.in(time.UTC), false, nil
	}
	if tzid := prop.tzid(); normalizeTZID(tzid) != "" {
		loc, err := rd.zones.resolve(tzid)
		if err != nil {
			return time.Time{}, false, err
		}
		return v.in(loc), false, nil
	}
	return v.in(rd.loc), false, nil
}
