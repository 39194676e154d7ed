package ical

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// benchmarkCalendar generates a mentor's busy calendar: 1,800 single
// events over the quarter (a fifth of them all-day or transparent) and 200
// recurring series (daily and weekly, some begun years ago), each with an
// EXDATE and two RECURRENCE-ID overrides, in a mix of zone styles.
func benchmarkCalendar() []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rendezvous//bench//EN\r\n")
	b.WriteString(strings.ReplaceAll(fmt.Sprintf(outlookVTimezone, "Customized Time Zone"), "\n", "\r\n") + "\r\n")
	zones := []string{";TZID=Europe/Paris", ";TZID=W. Europe Standard Time", ";TZID=Customized Time Zone", ""}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	stamp := func(t time.Time) string { return t.Format("20060102T150405") }
	for i := range 1800 {
		t := start.Add(time.Duration(i%90)*24*time.Hour + time.Duration(i%10)*time.Hour)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:single-%d@example.org\r\nDTSTAMP:20260301T000000Z\r\nSUMMARY:Meeting %d\r\n", i, i)
		switch {
		case i%10 == 0:
			fmt.Fprintf(&b, "DTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\nTRANSP:TRANSPARENT\r\n", t.Format("20060102"), t.AddDate(0, 0, 1).Format("20060102"))
		case i%10 == 5:
			fmt.Fprintf(&b, "DTSTART;VALUE=DATE:%s\r\n", t.Format("20060102"))
		default:
			z := zones[i%len(zones)]
			fmt.Fprintf(&b, "DTSTART%s:%s\r\nDTEND%s:%s\r\n", z, stamp(t), z, stamp(t.Add(45*time.Minute)))
		}
		b.WriteString("DESCRIPTION:Agenda: review\\, plan\\, decide.\\nNotes to follow.\r\nEND:VEVENT\r\n")
	}
	for i := range 200 {
		first := start.AddDate(-(i % 6), 0, i%7).Add(time.Duration(i%9) * time.Hour)
		z := zones[i%len(zones)]
		rule := "FREQ=WEEKLY;BYDAY=MO,WE"
		if i%2 == 1 {
			rule = "FREQ=DAILY;INTERVAL=2"
		}
		uid := fmt.Sprintf("series-%d@example.org", i)
		ex := start.AddDate(0, 0, 14+i%7).Add(time.Duration(first.Hour()) * time.Hour)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260301T000000Z\r\nSUMMARY:Series %d\r\nDTSTART%s:%s\r\nDTEND%s:%s\r\nRRULE:%s\r\nEXDATE%s:%s\r\nEND:VEVENT\r\n",
			uid, i, z, stamp(first), z, stamp(first.Add(time.Hour)), rule, z, stamp(ex))
		for k := range 2 {
			rid := time.Date(2026, 3, 9+7*k+i%7, first.Hour(), 0, 0, 0, time.UTC)
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260301T000000Z\r\nRECURRENCE-ID%s:%s\r\nDTSTART%s:%s\r\nDTEND%s:%s\r\nSEQUENCE:%d\r\nEND:VEVENT\r\n",
				uid, z, stamp(rid), z, stamp(rid.Add(3*time.Hour)), z, stamp(rid.Add(4*time.Hour)), k+1)
		}
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

func BenchmarkExpand(b *testing.B) {
	data := benchmarkCalendar()
	w := calendar.Interval{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 30, 0, 0, 0, 0, time.UTC)}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	busy, err := decode(data, w, paris)
	if err != nil || len(busy.Problems) > 0 || len(busy.Intervals) < 2000 {
		b.Fatalf("setup: %d intervals, problems %v, err %v", len(busy.Intervals), busy.Problems, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data, w, paris); err != nil {
			b.Fatal(err)
		}
	}
}

// limitShapes are, for each limit, calendars of about n bytes that spend
// it: events that stop at it with the default limits, and show with the
// limits lifted how the cost of decoding grows with the input.
var limitShapes = []struct {
	limit string
	gen   func(n int) string
}{
	// The 14 MB object: bare BEGIN lines.
	{"components", repeated("BEGIN:VEVENT\r\n")},
	{"properties", func(n int) string {
		return icsCalendar(icsEvent("UID:p", "DTSTART:20260310T090000Z", "DURATION:PT1H",
			strings.TrimSuffix(strings.Repeat("ATTENDEE;CN=Someone;PARTSTAT=ACCEPTED:mailto:someone@example.org\n", n/66), "\n")))
	}},
	// Weekly series, five occurrences each in the window.
	{"occurrences", func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:w%d\r\nDTSTART;TZID=Europe/Paris:202601%02dT%02d0000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n", i, 1+i%28, 8+i%10)
		}
		return b.String()
	}},
	// Rules that never match walk day by day from DTSTART (COUNT).
	{"recurrence steps", func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:n%d\r\nDTSTART:20260101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2\r\nEND:VEVENT\r\n", i)
		}
		return b.String()
	}},
	// One busy interval per event, each at its own time.
	{"busy intervals", func(n int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\n")
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; b.Len() < n; i++ {
			t := start.Add(time.Duration(i%40000) * time.Minute)
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:b%d\r\nDTSTART:%s\r\nDURATION:PT1M\r\nEND:VEVENT\r\n", i, t.Format("20060102T150405Z"))
		}
		return b.String()
	}},
	// Components nested to the limit, over and over: the END of the
	// outermost closes fifteen at once.
	{"nesting", repeated(strings.Repeat("BEGIN:X-A\r\nBEGIN:X-B\r\nBEGIN:X-C\r\nBEGIN:X-D\r\nBEGIN:X-E\r\n", 3) + "END:X-A\r\n")},
}

// BenchmarkDecodeLimits decodes, for each limit, an input of 1, 10 and
// 60 MiB built to spend it, with the default limits (where decoding stops)
// and with none (the cost of decoding it all).
//
//	go test -run '^$' -bench BenchmarkDecodeLimits -benchmem -count 3 -timeout 30m ./calendar/ical/
func BenchmarkDecodeLimits(b *testing.B) {
	w := calendar.Interval{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	for _, shape := range limitShapes {
		for _, mib := range []int{1, 10, 60} {
			var data []byte
			for _, lim := range []struct {
				name   string
				limits Limits
			}{{"default", Limits{}}, {"unlimited", unlimited}} {
				b.Run(fmt.Sprintf("%s/%dMiB/%s", strings.ReplaceAll(shape.limit, " ", "_"), mib, lim.name), func(b *testing.B) {
					if data == nil {
						data = []byte(shape.gen(mib << 20))
					}
					b.SetBytes(int64(len(data)))
					b.ReportAllocs()
					var intervals, occ int
					cpu := processCPU()
					for b.Loop() {
						budget := NewBudget(unlimited)
						busy, err := DecodeBusy(context.Background(), data, Options{Window: w, Limits: lim.limits, Calendar: budget})
						if err != nil && !errors.Is(err, ErrTooLarge) {
							b.Fatal(err)
						}
						intervals, occ = len(busy.Intervals), budget.Used().Occurrences
					}
					// CPU time is less disturbed than wall time by other work on
					// a shared machine.
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
					b.ReportMetric(float64(intervals), "intervals/op")
					b.ReportMetric(float64(occ), "occurrences/op")
				})
			}
		}
	}
}

// processCPU is the CPU time (user and system) the process has used, in
// nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
