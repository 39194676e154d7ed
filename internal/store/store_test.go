package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s := storetest.Open(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				other, err := store.Open(context.Background(), db.URL)
				if err != nil {
					errs <- err
					return
				}
				defer other.Close()
				errs <- other.Migrate(context.Background())
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent migrate: %v", err)
			}
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Setting(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting: %v", err)
		}
		wrote, err := s.PutSettingIfAbsent(ctx, "x", "1")
		if err != nil || !wrote {
			t.Fatalf("first put: %v %v", wrote, err)
		}
		wrote, err = s.PutSettingIfAbsent(ctx, "x", "2")
		if err != nil || wrote {
			t.Fatalf("second put must not write: %v %v", wrote, err)
		}
		if v, _ := s.Setting(ctx, "x"); v != "1" {
			t.Fatalf("value = %q", v)
		}
	})
}

// TestOverlapGuarantee checks the database itself refuses overlapping live
// bookings of one mentor, under concurrency, on both engines.
func TestOverlapGuarantee(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentor, mentee := seedPair(t, s)
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, overlaps := 0, 0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each candidate overlaps the others by at least 15 minutes.
				b := booking(mentor, mentee, start.Add(time.Duration(i%2)*15*time.Minute), 30*time.Minute)
				err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertBooking(ctx, b) })
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrOverlap):
					overlaps++
				default:
					t.Errorf("insert: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != 1 || overlaps != 19 {
			t.Fatalf("ok=%d overlaps=%d, want 1 and 19", ok, overlaps)
		}
		// Back-to-back and cancelled bookings do not conflict.
		next := booking(mentor, mentee, start.Add(45*time.Minute), 30*time.Minute)
		if err := s.InsertBooking(ctx, next); err != nil {
			t.Fatalf("adjacent booking refused: %v", err)
		}
		cancelled := booking(mentor, mentee, start, 30*time.Minute)
		cancelled.Status = "cancelled"
		if err := s.InsertBooking(ctx, cancelled); err != nil {
			t.Fatalf("cancelled booking refused: %v", err)
		}
	})
}

func seedPair(t *testing.T, s *store.Store) (mentorID, menteeID string) {
	t.Helper()
	ctx := context.Background()
	m := &store.Mentor{ID: uuid.NewString(), Name: "M", Email: "m@example.org", Timezone: "Europe/Paris", Language: "en",
		MaxMentees: 3, SessionMinutes: 30, HorizonDays: 28, MaxUpcomingPerMentee: 1, WeeklyHours: "[]", Overrides: "[]",
		TokenHash: uuid.NewString(), FeedTokenHash: uuid.NewString(), FeedTokenSealed: "x", PublicTokenHash: uuid.NewString(), PublicTokenSealed: "x"}
	if err := s.InsertMentor(ctx, m); err != nil {
		t.Fatal(err)
	}
	e := &store.Mentee{ID: uuid.NewString(), MentorID: &m.ID, Name: "E", Email: "e@example.org", EmailKey: "e@example.org",
		Timezone: "UTC", Language: "en", Status: "active", LinkTokenHash: uuid.NewString(), LinkTokenSealed: "x", AssignedAt: time.Now()}
	if err := s.InsertMentee(ctx, e); err != nil {
		t.Fatal(err)
	}
	return m.ID, e.ID
}

func booking(mentorID, menteeID string, start time.Time, d time.Duration) *store.Booking {
	id := uuid.NewString()
	return &store.Booking{ID: id, UID: fmt.Sprintf("%s@test", id), MentorID: mentorID, MenteeID: menteeID,
		StartAt: start, EndAt: start.Add(d), Status: "confirmed", ManageTokenHash: uuid.NewString(), ManageTokenSealed: "x"}
}

// TestCaseloadPairUnderConcurrentOutcomes: outcomes written at once to
// sessions of one pair, each in its own transaction, leave the pair's
// summary counting every one of them, with the latest as the last.
func TestCaseloadPairUnderConcurrentOutcomes(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentor, mentee := seedPair(t, s)
		now := time.Now().UTC().Truncate(time.Second)
		var sessions []*store.Booking
		for i := range 12 {
			b := booking(mentor, mentee, now.Add(-time.Duration(i+2)*24*time.Hour), time.Hour)
			if err := s.InsertBooking(ctx, b); err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, b)
		}
		var wg sync.WaitGroup
		for i, b := range sessions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outcome := "completed"
				if i == 0 {
					outcome = "no_show" // the latest session does not count as held
				}
				err := s.InTx(ctx, func(tx *store.Tx) error {
					locked, err := tx.LockBooking(ctx, b.ID)
					if err != nil {
						return err
					}
					locked.Outcome = &outcome
					return tx.UpdateBooking(ctx, locked)
				})
				if err != nil {
					t.Errorf("outcome of %s: %v", b.ID, err)
				}
			}()
		}
		wg.Wait()
		var got *store.CaseloadMentee
		err := s.CaseloadMentees(ctx, mentor, now, now.Add(-24*time.Hour), func(m *store.CaseloadMentee) { c := *m; got = &c })
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.Completed != 11 || got.LastID != sessions[1].ID || !got.LastStart.Equal(sessions[1].StartAt) ||
			got.Unreported != 0 || got.Upcoming != 0 || !got.NextStart.IsZero() {
			t.Fatalf("caseload of the pair: %+v", got)
		}
		// Cancelling a completed session takes it out again.
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			b, err := tx.LockBooking(ctx, sessions[1].ID)
			if err != nil {
				return err
			}
			b.Status = store.StatusCancelled
			return tx.UpdateBooking(ctx, b)
		}); err != nil {
			t.Fatal(err)
		}
		s.CaseloadMentees(ctx, mentor, now, now.Add(-24*time.Hour), func(m *store.CaseloadMentee) { c := *m; got = &c })
		if got.Completed != 10 || got.LastID != sessions[2].ID {
			t.Fatalf("after cancelling the last completed session: %+v", got)
		}
	})
}
