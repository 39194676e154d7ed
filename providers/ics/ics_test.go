package ics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const sample = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Work (Outlook)\r\n" +
	"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T090000Z\r\nDTEND:20260601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// publisher serves sample like a calendar host: with an ETag, a
// Last-Modified, both or neither, answering conditional requests.
type publisher struct {
	etag, lastModified string
	body               string
	requests           atomic.Int32
	notModified        atomic.Int32
}

func (p *publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	if p.etag != "" {
		w.Header().Set("ETag", p.etag)
		if r.Header.Get("If-None-Match") == p.etag {
			p.notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if p.lastModified != "" {
		w.Header().Set("Last-Modified", p.lastModified)
		if p.etag == "" && r.Header.Get("If-Modified-Since") == p.lastModified {
			p.notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	fmt.Fprint(w, p.body)
}

func open(t *testing.T, url string) *Feed {
	t.Helper()
	f, err := Open(url, Options{AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestUnchangedAddressIsOne304(t *testing.T) {
	for name, p := range map[string]*publisher{
		"etag":          {etag: `"v1"`, body: sample},
		"last-modified": {lastModified: "Mon, 01 Jun 2026 09:00:00 GMT", body: sample},
		"both":          {etag: `W/"v1"`, lastModified: "Mon, 01 Jun 2026 09:00:00 GMT", body: sample},
	} {
		t.Run(name, func(t *testing.T) {
			site := httptest.NewServer(p)
			defer site.Close()
			feed := open(t, site.URL+"/calendar/secret-token/basic.ics")
			first, err := feed.Changes(context.Background(), "", "", testWindow, nil)
			if err != nil || !first.Full || len(first.Upserts) != 1 || string(first.Upserts[0].ICS) != sample {
				t.Fatalf("first fetch: %+v %v", first, err)
			}
			before := p.requests.Load()
			again, err := feed.Changes(context.Background(), "", first.State, testWindow, map[string]string{Key: first.Upserts[0].ETag})
			if err != nil || again.Full || len(again.Upserts)+len(again.Deletes) != 0 || again.State != first.State {
				t.Fatalf("unchanged re-fetch: %+v %v", again, err)
			}
			if n := p.requests.Load() - before; n != 1 || p.notModified.Load() != 1 {
				t.Fatalf("%d requests, %d answered 304; want one 304", n, p.notModified.Load())
			}
		})
	}
}

// A host without validators answers in full every time; an identical
// file is still no change.
func TestIdenticalFileWithoutValidatorsIsNoChange(t *testing.T) {
	p := &publisher{body: sample}
	site := httptest.NewServer(p)
	defer site.Close()
	feed := open(t, site.URL)
	first, err := feed.Changes(context.Background(), "", "", testWindow, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := feed.Changes(context.Background(), "", first.State, testWindow, map[string]string{Key: first.Upserts[0].ETag})
	if err != nil || again.Full || len(again.Upserts) != 0 {
		t.Fatalf("got %+v %v", again, err)
	}
	p.body = strings.Replace(sample, "T090000Z", "T080000Z", 1)
	changed, err := feed.Changes(context.Background(), "", again.State, testWindow, map[string]string{Key: first.Upserts[0].ETag})
	if err != nil || !changed.Full || len(changed.Upserts) != 1 {
		t.Fatalf("changed file: %+v %v", changed, err)
	}
}

func TestCalendarsNamesTheFeed(t *testing.T) {
	site := httptest.NewServer(&publisher{body: sample})
	defer site.Close()
	cals, err := open(t, site.URL+"/owa/calendar/abc/reachcalendar.ics").Calendars(context.Background())
	if err != nil || len(cals) != 1 || cals[0].Name != "Work (Outlook)" || cals[0].Writable {
		t.Fatalf("got %+v %v", cals, err)
	}
	if strings.Contains(cals[0].Ref, "abc") {
		t.Errorf("the calendar's reference %q shows the secret part of the address", cals[0].Ref)
	}
}

func TestFailuresAreClassified(t *testing.T) {
	huge := strings.Repeat("X", 2048)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"web page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Sign in</body></html>")
		}, ErrNotICalendar},
		{"gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, ErrGone},
		{"reset secret", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }, ErrAuth},
		{"failing", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, ErrUnreachable},
		{"too large", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "BEGIN:VCALENDAR\r\n"+huge) }, ErrTooLarge},
		{"too large, announced", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "4096")
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\n"+huge+huge[:4096-17-2048])
		}, ErrTooLarge},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := httptest.NewServer(tc.handler)
			defer site.Close()
			feed, err := Open(site.URL+"/x.ics", Options{AllowHTTP: true, MaxBytes: 1024, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			_, err = feed.Changes(context.Background(), "", "", testWindow, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		in, want  string
		allowHTTP bool
	}{
		{"webcal://calendar.example.org/a.ics", "https://calendar.example.org/a.ics", false},
		{"WEBCALS://calendar.example.org/a.ics", "https://calendar.example.org/a.ics", false},
		{" https://calendar.google.com/calendar/ical/x/private-y/basic.ics ", "https://calendar.google.com/calendar/ical/x/private-y/basic.ics", false},
		{"http://intranet.example.org/a.ics", "http://intranet.example.org/a.ics", true},
	} {
		u, err := ParseAddress(tc.in, tc.allowHTTP)
		if err != nil || u.String() != tc.want {
			t.Errorf("%q: got %v %v, want %s", tc.in, u, err, tc.want)
		}
	}
	for _, bad := range []string{"", "http://example.org/a.ics", "ftp://example.org/a.ics", "https://user:pw@example.org/a.ics", "example.org/a.ics", "https://"} {
		if _, err := ParseAddress(bad, false); !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: got %v, want ErrBadURL", bad, err)
		}
	}
	if got := Redact("https://calendar.google.com/calendar/ical/x/private-secret/basic.ics"); strings.Contains(got, "secret") {
		t.Errorf("Redact kept the secret: %s", got)
	}
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	plain := httptest.NewServer(&publisher{body: sample})
	defer plain.Close()
	tls := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/a.ics", http.StatusFound))
	defer tls.Close()
	feed, err := Open(tls.URL, Options{HTTPClient: tls.Client(), AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Changes(context.Background(), "", "", testWindow, nil); err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Fatalf("got %v, want a refused redirect", err)
	}
}
