package calsync_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// The hostile server's calendars, connected the way a mentor would: each
// ends with a clear error, never a 5xx, and nothing stored.
func TestConnectHostileServersFailsClearly(t *testing.T) {
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	for _, tc := range []struct {
		name    string
		opts    caldavtest.HostileOptions
		status  int
		code    string
		problem string
	}{
		{name: "deep nesting", opts: caldavtest.HostileOptions{Objects: 1, Object: caldavtest.DeepNesting(40_000)},
			status: 422, code: "calendar_too_large", problem: "calendar too large: components are nested more than 16 deep"},
		// The 14 MB object is 18 MB in XML (each CR is "&#xD;").
		{name: "flat million components (the 14 MB object)", opts: caldavtest.HostileOptions{Objects: 1, Object: caldavtest.FlatComponents(1_000_000)},
			status: 422, code: "calendar_too_large", problem: "calendar too large: the event object /home/cal-0/obj-0.ics is larger than 16 MiB"},
		{name: "flat 700,000 components", opts: caldavtest.HostileOptions{Objects: 1, Object: caldavtest.FlatComponents(700_000)},
			status: 422, code: "calendar_too_large", problem: "calendar too large: one calendar object holds more than 200,000 components"},
		{name: "SECONDLY rules in 200 objects", opts: caldavtest.HostileOptions{Objects: 200, Object: caldavtest.Secondly(start)},
			status: 422, code: "calendar_too_large", problem: "calendar too large: one calendar object holds more than 100,000 event occurrences"},
		{name: "500 calendars with 100 KB names", opts: caldavtest.HostileOptions{Calendars: 500, NameBytes: 100 << 10},
			status: 422, code: "calendar_too_large", problem: "calendar too large: the account has 500 calendars, and at most 100 can be connected at once"},
		{name: "slow success", opts: caldavtest.HostileOptions{Delay: 3 * time.Second},
			status: 502, code: "calendar_unreachable", problem: "did not answer in time; please try again in a moment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The limits are tested here, not the clock: under the race
			// detector on a loaded machine, reading 50 MB of calendar
			// names outlasted the default timeout (502 instead of 422).
			o := appOptions{allowPrivate: true, calendarTimeout: 2 * time.Minute}
			if tc.opts.Delay > 0 {
				o.calendarTimeout = time.Second
			}
			a := startApp(t, storetest.SQLite(t), o)
			h := caldavtest.StartHostile(t, tc.opts)
			m := a.createMentor("Mentor")
			var p problem
			if st := m.connect(h.URL, "", "", &p); st != tc.status || p.Code != tc.code || !strings.Contains(p.Detail, tc.problem) {
				t.Fatalf("connect = %d %+v, want %d %s %q", st, p, tc.status, tc.code, tc.problem)
			}
			if list := m.connections(); len(list) != 0 {
				t.Errorf("stored after a failed connect: %+v", list)
			}
		})
	}
}

// A connected calendar that grows past the limits fails its syncs with
// the reason on the calendar and the connection; its busy time stays as
// it was; the sync answers 200.
func TestSyncOfACalendarGrownTooLargeIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
		var grown atomic.Bool
		normal := caldavtest.SameTimes(start, 10)
		h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Objects: 10, Object: func(w io.Writer, i int) {
			if i == 3 && grown.Load() {
				caldavtest.Secondly(start)(w, i)
				return
			}
			normal(w, i)
		}})
		m := a.createMentor("Mentor")
		var conn connectionJSON
		if st := m.connect(h.URL, "", "", &conn); st != 201 {
			t.Fatalf("connect = %d", st)
		}
		before := m.busy(start.Add(-time.Hour), start.Add(24*time.Hour))
		if len(before) != 10 {
			t.Fatalf("busy before: %d intervals", len(before))
		}
		grown.Store(true)
		h.Touch(3)
		for range 2 { // and again: still failing, still recorded
			cals := m.sync()
			if len(cals) != 1 || cals[0].Status != "error" || cals[0].Error == nil ||
				!strings.HasPrefix(*cals[0].Error, "calendar too large: one calendar object holds more than 100,000 event occurrences") {
				t.Fatalf("sync: %+v", cals)
			}
		}
		list := m.connections()
		if len(list) != 1 || list[0].Status != "error" || list[0].Error == nil || !strings.Contains(*list[0].Error, "calendar too large") {
			t.Fatalf("connection: %+v", list)
		}
		if after := m.busy(start.Add(-time.Hour), start.Add(24*time.Hour)); len(after) != len(before) {
			t.Errorf("busy time changed by a failed sync: %d intervals, was %d", len(after), len(before))
		}
		// The calendar shrinks back: ok again.
		grown.Store(false)
		h.Touch(3)
		if cals := m.sync(); cals[0].Status != "ok" || cals[0].Error != nil || cals[0].BusyIntervals != 10 {
			t.Fatalf("sync after the fix: %+v", cals[0])
		}
	})
}

