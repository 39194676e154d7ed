package caldavtest

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Hostile is a CalDAV server, in the test's own process, that answers the
// way an attacker's (or a badly broken) server would: deep nesting,
// millions of components, runaway rules, hundreds of calendars with huge
// names, answers slower than the client's timeouts. It speaks just enough
// CalDAV for discovery, calendar listing, sync-collection and
// calendar-multiget, and generates every answer as it writes it, so that
// a 60 MB object costs the test process nothing.
//
// Discovery starts at URL (the server root); the principal names the home
// directly. Objects never change unless Touch is called.
type Hostile struct {
	// URL is the server root to connect to, e.g. "http://127.0.0.1:40123/".
	URL string

	opts     HostileOptions
	srv      *httptest.Server
	done     chan struct{}
	requests atomic.Int64
	version  atomic.Int64 // bumped by Touch
	touched  atomic.Int64 // the object Touch changed
}

// HostileOptions shape a hostile server.
type HostileOptions struct {
	// Calendars is how many event calendars the home lists (default 1);
	// NameBytes pads each display name to that many bytes (default: a
	// short name).
	Calendars int
	NameBytes int
	// Objects is how many objects each calendar holds; Object writes the
	// iCalendar text of object i. Use the generators below.
	Objects int
	Object  func(w io.Writer, i int)
	// Delay is waited before every answer: with a delay longer than the
	// client's timeouts, every request fails after succeeding too late.
	Delay time.Duration
}

