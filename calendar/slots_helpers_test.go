package calendar

import (
	"strings"
	"testing"
	"time"
)

// slotTestLoc loads a zone or fails the test.
func slotTestLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// slotTestRanges builds ranges from "HH:MM-HH:MM" strings.
func slotTestRanges(specs ...string) []HoursRange {
	out := make([]HoursRange, 0, len(specs))
	for _, s := range specs {
		a, b, ok := strings.Cut(s, "-")
		start, err1 := ParseClock(a)
		end, err2 := ParseClock(b)
		if !ok || err1 != nil || err2 != nil {
			panic("bad range " + s)
		}
		out = append(out, HoursRange{start, end})
	}
	return out
}

// slotTestEveryDay gives the same ranges to all seven weekdays.
func slotTestEveryDay(specs ...string) WeeklyHours {
	var w WeeklyHours
	for d := range w {
		w[d] = slotTestRanges(specs...)
	}
	return w
}

// slotTestWeekdays gives the ranges to Monday through Friday.
func slotTestWeekdays(specs ...string) WeeklyHours {
	var w WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = slotTestRanges(specs...)
	}
	return w
}

// slotTestAt parses "2006-01-02 15:04" in loc (never in a gap or fold).
func slotTestAt(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// slotTestStarts renders slot starts on loc's wall clock with the offset,
// which tells the two occurrences of a repeated hour apart.
func slotTestStarts(slots []Interval, loc *time.Location) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.In(loc).Format("2006-01-02 15:04Z07:00")
	}
	return out
}

func slotTestEqual(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("slots:\n got  %q\n want %q", got, want)
	}
}

// slotTestMust runs Slots and fails on error.
func slotTestMust(t testing.TB, q SlotQuery) []Interval {
	t.Helper()
	slots, err := Slots(q)
	if err != nil {
		t.Fatalf("Slots: %v", err)
	}
	return slots
}
