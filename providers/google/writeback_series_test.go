package google

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// TestSeriesIsOneRecurringEvent: a weekly series reaches Google as one
// recurring event in the mentor's zone, its skipped start excluded and
// its moved session excluded at its rule's time and added at its own;
// a later change patches the same event.
func TestSeriesIsOneRecurringEvent(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	first := time.Date(2027, 3, 1, 10, 0, 0, 0, paris)
	s := session(0, first)
	s.UID = "series-7@rendezvous.example"
	s.Series = &calendar.Recurrence{Zone: "Europe/Paris", First: first, Length: 30 * time.Minute, Count: 10, IntervalWeeks: 1,
		Excluded: []time.Time{first.AddDate(0, 0, 14)}}
	id, _, err := client.Insert(ctx, fake.User, s, false)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := fake.Event(fake.User, id)
	if len(fake.Events(fake.User)) != 1 || ev.Start.TimeZone != "Europe/Paris" || !strings.HasPrefix(ev.Start.DateTime, "2027-03-01T10:00:00+01:00") {
		t.Fatalf("series event: %d events, start %+v", len(fake.Events(fake.User)), ev.Start)
	}
	want := []string{"RRULE:FREQ=WEEKLY;COUNT=10", "EXDATE;TZID=Europe/Paris:20270315T100000"}
	if strings.Join(ev.Recurrence, "|") != strings.Join(want, "|") {
		t.Fatalf("recurrence %q, want %q", ev.Recurrence, want)
	}

	moved := time.Date(2027, 3, 30, 15, 0, 0, 0, paris) // after the change, from Monday 29 10:00
	s.Sequence = 1
	s.Series.Moved = []calendar.MovedOccurrence{{Of: first.AddDate(0, 0, 28), Start: moved, End: moved.Add(30 * time.Minute)}}
	if err := client.Patch(ctx, fake.User, id, s); err != nil {
		t.Fatal(err)
	}
	ev, _ = fake.Event(fake.User, id)
	if strings.Join(ev.Recurrence, "|") != strings.Join(want, "|") || ev.Sequence != 1 {
		t.Fatalf("after a move: recurrence %q seq %d, want %q (the move is an instance exception)", ev.Recurrence, ev.Sequence, want)
	}
	// The moved session is the instance of 29 March as an exception:
	// Google's id (master_originalStartUTC), recurringEventId and
	// originalStartTime, at its new time.
	exception, ok := fake.Event(fake.User, id+"_20270329T080000Z")
	if !ok || exception.RecurringEventId != id || exception.OriginalStartTime == nil ||
		!strings.HasPrefix(exception.OriginalStartTime.DateTime, "2027-03-29T10:00:00+02:00") || exception.ICalUID != s.UID {
		t.Fatalf("moved instance: %+v", exception)
	}
	if at, _ := time.Parse(time.RFC3339, exception.Start.DateTime); !at.Equal(moved) {
		t.Fatalf("moved instance starts %s, want %s", exception.Start.DateTime, moved)
	}
	expect := func(what string, starts ...time.Time) {
		t.Helper()
		var got, wantStarts []string
		for _, inst := range fake.Instances(fake.User, id) {
			at, _ := time.Parse(time.RFC3339, inst.Start.DateTime)
			got = append(got, at.UTC().Format(time.RFC3339))
		}
		for _, at := range starts {
			wantStarts = append(wantStarts, at.UTC().Format(time.RFC3339))
		}
		if strings.Join(got, " ") != strings.Join(wantStarts, " ") {
			t.Fatalf("%s: instances\n%v\nwant\n%v", what, got, wantStarts)
		}
	}
	week := func(k int) time.Time { return first.AddDate(0, 0, 7*k) }
	expect("after a move", week(0), week(1), week(3), moved, week(5), week(6), week(7), week(8), week(9))

	// Cancelling one session excludes its start (EXDATE); the master is
	// the one event, its exceptions apart.
	s.Sequence = 2
	s.Series.Excluded = append(s.Series.Excluded, week(6))
	if err := client.Patch(ctx, fake.User, id, s); err != nil {
		t.Fatal(err)
	}
	ev, _ = fake.Event(fake.User, id)
	if want := "EXDATE;TZID=Europe/Paris:20270315T100000,20270412T100000"; len(ev.Recurrence) != 2 || ev.Recurrence[1] != want {
		t.Fatalf("after a cancellation: recurrence %q, want %s", ev.Recurrence, want)
	}
	expect("after a cancellation", week(0), week(1), week(3), moved, week(5), week(7), week(8), week(9))

	// Moved back to the rule's time: the instance follows; a write with
	// nothing to change writes nothing.
	s.Sequence = 3
	s.Series.Moved = nil
	if err := client.Patch(ctx, fake.User, id, s); err != nil {
		t.Fatal(err)
	}
	expect("moved back", week(0), week(1), week(3), week(4), week(5), week(7), week(8), week(9))
	before := len(fake.Requests())
	if _, _, err := client.Insert(ctx, fake.User, s, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range fake.Requests()[before:] {
		if r.Method != "GET" {
			t.Errorf("a repeated write changed something: %s %s", r.Method, r.Path)
		}
	}
}
