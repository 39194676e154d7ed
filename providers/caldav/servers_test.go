package caldav

import (
	"context"
	"errors"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// The cases of the servers' own behaviour (issue 14), each against every
// server; the comment of each test names the servers that showed it.

// Digest (Baïkal's default) and Basic: a wrong password is ErrAuth, after
// a bounded number of requests, on every server that checks passwords.
func TestWrongPasswordIsErrAuthEverywhere(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		if srv.Username == "" {
			t.Logf("%s checks no password", name)
			return
		}
		counter := &countingTransport{}
		_, err := Connect(context.Background(), Credentials{URL: srv.PrincipalURL, Username: srv.Username, Password: "wrong"}, testOptions(counter))
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
		if requests, _ := counter.take(); requests > 4 {
			t.Errorf("%d requests to learn the password is wrong", requests)
		}
	})
}

// session is the event write-back puts in the mentor's calendar: the
// organizer is the account's own address, the mentee an attendee.
func session(uid string, seq int, start time.Time) calendar.Session {
	return calendar.Session{
		UID: uid, Sequence: seq, Start: start, End: start.Add(30 * time.Minute),
		Summary:   "Mentoring session",
		Organizer: calendar.Person{Name: "Mentor", Email: "mentor@example.org"},
		Attendee:  calendar.Person{Name: "Mentee", Email: "mentee@example.net"},
		Stamp:     time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
	}
}

func encode(t *testing.T, s calendar.Session) []byte {
	t.Helper()
	data, err := ical.EncodeObject(s)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mailSize(srv *caldavtest.Server) int64 {
	if srv.MailLog == "" {
		return 0
	}
	fi, err := os.Stat(srv.MailLog)
	if err != nil {
		return 0
	}
	return fi.Size()
}

var (
	sequenceLine   = regexp.MustCompile(`(?m)^SEQUENCE:(\d+)\r?$`)
	scheduleStatus = regexp.MustCompile(`SCHEDULE-STATUS=("?)([0-9.]+)`)
)

// runID makes UIDs unique to one test run: Cyrus keeps the UIDs of
// deleted calendars and refuses them elsewhere in the account.
func runID(srv *caldavtest.Server) string {
	return path.Base(strings.TrimSuffix(srv.CalendarURL, "/"))
}

// Scheduling servers (Cyrus, SOGo; sabre/dav from 2.1, not Debian's 1.8)
// schedule an object whose ORGANIZER is the account's own address and
// mail the attendees (SCHEDULE-STATUS appears). SCHEDULE-AGENT=CLIENT on
// ORGANIZER and ATTENDEE leaves the invitations to us: the stored object
// keeps no SCHEDULE-STATUS, its SEQUENCE stays ours, no mail goes out.
func TestWrittenSessionIsNotScheduledByTheServer(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		ctx := context.Background()
		conn := connect(t, srv, srv.URL)
		calRef := calRefOf(srv)
		mailBefore := mailSize(srv)
		check := func(step, key, etag string, seq int) {
			t.Helper()
			stored := srv.Get(t, strings.TrimSuffix(srv.URL, "/")+key)
			// DAViCal marks attendees 1.0 (pending) whenever the time
			// changes, whatever SCHEDULE-AGENT says; it sends nothing.
			for _, m := range scheduleStatus.FindAllStringSubmatch(stored, -1) {
				if m[2] != "1.0" || name != "davical" {
					t.Errorf("%s: the server scheduled our event itself (SCHEDULE-STATUS=%s):\n%s", step, m[2], stored)
				}
			}
			// SOGo raises SEQUENCE on every update of an event with
			// attendees; never below ours.
			m := sequenceLine.FindStringSubmatch(stored)
			if got, _ := strconv.Atoi(m[1]); m == nil || got < seq || (got != seq && name != "sogo") {
				t.Errorf("%s: stored SEQUENCE %v, want %d:\n%s", step, m, seq, stored)
			} else if got != seq {
				t.Logf("%s: %s stored SEQUENCE %d for our %d", step, name, got, seq)
			}
			if grown := mailSize(srv) - mailBefore; grown != 0 {
				t.Errorf("%s: the server sent %d bytes of mail", step, grown)
			}
			// Whatever the server rewrote, the ETag we keep is the stored
			// object's: our own write does not come back as a change.
			cs := changes(t, conn, calRef, "", nil)
			if i := slices.IndexFunc(cs.Upserts, func(it calendar.Item) bool { return it.Key == key }); i < 0 || !sameETag(cs.Upserts[i].ETag, etag) {
				t.Errorf("%s: the stored object's ETag is not the one the write returned (%q)", step, etag)
			}
		}
		uid := "sched-" + runID(srv) + "@rendezvous.test"
		key, etag, err := conn.SaveEvent(ctx, calRef, uid, encode(t, session(uid, 0, day)), "")
		if err != nil {
			t.Fatal(err)
		}
		check("create", key, etag, 0)
		if key, etag, err = conn.SaveEvent(ctx, calRef, uid, encode(t, session(uid, 1, day.Add(time.Hour))), key); err != nil {
			t.Fatal(err)
		}
		check("reschedule", key, etag, 1)
		if err := conn.RemoveEvent(ctx, calRef, uid, key); err != nil {
			t.Fatal(err)
		}
		if grown := mailSize(srv) - mailBefore; grown != 0 {
			t.Errorf("cancel: the server sent %d bytes of mail", grown)
		}

		// Without SCHEDULE-AGENT=CLIENT, the same object: DAViCal
		// schedules it (SCHEDULE-STATUS=3.7 on the mentee, whom it
		// cannot reach); the others, as set up here, send nothing.
		plain := strings.ReplaceAll(string(encode(t, session("unmarked-"+uid, 0, day))), ";SCHEDULE-AGENT=CLIENT", "")
		srv.Put(t, "unmarked.ics", plain)
		stored := srv.Get(t, srv.CalendarURL+"unmarked.ics")
		statuses := scheduleStatus.FindAllString(stored, -1)
		t.Logf("%s without SCHEDULE-AGENT: SCHEDULE-STATUS %v, mail %d bytes", name, statuses, mailSize(srv)-mailBefore)
		if name == "davical" && len(statuses) == 0 {
			t.Errorf("DAViCal no longer schedules an unmarked object: this test shows nothing")
		}
	})
}

