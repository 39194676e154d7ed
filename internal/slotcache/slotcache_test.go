package slotcache_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/slotcache"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

type fixture struct {
	t      *testing.T
	cache  *slotcache.Cache
	other  *store.Store // another pool on the same database: "another process"
	ment   *mentoring.Service
	mentor string
}

// newFixture runs a cache on one pool and returns it serving, with a
// mentor created through another pool.
func newFixture(t *testing.T, db storetest.Database, opts slotcache.Options) *fixture {
	t.Helper()
	mine := storetest.Open(t, db)
	other := storetest.Open(t, db)
	box, err := secret.NewBox(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	f := &fixture{t: t, cache: slotcache.New(mine, opts), other: other, ment: mentoring.New(other, box, links.New(base))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.cache.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	f.mentor = f.newMentor("Ada")
	f.eventually("the cache serves", func() bool {
		_, ok, err := f.cache.Mentor(context.Background(), f.mentor)
		return err == nil && ok
	})
	return f
}

func (f *fixture) newMentor(name string) string {
	f.t.Helper()
	weekly := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "18:00"}}
	email, tz, places := name+"@example.org", "Europe/Paris", 5
	m, err := f.ment.CreateMentor(context.Background(), access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places, WeeklyHours: &weekly})
	if err != nil {
		f.t.Fatal(err)
	}
	return m.ID
}

func (f *fixture) inputs(id string) *slotcache.Inputs {
	f.t.Helper()
	in, ok, err := f.cache.Mentor(context.Background(), id)
	if err != nil || !ok {
		f.t.Fatalf("inputs of %s: ok %v, %v", id, ok, err)
	}
	return in
}

// eventually waits up to one second: the bound on another process's
// change showing.
func (f *fixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("%s: not within 1 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) addBusy(mentorID string, start time.Time, d time.Duration) {
	f.t.Helper()
	ctx := context.Background()
	err := f.other.InTx(ctx, func(tx *store.Tx) error {
		connID, calID, now := uuid.NewString(), uuid.NewString(), time.Now().UTC()
		if err := tx.Exec(ctx, `INSERT INTO connections (id, mentor_id, provider, credentials_sealed, status, last_success_at, created_at, updated_at)
			VALUES (?, ?, 'caldav', 'x', 'ok', ?, ?, ?)`, connID, mentorID, now, now, now); err != nil {
			return err
		}
		if err := tx.Exec(ctx, `INSERT INTO calendars (id, connection_id, mentor_id, ref, name, check_conflicts, write_target, writable, created_at)
			VALUES (?, ?, ?, '/cal/', 'Work', ?, ?, ?, ?)`, calID, connID, mentorID, true, false, true, now); err != nil {
			return err
		}
		return tx.ReplaceCalendarBusy(ctx, mentorID, calID, []store.BusyInterval{{StartAt: start, EndAt: start.Add(d)}})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// TestChangesFromAnotherPoolShowWithinASecond: hours and busy time
// written through another connection pool (as another process would)
// replace what the cache holds within a second, on both databases.
func TestChangesFromAnotherPoolShowWithinASecond(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := newFixture(t, db, slotcache.Options{})
		before := f.inputs(f.mentor)
		if got := len(before.Availability.Weekly[time.Monday]); got != 1 {
			t.Fatalf("monday ranges: %d, want 1", got)
		}
		if again := f.inputs(f.mentor); again != before {
			t.Fatal("a second read loaded the mentor again instead of answering from memory")
		}
		ctx := context.Background()
		weekly := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "12:00"}, {Weekday: "monday", Start: "14:00", End: "18:00"}}
		if _, err := f.ment.SetAvailability(ctx, access.AdminToken(), f.mentor, weekly, nil); err != nil {
			t.Fatal(err)
		}
		f.eventually("new hours", func() bool { return len(f.inputs(f.mentor).Availability.Weekly[time.Monday]) == 2 })

		start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		f.addBusy(f.mentor, start, time.Hour)
		f.eventually("new busy time", func() bool {
			in := f.inputs(f.mentor)
			return len(in.Busy) == 1 && in.Busy[0].Start.Equal(start) && in.Connected
		})
	})
}

// TestStaleReadIsNotKept: what was read before a change is not kept, so
// a load racing a change cannot pin the old state.
func TestStaleReadIsNotKept(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), slotcache.Options{})
	stamp := f.cache.Stamp()
	f.cache.Changed(f.mentor)
	f.cache.RememberLink("hash", f.mentor, stamp)
	if _, ok := f.cache.Link("hash"); ok {
		t.Fatal("a link read before its mentor changed was kept")
	}
	f.cache.RememberLink("hash", f.mentor, f.cache.Stamp())
	if id, ok := f.cache.Link("hash"); !ok || id != f.mentor {
		t.Fatalf("link: %q %v", id, ok)
	}
	f.cache.Changed(f.mentor)
	if _, ok := f.cache.Link("hash"); ok {
		t.Fatal("a link survived a change to its mentor")
	}
}

// TestMemoryIsBounded: with a cap of 5 intervals, mentors are evicted
// least recently used first and the total never passes the cap.
func TestMemoryIsBounded(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), slotcache.Options{MaxIntervals: 5, MaxMentors: 3})
	base := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
	var ids []string
	for i := range 6 {
		id := f.newMentor("m" + string(rune('a'+i)))
		f.addBusy(id, base.Add(time.Duration(i)*time.Hour), time.Hour)
		ids = append(ids, id)
	}
	for _, id := range ids {
		if got := len(f.inputs(id).Busy); got != 1 {
			t.Fatalf("busy of %s: %d", id, got)
		}
		mentors, intervals, _ := f.cache.Size()
		if intervals > 5 || mentors > 3 {
			t.Fatalf("holding %d mentors and %d intervals, over the caps", mentors, intervals)
		}
	}
}
