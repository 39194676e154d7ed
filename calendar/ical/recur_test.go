package ical

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Expected values were checked against python-dateutil's rrule, the
// reference implementation most clients mirror.
func TestExpandRecurRule(t *testing.T) {
	const layout = "2006-01-02 15:04"
	cases := []struct {
		rule, start string
		from, to    string // default: start .. start + 10 years
		want        string // space-separated "YYYY-MM-DD HH:MM" pairs
	}{
		{rule: "FREQ=DAILY;COUNT=3", start: "2026-01-05 09:00",
			want: "2026-01-05 09:00,2026-01-06 09:00,2026-01-07 09:00"},
		{rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260116T090000Z", start: "2026-01-05 09:00",
			want: "2026-01-05 09:00,2026-01-07 09:00,2026-01-09 09:00,2026-01-12 09:00,2026-01-14 09:00,2026-01-16 09:00"},
		{rule: "FREQ=MONTHLY;BYDAY=2MO;COUNT=3", start: "2026-01-12 09:00",
			want: "2026-01-12 09:00,2026-02-09 09:00,2026-03-09 09:00"},
		{rule: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", start: "2026-01-30 09:00",
			want: "2026-01-30 09:00,2026-02-27 09:00,2026-03-27 09:00"},
		{rule: "FREQ=MONTHLY;BYMONTHDAY=-3;COUNT=3", start: "2026-01-01 09:00",
			want: "2026-01-29 09:00,2026-02-26 09:00,2026-03-29 09:00"},
		{rule: "FREQ=MONTHLY;COUNT=3", start: "2026-01-31 09:00",
			want: "2026-01-31 09:00,2026-03-31 09:00,2026-05-31 09:00"},
		{rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3", start: "2026-01-30 09:00",
			want: "2026-01-30 09:00,2026-02-27 09:00,2026-03-31 09:00"},
		{rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3", start: "2026-01-01 09:00",
			want: "2026-02-13 09:00,2026-03-13 09:00,2026-11-13 09:00"},
		{rule: "FREQ=YEARLY;COUNT=2", start: "2024-02-29 09:00",
			want: "2024-02-29 09:00,2028-02-29 09:00"},
		{rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=2", start: "2026-03-29 09:00",
			want: "2026-03-29 09:00,2027-03-28 09:00"},
		{rule: "FREQ=YEARLY;BYDAY=20MO;COUNT=2", start: "2026-01-01 09:00",
			want: "2026-05-18 09:00,2027-05-17 09:00"},
		{rule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=2", start: "2026-01-01 09:00",
			want: "2026-05-11 09:00,2027-05-17 09:00"},
		{rule: "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO,SU;COUNT=3", start: "2026-01-01 09:00",
			want: "2026-01-04 09:00,2027-01-04 09:00,2027-01-10 09:00"},
		{rule: "FREQ=YEARLY;BYWEEKNO=-1;COUNT=2", start: "2026-01-01 09:00",
			want: "2026-12-28 09:00,2026-12-29 09:00"},
		{rule: "FREQ=YEARLY;BYYEARDAY=100,-1;COUNT=3", start: "2026-01-01 09:00",
			want: "2026-04-10 09:00,2026-12-31 09:00,2027-04-10 09:00"},
		{rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8;COUNT=2", start: "1996-11-05 09:00",
			want: "1996-11-05 09:00,2000-11-07 09:00"},
		{rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", start: "1997-08-05 09:00",
			want: "1997-08-05 09:00,1997-08-10 09:00,1997-08-19 09:00,1997-08-24 09:00"},
		{rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", start: "1997-08-05 09:00",
			want: "1997-08-05 09:00,1997-08-17 09:00,1997-08-19 09:00,1997-08-31 09:00"},
		{rule: "FREQ=DAILY;BYMONTH=1;BYDAY=MO;COUNT=3", start: "2026-01-01 09:00",
			want: "2026-01-05 09:00,2026-01-12 09:00,2026-01-19 09:00"},
		{rule: "FREQ=HOURLY;INTERVAL=6;COUNT=4", start: "2026-01-05 01:00",
			want: "2026-01-05 01:00,2026-01-05 07:00,2026-01-05 13:00,2026-01-05 19:00"},
		{rule: "FREQ=HOURLY;INTERVAL=3;BYHOUR=9,12,15;BYMINUTE=0,30;COUNT=6", start: "2026-01-05 09:00",
			want: "2026-01-05 09:00,2026-01-05 09:30,2026-01-05 12:00,2026-01-05 12:30,2026-01-05 15:00,2026-01-05 15:30"},
		{rule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10;COUNT=7", start: "2026-01-05 09:00",
			want: "2026-01-05 09:00,2026-01-05 09:20,2026-01-05 09:40,2026-01-05 10:00,2026-01-05 10:20,2026-01-05 10:40,2026-01-06 09:00"},
		{rule: "FREQ=SECONDLY;INTERVAL=30;BYHOUR=9;BYMINUTE=0;COUNT=3", start: "2026-01-05 08:00",
			want: "2026-01-05 09:00,2026-01-05 09:00,2026-01-06 09:00"},
		// COUNT counts from DTSTART even before the window.
		{rule: "FREQ=DAILY;COUNT=10", start: "2026-01-01 09:00", from: "2026-01-05 00:00", to: "2026-01-20 00:00",
			want: "2026-01-05 09:00,2026-01-06 09:00,2026-01-07 09:00,2026-01-08 09:00,2026-01-09 09:00,2026-01-10 09:00"},
		// An unbounded series begun years ago starts near the window.
		{rule: "FREQ=DAILY", start: "2015-03-02 09:00", from: "2026-07-01 00:00", to: "2026-07-03 00:00",
			want: "2026-07-01 09:00,2026-07-02 09:00"},
		{rule: "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH", start: "2015-01-01 09:00", from: "2026-07-01 00:00", to: "2026-08-01 00:00",
			want: "2026-07-02 09:00,2026-07-23 09:00"},
		{rule: "FREQ=DAILY;UNTIL=20260107", start: "2026-01-05 18:00",
			want: "2026-01-05 18:00,2026-01-06 18:00,2026-01-07 18:00"},
		// Rules that never match end at the window instead of looping.
		{rule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start: "2026-01-01 09:00", want: ""},
		{rule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5", start: "2026-01-01 09:00", want: ""},
		{rule: "FREQ=HOURLY;INTERVAL=24;BYHOUR=3", start: "2026-01-01 09:00", want: ""},
		{rule: "FREQ=SECONDLY;INTERVAL=86400;BYHOUR=3", start: "2026-01-01 09:00", want: ""},
		{rule: "FREQ=DAILY;INTERVAL=7;BYDAY=TU", start: "2026-01-05 09:00", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			start, _ := time.Parse(layout, tc.start)
			from, to := start, start.AddDate(10, 0, 0)
			if tc.from != "" {
				from, _ = time.Parse(layout, tc.from)
				to, _ = time.Parse(layout, tc.to)
			}
			r, err := parseRecurRule(tc.rule, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got, err := expandRecurRule(r, start, from, to, testMeter(DefaultObjectLimits()), nil)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, g := range got {
				s = append(s, g.Format(layout))
			}
			if strings.Join(s, ",") != tc.want {
				t.Errorf("got  %s\nwant %s", strings.Join(s, ","), tc.want)
			}
		})
	}
}

func TestExpandRecurRuleStopsAtTheBudget(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rule string
		what string
	}{
		// (A SECONDLY rule walks the day of margin before the window.)
		{"FREQ=SECONDLY", "occurrences"},
		{"FREQ=MINUTELY", "occurrences"},
		{"FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,10,20,30,40,50", "occurrences"},
		// Never match: only steps are spent, from DTSTART (COUNT).
		{"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "recurrence steps"},
		{"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "recurrence steps"},
	} {
		r, err := parseRecurRule(tc.rule, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		steps := 200_000
		if tc.what == "recurrence steps" {
			steps = 10_000
		}
		m := testMeter(Limits{Occurrences: 5000, RecurrenceSteps: steps})
		got, err := expandRecurRule(r, start.AddDate(-300, 0, 0), start, start.AddDate(1, 0, 0), m, nil)
		var limit *LimitError
		if !errors.As(err, &limit) || limit.What != tc.what || got != nil {
			t.Errorf("%s: %d occurrences, err %v; want none and a %s limit", tc.rule, len(got), err, tc.what)
		}
	}
}

func TestParseRecurRuleRejects(t *testing.T) {
	for _, rule := range []string{
		"", "FREQ=FORTNIGHTLY", "INTERVAL=2", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;COUNT=-1",
		"FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=MONTHLY;BYDAY=0MO", "FREQ=YEARLY;BYMONTH=13",
		"FREQ=DAILY;UNTIL=2026", "FREQ=DAILY;BYHOUR=24", "FREQ=MONTHLY;BYDAY=XX", "FREQ=DAILY;RSCALE=HEBREW",
	} {
		if _, err := parseRecurRule(rule, time.UTC); err == nil {
			t.Errorf("parseRecurRule(%q) accepted", rule)
		}
	}
	// Unknown X- parts and lower case are tolerated.
	if _, err := parseRecurRule("freq=weekly;X-EXTRA=1;byday=mo", time.UTC); err != nil {
		t.Errorf("tolerant parse: %v", err)
	}
}
