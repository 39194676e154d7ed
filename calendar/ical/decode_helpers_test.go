package ical

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// icsCalendar wraps VEVENT/VTIMEZONE text (LF-separated, indentation
// trimmed) into a VCALENDAR with CRLF line ends.
func icsCalendar(components ...string) string {
	var lines []string
	lines = append(lines, "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rendezvous//decode tests//EN")
	for _, c := range components {
		for l := range strings.SplitSeq(strings.TrimSpace(c), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	lines = append(lines, "END:VCALENDAR")
	return strings.Join(lines, "\r\n") + "\r\n"
}

// icsEvent builds a VEVENT from property lines.
func icsEvent(props ...string) string {
	return "BEGIN:VEVENT\n" + strings.Join(props, "\n") + "\nEND:VEVENT"
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func window(t testing.TB, from, to string) calendar.Interval {
	return calendar.Interval{Start: mustTime(t, from), End: mustTime(t, to)}
}

// spans builds intervals from RFC 3339 start/end pairs.
func spans(t testing.TB, pairs ...string) []calendar.Interval {
	t.Helper()
	var out []calendar.Interval
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, calendar.Interval{Start: mustTime(t, pairs[i]).UTC(), End: mustTime(t, pairs[i+1]).UTC()})
	}
	return out
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func formatSpans(ivs []calendar.Interval) string {
	var b strings.Builder
	for _, iv := range ivs {
		b.WriteString(iv.Start.UTC().Format(time.RFC3339) + "/" + iv.End.UTC().Format(time.RFC3339) + "\n")
	}
	return b.String()
}

func sameSpans(a, b []calendar.Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}

// decode runs DecodeBusy with the default limits.
func decode(data []byte, w calendar.Interval, loc *time.Location) (Busy, error) {
	return DecodeBusy(context.Background(), data, Options{Window: w, Location: loc})
}

// testMeter is a meter with the given limits and no calendar budget.
func testMeter(l Limits) *meter {
	return &meter{ctx: context.Background(), limits: countsOf(withDefaults(l, DefaultObjectLimits()))}
}

// decodeCase is one table test of DecodeBusy.
type decodeCase struct {
	name     string
	ics      string
	from, to string
	zone     string // mentor's zone; UTC when empty
	want     []string
	problems []string // UIDs expected in Problems, in order
}

func runDecodeCases(t *testing.T, cases []decodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := time.UTC
			if tc.zone != "" {
				loc = mustLoad(t, tc.zone)
			}
			busy, err := decode([]byte(tc.ics), window(t, tc.from, tc.to), loc)
			if err != nil {
				t.Fatalf("DecodeBusy: %v", err)
			}
			want := spans(t, tc.want...)
			if !sameSpans(busy.Intervals, want) {
				t.Errorf("intervals:\n%s want:\n%s", formatSpans(busy.Intervals), formatSpans(want))
			}
			var uids []string
			for _, p := range busy.Problems {
				uids = append(uids, p.UID)
			}
			if strings.Join(uids, ",") != strings.Join(tc.problems, ",") {
				t.Errorf("problems = %v, want UIDs %v", busy.Problems, tc.problems)
			}
		})
	}
}
