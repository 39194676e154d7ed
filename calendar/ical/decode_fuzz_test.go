package ical

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// FuzzDecodeBusy checks that no input panics or hangs DecodeBusy, that
// every interval it returns is non-empty, in UTC, sorted, and overlaps the
// window, that problems are bounded, and that a limit (small ones are
// drawn by the fuzzer) or any other error comes without busy time. Seeds:
// the shared corpus and hostile inputs.
//
//	go test -run '^$' -fuzz FuzzDecodeBusy -fuzztime 2m ./calendar/ical/
func FuzzDecodeBusy(f *testing.F) {
	files, _ := filepath.Glob("testdata/ics/*.ics")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data, int64(0), uint16(90), uint32(0))
		}
	}
	for _, rule := range []string{
		"FREQ=SECONDLY", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;INTERVAL=24;BYHOUR=3",
		"FREQ=YEARLY;BYWEEKNO=-1;BYDAY=-1SU;BYSETPOS=1,-1", "FREQ=MONTHLY;BYDAY=5FR;COUNT=3",
	} {
		ics := icsCalendar(
			icsEvent("UID:f", "DTSTART;TZID=Europe/Paris:20260105T090000", "DURATION:PT1H", "RRULE:"+rule),
			icsEvent("UID:f", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260107T080000Z", "DTSTART:20260107T100000Z", "DURATION:P1D"))
		f.Add([]byte(ics), int64(0), uint16(30), uint32(0x0f0f0f0f))
	}
	for _, shape := range []string{"bare BEGIN lines", "folded lines", "overrides of one series", "VTIMEZONEs"} {
		f.Add([]byte(hostileShapes[shape](4<<10)), int64(0), uint16(30), uint32(0x01020304))
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, offsetHours int64, days uint16, small uint32) {
		w := calendar.Interval{Start: base.Add(time.Duration(offsetHours%(24*3650)) * time.Hour), End: time.Time{}}
		w.End = w.Start.Add(time.Duration(days%400) * 24 * time.Hour)
		// Each byte of small, when not zero, sets a small limit.
		limits := Limits{Components: int(small & 0xff), Properties: int(small >> 8 & 0xff),
			Occurrences: int(small >> 16 & 0xff), RecurrenceSteps: int(small>>24&0xff) * 100}
		busy, err := DecodeBusy(context.Background(), data, Options{Window: w, Location: paris, Limits: limits})
		if err != nil {
			if len(busy.Intervals) > 0 || len(busy.Problems) > 0 {
				t.Fatalf("busy time returned with error %v", err)
			}
			var limit *LimitError
			if errors.As(err, &limit) != errors.Is(err, ErrTooLarge) {
				t.Fatalf("limit error and ErrTooLarge disagree: %v", err)
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
		if len(busy.Problems) > maxProblems {
			t.Fatalf("%d problems", len(busy.Problems))
		}
		for _, p := range busy.Problems {
			if p.Err == nil {
				t.Fatalf("problem without error: %+v", p)
			}
		}
	})
}