// StartHostile starts a hostile server for the test; it stops with it.
func StartHostile(t testing.TB, o HostileOptions) *Hostile {
	t.Helper()
	if o.Calendars <= 0 {
		o.Calendars = 1
	}
	if o.Object == nil {
		o.Object = func(w io.Writer, i int) {}
	}
	h := &Hostile{opts: o, done: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	h.URL = h.srv.URL + "/"
	t.Cleanup(h.Close)
	return h
}

// Close stops the server, ending delayed answers at once.
func (h *Hostile) Close() {
	select {
	case <-h.done:
		return
	default:
	}
	close(h.done)
	h.srv.CloseClientConnections()
	h.srv.Close()
}

// Requests counts the requests answered so far.
func (h *Hostile) Requests() int64 { return h.requests.Load() }

// Touch gives object i of every calendar a new ETag (and the sync token a
// new value), as an edit on the server would.
func (h *Hostile) Touch(i int) {
	h.touched.Store(int64(i))
	h.version.Add(1)
}

// CalendarPath is the path of calendar k.
func CalendarPath(k int) string { return fmt.Sprintf("/home/cal-%d/", k) }

func (h *Hostile) serve(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if h.opts.Delay > 0 {
		select {
		case <-time.After(h.opts.Delay):
		case <-h.done:
			return
		case <-r.Context().Done():
			return
		}
	}
	path := r.URL.Path
	switch {
	case r.Method == "PROPFIND" && (path == "/" || path == "/principal/"):
		h.multistatus(w, func(b *bufio.Writer) {
			fmt.Fprintf(b, `<d:response><d:href>%s</d:href><d:propstat><d:prop>`+
				`<d:resourcetype><d:collection/><d:principal/></d:resourcetype>`+
				`<d:current-user-principal><d:href>/principal/</d:href></d:current-user-principal>`+
				`<c:calendar-home-set><d:href>/home/</d:href></c:calendar-home-set>`+
				`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, path)
		})
	case r.Method == "PROPFIND" && path == "/home/":
		h.multistatus(w, h.writeCalendars)
	case r.Method == "PROPFIND" && strings.HasPrefix(path, "/home/cal-"):
		h.multistatus(w, func(b *bufio.Writer) { h.writeMembers(b, path, false) })
	case r.Method == "REPORT" && strings.HasPrefix(path, "/home/cal-"):
		switch {
		case strings.Contains(string(body), "sync-collection"):
			h.syncCollection(w, path, body)
		case strings.Contains(string(body), "calendar-multiget"):
			h.multiget(w, path, body)
		default:
			http.Error(w, "unsupported report", http.StatusForbidden)
		}
	case r.Method == http.MethodOptions:
		w.Header().Set("DAV", "1, 3, calendar-access")
	default:
		http.Error(w, "not here", http.StatusNotFound)
	}
}

func (h *Hostile) multistatus(w http.ResponseWriter, fill func(*bufio.Writer)) {
	w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
	w.WriteHeader(http.StatusMultiStatus)
	b := bufio.NewWriterSize(w, 64<<10)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">`)
	fill(b)
	b.WriteString(`</d:multistatus>`)
	b.Flush()
}

func (h *Hostile) writeCalendars(b *bufio.Writer) {
	b.WriteString(`<d:response><d:href>/home/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype>` +
		`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
	for k := range h.opts.Calendars {
		name := fmt.Sprintf("Calendar %d ", k)
		if pad := h.opts.NameBytes - len(name); pad > 0 {
			name += strings.Repeat("x", pad)
		}
		fmt.Fprintf(b, `<d:response><d:href>%s</d:href><d:propstat><d:prop>`+
			`<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>%s</d:displayname>`+
			`<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>`+
			`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, CalendarPath(k), name)
	}
}

func (h *Hostile) etag(i int) string {
	v := int64(0)
	if h.version.Load() > 0 && h.touched.Load() == int64(i) {
		v = h.version.Load()
	}
	return fmt.Sprintf(`"%d-%d"`, i, v)
}

func (h *Hostile) token() string { return "tok-" + strconv.FormatInt(h.version.Load(), 10) }

// writeMembers lists every object of a calendar with its ETag (changed:
// only the touched one).
func (h *Hostile) writeMembers(b *bufio.Writer, cal string, changedOnly bool) {
	for i := range h.opts.Objects {
		if changedOnly && int64(i) != h.touched.Load() {
			continue
		}
		fmt.Fprintf(b, `<d:response><d:href>%sobj-%d.ics</d:href><d:propstat><d:prop><d:getetag>%s</d:getetag>`+
			`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, cal, i, h.etag(i))
	}
}

func (h *Hostile) syncCollection(w http.ResponseWriter, cal string, body []byte) {
	var req struct {
		Token string `xml:"sync-token"`
	}
	xml.Unmarshal(body, &req)
	token := h.token()
	h.multistatus(w, func(b *bufio.Writer) {
		switch req.Token {
		case "":
			h.writeMembers(b, cal, false)
		case token: // nothing changed
		default:
			h.writeMembers(b, cal, true)
		}
		fmt.Fprintf(b, `<d:sync-token>%s</d:sync-token>`, token)
	})
}

func (h *Hostile) multiget(w http.ResponseWriter, cal string, body []byte) {
	var req struct {
		Hrefs []string `xml:"href"`
	}
	xml.Unmarshal(body, &req)
	h.multistatus(w, func(b *bufio.Writer) {
		for _, href := range req.Hrefs {
			var i int
			if _, err := fmt.Sscanf(strings.TrimPrefix(href, cal), "obj-%d.ics", &i); err != nil || i < 0 || i >= h.opts.Objects {
				continue
			}
			fmt.Fprintf(b, `<d:response><d:href>%s</d:href><d:propstat><d:prop><d:getetag>%s</d:getetag><c:calendar-data>`, href, h.etag(i))
			h.opts.Object(xmlEscaper{b}, i)
			b.WriteString(`</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
		}
	})
}

// xmlEscaper escapes what it writes as XML character data.
type xmlEscaper struct{ w io.Writer }

func (e xmlEscaper) Write(p []byte) (int, error) {
	if err := xml.EscapeText(e.w, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// The generators below write hostile objects for HostileOptions.Object.

// DeepNesting is one object whose VEVENT holds n components nested in
// one another.
func DeepNesting(n int) func(io.Writer, int) {
	return func(w io.Writer, _ int) {
		b := bufio.NewWriter(w)
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:deep\r\nDTSTART:20260105T090000Z\r\n")
		for i := range n {
			fmt.Fprintf(b, "BEGIN:X-LEVEL-%d\r\n", i)
		}
		b.WriteString("END:VCALENDAR\r\n")
		b.Flush()
	}
}

// FlatComponents is one object of n bare BEGIN:VEVENT lines (14 bytes
// each: the 14 MB object is FlatComponents(1_000_000)).
func FlatComponents(n int) func(io.Writer, int) {
	return func(w io.Writer, _ int) {
		b := bufio.NewWriterSize(w, 64<<10)
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
		for range n {
			b.WriteString("BEGIN:VEVENT\r\n")
		}
		b.Flush()
	}
}

// Secondly is an object whose one-hour event repeats every second from
// start: millions of occurrences in any window.
func Secondly(start time.Time) func(io.Writer, int) {
	return func(w io.Writer, i int) {
		fmt.Fprintf(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:secondly-%d\r\nDTSTART:%s\r\nDURATION:PT1H\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			i, start.UTC().Format("20060102T150405Z"))
	}
}

// SameTimes is an object with one 30-minute event at one of distinct
// hours from start: many events, few distinct (and apart) busy times.
func SameTimes(start time.Time, distinct int) func(io.Writer, int) {
	return func(w io.Writer, i int) {
		s := start.Add(time.Duration(i%distinct) * time.Hour).UTC()
		fmt.Fprintf(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:same-%d\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Meeting %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			i, s.Format("20060102T150405Z"), s.Add(30*time.Minute).Format("20060102T150405Z"), i)
	}
}

// Broken is an object whose events have no DTSTART: each one is skipped,
// and used to cost a log line.
func Broken(events int) func(io.Writer, int) {
	return func(w io.Writer, i int) {
		b := bufio.NewWriter(w)
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
		for k := range events {
			fmt.Fprintf(b, "BEGIN:VEVENT\r\nUID:broken-%d-%d\r\nEND:VEVENT\r\n", i, k)
		}
		b.WriteString("END:VCALENDAR\r\n")
		b.Flush()
	}
}
