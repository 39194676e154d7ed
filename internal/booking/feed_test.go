package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// BenchmarkMentorFeed renders a 5,000-session feed from SQLite: the
// queries and the encoding, as GET /feeds/{token}.ics does.
func BenchmarkMentorFeed(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkMentorFeed(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkMentorFeed(b, storetest.Postgres(b)) })
}

// seedFeed stores a mentor with n sessions, each with its own mentee,
// from 60 days back, and returns the booking service and the feed token.
func seedFeed(b testing.TB, db storetest.Database, n int) (*booking.Service, string) {
	ctx := context.Background()
	s := storetest.Open(b, db)
	box, _ := secret.NewBox(bytes.Repeat([]byte{1}, 32))
	feed := secret.NewToken()
	m := &store.Mentor{ID: uuid.NewString(), Name: "Grace", Email: "g@example.org", Timezone: "Europe/Paris", Language: "en",
		MaxMentees: 5000, SessionMinutes: 30, HorizonDays: 28, MaxUpcomingPerMentee: 1, WeeklyHours: "[]", Overrides: "[]",
		TokenHash: uuid.NewString(), FeedTokenHash: secret.HashToken(feed), FeedTokenSealed: box.SealString(feed),
		PublicTokenHash: uuid.NewString(), PublicTokenSealed: "x"}
	if err := s.InsertMentor(ctx, m); err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(-60 * 24 * time.Hour)
	// Seeded in transactions of 100: one transaction of thousands of rows
	// outlasts the store's per-transaction timeout on a loaded machine
	// under -race.
	for from := 0; from < n; from += 100 {
		if err := seedFeedRows(ctx, s, box, m, start, from, min(from+100, n)); err != nil {
			b.Fatal(err)
		}
	}
	// Statistics, as a database in service has them (autovacuum, or
	// SQLite's optimize): without them PostgreSQL sorts the whole result
	// before sending the first row.
	if _, err := s.SQLDB().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	base, _ := url.Parse("http://localhost:8080")
	public := links.New(base)
	mails := outbox.New(s, box, public, nil, outbox.Options{})
	return booking.New(booking.Deps{Store: s, Box: box, Links: public, Outbox: mails}, booking.Options{}), feed
}

func benchmarkMentorFeed(b *testing.B, db storetest.Database) {
	ctx := context.Background()
	svc, feed := seedFeed(b, db, 5000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := svc.MentorFeed(ctx, feed, booking.FeedConditions{})
		if err != nil || f.Body.Len() == 0 {
			b.Fatal(err)
		}
	}
}

// TestMentorFeedInOrder renders a feed of many batches, encoded in
// parallel, and checks it holds every session once, by start, with the
// same ETag as the conditional path computes from its aggregate query.
func TestMentorFeedInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		svc, feed := seedFeed(t, db, 1100)
		f, err := svc.MentorFeed(ctx, feed, booking.FeedConditions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := f.Body.WriteTo(&buf); err != nil || buf.Len() != f.Body.Len() {
			t.Fatalf("write %d bytes of %d: %v", buf.Len(), f.Body.Len(), err)
		}
		cal, err := ical.NewDecoder(&buf).Decode()
		if err != nil {
			t.Fatal(err)
		}
		events := cal.Events()
		if len(events) != 1100 {
			t.Fatalf("%d events, want 1100", len(events))
		}
		var prev time.Time
		seen := map[string]bool{}
		for i, ev := range events {
			start, err := ev.DateTimeStart(time.UTC)
			uid, _ := ev.Props.Text(ical.PropUID)
			if err != nil || !start.After(prev) || seen[uid] {
				t.Fatalf("event %d (%s at %s) after %s: %v", i, uid, start, prev, err)
			}
			prev, seen[uid] = start, true
		}
		again, err := svc.MentorFeed(ctx, feed, booking.FeedConditions{IfNoneMatch: f.ETag})
		if err != nil || again.Body != nil || again.ETag != f.ETag {
			t.Fatalf("conditional fetch: %+v, %v; want 304 with ETag %s", again, err, f.ETag)
		}
		since, err := svc.MentorFeed(ctx, feed, booking.FeedConditions{IfModifiedSince: f.Modified.Add(-time.Hour)})
		if err != nil || since.Body == nil {
			t.Fatalf("modified since an hour earlier: %+v, %v", since, err)
		}
	})
}

// seedFeedRows inserts mentees from..to-1 of seedFeed, each with one session.
func seedFeedRows(ctx context.Context, s *store.Store, box *secret.Box, m *store.Mentor, start time.Time, from, to int) error {
	return s.InTx(ctx, func(tx *store.Tx) error {
		for i := from; i < to; i++ {
			e := &store.Mentee{ID: uuid.NewString(), MentorID: &m.ID, Name: fmt.Sprintf("Mentee %d", i), Email: fmt.Sprintf("e%d@example.org", i),
				EmailKey: fmt.Sprintf("e%d@example.org", i), Timezone: "UTC", Language: "en", Status: "active",
				LinkTokenHash: uuid.NewString(), LinkTokenSealed: "x", AssignedAt: start}
			if err := tx.InsertMentee(ctx, e); err != nil {
				return err
			}
			at := start.Add(time.Duration(i) * 30 * time.Minute)
			id := uuid.NewString()
			if err := tx.InsertBooking(ctx, &store.Booking{ID: id, UID: id + "@bench", MentorID: m.ID, MenteeID: e.ID,
				StartAt: at, EndAt: at.Add(30 * time.Minute), Status: "confirmed", VideoURL: "https://meet.example.org/" + id,
				ManageTokenHash: uuid.NewString(), ManageTokenSealed: box.SealString("manage"), CreatedAt: start, UpdatedAt: start}); err != nil {
				return err
			}
		}
		return nil
	})
}
