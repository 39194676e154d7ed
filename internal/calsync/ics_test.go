package calsync_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// publishedCalendar serves a published .ics address like Outlook or
// Google do: an ETag, conditional GETs answered 304, a switch to fail.
type publishedCalendar struct {
	body        atomic.Value // string
	version     atomic.Int32
	requests    atomic.Int32
	notModified atomic.Int32
	failing     atomic.Bool
}

func (p *publishedCalendar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	if p.failing.Load() {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, p.version.Load())
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		p.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/calendar")
	fmt.Fprint(w, p.body.Load().(string))
}

func (p *publishedCalendar) publish(body string) {
	p.body.Store(body)
	p.version.Add(1)
}

// publishedEvents is a week of busy time: a weekly series (with the
// occurrence of the second week moved) and a transparent event.
func publishedEvents(start time.Time) string {
	f := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nX-WR-CALNAME:Ada (Outlook)\r\n" +
		"BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + f(start) + "\r\nDTEND:" + f(start.Add(time.Hour)) +
		"\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Team meeting\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:" + f(start.AddDate(0, 0, 7)) + "\r\nDTSTART:" +
		f(start.AddDate(0, 0, 7).Add(2*time.Hour)) + "\r\nDTEND:" + f(start.AddDate(0, 0, 7).Add(3*time.Hour)) + "\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:free\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + f(start.Add(4*time.Hour)) + "\r\nDTEND:" +
		f(start.Add(5*time.Hour)) + "\r\nTRANSP:TRANSPARENT\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func TestICSAddressIsAReadOnlyBusySource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
		pub := &publishedCalendar{}
		pub.publish(publishedEvents(start))
		site := httptest.NewServer(pub)
		defer site.Close()
		address := site.URL + "/owa/calendar/secret-token-123/reachcalendar.ics"

		a := startApp(t, db, appOptions{allowPrivate: true})
		m := a.createMentor("Ada")
		var conn connectionJSON
		if st := m.as.do("POST", "/api/v1/mentors/"+m.ID+"/connections", map[string]string{"provider": "ics", "url": address}, &conn); st != 201 {
			t.Fatalf("connect: %d %+v", st, conn)
		}
		if conn.Provider != "ics" || conn.Status != "ok" || len(conn.Calendars) != 1 {
			t.Fatalf("connection %+v", conn)
		}
		if cal := conn.Calendars[0]; cal.Name != "Ada (Outlook)" || cal.WriteTarget || !cal.CheckConflicts {
			t.Errorf("calendar %+v", cal)
		}
		if strings.Contains(conn.URL, "secret-token") {
			t.Errorf("the connection shows the secret address: %s", conn.URL)
		}

		busy := m.busy(start.Add(-time.Hour), start.AddDate(0, 0, 21))
		want := []time.Time{start, start.AddDate(0, 0, 7).Add(2 * time.Hour), start.AddDate(0, 0, 14)}
		if len(busy) != len(want) {
			t.Fatalf("busy %+v, want starts %v", busy, want)
		}
		for i, b := range busy {
			if !b.Start.Equal(want[i]) || b.Source != "ics" {
				t.Errorf("busy %d: %+v, want start %s from ics", i, b, want[i])
			}
		}

		// An unchanged address costs one 304.
		before := pub.requests.Load()
		if cals := m.sync(); len(cals) != 1 || cals[0].Status != "ok" || cals[0].BusyIntervals != 3 {
			t.Fatalf("sync: %+v", cals)
		}
		if n := pub.requests.Load() - before; n != 1 || pub.notModified.Load() != 1 {
			t.Errorf("unchanged re-sync: %d requests, %d answered 304", n, pub.notModified.Load())
		}

		// A change is picked up; a failing address keeps the last busy
		// time and says so.
		pub.publish(publishedEvents(start.Add(time.Hour)))
		m.sync()
		if busy := m.busy(start.Add(-time.Hour), start.AddDate(0, 0, 21)); len(busy) != 3 || !busy[0].Start.Equal(start.Add(time.Hour)) {
			t.Fatalf("after a change: %+v", busy)
		}
		pub.failing.Store(true)
		cals := m.sync()
		if len(cals) != 1 || cals[0].Status != "error" || cals[0].Error == nil || cals[0].BusyIntervals != 3 {
			t.Fatalf("failing address: %+v", cals)
		}

		// Never a write target.
		var p problem
		if st := m.as.do("PATCH", "/api/v1/mentors/"+m.ID+"/calendars/"+conn.Calendars[0].ID, map[string]any{"write_target": true}, &p); st != 422 {
			t.Errorf("write target on an ICS calendar: %d %+v", st, p)
		}
	})
}

func TestICSAddressRefusals(t *testing.T) {
	db := storetest.SQLite(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>sign in</html>")
	}))
	defer page.Close()
	open := startApp(t, db, appOptions{allowPrivate: true})
	m := open.createMentor("Ada")
	for _, c := range []struct {
		name   string
		body   map[string]string
		status int
		code   string
	}{
		{"web page", map[string]string{"provider": "ics", "url": page.URL}, 422, "invalid_input"},
		{"ftp", map[string]string{"provider": "ics", "url": "ftp://example.org/a.ics"}, 422, "invalid_input"},
		{"password", map[string]string{"provider": "ics", "url": page.URL, "password": "x"}, 422, "invalid_input"},
		{"closed port", map[string]string{"provider": "ics", "url": "http://" + closedPort(t) + "/a.ics"}, 502, "calendar_unreachable"},
	} {
		var p problem
		if st := m.as.do("POST", "/api/v1/mentors/"+m.ID+"/connections", c.body, &p); st != c.status || p.Code != c.code {
			t.Errorf("%s: got %d %+v, want %d %s", c.name, st, p, c.status, c.code)
		}
	}

	// Private addresses only with RENDEZVOUS_ALLOW_PRIVATE_HOSTS.
	pub := &publishedCalendar{}
	pub.publish(publishedEvents(time.Now()))
	site := httptest.NewTLSServer(pub)
	defer site.Close()
	guarded := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: false})
	g := guarded.createMentor("Grace")
	for _, address := range []string{site.URL + "/a.ics", strings.Replace(site.URL, "https://", "webcal://", 1) + "/a.ics"} {
		var p problem
		if st := g.as.do("POST", "/api/v1/mentors/"+g.ID+"/connections", map[string]string{"provider": "ics", "url": address}, &p); st != 422 || p.Code != "calendar_url_forbidden" {
			t.Errorf("%s: got %d %+v, want 422 calendar_url_forbidden", address, st, p)
		}
	}
	if pub.requests.Load() != 0 {
		t.Errorf("the guarded server reached a private address %d times", pub.requests.Load())
	}
	if n := len(m.connections()) + len(g.connections()); n != 0 {
		t.Fatalf("%d connections stored after refusals", n)
	}
}