// Many events at few times are stored merged, and objects whose ETag did
// not change are not decoded again.
func TestBusyTimeIsMergedAndUnchangedObjectsNotDecodedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
		// 20,000 events over 480 distinct hours.
		h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Objects: 20_000, Object: caldavtest.SameTimes(start, 480)})
		m := a.createMentor("Mentor")
		var conn connectionJSON
		if st := m.connect(h.URL, "", "", &conn); st != 201 {
			t.Fatalf("connect = %d", st)
		}
		decoded := a.cals.DecodedObjects()
		if decoded != 20_000 {
			t.Fatalf("decoded %d objects at connect, want 20,000", decoded)
		}
		cals := m.sync()
		if len(cals) != 1 || cals[0].Status != "ok" || cals[0].BusyIntervals != 480 {
			t.Fatalf("sync: %+v, want 480 merged busy intervals", cals)
		}
		if again := a.cals.DecodedObjects() - decoded; again != 0 {
			t.Errorf("an unchanged calendar's sync decoded %d objects", again)
		}
		h.Touch(7)
		if cals := m.sync(); cals[0].Status != "ok" || cals[0].BusyIntervals != 480 {
			t.Fatalf("sync after an edit: %+v", cals)
		}
		if again := a.cals.DecodedObjects() - decoded; again != 1 {
			t.Errorf("a sync after one edit decoded %d objects, want 1", again)
		}
	})
}

// lockedBuffer is a log sink safe for the app's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// Broken events and failing syncs are logged once per connection and
// cause, not once per event and sync.
func TestHostileCalendarsLogOnce(t *testing.T) {
	logs := &lockedBuffer{}
	a := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: true, logs: logs})
	var failing atomic.Bool
	broken := caldavtest.Broken(1000)
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Objects: 20, Object: func(w io.Writer, i int) {
		if i == 0 && failing.Load() {
			caldavtest.FlatComponents(300_000)(w, i)
			return
		}
		broken(w, i)
	}})
	m := a.createMentor("Mentor")
	if st := m.connect(h.URL, "", "", nil); st != 201 {
		t.Fatalf("connect = %d", st)
	}
	failing.Store(true)
	for range 3 {
		h.Touch(0)
		if cals := m.sync(); cals[0].Status != "error" {
			t.Fatalf("sync: %+v", cals)
		}
	}
	if n := logs.count("calendar events skipped or partly read"); n != 1 {
		t.Errorf("%d lines about 20,000 skipped events, want 1", n)
	}
	if n := logs.count("calendar sync failed"); n != 1 {
		t.Errorf("%d lines about 3 failed syncs, want 1", n)
	}
	if n := strings.Count(logs.b.String(), "\n"); n > 5 {
		t.Errorf("%d log lines:\n%s", n, logs.b.String())
	}
}

// Calendar names from a server are cut to what a name may be.
func TestHugeCalendarNamesAreCut(t *testing.T) {
	a := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: true})
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Calendars: 5, NameBytes: 100 << 10})
	m := a.createMentor("Mentor")
	var conn connectionJSON
	if st := m.connect(h.URL, "", "", &conn); st != 201 || len(conn.Calendars) != 5 {
		t.Fatalf("connect = %d, %d calendars", st, len(conn.Calendars))
	}
	for _, k := range conn.Calendars {
		if n := len([]rune(k.Name)); n != 200 || !strings.HasPrefix(k.Name, "Calendar ") || !strings.HasSuffix(k.Name, "…") {
			t.Errorf("name of %d characters: %.40q…", n, k.Name)
		}
	}
}
