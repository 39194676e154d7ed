package google

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
)

func session(seq int, start time.Time) calendar.Session {
	return calendar.Session{
		UID: "booking-42@rendezvous.example", Sequence: seq,
		Start: start, End: start.Add(30 * time.Minute),
		Summary: "Mentoring: Ada / Grace", Description: "Career chat",
		Organizer: calendar.Person{Name: "Grace", Email: "mentor@example.com"},
		Attendee:  calendar.Person{Name: "Ada", Email: "ada@example.org"},
	}
}

func TestInsertWithMeetWaitsForTheConference(t *testing.T) {
	fake := newFake(t)
	fake.SetMeetPendingReads(2)
	client, sleeps := newTestClient(t, fake)
	s := session(0, day0.Add(9*time.Hour))
	id, meet, err := client.Insert(context.Background(), fake.User, s, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(meet, "https://meet.google.com/") || sleeps.count() != 3 {
		t.Fatalf("meet %q after %d polls", meet, sleeps.count())
	}
	ev, ok := fake.Event(fake.User, id)
	if !ok {
		t.Fatal("event not stored")
	}
	if ev.ICalUID != s.UID || ev.Summary != s.Summary || ev.ConferenceData.CreateRequest.Status.StatusCode != "success" {
		t.Fatalf("event %+v", ev)
	}
	if start, _ := time.Parse(time.RFC3339, ev.Start.DateTime); !start.Equal(s.Start) {
		t.Errorf("start %s", ev.Start.DateTime)
	}
	emails := map[string]bool{}
	for _, a := range ev.Attendees {
		emails[a.Email] = true
	}
	if !emails["ada@example.org"] || !emails["mentor@example.com"] {
		t.Errorf("attendees %v", emails)
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/events") {
			if r.Query.Get("conferenceDataVersion") != "1" || r.Query.Get("sendUpdates") != "none" {
				t.Errorf("insert query %v", r.Query)
			}
		}
	}
}

func TestInsertWithoutMeetAndRetriedInsertDoNotDuplicate(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	s := session(0, day0.Add(9*time.Hour))
	id1, meet, err := client.Insert(ctx, fake.User, s, false)
	if err != nil || meet != "" {
		t.Fatalf("%q %v", meet, err)
	}
	id2, _, err := client.Insert(ctx, fake.User, s, false)
	if err != nil || id2 != id1 || len(fake.Events(fake.User)) != 1 {
		t.Fatalf("retry: id %s vs %s, %d events, %v", id2, id1, len(fake.Events(fake.User)), err)
	}
	if ev, _ := fake.Event(fake.User, id1); ev.ConferenceData != nil {
		t.Error("conference created without withMeet")
	}
}

func TestPatchReschedulesAndToleratesGoogleSequence(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	id, _, err := client.Insert(ctx, fake.User, session(0, day0.Add(9*time.Hour)), false)
	if err != nil {
		t.Fatal(err)
	}
	moved := session(1, day0.Add(15*time.Hour))
	if err := client.Patch(ctx, fake.User, id, moved); err != nil {
		t.Fatal(err)
	}
	ev, _ := fake.Event(fake.User, id)
	if start, _ := time.Parse(time.RFC3339, ev.Start.DateTime); !start.Equal(moved.Start) || ev.Sequence != 1 {
		t.Fatalf("after patch: start %s seq %d", ev.Start.DateTime, ev.Sequence)
	}
	// The mentor edits the event in Google, which raises its sequence.
	ev.Sequence = 5
	ev.Summary = "edited in Google"
	fake.PutEvent(fake.User, ev)
	again := session(2, day0.Add(16*time.Hour))
	if err := client.Patch(ctx, fake.User, id, again); err != nil {
		t.Fatal(err)
	}
	ev, _ = fake.Event(fake.User, id)
	if start, _ := time.Parse(time.RFC3339, ev.Start.DateTime); !start.Equal(again.Start) || ev.Summary != again.Summary {
		t.Fatalf("after sequence fallback: %s %q", ev.Start.DateTime, ev.Summary)
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	id, _, err := client.Insert(ctx, fake.User, session(0, day0.Add(9*time.Hour)), false)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // second time Google answers 410 Gone
		if err := client.Delete(ctx, fake.User, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Delete(ctx, fake.User, "unknown0"); err != nil {
		t.Fatalf("404: %v", err)
	}
	if ev, _ := fake.Event(fake.User, id); ev.Status != "cancelled" {
		t.Fatalf("status %q", ev.Status)
	}
	// A cancelled session through Patch deletes too.
	id2, _, _ := client.Insert(ctx, fake.User, session(0, day0.Add(12*time.Hour)), false)
	cancelled := session(1, day0.Add(12*time.Hour))
	cancelled.Cancelled = true
	if err := client.Patch(ctx, fake.User, id2, cancelled); err != nil {
		t.Fatal(err)
	}
	if len(fake.Events(fake.User)) != 0 {
		t.Fatalf("events left: %d", len(fake.Events(fake.User)))
	}
}

func TestInsertIntoReadOnlyCalendarIsForbidden(t *testing.T) {
	fake := newFake(t)
	fake.AddCalendar(googlefake.Calendar{ID: "ro@group.calendar.google.com", AccessRole: "reader"})
	client, _ := newTestClient(t, fake)
	_, _, err := client.Insert(context.Background(), "ro@group.calendar.google.com", session(0, day0), false)
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("got %v", err)
	}
}

func TestMeetStillPendingIsRetryable(t *testing.T) {
	fake := newFake(t)
	fake.SetMeetPendingReads(100)
	client, _ := newTestClient(t, fake)
	id, meet, err := client.Insert(context.Background(), fake.User, session(0, day0), true)
	if !errors.Is(err, ErrUnavailable) || id == "" || meet != "" {
		t.Fatalf("id %q meet %q err %v", id, meet, err)
	}
}

// Our own sync sees a session we wrote back like any other event.
func TestWrittenBackSessionIsBusy(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	s := session(0, day0.Add(9*time.Hour))
	if _, _, err := client.Insert(ctx, fake.User, s, false); err != nil {
		t.Fatal(err)
	}
	cs, err := client.Changes(ctx, fake.User, "", horizon())
	if err != nil || len(cs.Upserts) != 1 || cs.Upserts[0].Busy[0] != (calendar.Interval{Start: s.Start, End: s.End}) {
		t.Fatalf("%+v %v", cs, err)
	}
}