// DAViCal lists the scheduling inbox and outbox (.in/, .out/) as
// calendars without the RFC 6638 resource types: they are neither busy
// time nor a place for sessions.
func TestSchedulingBoxesAreNotCalendars(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		for _, url := range []string{srv.URL, srv.PrincipalURL, srv.HomeURL} {
			conn := connect(t, srv, url)
			cals, err := conn.Calendars(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cals {
				lower := strings.ToLower(c.Ref)
				if strings.HasSuffix(lower, "/.in/") || strings.HasSuffix(lower, "/.out/") ||
					strings.HasSuffix(lower, "/inbox/") || strings.HasSuffix(lower, "/outbox/") {
					t.Errorf("from %s: scheduling box %q listed as a calendar", url, c.Ref)
				}
			}
		}
	})
}

// A client that imported our invitation holds the UID under its own href.
// Cyrus refuses our new object (403 naming that href), SOGo too (409);
// sabre/dav and DAViCal accept a second copy. Either way the write ends
// with exactly one object at the session's current time, never a retry
// of the same refused request, and a cancellation removes them all.
func TestUIDHeldElsewhereEndsWithOneObject(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		ctx := context.Background()
		conn := connect(t, srv, srv.URL)
		calRef := calRefOf(srv)
		uid := "imported-" + runID(srv) + "@rendezvous.test"
		imported := strings.ReplaceAll(string(encode(t, session(uid, 0, day))), ";SCHEDULE-AGENT=CLIENT", "")
		srv.Put(t, "client-import.ics", imported)

		counter := &countingTransport{}
		conn2, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, testOptions(counter))
		if err != nil {
			t.Fatal(err)
		}
		_ = conn
		moved := day.Add(2 * time.Hour)
		key, _, err := conn2.SaveEvent(ctx, calRef, uid, encode(t, session(uid, 1, moved)), "")
		if err != nil {
			t.Fatalf("save over an imported copy: %v", err)
		}
		requests, _ := counter.take()
		t.Logf("%s: saved as %s in %d requests", name, key, requests)
		if requests > 6 {
			t.Errorf("%d requests to save one event", requests)
		}
		onlyCurrent := func(step string, wantStart time.Time) {
			t.Helper()
			keys, err := conn2.scanUID(ctx, calRef, uid)
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 {
				t.Fatalf("%s: %d objects hold the UID: %v", step, len(keys), keys)
			}
			stored := srv.Get(t, strings.TrimSuffix(srv.URL, "/")+keys[0])
			if !strings.Contains(stored, "DTSTART:"+wantStart.Format("20060102T150405Z")) {
				t.Errorf("%s: the remaining object is not at the current time:\n%s", step, stored)
			}
		}
		onlyCurrent("create", moved)

		// A copy imported after our write: servers that take it get it
		// cleaned up at the next write.
		code, _, _ := srv.Do(t, "PUT", srv.CalendarURL+"late-import.ics", nil, imported)
		t.Logf("%s: a later copy under another href: %d", name, code)
		later := day.Add(3 * time.Hour)
		if key, _, err = conn2.SaveEvent(ctx, calRef, uid, encode(t, session(uid, 2, later)), key); err != nil {
			t.Fatal(err)
		}
		onlyCurrent("reschedule", later)
		srv.Do(t, "PUT", srv.CalendarURL+"late-import-2.ics", nil, imported)
		if err := conn2.RemoveEvent(ctx, calRef, uid, key); err != nil {
			t.Fatal(err)
		}
		if keys, err := conn2.scanUID(ctx, calRef, uid); err != nil || len(keys) != 0 {
			t.Fatalf("after cancel: %v %v", keys, err)
		}
	})
}

