package ical

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

func TestDecodeBusyEventRules(t *testing.T) {
	const y0, y1 = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
	ev := func(uid string, props ...string) string { return icsEvent(append([]string{"UID:" + uid}, props...)...) }
	runDecodeCases(t, []decodeCase{
		{name: "utc", from: y0, to: y1,
			ics:  icsCalendar(ev("a", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z")),
			want: []string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}},
		{name: "tzid", from: y0, to: y1,
			ics:  icsCalendar(ev("a", "DTSTART;TZID=Europe/Paris:20260310T090000", "DTEND;TZID=Europe/Paris:20260310T100000")),
			want: []string{"2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"}},
		{name: "quoted tzid", from: y0, to: y1,
			ics:  icsCalendar(ev("a", `DTSTART;TZID="Europe/Paris":20260310T090000`, `DTEND;TZID='Europe/Paris':20260310T100000`)),
			want: []string{"2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"}},
		{name: "floating in mentor zone", from: y0, to: y1, zone: "America/New_York",
			ics:  icsCalendar(ev("a", "DTSTART:20260710T090000", "DTEND:20260710T100000")),
			want: []string{"2026-07-10T13:00:00Z", "2026-07-10T14:00:00Z"}},
		{name: "all-day in mentor zone", from: y0, to: y1, zone: "Europe/Paris",
			ics:  icsCalendar(ev("a", "DTSTART;VALUE=DATE:20260710", "DTEND;VALUE=DATE:20260711")),
			want: []string{"2026-07-09T22:00:00Z", "2026-07-10T22:00:00Z"}},
		{name: "multi-day all-day across DST", from: y0, to: y1, zone: "Europe/Paris",
			ics:  icsCalendar(ev("a", "DTSTART;VALUE=DATE:20260328", "DTEND;VALUE=DATE:20260330")),
			want: []string{"2026-03-27T23:00:00Z", "2026-03-29T22:00:00Z"}},
		{name: "all-day without end is one day", from: y0, to: y1, zone: "Europe/Paris",
			ics:  icsCalendar(ev("a", "DTSTART;VALUE=DATE:20260710")),
			want: []string{"2026-07-09T22:00:00Z", "2026-07-10T22:00:00Z"}},
		{name: "timed without end blocks nothing", from: y0, to: y1,
			ics: icsCalendar(ev("a", "DTSTART:20260310T090000Z"))},
		{name: "duration", from: y0, to: y1,
			ics:  icsCalendar(ev("a", "DTSTART:20260310T090000Z", "DURATION:PT1H30M")),
			want: []string{"2026-03-10T09:00:00Z", "2026-03-10T10:30:00Z"}},
		{name: "nominal day across DST", from: y0, to: y1,
			ics:  icsCalendar(ev("a", "DTSTART;TZID=Europe/Paris:20260328T120000", "DURATION:P1D")),
			want: []string{"2026-03-28T11:00:00Z", "2026-03-29T10:00:00Z"}},
		{name: "transparent cancelled free do not block, tentative does", from: y0, to: y1,
			ics: icsCalendar(
				ev("t", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "TRANSP:TRANSPARENT"),
				ev("c", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "STATUS:CANCELLED"),
				ev("f", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "X-MICROSOFT-CDO-BUSYSTATUS:FREE"),
				ev("p", "DTSTART:20260311T090000Z", "DTEND:20260311T100000Z", "STATUS:TENTATIVE"),
				"BEGIN:VTODO\nUID:todo\nDTSTART:20260312T090000Z\nDUE:20260312T100000Z\nEND:VTODO",
				"BEGIN:VJOURNAL\nUID:j\nDTSTART:20260312T090000Z\nEND:VJOURNAL"),
			want: []string{"2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z"}},
		{name: "overlap with window, unclipped; touching excluded", from: "2026-03-10T09:00:00Z", to: "2026-03-10T12:00:00Z",
			ics: icsCalendar(
				ev("before", "DTSTART:20260310T080000Z", "DTEND:20260310T090000Z"),
				ev("across", "DTSTART:20260310T083000Z", "DTEND:20260310T093000Z"),
				ev("after", "DTSTART:20260310T120000Z", "DTEND:20260310T130000Z")),
			want: []string{"2026-03-10T08:30:00Z", "2026-03-10T09:30:00Z"}},
		{name: "broken events are skipped and reported", from: y0, to: y1,
			ics: icsCalendar(
				ev("unknown-tz", "DTSTART;TZID=Mars/Olympus_Mons:20260310T090000", "DTEND;TZID=Mars/Olympus_Mons:20260310T100000"),
				ev("backwards", "DTSTART:20260310T090000Z", "DTEND:20260310T080000Z"),
				ev("no-start", "DTEND:20260310T080000Z"),
				ev("bad-rule", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "RRULE:FREQ=FORTNIGHTLY"),
				ev("bad-date", "DTSTART:20260230T090000Z", "DTEND:20260310T100000Z"),
				ev("good", "DTSTART:20260311T090000Z", "DTEND:20260311T100000Z")),
			want:     []string{"2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z"},
			problems: []string{"unknown-tz", "backwards", "no-start", "bad-rule", "bad-date"}},
		{name: "duplicate masters both kept", from: y0, to: y1,
			ics: icsCalendar(
				ev("dup", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z"),
				ev("dup", "DTSTART:20260311T090000Z", "DTEND:20260311T100000Z")),
			want: []string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z"}},
		{name: "truncated event reported, earlier ones kept", from: y0, to: y1,
			ics: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\n" +
				"BEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20260311T090000Z\r\n",
			want:     []string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"},
			problems: []string{"cut"}},
		{name: "malformed lines cost only themselves", from: y0, to: y1,
			ics:  icsCalendar(ev("a", "DTSTART:20260310T090000Z", `X-BROKEN;P="unterminated:x`, "no colon here", "DTEND:20260310T100000Z")),
			want: []string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}},
		{name: "folded lines and concatenated calendars, one unterminated", from: y0, to: y1,
			ics: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Pa\r\n ris:20260310T090000\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" +
				strings.TrimSuffix(icsCalendar(ev("a", "DTSTART:20260312T090000Z", "DTEND:20260312T100000Z")), "END:VCALENDAR\r\n") +
				icsCalendar(ev("b", "DTSTART:20260313T090000Z", "DTEND:20260313T100000Z")),
			want: []string{"2026-03-10T08:00:00Z", "2026-03-10T10:00:00Z", "2026-03-12T09:00:00Z", "2026-03-12T10:00:00Z",
				"2026-03-13T09:00:00Z", "2026-03-13T10:00:00Z"}},
	})
}

func TestDecodeBusyRejectsNonICalendar(t *testing.T) {
	w := calendar.Interval{Start: time.Unix(0, 0), End: time.Unix(1e10, 0)}
	for _, in := range []string{"", "hello", "<html></html>", "BEGIN:VEVENT\nUID:x\nEND:VEVENT\n", "\x00\xff"} {
		if _, err := decode([]byte(in), w, time.UTC); !errors.Is(err, ErrNotICalendar) {
			t.Errorf("DecodeBusy(%q) err = %v, want ErrNotICalendar", in, err)
		}
	}
}
