package ical

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestDecodeBusyStopsAtEachLimit(t *testing.T) {
	nested := func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\n")
		for i := range n {
			fmt.Fprintf(&b, "BEGIN:X-%d\r\n", i)
		}
		return b.String()
	}
	minutely := icsCalendar(icsEvent("UID:m", "DTSTART:20260105T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"))
	for _, tc := range []struct {
		name   string
		ics    string
		limits Limits
		what   string
		msg    string
	}{
		{name: "flat components (the 14 MB object of the issue, cut short)", what: "components",
			ics: "BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:VEVENT\r\n", 200_001),
			msg: "calendar too large: one calendar object holds more than 200,000 components"},
		{name: "deep nesting (40,000 components, quadratic before)", what: "nesting", ics: nested(40_000),
			msg: "calendar too large: components are nested more than 16 deep"},
		{name: "properties", what: "properties", limits: Limits{Properties: 1000},
			ics: icsCalendar(icsEvent(append([]string{"UID:p", "DTSTART:20260105T000000Z"}, strings.Split(strings.Repeat("X-A:b,", 1000), ",")...)...))},
		{name: "occurrences", what: "occurrences", ics: minutely},
		{name: "recurrence steps of a rule that never matches", what: "recurrence steps", limits: Limits{RecurrenceSteps: 10_000},
			ics: icsCalendar(icsEvent("UID:n", "DTSTART:17000101T000000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			busy, err := DecodeBusy(context.Background(), []byte(tc.ics), Options{Window: window(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), Limits: tc.limits})
			var limit *LimitError
			if !errors.As(err, &limit) || limit.What != tc.what || limit.Calendar || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want the object's %s limit", err, tc.what)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("message %q, want %q", err, tc.msg)
			}
			if len(busy.Intervals) != 0 || len(busy.Problems) != 0 {
				t.Errorf("busy time returned with the error: %d intervals", len(busy.Intervals))
			}
		})
	}
}

func TestDecodeBusyChargesTheCalendarBudget(t *testing.T) {
	w := window(t, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
	daily := []byte(icsCalendar(icsEvent("UID:d", "DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY")))
	budget := NewBudget(Limits{Occurrences: 50})
	opts := Options{Window: w, Calendar: budget}
	if busy, err := DecodeBusy(context.Background(), daily, opts); err != nil || len(busy.Intervals) != 31 {
		t.Fatalf("first object: %d intervals, %v", len(busy.Intervals), err)
	}
	// DTSTART counts once as itself and once as the rule's first instance.
	if used := budget.Used(); used.Occurrences != 32 || used.Components != 2 || used.Properties != 6 {
		t.Errorf("used %+v", used)
	}
	_, err := DecodeBusy(context.Background(), daily, opts)
	var limit *LimitError
	if !errors.As(err, &limit) || !limit.Calendar || limit.What != "occurrences" || limit.UID != "d" {
		t.Fatalf("second object: err %v, want the calendar's occurrences limit", err)
	}
	want := `calendar too large: the calendar holds more than 50 event occurrences in the synced period (event "d")`
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// countdownContext ends after its Err has been asked n times: a
// deterministic stand-in for a sync timeout that fires mid-decoding.
type countdownContext struct {
	context.Context
	n int
}

func (c *countdownContext) Err() error {
	if c.n--; c.n < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

func TestDecodeBusyStopsWhenTheContextEnds(t *testing.T) {
	big := []byte("BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:VEVENT\r\nDTSTART:20260105T000000Z\r\nDURATION:PT1M\r\nEND:VEVENT\r\n", 50_000))
	w := window(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DecodeBusy(cancelled, big, Options{Window: w}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: err %v", err)
	}
	// How often a whole decoding looks at its context: the scan's looks
	// come first, expansion's (50,000 occurrences) last.
	counter := &countdownContext{Context: context.Background(), n: math.MaxInt}
	if _, err := DecodeBusy(counter, big, Options{Window: w}); err != nil {
		t.Fatal(err)
	}
	looks := math.MaxInt - counter.n
	if looks < 40 {
		t.Fatalf("the context was looked at %d times only", looks)
	}
	for _, n := range []int{3, looks - 2} { // during the scan; during expansion
		ctx := &countdownContext{Context: context.Background(), n: n}
		busy, err := DecodeBusy(ctx, big, Options{Window: w})
		if !errors.Is(err, context.DeadlineExceeded) || len(busy.Intervals) != 0 {
			t.Errorf("deadline after %d looks: %d intervals, err %v", n, len(busy.Intervals), err)
		}
	}
}

func TestDecodeBusyKeepsEventsLongerThanADuration(t *testing.T) {
	// Four centuries do not fit a time.Duration (292 years): such events
	// used to end in 1992 and vanish.
	runDecodeCases(t, []decodeCase{
		{name: "DTEND four centuries later", from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z",
			ics:  icsCalendar(icsEvent("UID:l", "DTSTART:17000101T000000Z", "DTEND:21000101T000000Z")),
			want: []string{"1700-01-01T00:00:00Z", "2100-01-01T00:00:00Z"}},
		{name: "RDATE period of four centuries", from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z",
			ics:  icsCalendar(icsEvent("UID:p", "DTSTART:16000101T000000Z", "DURATION:PT1H", "RDATE;VALUE=PERIOD:17000101T000000Z/21000101T000000Z")),
			want: []string{"1700-01-01T00:00:00Z", "2100-01-01T00:00:00Z"}},
		{name: "all-day for three thousand years", from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z",
			ics:  icsCalendar(icsEvent("UID:a", "DTSTART;VALUE=DATE:10000101", "DTEND;VALUE=DATE:40000101")),
			want: []string{"1000-01-01T00:00:00Z", "4000-01-01T00:00:00Z"}},
	})
}

func TestDecodeBusyBoundsProblems(t *testing.T) {
	var events []string
	for i := range 1000 {
		events = append(events, icsEvent(fmt.Sprintf("UID:broken-%04d", i)))
	}
	busy, err := decode([]byte(icsCalendar(events...)), window(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(busy.Problems) != maxProblems || busy.ProblemsOmitted != 1000-maxProblems {
		t.Fatalf("%d problems, %d omitted", len(busy.Problems), busy.ProblemsOmitted)
	}
	if busy.Problems[0].UID != "broken-0000" || busy.Problems[maxProblems-1].UID != fmt.Sprintf("broken-%04d", maxProblems-1) {
		t.Errorf("problems not the first ones in file order: %v … %v", busy.Problems[0], busy.Problems[maxProblems-1])
	}
}

// hostileShapes generate inputs of about n bytes that each stress one part
// of decoding.
var hostileShapes = map[string]func(n int) string{
	"bare BEGIN lines":        repeated("BEGIN:VEVENT\r\n"),
	"empty calendars":         func(n int) string { return strings.Repeat("BEGIN:VCALENDAR\nEND:VCALENDAR\n", n/30) },
	"unknown properties":      repeated("X-FOO;A=B:bar\n"),
	"minimal all-day events":  repeated("BEGIN:VEVENT\nDTSTART:20260310\nEND:VEVENT\n"),
	"minimal timed events":    repeated("BEGIN:VEVENT\nDTSTART:20260310T090000Z\nDTEND:20260310T100000Z\nEND:VEVENT\n"),
	"overrides of one series": repeated("BEGIN:VEVENT\nUID:x\nRECURRENCE-ID:20260101T000000Z\nDTSTART:20260301T000000Z\nDURATION:PT1M\nEND:VEVENT\n"),
	"EXDATE lines": func(n int) string {
		return icsCalendar(icsEvent("UID:e", "DTSTART:20260301T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY",
			strings.TrimSuffix(strings.Repeat("EXDATE:20250310T090000Z\n", n/24), "\n")))
	},
	"RDATE values": func(n int) string {
		return icsCalendar(icsEvent("UID:r", "DTSTART:20200301T090000Z", "DURATION:PT1H", "RDATE;VALUE=DATE:20200310"+strings.Repeat(",20200310", n/9)))
	},
	"distinct TZIDs": func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "BEGIN:VEVENT\nDTSTART;TZID=Z%d:20260310T090000\nEND:VEVENT\n", i)
		}
		return b.String()
	},
	"VTIMEZONEs": func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "BEGIN:VTIMEZONE\nTZID:Z%d\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n", i)
		}
		return b.String()
	},
	"folded lines": repeated("X-ATTACH:" + strings.Repeat("QUJD\r\n ", 200) + "\r\n"),
	"weekly series": func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:w%d\r\nDTSTART;TZID=Europe/Paris:202601%02dT090000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\nEXDATE;TZID=Europe/Paris:202603%02dT090000\r\nEND:VEVENT\r\n", i, 1+i%28, 1+i%28)
		}
		return b.String()
	},
}

