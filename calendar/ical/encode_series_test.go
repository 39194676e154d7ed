package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/calendar/ical/icaltest"
)

// parisSeries is ten weekly 10:00 Paris sessions from 1 March 2027, across
// the March change: the third skipped, the fifth moved to the next day
// at 15:00.
func parisSeries(t *testing.T) (calendar.Session, []time.Time) {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2027, 3, 1, 10, 0, 0, 0, paris)
	r := &calendar.Recurrence{Zone: "Europe/Paris", First: first, Length: 30 * time.Minute, Count: 10, IntervalWeeks: 1}
	var want []time.Time
	for k := range 10 {
		at := time.Date(2027, 3, 1+7*k, 10, 0, 0, 0, paris)
		switch k {
		case 2:
			r.Excluded = append(r.Excluded, at)
		case 4:
			moved := time.Date(2027, 3, 30, 15, 0, 0, 0, paris)
			r.Moved = append(r.Moved, calendar.MovedOccurrence{Of: at, Start: moved, End: moved.Add(30 * time.Minute)})
			want = append(want, moved)
		default:
			want = append(want, at)
		}
	}
	s := calendar.Session{UID: "series-1@rdv.example.org", Sequence: 3, Start: first, End: first.Add(30 * time.Minute),
		Summary: "Mentoring: Camille / Zoe", VideoURL: "https://meet.example.org/r1",
		Organizer: calendar.Person{Name: "Camille", Email: "camille@example.org"},
		Attendee:  calendar.Person{Name: "Zoe", Email: "zoe@example.org"},
		Stamp:     time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC), Series: r}
	return s, want
}

// TestSeriesExpandsToItsSessions: an invite, a calendar object and a feed
// carrying a series (one UID, RRULE in the mentor's zone across DST,
// EXDATE, a RECURRENCE-ID override) expand, by recurring-ical-events and
// by ical.js, to exactly the sessions at their current times.
func TestSeriesExpandsToItsSessions(t *testing.T) {
	s, want := parisSeries(t)
	invite, err := ical.EncodeInvite(ical.MethodRequest, s)
	if err != nil {
		t.Fatal(err)
	}
	object, err := ical.EncodeObject(s)
	if err != nil {
		t.Fatal(err)
	}
	run, err := ical.EncodeFeedSeries([]calendar.Session{s})
	if err != nil {
		t.Fatal(err)
	}
	single := s
	single.UID, single.Series = "single@rdv.example.org", nil
	single.Start = time.Date(2027, 6, 1, 8, 0, 0, 0, time.UTC)
	single.End = single.Start.Add(30 * time.Minute)
	singles, err := ical.EncodeFeedEvents([]calendar.Session{single})
	if err != nil {
		t.Fatal(err)
	}
	w := ical.NewFeedWriter("Mentoring", time.Hour)
	w.AddEvents(singles)
	w.AddEvents(run)
	feed := w.Bytes()
	for name, data := range map[string][]byte{"invite": invite, "object": object} {
		if n := bytes.Count(data, []byte("UID:series-1@rdv.example.org")); n != 2 {
			t.Errorf("%s: %d events of the series' UID, want the master and one override", name, n)
		}
		for _, line := range []string{"RRULE:FREQ=WEEKLY;COUNT=10", `EXDATE;TZID="Europe/Paris":20270315T100000`,
			`RECURRENCE-ID;TZID="Europe/Paris":20270329T100000`, "BEGIN:VTIMEZONE", "TZOFFSETTO:+0200"} {
			if !bytes.Contains(data, []byte(line)) {
				t.Errorf("%s lacks %s:\n%s", name, line, data)
			}
		}
		py, js := icaltest.Expand(t, data, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
		if got := icaltest.Format(want...); !icaltest.Equal(py, got) || !icaltest.Equal(js, got) {
			t.Errorf("%s expands to\npython %v\nical.js %v\nwant %v", name, py, js, got)
		}
	}
	py, js := icaltest.Expand(t, feed, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	wantFeed := append(icaltest.Format(want...), single.Start.Format(time.RFC3339))
	if !icaltest.Equal(py, wantFeed) || !icaltest.Equal(js, wantFeed) {
		t.Errorf("feed expands to\npython %v\nical.js %v\nwant %v", py, js, wantFeed)
	}

	// A cancelled series is one cancelled master, which expands to nothing.
	s.Cancelled = true
	cancel, err := ical.EncodeInvite(ical.MethodCancel, s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(cancel), "BEGIN:VEVENT") != 1 || !strings.Contains(string(cancel), "STATUS:CANCELLED") {
		t.Errorf("cancelled series:\n%s", cancel)
	}
	if py, js := icaltest.Expand(t, cancel, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)); len(py) != 0 || len(js) != 0 {
		t.Errorf("a cancelled series expands to python %v, ical.js %v", py, js)
	}
}