// After a calendar is deleted and re-created at the same URL, sabre/dav
// (by CTag) sees no change and DAViCal and SOGo report the additions but
// not the deletions. The periodic full listing heals it; an unchanged
// re-sync costs one request, and so does the listing of an unchanged
// calendar.
func TestFullListingHealsWhatTokensMissed(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		id := runID(srv)
		srv.Put(t, "a.ics", caldavtest.Event("heal-a-"+id, "A", day, day.Add(time.Hour)))
		srv.Put(t, "b.ics", caldavtest.Event("heal-b-"+id, "B", day.Add(2*time.Hour), day.Add(3*time.Hour)))
		now := time.Now()
		clock := func() time.Time { return now }
		counter := &countingTransport{}
		opts := testOptions(counter)
		opts.Now = clock
		conn, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, opts)
		if err != nil {
			t.Fatal(err)
		}
		full := changes(t, conn, calRef, "", nil)
		known := knownOf(full.Upserts)
		counter.take()
		same := changes(t, conn, calRef, full.State, known)
		if requests, _ := counter.take(); requests != 1 || len(same.Upserts)+len(same.Deletes) != 0 {
			t.Fatalf("unchanged re-sync: %d requests, %d upserts, %d deletes", requests, len(same.Upserts), len(same.Deletes))
		}

		// The calendar goes and comes back with b and a new c.
		srv.DeleteCollection(t, srv.CalendarURL)
		srv.MakeCalendar(t, srv.CalendarURL, "Again", "VEVENT")
		srv.Put(t, "b.ics", caldavtest.Event("heal-b-"+id, "B", day.Add(2*time.Hour), day.Add(3*time.Hour)))
		srv.Put(t, "c.ics", caldavtest.Event("heal-c-"+id, "C", day.Add(4*time.Hour), day.Add(5*time.Hour)))
		want := []string{calRef + "b.ics", calRef + "c.ics"}

		held := apply(known, nil)
		cs, err := conn.Changes(context.Background(), calRef, same.State, testWindow, known)
		if err == nil && !cs.Full {
			held = apply(known, &cs)
		}
		t.Logf("%s: by token/CTag alone: full=%v err=%v, holds %v", name, cs.Full, err, sortedKeys(held))
		switch name {
		case "sabre", "sabre-digest", "davical", "sogo":
			// The bug this test is about: the deleted a.ics stays.
			if _, stale := held[calRef+"a.ics"]; !stale {
				t.Errorf("%s now notices the deletion by token alone; update this test", name)
			}
		}
		state := cs.State
		if err != nil || cs.Full {
			state = same.State // a server that refused the token healed itself
		}

		now = now.Add(DefaultFullListingEvery)
		counter.take()
		healed := changes(t, conn, calRef, state, held)
		requests, _ := counter.take()
		held = apply(held, &healed)
		if healed.Full {
			held = knownOf(healed.Upserts)
		}
		if got := sortedKeys(held); !slices.Equal(got, want) {
			t.Fatalf("after the full listing: holds %v, want %v", got, want)
		}
		if requests > 2 {
			t.Errorf("full listing took %d requests", requests)
		}

		counter.take()
		again := changes(t, conn, calRef, healed.State, held)
		if requests, _ := counter.take(); requests != 1 || len(again.Upserts)+len(again.Deletes) != 0 {
			t.Errorf("after healing, unchanged re-sync: %d requests, %+v", requests, again)
		}
		now = now.Add(DefaultFullListingEvery)
		listing := changes(t, conn, calRef, again.State, held)
		if requests, _ := counter.take(); requests != 1 || len(listing.Upserts)+len(listing.Deletes) != 0 {
			t.Errorf("listing of an unchanged calendar: %d requests, %d upserts, %d deletes", requests, len(listing.Upserts), len(listing.Deletes))
		}
	})
}

// apply returns known with cs's changes applied (nil cs: a copy).
func apply(known map[string]string, cs *calendar.ChangeSet) map[string]string {
	out := map[string]string{}
	for k, v := range known {
		out[k] = v
	}
	if cs == nil {
		return out
	}
	for _, k := range cs.Deletes {
		delete(out, k)
	}
	for _, it := range cs.Upserts {
		out[it.Key] = it.ETag
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
