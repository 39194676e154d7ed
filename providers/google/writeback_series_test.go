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
	want = []string{"RRULE:FREQ=WEEKLY;COUNT=10", "EXDATE;TZID=Europe/Paris:20270315T100000,20270329T100000",
		"RDATE;TZID=Europe/Paris:20270330T150000"}
	if strings.Join(ev.Recurrence, "|") != strings.Join(want, "|") || ev.Sequence != 1 {
		t.Fatalf("after a move: recurrence %q seq %d, want %q", ev.Recurrence, ev.Sequence, want)
	}
}
