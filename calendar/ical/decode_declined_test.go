package ical

import (
	"context"
	"testing"
	"time"
)

// An invitation the owner declined stays in their calendar with their
// ATTENDEE at PARTSTAT=DECLINED: it is not busy time. The owner is known
// by any of their addresses, in any case, with or without mailto:.
func TestDecodeBusyDeclinedInvitations(t *testing.T) {
	self := []string{"mailto:Mentor@Example.org", "mentor@university.example", "/principals/mentor/"}
	ev := func(uid, start string, props ...string) string {
		return icsEvent(append([]string{"UID:" + uid, "DTSTAMP:20260101T000000Z", "DTSTART:" + start + "Z",
			"DTEND:" + start[:9] + "10" + start[11:] + "Z", "ORGANIZER:mailto:boss@example.net"}, props...)...)
	}
	for _, tc := range []struct {
		name  string
		ics   string
		self  []string
		busy  []string
		about string
	}{
		{"declined by the mentor", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@example.org")), self, nil, "mailto and case"},
		{"declined under another address", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;CN=Mentor;PARTSTAT=DECLINED;RSVP=TRUE:MAILTO:MENTOR@UNIVERSITY.EXAMPLE")), self, nil, "account address"},
		{"quoted parameter", icsCalendar(ev("a", "20260310T090000", `ATTENDEE;CN="Mentor; PhD";PARTSTAT=DECLINED:mailto:mentor@example.org`)), self, nil, ""},
		{"declined by someone else", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.org", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mentor@example.org")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, ""},
		{"accepted", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mentor@example.org")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, ""},
		{"not answered", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:mentor@example.org")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, ""},
		{"accepted under one address, declined under another", icsCalendar(ev("a", "20260310T090000",
			"ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@university.example", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mentor@example.org")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, ""},
		{"no addresses known", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@example.org")), nil,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, "as before"},
		{"one occurrence of a series declined", icsCalendar(
			ev("s", "20260310T090000", "RRULE:FREQ=WEEKLY;COUNT=3", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mentor@example.org"),
			icsEvent("UID:s", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID:20260317T090000Z", "DTSTART:20260317T090000Z", "DTEND:20260317T100000Z",
				"ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@example.org")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", "2026-03-24T09:00:00Z", "2026-03-24T10:00:00Z"}, ""},
		{"a declined series, one occurrence accepted", icsCalendar(
			ev("s", "20260310T090000", "RRULE:FREQ=WEEKLY;COUNT=3", "ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@example.org"),
			icsEvent("UID:s", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID:20260317T090000Z", "DTSTART:20260317T090000Z", "DTEND:20260317T100000Z",
				"ATTENDEE;PARTSTAT=ACCEPTED:mailto:mentor@example.org")), self,
			[]string{"2026-03-17T09:00:00Z", "2026-03-17T10:00:00Z"}, ""},
		{"an alarm's attendee is not the event's", icsCalendar(ev("a", "20260310T090000", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:x@example.org",
			"BEGIN:VALARM", "ACTION:EMAIL", "TRIGGER:-PT15M", "ATTENDEE;PARTSTAT=DECLINED:mailto:mentor@example.org", "END:VALARM")), self,
			[]string{"2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			busy, err := DecodeBusy(context.Background(), []byte(tc.ics), Options{
				Window: window(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), Location: time.UTC, SelfAddresses: tc.self,
			})
			if err != nil || len(busy.Problems) > 0 {
				t.Fatalf("DecodeBusy: %v %v", err, busy.Problems)
			}
			if want := spans(t, tc.busy...); !sameSpans(busy.Intervals, want) {
				t.Errorf("intervals:\n%s want:\n%s", formatSpans(busy.Intervals), formatSpans(want))
			}
		})
	}
}
