package calendar

import (
	"testing"
	"time"
)

func TestWhyNotOffered(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, paris) // Monday 08:00
	weekly := WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		weekly[d] = []HoursRange{{Start: 9 * 60, End: 17 * 60}}
	}
	q := SlotQuery{
		Availability: Availability{Location: paris, Weekly: weekly},
		MinNotice:    2 * time.Hour, HorizonDays: 7, Now: now, From: now, To: now.Add(time.Hour),
		Booked: []Interval{{Start: time.Date(2026, 12, 8, 10, 0, 0, 0, paris), End: time.Date(2026, 12, 8, 10, 30, 0, 0, paris)}},
	}
	cases := []struct {
		start time.Time
		want  Refusal
	}{
		{time.Date(2026, 12, 8, 11, 0, 0, 0, paris), Offered},
		{time.Date(2026, 12, 6, 11, 0, 0, 0, paris), RefusedPast},
		{now, RefusedPast},
		{time.Date(2026, 12, 7, 9, 30, 0, 0, paris), RefusedTooSoon},
		{time.Date(2026, 12, 14, 23, 0, 0, 0, paris), RefusedOutsideHours}, // the last day, after hours
		{time.Date(2026, 12, 15, 9, 0, 0, 0, paris), RefusedBeyondHorizon},
		{time.Date(2026, 12, 14, 9, 0, 0, 0, paris), Offered}, // the last bookable day
		{time.Date(2026, 12, 8, 11, 10, 0, 0, paris), RefusedOffGrid},
		{time.Date(2026, 12, 8, 11, 0, 1, 0, paris), RefusedOffGrid},
		{time.Date(2026, 12, 8, 18, 0, 0, 0, paris), RefusedOutsideHours},
		{time.Date(2026, 12, 8, 16, 45, 0, 0, paris), RefusedOffGrid},
		{time.Date(2026, 12, 8, 16, 30, 0, 0, paris), Offered},
		{time.Date(2026, 12, 8, 10, 0, 0, 0, paris), RefusedTaken},
	}
	for _, tc := range cases {
		got, err := WhyNotOffered(q, tc.start)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.start.Format(time.RFC3339), got, tc.want)
		}
	}
}
