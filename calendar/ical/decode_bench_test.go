package ical

import (
	"fmt"
	"strings"
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
	busy, err := DecodeBusy(data, w, paris)
	if err != nil || len(busy.Problems) > 0 || len(busy.Intervals) < 2000 {
		b.Fatalf("setup: %d intervals, problems %v, err %v", len(busy.Intervals), busy.Problems, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeBusy(data, w, paris); err != nil {
			b.Fatal(err)
		}
	}
}
