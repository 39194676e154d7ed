package google

import (
	"context"
	"fmt"
	"testing"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
)

func TestCalendarsListsReadableCalendarsAcrossPages(t *testing.T) {
	fake := newFake(t)
	fake.AddCalendar(googlefake.Calendar{ID: "holidays@group.v.calendar.google.com", Summary: "Holidays", AccessRole: "reader"})
	fake.AddCalendar(googlefake.Calendar{ID: "boss@example.com", Summary: "Boss", AccessRole: "freeBusyReader"})
	for i := range 300 {
		fake.AddCalendar(googlefake.Calendar{ID: fmt.Sprintf("c%d@group.calendar.google.com", i), Summary: "shared", AccessRole: "writer"})
	}
	client, _ := newTestClient(t, fake)
	cals, err := client.Calendars(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 302 {
		t.Fatalf("%d calendars, want 302 (free/busy-only left out)", len(cals))
	}
	byRef := map[string]calendar.RemoteCalendar{}
	for _, c := range cals {
		byRef[c.Ref] = c
	}
	if c := byRef[fake.User]; !c.Default || !c.Writable || c.Name != fake.User {
		t.Errorf("primary %+v", c)
	}
	if c := byRef["holidays@group.v.calendar.google.com"]; c.Writable || c.Default {
		t.Errorf("holidays %+v", c)
	}
	if _, ok := byRef["boss@example.com"]; ok {
		t.Error("free/busy-only calendar listed")
	}
}
