package google

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
)

var day0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func horizon() calendar.Interval {
	return calendar.Interval{Start: day0, End: day0.AddDate(0, 0, 28)}
}

func byKey(items []calendar.Item) map[string]calendar.Item {
	m := map[string]calendar.Item{}
	for _, it := range items {
		m[it.Key] = it
	}
	return m
}

func eventsListCalls(fake *googlefake.Server) []googlefake.Request {
	var out []googlefake.Request
	for _, r := range fake.Requests() {
		if r.Method == http.MethodGet && r.Path == "/calendars/"+fake.User+"/events" {
			out = append(out, r)
		}
	}
	return out
}

func TestFullSyncPagesThroughAllEvents(t *testing.T) {
	fake := newFake(t)
	for i := range 600 {
		start := day0.Add(time.Duration(i) * time.Hour)
		fake.PutEvent(fake.User, googlefake.TimedEvent(fmt.Sprintf("ev%04d", i), "busy", start, start.Add(30*time.Minute)))
	}
	client, _ := newTestClient(t, fake)
	cs, err := client.Changes(context.Background(), fake.User, "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Full || len(cs.Upserts) != 600 || len(byKey(cs.Upserts)) != 600 || cs.State == "" {
		t.Fatalf("full=%v upserts=%d state=%q", cs.Full, len(cs.Upserts), cs.State)
	}
	calls := eventsListCalls(fake)
	if len(calls) != 3 {
		t.Fatalf("%d list calls, want 3 pages", len(calls))
	}
	for _, c := range calls {
		q := c.Query
		if q.Get("singleEvents") != "true" || q.Get("maxResults") != "250" || q.Get("timeMin") == "" || q.Get("timeMax") == "" {
			t.Errorf("page query %v", q)
		}
	}
	first := byKey(cs.Upserts)["ev0001"]
	want := calendar.Interval{Start: day0.Add(time.Hour), End: day0.Add(90 * time.Minute)}
	if len(first.Busy) != 1 || first.Busy[0] != want || first.ETag == "" {
		t.Fatalf("item %+v", first)
	}
}

