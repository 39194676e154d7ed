package ical

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// FuzzDecodeBusy checks that no input panics or hangs DecodeBusy, and that
// every interval it returns is non-empty, in UTC, sorted, and overlaps the
// window. Seeds: the shared corpus and a few hostile rules.
//
//	go test -run '^$' -fuzz FuzzDecodeBusy -fuzztime 2m ./calendar/
func FuzzDecodeBusy(f *testing.F) {
	files, _ := filepath.Glob("testdata/ics/*.ics")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data, int64(0), uint16(90))
		}
	}
	for _, rule := range []string{
		"FREQ=SECONDLY", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;INTERVAL=24;BYHOUR=3",
		"FREQ=YEARLY;BYWEEKNO=-1;BYDAY=-1SU;BYSETPOS=1,-1", "FREQ=MONTHLY;BYDAY=5FR;COUNT=3",
	} {
		ics := icsCalendar(
			icsEvent("UID:f", "DTSTART;TZID=Europe/Paris:20260105T090000", "DURATION:PT1H", "RRULE:"+rule),
			icsEvent("UID:f", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260107T080000Z", "DTSTART:20260107T100000Z", "DURATION:P1D"))
		f.Add([]byte(ics), int64(0), uint16(30))
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, offsetHours int64, days uint16) {
		w := calendar.Interval{Start: base.Add(time.Duration(offsetHours%(24*3650)) * time.Hour), End: time.Time{}}
		w.End = w.Start.Add(time.Duration(days%400) * 24 * time.Hour)
		busy, err := DecodeBusy(data, w, paris)
		if err != nil {
			if len(busy.Intervals) > 0 {
				t.Fatalf("intervals returned with error %v", err)
			}
			return
		}
		for i, iv := range busy.Intervals {
			if !iv.Valid() || !iv.Overlaps(w) {
				t.Fatalf("interval %d %v..%v invalid or outside window %v..%v", i, iv.Start, iv.End, w.Start, w.End)
			}
			if iv.Start.Location() != time.UTC || iv.End.Location() != time.UTC {
				t.Fatalf("interval %d not in UTC", i)
			}
			if i > 0 && iv.Start.Before(busy.Intervals[i-1].Start) {
				t.Fatalf("intervals not sorted at %d", i)
			}
		}
		for _, p := range busy.Problems {
			if p.Err == nil {
				t.Fatalf("problem without error: %+v", p)
			}
		}
	})
}
