package caldav

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// referencePython is Debian's interpreter, which sees python3-icalendar
// and python3-recurring-ical-events (a pyenv python3 on PATH does not).
const referencePython = "/usr/bin/python3"

// seedZoned adds what servers like to rewrite: an event in a named zone
// with its VTIMEZONE, a daily series with an EXDATE, a cancelled event.
func seedZoned(t *testing.T, srv *caldavtest.Server) {
	srv.Put(t, "zoned.ics", caldavtest.Calendar(`BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:zoned-1
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Paris:20260602T140000
DTEND;TZID=Europe/Paris:20260602T153000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Paris:20260604T140000
SUMMARY:Classes
END:VEVENT`))
	srv.Put(t, "cancelled.ics", caldavtest.Event("cancelled-1", "Cancelled", day.Add(5*time.Hour), day.Add(6*time.Hour), "STATUS:CANCELLED"))
}

// The busy time of what each server hands back, decoded by our decoder,
// matches Python's recurring-ical-events on the same data, and matches
// what was written before the server stored (and maybe rewrote) it.
func TestBusyMatchesPythonReferenceOnEveryServer(t *testing.T) {
	if err := exec.Command(referencePython, "-c", "import recurring_ical_events, icalendar").Run(); err != nil {
		msg := "the busy-time cross-check needs " + referencePython + " with python3-recurring-ical-events: " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	script, err := filepath.Abs("../../calendar/ical/testdata/expand.py")
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Europe/Paris")
	window := calendar.Interval{Start: time.Date(2026, 5, 25, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		seedVariety(t, srv, calRef)
		seedZoned(t, srv)
		cs := changes(t, connect(t, srv, srv.URL), calRef, "", nil)
		if len(cs.Upserts) != 6 {
			t.Fatalf("%d objects back, want 6", len(cs.Upserts))
		}
		var all strings.Builder
		var ours []calendar.Interval
		for _, it := range cs.Upserts {
			all.Write(it.ICS)
			all.WriteString("\r\n")
			busy, err := ical.DecodeBusy(context.Background(), it.ICS, ical.Options{Window: window, Location: zone})
			if err != nil || len(busy.Problems) > 0 {
				t.Fatalf("%s: %v %v\n%s", it.Key, err, busy.Problems, it.ICS)
			}
			ours = append(ours, busy.Intervals...)
		}
		calendar.SortIntervals(ours)
		file := filepath.Join(t.TempDir(), "calendar.ics")
		if err := os.WriteFile(file, []byte(all.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(referencePython, script, file, window.Start.Format(time.RFC3339), window.End.Format(time.RFC3339), "Europe/Paris").Output()
		if err != nil {
			t.Fatalf("expand.py: %v", err)
		}
		var pairs [][2]time.Time
		if err := json.Unmarshal(out, &pairs); err != nil {
			t.Fatal(err)
		}
		// Written: 10 weekly (one moved), one all-day day, the dentist,
		// four zoned classes (one excepted); not the free lunch nor the
		// cancelled event.
		if len(ours) != 16 || len(pairs) != len(ours) {
			t.Fatalf("%d intervals from our decoder, %d from the reference; want 16:\nours %v\npython %s", len(ours), len(pairs), ours, out)
		}
		for i, p := range pairs {
			if !p[0].Equal(ours[i].Start) || !p[1].Equal(ours[i].End) {
				t.Errorf("interval %d: ours %v–%v, python %v–%v", i, ours[i].Start, ours[i].End, p[0], p[1])
			}
		}
	})
}

// An invitation the mentor declined stays in their calendar on every
// server (the server keeps the mentor's ATTENDEE at PARTSTAT=DECLINED):
// it blocks time unless the decoder knows who the mentor is, by the
// account's addresses as discovered or by the mentor's e-mail.
func TestDeclinedInvitationIsNotBusyOnEveryServer(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		mentor := srv.Email
		if mentor == "" {
			mentor = "mentor@example.org"
		}
		srv.Put(t, "declined.ics", caldavtest.Calendar(`BEGIN:VEVENT
UID:declined-`+runID(srv)+`
DTSTAMP:20260101T000000Z
DTSTART:20260602T090000Z
DTEND:20260602T100000Z
SUMMARY:Staff meeting
ORGANIZER;CN=Boss:mailto:boss@example.net
ATTENDEE;CN=Boss;PARTSTAT=ACCEPTED:mailto:boss@example.net
ATTENDEE;CN=Mentor;PARTSTAT=DECLINED;RSVP=TRUE:mailto:`+strings.ToUpper(mentor)+`
END:VEVENT`))
		conn := connect(t, srv, srv.URL)
		cs := changes(t, conn, calRef, "", nil)
		if len(cs.Upserts) != 1 {
			t.Fatalf("%d objects, want 1", len(cs.Upserts))
		}
		stored := cs.Upserts[0].ICS
		busyWith := func(self []string) int {
			busy, err := ical.DecodeBusy(context.Background(), stored, ical.Options{Window: testWindow, SelfAddresses: self})
			if err != nil {
				t.Fatal(err)
			}
			return len(busy.Intervals)
		}
		if n := busyWith(nil); n != 1 {
			t.Fatalf("without the mentor's addresses: %d intervals, want the 1 this case is about\n%s", n, stored)
		}
		if n := busyWith([]string{mentor}); n != 0 {
			t.Errorf("with the mentor's e-mail: %d intervals, want 0\n%s", n, stored)
		}
		if srv.Email != "" {
			if n := busyWith(conn.Addresses()); n != 0 {
				t.Errorf("with the account's addresses %v: %d intervals, want 0", conn.Addresses(), n)
			}
		}
	})
}
