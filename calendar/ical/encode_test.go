package ical

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

func TestEncodeInviteProperties(t *testing.T) {
	s := sampleSession()
	cases := []struct {
		method, status, transp string
		alarm                  bool
	}{
		{MethodRequest, "CONFIRMED", "OPAQUE", true},
		{MethodCancel, "CANCELLED", "TRANSPARENT", false},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			data, err := EncodeInvite(tc.method, s)
			if err != nil {
				t.Fatal(err)
			}
			checkCRLF(t, data)
			cal := decodeICS(t, data)
			for name, want := range map[string]string{
				"METHOD": tc.method, "VERSION": "2.0", "PRODID": ProdID, "CALSCALE": "GREGORIAN",
			} {
				if got := propValue(cal.Component, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			ev := onlyEvent(t, cal)
			for name, want := range map[string]string{
				"UID": s.UID, "SEQUENCE": "2", "DTSTAMP": "20261201T090000Z",
				"DTSTART": "20261207T133000Z", "DTEND": "20261207T140000Z",
				"CREATED": "20261130T080000Z", "LAST-MODIFIED": "20261201T090000Z",
				"URL": s.VideoURL, "STATUS": tc.status, "TRANSP": tc.transp,
				"ORGANIZER": "mailto:mentor@example.org",
			} {
				if got := propValue(ev.Component, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := textValue(t, ev.Component, "SUMMARY"); got != s.Summary {
				t.Errorf("SUMMARY = %q, want %q", got, s.Summary)
			}
			if got := textValue(t, ev.Component, "LOCATION"); got != s.VideoURL {
				t.Errorf("LOCATION = %q, want %q", got, s.VideoURL)
			}
			desc := textValue(t, ev.Component, "DESCRIPTION")
			for _, want := range []string{s.Description, s.VideoURL, s.ManageURL} {
				if !strings.Contains(desc, want) {
					t.Errorf("DESCRIPTION %q lacks %q", desc, want)
				}
			}
			if got := ev.Props.Get("ORGANIZER").Params.Get("CN"); got != "Éloïse 'Lou' Straßer-李" {
				t.Errorf("ORGANIZER CN = %q", got)
			}
			attendees := attendeesByAddress(ev.Component)
			mentee, mentor := attendees["mailto:mentee@example.org"], attendees["mailto:mentor@example.org"]
			for param, want := range map[string]string{
				"CN": s.Attendee.Name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE",
			} {
				if got := mentee.Params.Get(param); got != want {
					t.Errorf("mentee ATTENDEE %s = %q, want %q", param, got, want)
				}
			}
			if got := mentor.Params.Get("PARTSTAT"); got != "ACCEPTED" {
				t.Errorf("mentor ATTENDEE PARTSTAT = %q, want ACCEPTED", got)
			}
			var alarms int
			for _, child := range ev.Children {
				if child.Name == "VALARM" {
					alarms++
					if propValue(child, "ACTION") != "DISPLAY" || propValue(child, "TRIGGER") != "-PT15M" {
						t.Errorf("VALARM = ACTION %q TRIGGER %q", propValue(child, "ACTION"), propValue(child, "TRIGGER"))
					}
				}
			}
			if (alarms == 1) != tc.alarm || alarms > 1 {
				t.Errorf("got %d VALARMs, want alarm=%v", alarms, tc.alarm)
			}
		})
	}
}

func TestEncodeInviteRejectsBadInput(t *testing.T) {
	good := sampleSession()
	noAttendee := good
	noAttendee.Attendee.Email = ""
	backwards := good
	backwards.End = good.Start
	noUID := good
	noUID.UID = " "
	noStamp := good
	noStamp.Stamp, noStamp.Created, noStamp.Modified = time.Time{}, time.Time{}, time.Time{}
	cases := map[string]struct {
		method string
		s      calendar.Session
	}{
		"PUBLISH method":   {"PUBLISH", good},
		"empty method":     {"", good},
		"no attendee":      {MethodRequest, noAttendee},
		"end before start": {MethodRequest, backwards},
		"empty UID":        {MethodCancel, noUID},
		"no DTSTAMP":       {MethodRequest, noStamp},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := EncodeInvite(tc.method, tc.s); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if _, err := EncodeInvite(MethodRequest, backwards); !errors.Is(err, ErrInvalidSession) {
		t.Errorf("error %v does not wrap ErrInvalidSession", err)
	}
}

func TestEncodeObjectHasNoMethod(t *testing.T) {
	data, err := EncodeObject(sampleSession())
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, data)
	if bytes.Contains(data, []byte("METHOD")) {
		t.Fatalf("CalDAV object carries a METHOD:\n%s", data)
	}
	ev := onlyEvent(t, decodeICS(t, data))
	if got := propValue(ev.Component, "STATUS"); got != "CONFIRMED" {
		t.Errorf("STATUS = %q", got)
	}
	// Scheduling servers must leave the people to us (RFC 6638 §7.1).
	people := append(ev.Props.Values("ORGANIZER"), ev.Props.Values("ATTENDEE")...)
	if len(people) != 3 {
		t.Fatalf("%d ORGANIZER/ATTENDEE properties, want 3", len(people))
	}
	for _, p := range people {
		if got := p.Params.Get("SCHEDULE-AGENT"); got != "CLIENT" {
			t.Errorf("%s %s: SCHEDULE-AGENT=%q, want CLIENT", p.Name, p.Value, got)
		}
	}
	// Invitations are scheduling messages themselves: no SCHEDULE-AGENT.
	invite, err := EncodeInvite(MethodRequest, sampleSession())
	if err != nil || bytes.Contains(invite, []byte("SCHEDULE-AGENT")) {
		t.Errorf("invite carries SCHEDULE-AGENT (err %v)", err)
	}
}

func TestEncodeFeed(t *testing.T) {
	f := feedOf(3)
	data, err := EncodeFeed(f)
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, data)
	if bytes.Contains(data, []byte("METHOD")) {
		t.Fatal("feed carries a METHOD")
	}
	if !bytes.Contains(data, []byte("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n")) {
		t.Error("no REFRESH-INTERVAL;VALUE=DURATION:PT1H line")
	}
	cal := decodeICS(t, data)
	if got := textValue(t, cal.Component, "X-WR-CALNAME"); got != f.Name {
		t.Errorf("X-WR-CALNAME = %q", got)
	}
	if got := propValue(cal.Component, "X-PUBLISHED-TTL"); got != "PT1H" {
		t.Errorf("X-PUBLISHED-TTL = %q", got)
	}
	events := cal.Events()
	if len(events) != 3 {
		t.Fatalf("got %d events", len(events))
	}
	for i, ev := range events {
		want := "CONFIRMED"
		if f.Sessions[i].Cancelled {
			want = "CANCELLED"
		}
		if got := propValue(ev.Component, "STATUS"); got != want {
			t.Errorf("event %d STATUS = %q, want %q", i, got, want)
		}
		if len(ev.Children) != 0 {
			t.Errorf("feed event %d has sub-components (alarms)", i)
		}
	}
}

func TestEncodeFeedEmptyAndMinimal(t *testing.T) {
	data, err := EncodeFeed(Feed{})
	if err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + ProdID + "\r\nCALSCALE:GREGORIAN\r\nEND:VCALENDAR\r\n"
	if string(data) != want {
		t.Errorf("empty feed:\n%q\nwant\n%q", data, want)
	}
}

func TestTextEscaping(t *testing.T) {
	cases := map[string]string{
		`a\b`:           `a\\b`,
		"a;b,c":         `a\;b\,c`,
		"l1\nl2":        `l1\nl2`,
		"l1\r\nl2\rl3":  `l1\nl2\nl3`,
		"bell\x07tab\t": "belltab\t",
		"李ß":            "李ß",
	}
	for in, want := range cases {
		if got := string(appendEscapedText(nil, in)); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	cases := map[time.Duration]string{
		15 * time.Minute:              "PT15M",
		-15 * time.Minute:             "-PT15M",
		time.Hour:                     "PT1H",
		24 * time.Hour:                "P1D",
		36*time.Hour + 90*time.Second: "P1DT12H1M30S",
		0:                             "PT0S",
	}
	for d, want := range cases {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func BenchmarkEncodeFeed(b *testing.B) {
	f := feedOf(5000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeFeed(f); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAppendUTCMatchesTimeFormat(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, tm := range []time.Time{
		time.Date(2026, 3, 29, 2, 30, 0, 0, paris),
		time.Date(1999, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := string(appendUTC(nil, tm)), tm.UTC().Format("20060102T150405Z"); got != want {
			t.Errorf("appendUTC(%v) = %s, want %s", tm, got, want)
		}
	}
}