func repeated(unit string) func(n int) string {
	return func(n int) string { return "BEGIN:VCALENDAR\r\n" + strings.Repeat(unit, n/len(unit)) }
}

// unlimited lifts every limit, to see the cost of decoding itself.
var unlimited = Limits{Components: math.MaxInt, Properties: math.MaxInt, Occurrences: math.MaxInt, RecurrenceSteps: math.MaxInt}

// Memory bound of DecodeBusy, asserted below and stated in BENCHMARKS.md:
// what one call allocates in all (not only at its peak) is at most
// boundInput times the input, plus boundOccurrence bytes per occurrence
// expanded (the busy time found: 48 of them are the returned interval),
// plus a fixed part; each distinct TZID (at most maxZoneLookups) also
// costs a look in the tz database, ~41 KB for a name it does not know.
const (
	boundInput      = 4
	boundOccurrence = 128
	boundFixed      = 64 << 10
	boundZoneLookup = 48 << 10
)

func TestDecodeBusyMemoryIsBounded(t *testing.T) {
	if raceDetector {
		t.Skip("allocation under -race is the race detector's, not ours; .ci/run checks the bound in a build without it")
	}
	w := window(t, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	for name, gen := range hostileShapes {
		for _, limits := range []Limits{{}, unlimited} {
			data := []byte(gen(2 << 20))
			budget := NewBudget(unlimited)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := DecodeBusy(context.Background(), data, Options{Window: w, Limits: limits, Calendar: budget})
			runtime.ReadMemStats(&after)
			if err != nil && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%s: %v", name, err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			bound := uint64(boundInput*len(data) + boundOccurrence*budget.Used().Occurrences + boundFixed)
			if name == "distinct TZIDs" {
				bound += maxZoneLookups * boundZoneLookup
			}
			t.Logf("%s (unlimited %t): %d bytes in, %d allocated (%.2f×), %d occurrences, err %v",
				name, limits == unlimited, len(data), alloc, float64(alloc)/float64(len(data)), budget.Used().Occurrences, err)
			if alloc > bound {
				t.Errorf("%s: allocated %d bytes for %d bytes of input and %d occurrences, bound %d",
					name, alloc, len(data), budget.Used().Occurrences, bound)
			}
		}
	}
}
