package caldav

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

var day = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// seedVariety stores the kinds of events the core must decode: a weekly
// series with a moved instance in one object, an all-day event, a
// transparent (free) event and a plain one. It returns their keys.
func seedVariety(t *testing.T, srv *caldavtest.Server, calRef string) []string {
	series := caldavtest.Calendar(`BEGIN:VEVENT
UID:series-1
DTSTAMP:20260101T000000Z
DTSTART:20260601T100000Z
DTEND:20260601T110000Z
RRULE:FREQ=WEEKLY;COUNT=10
SUMMARY:Weekly sync
END:VEVENT
BEGIN:VEVENT
UID:series-1
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20260608T100000Z
DTSTART:20260609T150000Z
DTEND:20260609T160000Z
SUMMARY:Weekly sync (moved)
END:VEVENT`)
	allDay := caldavtest.Calendar(`BEGIN:VEVENT
UID:allday-1
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260605
DTEND;VALUE=DATE:20260606
SUMMARY:Conference
END:VEVENT`)
	srv.Put(t, "series.ics", series)
	srv.Put(t, "allday.ics", allDay)
	srv.Put(t, "free.ics", caldavtest.Event("free-1", "Lunch", day.Add(3*time.Hour), day.Add(4*time.Hour), "TRANSP:TRANSPARENT"))
	srv.Put(t, "plain.ics", caldavtest.Event("plain-1", "Dentist", day.Add(24*time.Hour), day.Add(25*time.Hour)))
	return []string{calRef + "allday.ics", calRef + "free.ics", calRef + "plain.ics", calRef + "series.ics"}
}

func calRefOf(srv *caldavtest.Server) string {
	return strings.TrimPrefix(srv.CalendarURL, strings.TrimSuffix(srv.URL, "/"))
}

func knownOf(items []calendar.Item) map[string]string {
	known := map[string]string{}
	for _, it := range items {
		known[it.Key] = it.ETag
	}
	return known
}

func TestFullSyncReturnsRawObjects(t *testing.T) {
	servers(t, func(t *testing.T, _ string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		want := seedVariety(t, srv, calRef)
		cs := changes(t, connect(t, srv, srv.URL), calRef, "", nil)
		if kind := parseState(cs.State).kind; !cs.Full || (kind != stateSyncToken && kind != stateCTag) || len(cs.Deletes) != 0 {
			t.Fatalf("Full=%v State=%q Deletes=%v", cs.Full, cs.State, cs.Deletes)
		}
		if got := keysOf(cs.Upserts); !slices.Equal(got, want) {
			t.Fatalf("keys %v, want %v", got, want)
		}
		for _, it := range cs.Upserts {
			ics := string(it.ICS)
			if it.ETag == "" || it.Busy != nil || !strings.Contains(ics, "BEGIN:VCALENDAR") {
				t.Errorf("%s: ETag %q, Busy %v, ICS %q", it.Key, it.ETag, it.Busy, ics)
			}
		}
		series := cs.Upserts[slices.IndexFunc(cs.Upserts, func(it calendar.Item) bool { return strings.HasSuffix(it.Key, "series.ics") })]
		if !strings.Contains(string(series.ICS), "RRULE:FREQ=WEEKLY") || !strings.Contains(string(series.ICS), "RECURRENCE-ID") {
			t.Errorf("series lost its rule or override:\n%s", series.ICS)
		}
	})
}

func TestIncrementalSyncReturnsOnlyChanges(t *testing.T) {
	servers(t, func(t *testing.T, _ string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		seedVariety(t, srv, calRef)
		counter := &countingTransport{}
		conn, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, testOptions(counter))
		if err != nil {
			t.Fatal(err)
		}
		full := changes(t, conn, calRef, "", nil)
		known := knownOf(full.Upserts)

		counter.take()
		same := changes(t, conn, calRef, full.State, known)
		if requests, _ := counter.take(); requests != 1 || same.Full || len(same.Upserts)+len(same.Deletes) != 0 {
			t.Fatalf("unchanged calendar: %d requests, %+v", requests, same)
		}

		srv.Put(t, "new.ics", caldavtest.Event("new-1", "New", day.Add(48*time.Hour), day.Add(49*time.Hour)))
		srv.Put(t, "plain.ics", caldavtest.Event("plain-1", "Dentist (moved)", day.Add(26*time.Hour), day.Add(27*time.Hour)))
		srv.Delete(t, "free.ics")
		cs := changes(t, conn, calRef, same.State, known)
		requests, _ := counter.take()
		if cs.Full || !slices.Equal(keysOf(cs.Upserts), []string{calRef + "new.ics", calRef + "plain.ics"}) ||
			!slices.Equal(cs.Deletes, []string{calRef + "free.ics"}) {
			t.Fatalf("got Full=%v upserts %v deletes %v", cs.Full, keysOf(cs.Upserts), cs.Deletes)
		}
		// sabre/dav 1.8 has no sync-collection: CTag, listing, multiget.
		if want := 2 + btoi(parseState(full.State).kind == stateCTag); requests > want {
			t.Errorf("%d requests for three changes, want %d", requests, want)
		}
		for _, it := range cs.Upserts {
			if strings.HasSuffix(it.Key, "plain.ics") && !strings.Contains(string(it.ICS), "moved") {
				t.Errorf("moved event has old data:\n%s", it.ICS)
			}
		}
	})
}

// A token the server does not know gives every object. DAViCal and SOGo
// take any token as "from the start" and report every object as changed
// rather than refusing it, which is as good here.
func TestInvalidSyncTokenGivesFullSync(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		want := seedVariety(t, srv, calRef)
		conn := connect(t, srv, srv.URL)
		now := time.Now()
		for _, state := range []string{
			syncState{kind: stateSyncToken, value: "http://example.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000", listed: now}.String(),
			syncState{kind: stateSyncToken, value: "1234567890123456789012345678901234567890", listed: now}.String(),
			"garbage",
		} {
			cs := changes(t, conn, calRef, state, map[string]string{})
			full := cs.Full || name == "davical" || name == "sogo"
			if !full || !slices.Equal(keysOf(cs.Upserts), want) {
				t.Errorf("state %q: Full=%v keys %v", state, cs.Full, keysOf(cs.Upserts))
			}
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Only servers started by the test can be killed: Radicale and Xandikos.
func TestServerKilledMidSync(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *caldavtest.Server{
		"radicale": caldavtest.StartRadicale, "xandikos": caldavtest.StartXandikos,
	} {
		t.Run(name, func(t *testing.T) { serverKilledMidSync(t, start(t)) })
	}
}

func serverKilledMidSync(t *testing.T, srv *caldavtest.Server) {
	calRef := calRefOf(srv)
	seedVariety(t, srv, calRef)
	// Let the listing through, then kill the server before the
	// multiget that would fetch the objects.
	killer := &killAfter{requests: 1, kill: srv.Stop}
	client := testOptions(nil).HTTPClient
	killer.next, client.Transport = client.Transport, killer
	conn, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, Options{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Changes(context.Background(), calRef, "", testWindow, nil)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if _, err := conn.Changes(context.Background(), calRef, "sync:x", testWindow, nil); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("after the kill: got %v, want ErrUnreachable", err)
	}
}

// killAfter runs kill once the given number of requests went through.
type killAfter struct {
	requests int
	kill     func()
	next     http.RoundTripper
}

func (k *killAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if k.requests == 0 {
		k.kill()
	}
	k.requests--
	return k.next.RoundTrip(req)
}