func TestIncrementalSyncReturnsOnlyChanges(t *testing.T) {
	fake := newFake(t)
	for i := range 5 {
		start := day0.AddDate(0, 0, i).Add(9 * time.Hour)
		fake.PutEvent(fake.User, googlefake.TimedEvent(fmt.Sprintf("ev%d", i), "busy", start, start.Add(time.Hour)))
	}
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	full, err := client.Changes(ctx, fake.User, "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	moved := day0.AddDate(0, 0, 10).Add(14 * time.Hour)
	fake.PutEvent(fake.User, googlefake.TimedEvent("ev1", "moved", moved, moved.Add(time.Hour)))
	fake.PutEvent(fake.User, googlefake.TimedEvent("ev9", "new", moved, moved.Add(2*time.Hour)))
	fake.DeleteEvent(fake.User, "ev3")

	inc, err := client.Changes(ctx, fake.User, full.State, horizon())
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(inc.Upserts)
	if inc.Full || len(inc.Upserts) != 2 || len(got["ev1"].Busy) != 1 || !got["ev1"].Busy[0].Start.Equal(moved) || len(got["ev9"].Busy) != 1 {
		t.Fatalf("incremental %+v", inc)
	}
	if len(inc.Deletes) != 1 || inc.Deletes[0] != "ev3" {
		t.Fatalf("deletes %v", inc.Deletes)
	}
	calls := eventsListCalls(fake)
	last := calls[len(calls)-1].Query
	if last.Get("syncToken") == "" || last.Has("timeMin") || last.Has("timeMax") {
		t.Fatalf("incremental query %v", last)
	}
	again, err := client.Changes(ctx, fake.User, inc.State, horizon())
	if err != nil || len(again.Upserts)+len(again.Deletes) != 0 || again.Full {
		t.Fatalf("nothing changed, got %+v, %v", again, err)
	}
}

func TestExpiredSyncTokenRestartsWithFullSync(t *testing.T) {
	fake := newFake(t)
	fake.PutEvent(fake.User, googlefake.TimedEvent("ev1", "busy", day0.Add(9*time.Hour), day0.Add(10*time.Hour)))
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	first, err := client.Changes(ctx, fake.User, "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	fake.ExpireSyncTokens()
	cs, err := client.Changes(ctx, fake.User, first.State, horizon())
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Full || len(cs.Upserts) != 1 {
		t.Fatalf("after 410: %+v", cs)
	}
	if next, err := client.Changes(ctx, fake.User, cs.State, horizon()); err != nil || next.Full {
		t.Fatalf("new token not usable: %+v %v", next, err)
	}
}

func TestWindowBeyondSyncedSpanForcesFullSync(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	first, err := client.Changes(ctx, fake.User, "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	later := calendar.Interval{Start: day0.AddDate(0, 0, 30), End: day0.AddDate(0, 0, 58)}
	// An event that exists unchanged but only now enters the horizon.
	fake.PutEvent(fake.User, googlefake.TimedEvent("far", "far", later.End.Add(-time.Hour), later.End))
	next, _ := client.Changes(ctx, fake.User, first.State, horizon())
	cs, err := client.Changes(ctx, fake.User, next.State, later)
	if err != nil || !cs.Full || len(cs.Upserts) != 1 {
		t.Fatalf("got %+v %v", cs, err)
	}
}

func TestEventsThatDoNotBlockTime(t *testing.T) {
	fake := newFake(t)
	at := func(h int) (time.Time, time.Time) {
		s := day0.Add(time.Duration(h) * time.Hour)
		return s, s.Add(time.Hour)
	}
	s, e := at(8)
	fake.PutEvent(fake.User, googlefake.Transparent(googlefake.TimedEvent("free", "lunch", s, e)))
	s, e = at(9)
	fake.PutEvent(fake.User, googlefake.WithAttendee(googlefake.TimedEvent("declined", "x", s, e), fake.User, "declined"))
	s, e = at(10)
	fake.PutEvent(fake.User, googlefake.WithAttendee(googlefake.TimedEvent("accepted", "x", s, e), fake.User, "accepted"))
	s, e = at(11)
	fake.PutEvent(fake.User, googlefake.WithAttendee(googlefake.TimedEvent("other-declined", "x", s, e), "bob@example.com", "declined"))
	s, e = at(12)
	fake.PutEvent(fake.User, googlefake.TimedEvent("gone", "x", s, e))
	fake.DeleteEvent(fake.User, "gone")

	client, _ := newTestClient(t, fake)
	cs, err := client.Changes(context.Background(), fake.User, "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(cs.Upserts)
	for key, busy := range map[string]bool{"free": false, "declined": false, "accepted": true, "other-declined": true} {
		it, ok := got[key]
		if !ok || (len(it.Busy) == 1) != busy {
			t.Errorf("%s: present=%v busy=%v, want busy=%v", key, ok, it.Busy, busy)
		}
	}
	if _, ok := got["gone"]; ok {
		t.Error("cancelled event listed in a full sync")
	}
}

func TestAllDayEventsUseTheCalendarZone(t *testing.T) {
	fake := newFake(t)
	fake.AddCalendar(googlefake.Calendar{ID: "team@group.calendar.google.com", Summary: "Team", TimeZone: "America/New_York", AccessRole: "writer"})
	fake.PutEvent("team@group.calendar.google.com", googlefake.AllDayEvent("offsite", "Offsite", "2026-09-03", "2026-09-05"))
	client, _ := newTestClient(t, fake)
	cs, err := client.Changes(context.Background(), "team@group.calendar.google.com", "", horizon())
	if err != nil {
		t.Fatal(err)
	}
	want := calendar.Interval{Start: mustUTC(t, "2026-09-03T04:00:00Z"), End: mustUTC(t, "2026-09-05T04:00:00Z")}
	if len(cs.Upserts) != 1 || len(cs.Upserts[0].Busy) != 1 || cs.Upserts[0].Busy[0] != want {
		t.Fatalf("got %+v, want %v", cs.Upserts, want)
	}
}

func TestRateLimitsBackOffThenSucceed(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		fake := newFake(t)
		fake.RateLimit(2, status)
		client, sleeps := newTestClient(t, fake)
		if _, err := client.Changes(context.Background(), fake.User, "", horizon()); err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if sleeps.count() != 2 {
			t.Fatalf("%d: slept %d times, want 2", status, sleeps.count())
		}
	}
}

func TestRateLimitExhaustedIsRetryableError(t *testing.T) {
	fake := newFake(t)
	fake.RateLimit(10, http.StatusForbidden)
	client, sleeps := newTestClient(t, fake)
	_, err := client.Changes(context.Background(), fake.User, "", horizon())
	if !errors.Is(err, ErrRateLimited) || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrForbidden) {
		t.Fatalf("got %v", err)
	}
	if sleeps.count() != DefaultRetryPolicy().Attempts-1 {
		t.Fatalf("slept %d times", sleeps.count())
	}
}

func TestAPIErrorsAreClassified(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	ctx := context.Background()
	if _, err := client.Changes(ctx, "nobody@example.com", "", horizon()); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown calendar: %v", err)
	}
	fake.InjectErrors(1, http.StatusForbidden, "global", "forbidden", "Forbidden")
	if _, err := client.Calendars(ctx); !errors.Is(err, ErrForbidden) {
		t.Errorf("403: %v", err)
	}
	fake.InjectErrors(DefaultRetryPolicy().Attempts, http.StatusServiceUnavailable, "global", "backendError", "Backend Error")
	if _, err := client.Calendars(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("503: %v", err)
	}
}
