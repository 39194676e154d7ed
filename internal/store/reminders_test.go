package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestReminderMarks: the sessions due a lead's reminder are the confirmed
// ones starting in the range without that lead's mark at their start; a
// mark taken twice reports false without breaking the transaction (on
// PostgreSQL a failed insert would abort it), alone or in a batch.
func TestReminderMarks(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentor, mentee := seedPair(t, s)
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		at := func(h time.Duration) *store.Booking { return booking(mentor, mentee, now.Add(h), 30*time.Minute) }
		past, first, second, cancelled, marked, beyond := at(-time.Hour), at(time.Hour), at(2*time.Hour), at(3*time.Hour), at(4*time.Hour), at(5*time.Hour)
		cancelled.Status = store.StatusCancelled
		for _, b := range []*store.Booking{past, first, second, cancelled, marked, beyond} {
			if err := s.InsertBooking(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(bs []store.Booking) []string {
			var out []string
			for _, b := range bs {
				out = append(out, b.ID)
			}
			return out
		}
		lead := 4 * time.Hour
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if ok, err := tx.MarkReminderSent(ctx, marked.ID, lead, marked.StartAt, now); err != nil || !ok {
				t.Fatalf("first mark: %v %v", ok, err)
			}
			if ok, err := tx.MarkReminderSent(ctx, marked.ID, lead, marked.StartAt, now); err != nil || ok {
				t.Fatalf("second mark: %v %v", ok, err)
			}
			// Another lead, or the session at another time, is another mark.
			if ok, err := tx.MarkReminderSent(ctx, marked.ID, time.Hour, marked.StartAt, now); err != nil || !ok {
				t.Fatalf("mark of another lead: %v %v", ok, err)
			}
			due, err := tx.DueReminders(ctx, lead, now, now.Add(lead), 10)
			if err != nil {
				return err
			}
			if got := ids(due); len(got) != 2 || got[0] != first.ID || got[1] != second.ID {
				t.Fatalf("due %v, want %s and %s", got, first.ID, second.ID)
			}
			if due, err = tx.DueReminders(ctx, lead, now, now.Add(lead), 1); err != nil || len(due) != 1 || due[0].ID != first.ID {
				t.Fatalf("due at most one: %v %v", ids(due), err)
			}
			if _, err := tx.MarkReminderSent(ctx, second.ID, lead, second.StartAt, now); err != nil {
				return err
			}
			got, err := tx.MarkRemindersSent(ctx, lead, []store.Booking{*first, *second}, now)
			if err != nil || len(got) != 1 || !got[first.ID] {
				t.Fatalf("batch of marks: %v %v, want %s alone", got, err, first.ID)
			}
			if due, err = tx.DueReminders(ctx, lead, now, now.Add(lead), 10); err != nil || len(due) != 0 {
				t.Fatalf("due once marked: %v %v", ids(due), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		moved := *first
		moved.StartAt = first.StartAt.Add(30 * time.Minute)
		moved.EndAt = first.EndAt.Add(30 * time.Minute)
		if err := s.UpdateBooking(ctx, &moved); err != nil {
			t.Fatal(err)
		}
		if due, err := s.DueReminders(ctx, lead, now, now.Add(lead), 10); err != nil || len(due) != 1 || due[0].ID != first.ID {
			t.Fatalf("due once moved: %v %v", ids(due), err)
		}
	})
}
