package ical

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/rendezvous/rendezvous/calendar"
)

// sampleSession is a session with every field set, including text that needs
// escaping and names that need UTF-8-safe folding.
func sampleSession() calendar.Session {
	start := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	return calendar.Session{
		UID:         "b7d0c7e2-4f7a-4e52-9a53-0d1c1b7f2a10@rendezvous",
		Sequence:    2,
		Start:       start,
		End:         start.Add(30 * time.Minute),
		Summary:     "Mentoring: Zoë Ångström, Li 李; session #3",
		Description: "Agenda: CV review, mock interview\nBring questions; anything goes \\o/",
		VideoURL:    "https://meet.example.org/rendezvous-abc123",
		ManageURL:   "https://rdv.example.org/manage/tok_123",
		Organizer:   calendar.Person{Name: "Éloïse \"Lou\" Straßer-李", Email: "mentor@example.org"},
		Attendee:    calendar.Person{Name: "Zoë Ångström; Jr, PhD", Email: "mentee@example.org"},
		Stamp:       time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		Created:     time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
		Modified:    time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
	}
}

func decodeICS(t *testing.T, data []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode our output: %v\n%s", err, data)
	}
	return cal
}

func onlyEvent(t *testing.T, cal *ical.Calendar) ical.Event {
	t.Helper()
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("got %d events, want 1", len(events))
	}
	return events[0]
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

func textValue(t *testing.T, c *ical.Component, name string) string {
	t.Helper()
	v, err := c.Props.Text(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// attendeesByAddress indexes ATTENDEE properties by their mailto address.
func attendeesByAddress(c *ical.Component) map[string]ical.Prop {
	m := map[string]ical.Prop{}
	for _, p := range c.Props.Values("ATTENDEE") {
		m[p.Value] = p
	}
	return m
}

func checkCRLF(t *testing.T, data []byte) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i, line)
		}
		if len(line) > maxLineOctets {
			t.Fatalf("line %d longer than 75 octets: %q", i, line)
		}
	}
	if !bytes.HasSuffix(data, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("output does not end with END:VCALENDAR CRLF")
	}
}

func feedOf(n int) Feed {
	base := sampleSession()
	f := Feed{Name: "Éloïse's sessions", RefreshInterval: time.Hour, Sessions: make([]calendar.Session, n)}
	for i := range f.Sessions {
		s := base
		s.UID = fmt.Sprintf("session-%06d@rendezvous", i)
		s.Start = base.Start.Add(time.Duration(i) * time.Hour)
		s.End = s.Start.Add(45 * time.Minute)
		s.Cancelled = i%10 == 0
		f.Sessions[i] = s
	}
	return f
}
