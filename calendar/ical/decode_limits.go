package ical

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Limits bound the work of decoding: a calendar is untrusted input, and a
// server may answer with anything up to the HTTP client's size cap. A zero
// field takes its default (DefaultObjectLimits for Options.Limits); use
// math.MaxInt for no limit.
type Limits struct {
	// Components counts BEGIN lines (VEVENT, VALARM, VTIMEZONE…).
	Components int
	// Properties counts the content lines inside components.
	Properties int
	// Occurrences counts the event instances expanded in the searched
	// window: DTSTARTs, RRULE instances and RDATEs, blocking or not.
	Occurrences int
	// RecurrenceSteps counts the periods recurrence rules walk through,
	// matching or not (a rule that never matches walks until the window
	// ends; a COUNT rule walks from its DTSTART). It bounds the CPU of
	// rules whose occurrences are few but costly to find.
	RecurrenceSteps int
}

// DefaultObjectLimits bound one decoded input: a CalDAV object (normally
// one event and its overrides) or a whole .ics feed. A large real feed (a
// decade of a busy calendar, ~50,000 events) fits; what does not is
// generated, not written by people.
func DefaultObjectLimits() Limits {
	return Limits{Components: 200_000, Properties: 2_000_000, Occurrences: 100_000, RecurrenceSteps: 2_000_000}
}

// DefaultCalendarLimits bound all the objects of one calendar decoded in
// one sync (through a Budget).
func DefaultCalendarLimits() Limits {
	return Limits{Components: 1_000_000, Properties: 10_000_000, Occurrences: 1_000_000, RecurrenceSteps: 10_000_000}
}

// maxNesting bounds how deep components nest. Real data nests three deep
// (VCALENDAR, VEVENT, VALARM); bounding it also keeps the search for the
// component an END closes constant per line.
const maxNesting = 16

// ErrTooLarge is matched (errors.Is) by every *LimitError.
var ErrTooLarge = errors.New("calendar too large")

// LimitError reports that decoding stopped at a limit. Its message is
// meant for the person who owns the calendar.
type LimitError struct {
	// What names the limit: "components", "properties", "occurrences",
	// "recurrence steps" or "nesting".
	What  string
	Limit int
	// Calendar is true when the limit is the calendar's (a Budget shared
	// by its objects) rather than one object's.
	Calendar bool
	// UID is the event being expanded, for occurrences and steps.
	UID string
}

func (e *LimitError) Error() string {
	where := "one calendar object holds"
	if e.Calendar {
		where = "the calendar holds"
	}
	var msg string
	switch e.What {
	case "nesting":
		msg = fmt.Sprintf("components are nested more than %d deep", e.Limit)
	case "occurrences":
		msg = fmt.Sprintf("%s more than %s event occurrences in the synced period", where, thousands(e.Limit))
	case "recurrence steps":
		msg = fmt.Sprintf("%s repeating events that need more than %s steps to expand", where, thousands(e.Limit))
	default:
		msg = fmt.Sprintf("%s more than %s %s", where, thousands(e.Limit), e.What)
	}
	if e.UID != "" {
		msg += fmt.Sprintf(" (event %q)", clip(e.UID, 100))
	}
	return ErrTooLarge.Error() + ": " + msg
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

// Budget carries limits across the objects of one calendar, so that a
// calendar of many small objects is bounded as a whole. Pass the same
// Budget to every DecodeBusy call of one calendar's sync. It is not safe
// for concurrent use.
type Budget struct {
	limits, used counts
}

// NewBudget returns a budget with the given limits (zero fields take
// DefaultCalendarLimits).
func NewBudget(l Limits) *Budget {
	return &Budget{limits: countsOf(withDefaults(l, DefaultCalendarLimits()))}
}

// Used reports what the calendar's objects have consumed so far.
func (b *Budget) Used() Limits { return b.used.limits() }

// measure indexes counts.
type measure int

const (
	components measure = iota
	properties
	occurrences
	recurrenceSteps
	measures
)

var measureNames = [measures]string{"components", "properties", "occurrences", "recurrence steps"}

type counts [measures]int

func countsOf(l Limits) counts {
	return counts{l.Components, l.Properties, l.Occurrences, l.RecurrenceSteps}
}

func (c counts) limits() Limits {
	return Limits{Components: c[components], Properties: c[properties], Occurrences: c[occurrences], RecurrenceSteps: c[recurrenceSteps]}
}

func withDefaults(l, def Limits) Limits {
	pick := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return Limits{
		Components: pick(l.Components, def.Components), Properties: pick(l.Properties, def.Properties),
		Occurrences: pick(l.Occurrences, def.Occurrences), RecurrenceSteps: pick(l.RecurrenceSteps, def.RecurrenceSteps),
	}
}

// meter charges one decoding's work to its object limits and to the
// calendar's budget, and notices cancellation.
type meter struct {
	ctx    context.Context
	limits counts
	used   counts
	budget *Budget
	// uid names the series being expanded in errors.
	uid   string
	ticks int
}

// ctxCheckEvery is how many charges pass between looks at the context:
// often enough to stop within milliseconds, rarely enough to cost nothing.
const ctxCheckEvery = 1 << 12

func (m *meter) charge(k measure) error {
	m.used[k]++
	if m.used[k] > m.limits[k] {
		return &LimitError{What: measureNames[k], Limit: m.limits[k], UID: m.seriesUID(k)}
	}
	if b := m.budget; b != nil {
		b.used[k]++
		if b.used[k] > b.limits[k] {
			return &LimitError{What: measureNames[k], Limit: b.limits[k], Calendar: true, UID: m.seriesUID(k)}
		}
	}
	m.ticks++
	if m.ticks&(ctxCheckEvery-1) == 0 {
		return m.alive()
	}
	return nil
}

func (m *meter) seriesUID(k measure) string {
	if k == occurrences || k == recurrenceSteps {
		return m.uid
	}
	return ""
}

// alive reports cancellation of the decoding's context.
func (m *meter) alive() error {
	if err := m.ctx.Err(); err != nil {
		return fmt.Errorf("calendar: decoding stopped: %w", context.Cause(m.ctx))
	}
	return nil
}

// thousands formats n with comma separators, as the messages are read by
// people: 1000000 → "1,000,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	start := len(s) % 3
	if start == 0 {
		start = 3
	}
	out := s[:min(start, len(s))]
	for i := start; i < len(s); i += 3 {
		out += "," + s[i:i+3]
	}
	return out
}

// clip bounds a text taken from the input that goes into a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
