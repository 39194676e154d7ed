package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/booking"
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

func benchmarkMentorFeed(b *testing.B, db storetest.Database) {
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
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for i := range 5000 {
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
	if err != nil {
		b.Fatal(err)
	}
	base, _ := url.Parse("http://localhost:8080")
	svc := booking.New(s, nil, box, booking.Options{BaseURL: base})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := svc.MentorFeed(ctx, feed, "")
		if err != nil || len(f.Body) == 0 {
			b.Fatal(err)
		}
	}
}
