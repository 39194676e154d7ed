package caldav

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
)

// memoryBackend is a minimal go-webdav CalDAV backend. go-webdav's server
// has neither sync-collection nor CTags, so it exercises the ETag-listing
// fallback of Changes.
type memoryBackend struct {
	mu      sync.Mutex
	objects map[string]caldav.CalendarObject
	version int
}

const memoryCalendar = "/user/calendars/work/"

func (b *memoryBackend) CurrentUserPrincipal(context.Context) (string, error) { return "/user/", nil }
func (b *memoryBackend) CalendarHomeSetPath(context.Context) (string, error) {
	return "/user/calendars/", nil
}
func (b *memoryBackend) CreateCalendar(context.Context, *caldav.Calendar) error { return nil }
func (b *memoryBackend) ListCalendars(context.Context) ([]caldav.Calendar, error) {
	return []caldav.Calendar{{Path: memoryCalendar, Name: "Work", SupportedComponentSet: []string{"VEVENT"}}}, nil
}
func (b *memoryBackend) GetCalendar(_ context.Context, p string) (*caldav.Calendar, error) {
	if strings.TrimSuffix(p, "/") != strings.TrimSuffix(memoryCalendar, "/") {
		return nil, fmt.Errorf("no calendar %s", p)
	}
	return &caldav.Calendar{Path: memoryCalendar, Name: "Work", SupportedComponentSet: []string{"VEVENT"}}, nil
}
func (b *memoryBackend) GetCalendarObject(_ context.Context, p string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.objects[p]; ok {
		return &o, nil
	}
	return nil, fmt.Errorf("no object %s", p)
}
func (b *memoryBackend) ListCalendarObjects(context.Context, string, *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []caldav.CalendarObject
	for _, o := range b.objects {
		out = append(out, o)
	}
	return out, nil
}
func (b *memoryBackend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	all, _ := b.ListCalendarObjects(ctx, p, nil)
	return caldav.Filter(q, all)
}
func (b *memoryBackend) PutCalendarObject(_ context.Context, p string, cal *ical.Calendar, _ *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	o := caldav.CalendarObject{Path: p, ModTime: time.Now(), ETag: fmt.Sprintf("v%d", b.version), Data: cal}
	b.objects[p] = o
	return &o, nil
}
func (b *memoryBackend) DeleteCalendarObject(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, p)
	return nil
}

func TestETagFallbackWithoutSyncCollection(t *testing.T) {
	ctx := context.Background()
	server := httptest.NewServer(&caldav.Handler{Backend: &memoryBackend{objects: map[string]caldav.CalendarObject{}}})
	defer server.Close()
	counter := &countingTransport{}
	conn, err := Connect(ctx, Credentials{URL: server.URL}, testOptions(counter))
	if err != nil {
		t.Fatal(err)
	}
	cals, err := conn.Calendars(ctx)
	if err != nil || len(cals) != 1 || cals[0].Ref != memoryCalendar || cals[0].Name != "Work" {
		t.Fatalf("calendars %+v, err %v", cals, err)
	}
	put := func(uid string, hour int) string {
		ics := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T%02d0000Z\r\nDTEND:20260601T%02d3000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, hour, hour)
		href, _, err := conn.Put(ctx, memoryCalendar, uid, []byte(ics), "")
		if err != nil {
			t.Fatalf("put %s: %v", uid, err)
		}
		return href
	}
	a, b := put("a", 9), put("b", 10)

	full := changes(t, conn, memoryCalendar, "", nil)
	if !full.Full || parseState(full.State).kind != stateETags || !slices.Equal(keysOf(full.Upserts), []string{a, b}) {
		t.Fatalf("full sync: Full=%v State=%q keys %v", full.Full, full.State, keysOf(full.Upserts))
	}
	known := knownOf(full.Upserts)

	c := put("c", 11)
	if err := conn.Delete(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	counter.take()
	cs := changes(t, conn, memoryCalendar, full.State, known)
	requests, _ := counter.take()
	if cs.Full || !slices.Equal(keysOf(cs.Upserts), []string{c}) || !slices.Equal(cs.Deletes, []string{a}) {
		t.Fatalf("incremental: Full=%v upserts %v deletes %v", cs.Full, keysOf(cs.Upserts), cs.Deletes)
	}
	if requests != 2 {
		t.Errorf("%d requests, want listing + multiget", requests)
	}
	if path.Base(c) != "c.ics" {
		t.Errorf("object named %s, want c.ics", c)
	}
}

// A server that fails a whole multiget over one bad object must not fail
// the sync: the batch is fetched one by one and only the bad object is
// left out.
func TestBrokenObjectDoesNotFailSync(t *testing.T) {
	ctx := context.Background()
	backend := &memoryBackend{objects: map[string]caldav.CalendarObject{}}
	dav := &caldav.Handler{Backend: backend}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "REPORT" || (r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/bad.ics")) {
			http.Error(w, "cannot serialize object", http.StatusInternalServerError)
			return
		}
		dav.ServeHTTP(w, r)
	}))
	defer server.Close()
	conn, err := Open(Credentials{URL: server.URL}, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"good", "bad"} {
		ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
			"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		if _, _, err := conn.Put(ctx, memoryCalendar, uid, []byte(ics), ""); err != nil {
			t.Fatal(err)
		}
	}
	cs := changes(t, conn, memoryCalendar, "", nil)
	if !slices.Equal(keysOf(cs.Upserts), []string{memoryCalendar + "good.ics"}) || !strings.Contains(string(cs.Upserts[0].ICS), "UID:good") {
		t.Fatalf("got %v", keysOf(cs.Upserts))
	}
}

func TestRefsKeepForeignHosts(t *testing.T) {
	conn, err := Open(Credentials{URL: "https://caldav.icloud.com/"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{
		"/123/calendars/home/",
		"https://p12-caldav.icloud.com/123/calendars/home/",
		"/dav/user@example.org/calendar/event%201.ics",
	} {
		u, err := conn.resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := conn.refOf(u); got != ref {
			t.Errorf("refOf(resolve(%q)) = %q", ref, got)
		}
	}
	// Servers escape differently; keys must not depend on it.
	u, _ := conn.resolve("https://caldav.icloud.com/dav/user%40example.org/a.ics")
	if got := conn.refOf(u); got != "/dav/user@example.org/a.ics" {
		t.Errorf("escaped href gave key %q", got)
	}
}
