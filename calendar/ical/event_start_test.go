package ical

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEventStart(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	const moved = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
		"BEGIN:VEVENT\r\nUID:other\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261207T080000Z\r\nDTEND:20261207T083000Z\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:s-1\r\nRECURRENCE-ID:20261208T090000Z\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261208T100000Z\r\nDTEND:20261208T103000Z\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:s-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Custom Zone:20261207T143000\r\nDTEND;TZID=Custom Zone:20261207T150000\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:win\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=W. Europe Standard Time:20261207T100000\r\nDTEND;TZID=W. Europe Standard Time:20261207T103000\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:floating\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261207T100000\r\nDTEND:20261207T103000\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	for _, c := range []struct {
		uid  string
		want time.Time
	}{
		{"s-1", time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}, // 14:30 at +05:30, not the override
		{"win", time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)},
		{"floating", time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}, // in the mentor's zone
	} {
		got, err := EventStart(context.Background(), []byte(moved), c.uid, Options{Location: paris})
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%s: %v, %v; want %v", c.uid, got, err, c.want)
		}
	}
	if _, err := EventStart(context.Background(), []byte(moved), "absent", Options{}); !errors.Is(err, ErrNoSuchEvent) {
		t.Errorf("absent UID: %v", err)
	}
	if _, err := EventStart(context.Background(), []byte("not a calendar"), "s-1", Options{}); !errors.Is(err, ErrNotICalendar) {
		t.Errorf("not iCalendar: %v", err)
	}
	broken := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s-1\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := EventStart(context.Background(), []byte(broken), "s-1", Options{}); err == nil || errors.Is(err, ErrNoSuchEvent) {
		t.Errorf("unreadable DTSTART: %v", err)
	}
}

func TestEventSpan(t *testing.T) {
	const obj = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:end\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Paris:20261207T100000\r\nDTEND;TZID=Europe/Paris:20261207T104500\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:duration\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261207T090000Z\r\nDURATION:PT1H15M\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	for uid, want := range map[string][2]time.Time{
		"end":      {time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 9, 45, 0, 0, time.UTC)},
		"duration": {time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)},
	} {
		start, end, err := EventSpan(context.Background(), []byte(obj), uid, Options{})
		if err != nil || !start.Equal(want[0]) || !end.Equal(want[1]) {
			t.Errorf("%s: %v – %v, %v; want %v – %v", uid, start, end, err, want[0], want[1])
		}
	}
}
