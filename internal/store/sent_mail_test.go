package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestMailOutcomeAcceptedWins: a mail recorded accepted and refused, in
// either order (two runs of one job that overlapped, or an acceptance
// whose record was lost before a later 5xx), reads as sent; each record
// repeated is harmless.
func TestMailOutcomeAcceptedWins(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
		outcome := func(id string, want store.MailOutcome) {
			t.Helper()
			got, err := s.MailOutcomeOf(ctx, id)
			if err != nil || got != want {
				t.Fatalf("%s: outcome %v (%v), want %v", id, got, err, want)
			}
		}
		record := func(sent bool, id string) {
			t.Helper()
			rec := s.RecordMailRefused
			if sent {
				rec = s.RecordMailSent
			}
			if err := rec(ctx, id, at); err != nil {
				t.Fatal(err)
			}
		}
		outcome("never@example.org", store.MailNotSent)

		record(false, "refused@example.org")
		record(false, "refused@example.org")
		outcome("refused@example.org", store.MailRefused)

		record(true, "sent-then-refused@example.org")
		record(false, "sent-then-refused@example.org")
		record(true, "sent-then-refused@example.org")
		outcome("sent-then-refused@example.org", store.MailSent)

		record(false, "refused-then-sent@example.org")
		record(true, "refused-then-sent@example.org")
		record(false, "refused-then-sent@example.org")
		outcome("refused-then-sent@example.org", store.MailSent)
	})
}
