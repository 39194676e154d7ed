package signin

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestSessions: a session value leads to its mentor until it expires or is
// ended; ending one leaves the mentor's other browsers signed in, ending
// them everywhere does not; forged values lead nowhere.
func TestSessions(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		box, err := secret.NewBox(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		s := New(st, nil, box, Options{Now: func() time.Time { return now }})
		mentor := &store.Mentor{ID: uuid.NewString(), Name: "M", Email: "m@example.org", Timezone: "UTC", Language: "en",
			MaxMentees: 3, SessionMinutes: 30, HorizonDays: 28, MaxUpcomingPerMentee: 1, WeeklyHours: "[]", Overrides: "[]",
			TokenHash: uuid.NewString(), FeedTokenHash: uuid.NewString(), FeedTokenSealed: "x", PublicTokenHash: uuid.NewString(), PublicTokenSealed: "x"}
		if err := st.InsertMentor(ctx, mentor); err != nil {
			t.Fatal(err)
		}
		signIn := func() string {
			v, exp, err := s.Session(ctx, mentor.ID)
			if err != nil || !exp.Equal(now.Add(SessionLifetime)) {
				t.Fatalf("session: %v, expires %s", err, exp)
			}
			return v
		}
		live := func(v string) bool {
			id, ok, err := s.MentorOf(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			return ok && id == mentor.ID
		}
		laptop, phone, tablet := signIn(), signIn(), signIn()
		if !live(laptop) || !live(phone) || laptop == phone {
			t.Fatal("fresh sessions are not signed in")
		}
		for _, bad := range []string{"", mentor.ID, laptop + "x", secret.NewToken()} {
			if live(bad) {
				t.Errorf("MentorOf(%q) accepted", bad)
			}
		}
		if err := s.SignOut(ctx, laptop, false); err != nil {
			t.Fatal(err)
		}
		if live(laptop) || !live(phone) {
			t.Fatal("signing out ended the wrong sessions")
		}
		if err := s.SignOut(ctx, phone, true); err != nil {
			t.Fatal(err)
		}
		if live(phone) || live(tablet) {
			t.Fatal("signing out everywhere left a session")
		}
		late := signIn()
		now = now.Add(SessionLifetime + time.Second)
		if live(late) {
			t.Error("an expired session was accepted")
		}
		if n, err := st.PurgeExpired(ctx, now); err != nil || n != 1 {
			t.Errorf("purged %d rows (%v), want the expired session", n, err)
		}
	})
}
