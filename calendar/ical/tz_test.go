package ical

import (
	"fmt"
	"testing"
	"time"
)

// outlookVTimezone is how Outlook describes a zone it has no standard name
// for: observances anchored in 1601 with yearly rules.
const outlookVTimezone = `BEGIN:VTIMEZONE
TZID:%s
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE`

func TestDecodeBusyTimeZones(t *testing.T) {
	const y0, y1 = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
	at := func(uid, tzid, local string) string {
		return icsEvent("UID:"+uid, "DTSTART;TZID="+tzid+":"+local, "DURATION:PT1H")
	}
	vtz := func(name string) string { return fmt.Sprintf(outlookVTimezone, name) }
	runDecodeCases(t, []decodeCase{
		{name: "Windows names via CLDR", from: y0, to: y1,
			ics: icsCalendar(
				at("a", "Romance Standard Time", "20260710T090000"),
				at("b", "W. Europe Standard Time", "20260115T090000"),
				at("c", `"Eastern Standard Time"`, "20260710T090000"),
				at("d", "India Standard Time", "20260710T090000")),
			want: []string{
				"2026-01-15T08:00:00Z", "2026-01-15T09:00:00Z",
				"2026-07-10T03:30:00Z", "2026-07-10T04:30:00Z",
				"2026-07-10T07:00:00Z", "2026-07-10T08:00:00Z",
				"2026-07-10T13:00:00Z", "2026-07-10T14:00:00Z"}},
		{name: "Thunderbird vendor prefix", from: y0, to: y1,
			ics:  icsCalendar(at("a", "/mozilla.org/20070129_1/Europe/Berlin", "20260115T090000")),
			want: []string{"2026-01-15T08:00:00Z", "2026-01-15T09:00:00Z"}},
		{name: "custom name from the file's VTIMEZONE", from: y0, to: y1,
			ics: icsCalendar(vtz("Customized Time Zone"),
				at("winter", "Customized Time Zone", "20260115T090000"),
				at("summer", "Customized Time Zone", "20260710T090000"),
				at("dst-day", "Customized Time Zone", "20260329T033000"),
				at("fall-day", "Customized Time Zone", "20261025T033000")),
			want: []string{
				"2026-01-15T08:00:00Z", "2026-01-15T09:00:00Z",
				"2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z",
				"2026-07-10T07:00:00Z", "2026-07-10T08:00:00Z",
				"2026-10-25T02:30:00Z", "2026-10-25T03:30:00Z"}},
		{name: "Outlook display name with commas, recurring across DST", from: "2026-03-20T00:00:00Z", to: "2026-04-05T00:00:00Z",
			ics: icsCalendar(vtz(`"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"`),
				icsEvent("UID:r", `DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20260326T090000`,
					"DURATION:PT30M", "RRULE:FREQ=WEEKLY;COUNT=2")),
			want: []string{"2026-03-26T08:00:00Z", "2026-03-26T08:30:00Z", "2026-04-02T07:00:00Z", "2026-04-02T07:30:00Z"}},
		{name: "IANA rules win over a VTIMEZONE of the same name", from: y0, to: y1,
			ics: icsCalendar(`BEGIN:VTIMEZONE
				TZID:Asia/Kolkata
				BEGIN:STANDARD
				DTSTART:19700101T000000
				TZOFFSETFROM:+0000
				TZOFFSETTO:+0000
				END:STANDARD
				END:VTIMEZONE`, at("a", "Asia/Kolkata", "20260710T090000")),
			want: []string{"2026-07-10T03:30:00Z", "2026-07-10T04:30:00Z"}},
		{name: "fixed-offset VTIMEZONE without rules", from: y0, to: y1,
			ics: icsCalendar(`BEGIN:VTIMEZONE
				TZID:GMT +0530 (Standard)
				BEGIN:STANDARD
				DTSTART:16010101T000000
				TZOFFSETFROM:+0530
				TZOFFSETTO:+0530
				END:STANDARD
				END:VTIMEZONE`, at("a", "GMT +0530 (Standard)", "20260710T090000")),
			want: []string{"2026-07-10T03:30:00Z", "2026-07-10T04:30:00Z"}},
		{name: "unknown TZID without VTIMEZONE", from: y0, to: y1,
			ics:      icsCalendar(at("x", "Customized Time Zone", "20260710T090000"), at("ok", "UTC", "20260710T090000")),
			want:     []string{"2026-07-10T09:00:00Z", "2026-07-10T10:00:00Z"},
			problems: []string{"x"}},
	})
}

func TestWindowsZoneNamesAllLoad(t *testing.T) {
	for win, iana := range windowsZoneNames {
		if _, err := time.LoadLocation(iana); err != nil {
			t.Errorf("%q → %q: %v", win, iana, err)
		}
	}
	if len(windowsZoneNames) < 130 {
		t.Errorf("only %d Windows zones: table truncated?", len(windowsZoneNames))
	}
}

func TestLocationFromVTimezoneSouthernHemisphere(t *testing.T) {
	// Australia/Sydney as Outlook writes it: DST from the first Sunday of
	// October to the first Sunday of April.
	ics := icsCalendar(`BEGIN:VTIMEZONE
		TZID:AUS Eastern (custom)
		BEGIN:STANDARD
		DTSTART:16010101T030000
		TZOFFSETFROM:+1100
		TZOFFSETTO:+1000
		RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4
		END:STANDARD
		BEGIN:DAYLIGHT
		DTSTART:16010101T020000
		TZOFFSETFROM:+1000
		TZOFFSETTO:+1100
		RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10
		END:DAYLIGHT
		END:VTIMEZONE`)
	m := testMeter(DefaultObjectLimits())
	scan, err := scanICalendar(ics, m, &problemList{})
	if err != nil {
		t.Fatal(err)
	}
	z := newZoneResolver(ics, scan.zones.flatten(), &zoneShared{iana: map[string]*time.Location{}}, m)
	loc, err := z.resolve("AUS Eastern (custom)")
	if err != nil {
		t.Fatal(err)
	}
	sydney := mustLoad(t, "Australia/Sydney")
	for _, d := range []time.Time{
		time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), time.Date(2026, 4, 5, 2, 30, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 10, 4, 3, 0, 0, 0, time.UTC),
	} {
		_, got := d.In(loc).Zone()
		_, want := d.In(sydney).Zone()
		if got != want {
			t.Errorf("%s: offset %d, Sydney has %d", d, got, want)
		}
	}
}
