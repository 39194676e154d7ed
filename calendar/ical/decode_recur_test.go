package ical

import (
	"errors"
	"testing"
	"time"
)

func TestDecodeBusyRecurrence(t *testing.T) {
	const y0, y1 = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
	ev := func(uid string, props ...string) string { return icsEvent(append([]string{"UID:" + uid}, props...)...) }
	runDecodeCases(t, []decodeCase{
		{name: "UNTIL in UTC with TZID across spring DST", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART;TZID=Europe/Paris:20260320T090000", "DTEND;TZID=Europe/Paris:20260320T093000",
				"RRULE:FREQ=WEEKLY;UNTIL=20260410T070000Z")),
			want: []string{
				"2026-03-20T08:00:00Z", "2026-03-20T08:30:00Z", "2026-03-27T08:00:00Z", "2026-03-27T08:30:00Z",
				"2026-04-03T07:00:00Z", "2026-04-03T07:30:00Z", "2026-04-10T07:00:00Z", "2026-04-10T07:30:00Z"}},
		{name: "UNTIL across autumn DST in New York", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART;TZID=America/New_York:20261023T090000", "DURATION:PT1H",
				"RRULE:FREQ=WEEKLY;UNTIL=20261106T140000Z")),
			want: []string{
				"2026-10-23T13:00:00Z", "2026-10-23T14:00:00Z", "2026-10-30T13:00:00Z", "2026-10-30T14:00:00Z",
				"2026-11-06T14:00:00Z", "2026-11-06T15:00:00Z"}},
		{name: "UNTIL as a date includes that whole day", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART;TZID=Europe/Paris:20260105T180000", "DURATION:PT1H", "RRULE:FREQ=DAILY;UNTIL=20260107")),
			want: []string{
				"2026-01-05T17:00:00Z", "2026-01-05T18:00:00Z", "2026-01-06T17:00:00Z", "2026-01-06T18:00:00Z",
				"2026-01-07T17:00:00Z", "2026-01-07T18:00:00Z"}},
		{name: "all-day daily series with date UNTIL", from: y0, to: y1, zone: "Europe/Paris",
			ics:  icsCalendar(ev("s", "DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;UNTIL=20260106")),
			want: []string{"2026-01-04T23:00:00Z", "2026-01-05T23:00:00Z", "2026-01-05T23:00:00Z", "2026-01-06T23:00:00Z"}},
		{name: "COUNT counts from DTSTART before the window", from: "2026-01-05T00:00:00Z", to: "2026-01-20T00:00:00Z",
			ics: icsCalendar(ev("s", "DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=7")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z",
				"2026-01-07T09:00:00Z", "2026-01-07T10:00:00Z"}},
		{name: "daily series since 2015 keeps wall-clock time", from: "2026-07-01T00:00:00Z", to: "2026-07-03T00:00:00Z",
			ics:  icsCalendar(ev("s", "DTSTART;TZID=Europe/Paris:20150302T090000", "DTEND;TZID=Europe/Paris:20150302T091500", "RRULE:FREQ=DAILY")),
			want: []string{"2026-07-01T07:00:00Z", "2026-07-01T07:15:00Z", "2026-07-02T07:00:00Z", "2026-07-02T07:15:00Z"}},
		{name: "occurrence started before the window is kept", from: "2026-01-06T00:30:00Z", to: "2026-01-07T00:00:00Z",
			ics:  icsCalendar(ev("s", "DTSTART:20260101T230000Z", "DURATION:PT2H", "RRULE:FREQ=DAILY")),
			want: []string{"2026-01-05T23:00:00Z", "2026-01-06T01:00:00Z", "2026-01-06T23:00:00Z", "2026-01-07T01:00:00Z"}},
		{name: "RDATE date-time, date and period", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z",
				"RDATE:20260107T120000Z,20260108T120000Z", "RDATE;VALUE=DATE:20260110",
				"RDATE;VALUE=PERIOD:20260112T090000Z/20260112T113000Z,20260113T090000Z/PT2H")),
			want: []string{
				"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-07T12:00:00Z", "2026-01-07T13:00:00Z",
				"2026-01-08T12:00:00Z", "2026-01-08T13:00:00Z", "2026-01-10T00:00:00Z", "2026-01-10T01:00:00Z",
				"2026-01-12T09:00:00Z", "2026-01-12T11:30:00Z", "2026-01-13T09:00:00Z", "2026-01-13T11:00:00Z"}},
		{name: "EXDATE comma-separated, with TZID, and as a date", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART;TZID=Europe/Paris:20260105T100000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=6",
				"EXDATE:20260106T090000Z,20260107T090000Z", "EXDATE;TZID=Europe/Paris:20260108T100000", "EXDATE;VALUE=DATE:20260109")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-10T09:00:00Z", "2026-01-10T10:00:00Z"}},
		{name: "moved and cancelled instances", from: y0, to: y1,
			ics: icsCalendar(
				ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=WEEKLY;COUNT=4"),
				ev("s", "RECURRENCE-ID:20260112T090000Z", "DTSTART:20260113T150000Z", "DTEND:20260113T160000Z", "SEQUENCE:1"),
				ev("s", "RECURRENCE-ID:20260119T090000Z", "DTSTART:20260119T090000Z", "DTEND:20260119T100000Z", "STATUS:CANCELLED")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-13T15:00:00Z", "2026-01-13T16:00:00Z",
				"2026-01-26T09:00:00Z", "2026-01-26T10:00:00Z"}},
		{name: "override before its master, with TZID recurrence id", from: y0, to: y1,
			ics: icsCalendar(
				ev("s", "RECURRENCE-ID;TZID=Europe/Paris:20260106T100000", "DTSTART;TZID=Europe/Paris:20260106T140000", "DTEND;TZID=Europe/Paris:20260106T150000"),
				ev("s", "DTSTART;TZID=Europe/Paris:20260105T100000", "DTEND;TZID=Europe/Paris:20260105T110000", "RRULE:FREQ=DAILY;COUNT=2")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-06T13:00:00Z", "2026-01-06T14:00:00Z"}},
		{name: "THISANDFUTURE shifts later instances", from: y0, to: y1,
			ics: icsCalendar(
				ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5"),
				ev("s", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260107T090000Z", "DTSTART:20260107T110000Z", "DTEND:20260107T113000Z")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z",
				"2026-01-07T11:00:00Z", "2026-01-07T11:30:00Z", "2026-01-08T11:00:00Z", "2026-01-08T11:30:00Z",
				"2026-01-09T11:00:00Z", "2026-01-09T11:30:00Z"}},
		{name: "THISANDFUTURE cancelling the rest of a series", from: y0, to: y1,
			ics: icsCalendar(
				ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY"),
				ev("s", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260106T090000Z", "DTSTART:20260106T090000Z", "DTEND:20260106T100000Z", "STATUS:CANCELLED")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"}},
		{name: "override moved out of the window removes its instance", from: "2026-01-05T00:00:00Z", to: "2026-01-08T00:00:00Z",
			ics: icsCalendar(
				ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY"),
				ev("s", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20260201T090000Z", "DTEND:20260201T100000Z")),
			want: []string{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-07T09:00:00Z", "2026-01-07T10:00:00Z"}},
		{name: "lone override (invited to one instance)", from: y0, to: y1,
			ics:  icsCalendar(ev("s", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T100000Z", "DTEND:20260106T110000Z")),
			want: []string{"2026-01-06T10:00:00Z", "2026-01-06T11:00:00Z"}},
		{name: "transparent series with an opaque override", from: y0, to: y1,
			ics: icsCalendar(
				ev("s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=3", "TRANSP:TRANSPARENT"),
				ev("s", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T090000Z", "DTEND:20260106T100000Z", "TRANSP:OPAQUE")),
			want: []string{"2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z"}},
		{name: "yearly all-day in mentor zone", from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", zone: "America/New_York",
			ics:  icsCalendar(ev("s", "DTSTART;VALUE=DATE:20200310", "DTEND;VALUE=DATE:20200311", "RRULE:FREQ=YEARLY")),
			want: []string{"2026-03-10T04:00:00Z", "2026-03-11T04:00:00Z"}},
		{name: "DTSTART not matching the rule is still the first instance", from: y0, to: y1,
			ics: icsCalendar(ev("s", "DTSTART:20260106T090000Z", "DTEND:20260106T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2")),
			want: []string{"2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z", "2026-01-12T09:00:00Z", "2026-01-12T10:00:00Z",
				"2026-01-19T09:00:00Z", "2026-01-19T10:00:00Z"}},
		{name: "SECONDLY with COUNT", from: "2026-01-05T00:00:00Z", to: "2026-01-05T00:00:10Z",
			ics: icsCalendar(ev("s", "DTSTART:20260105T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY;COUNT=3")),
			want: []string{"2026-01-05T00:00:00Z", "2026-01-05T00:00:01Z", "2026-01-05T00:00:01Z", "2026-01-05T00:00:02Z",
				"2026-01-05T00:00:02Z", "2026-01-05T00:00:03Z"}},
	})
}

func TestDecodeBusyStopsRunawaySeries(t *testing.T) {
	ics := icsCalendar(icsEvent("UID:runaway", "DTSTART:20260105T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"),
		icsEvent("UID:after", "DTSTART:20260301T000000Z", "DURATION:PT1M"))
	busy, err := decode([]byte(ics), window(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), time.UTC)
	var limit *LimitError
	if !errors.As(err, &limit) || limit.What != "occurrences" || limit.UID != "runaway" || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want the occurrences limit naming the series", err)
	}
	if len(busy.Intervals) != 0 {
		t.Errorf("%d intervals returned with the error: part of a calendar would show the rest free", len(busy.Intervals))
	}
	if want := "calendar too large: one calendar object holds more than 100,000 event occurrences in the synced period (event \"runaway\")"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
