package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// pairRecountMismatches lists the mentees whose kept pair counters
// (last_live_at, booked: migration 00024) differ from a recount of their
// sessions with their current mentor.
func pairRecountMismatches(t *testing.T, s *store.Store) []string {
	t.Helper()
	distinct := "IS NOT"
	if s.Dialect() == store.Postgres {
		distinct = "IS DISTINCT FROM"
	}
	rows, err := s.SQLDB().QueryContext(context.Background(), `SELECT e.id FROM mentees e WHERE
		e.last_live_at `+distinct+` (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = e.id AND b.mentor_id = e.mentor_id
			AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed'))
		OR e.booked <> EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = e.id AND b.mentor_id = e.mentor_id)
		ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPairCountersFollowEveryWrite: after each of a random mix of session
// and mentee writes (book, move, cancel, report, give a session to the
// other mentor, delete, book a series, reassign with the sessions moved in
// one transaction, end), the counters the console reads equal a recount.
func TestPairCountersFollowEveryWrite(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentorA, first, mentorB, second := seedTwoPairs(t, s)
		mentees := []string{first, second}
		for i := range 2 {
			e := &store.Mentee{ID: uuid.NewString(), MentorID: &mentorA, Name: "E", Email: fmt.Sprintf("x%d@example.org", i),
				EmailKey: fmt.Sprintf("x%d@example.org", i), Timezone: "UTC", Language: "en", Status: "active",
				LinkTokenHash: uuid.NewString(), LinkTokenSealed: "x", AssignedAt: time.Now()}
			if err := s.InsertMentee(ctx, e); err != nil {
				t.Fatal(err)
			}
			mentees = append(mentees, e.ID)
		}
		mentors := []string{mentorA, mentorB}
		base := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		slot := 0
		next := func() time.Time { slot++; return base.Add(time.Duration(slot) * 90 * time.Minute) }
		outcomes := []*string{nil, ptr("completed"), ptr("no_show"), ptr("mentor_no_show"), ptr("late_cancel")}
		var live []string // bookings not deleted
		r := rand.New(rand.NewPCG(20, 24))
		menteeOf := func(id string) *store.Mentee {
			m, err := s.Mentee(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		for step := range 160 {
			var what string
			switch op := r.IntN(9); {
			case op <= 2 || len(live) == 0:
				e := menteeOf(mentees[r.IntN(len(mentees))])
				mentor := mentors[r.IntN(2)]
				if e.MentorID != nil && r.IntN(3) > 0 {
					mentor = *e.MentorID
				}
				b := booking(mentor, e.ID, next(), 30*time.Minute)
				if r.IntN(4) == 0 {
					b.Status = store.StatusCancelled
				} else {
					b.Outcome = outcomes[r.IntN(len(outcomes))]
				}
				what = "book"
				if err := s.InsertBooking(ctx, b); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				live = append(live, b.ID)
			case op == 3:
				what = "book a series"
				e := menteeOf(mentees[r.IntN(len(mentees))])
				if e.MentorID == nil {
					continue
				}
				sr := &store.BookingSeries{ID: uuid.NewString(), MentorID: *e.MentorID, MenteeID: e.ID, UID: uuid.NewString() + "@test",
					FirstStartAt: base, Timezone: "UTC", Count: 3, IntervalWeeks: 1, SessionMinutes: 30, Skipped: "[]"}
				var occ []store.Booking
				for range 3 {
					b := booking(*e.MentorID, e.ID, next(), 30*time.Minute)
					b.SeriesID = sr.ID
					occ = append(occ, *b)
					live = append(live, b.ID)
				}
				if err := s.InsertSeries(ctx, sr, occ); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			case op == 4 || op == 5:
				b, err := s.Booking(ctx, live[r.IntN(len(live))])
				if err != nil {
					t.Fatal(err)
				}
				switch r.IntN(4) {
				case 0:
					what, b.StartAt = "move", next()
					b.EndAt = b.StartAt.Add(30 * time.Minute)
				case 1:
					what, b.Status = "cancel", store.StatusCancelled
				case 2:
					what, b.Outcome = "report", outcomes[r.IntN(len(outcomes))]
				default:
					// Every session has its own time: no overlap.
					what, b.MentorID = "give to the other mentor", mentors[0]
					if b.MentorID == mentorA {
						b.MentorID = mentorB
					}
				}
				if err := s.UpdateBooking(ctx, b); err != nil {
					t.Fatalf("step %d (%s): %v", step, what, err)
				}
			case op == 6:
				what = "delete"
				i := r.IntN(len(live))
				if err := s.Exec(ctx, "DELETE FROM bookings WHERE id = ?", live[i]); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				live = append(live[:i], live[i+1:]...)
			case op == 7:
				what = "reassign, moving the upcoming sessions"
				e := menteeOf(mentees[r.IntN(len(mentees))])
				to := mentors[r.IntN(2)]
				err := s.InTx(ctx, func(tx *store.Tx) error {
					from := e.MentorID
					e.MentorID, e.Status, e.AssignedAt = &to, "active", time.Now()
					if err := tx.UpdateMentee(ctx, e); err != nil {
						return err
					}
					if from == nil {
						return nil
					}
					return tx.Exec(ctx, "UPDATE bookings SET mentor_id = ? WHERE mentee_id = ? AND mentor_id = ? AND start_at > ?",
						to, e.ID, *from, base.Add(time.Duration(slot)*45*time.Minute))
				})
				if err != nil {
					t.Fatalf("step %d (%s): %v", step, what, err)
				}
			default:
				what = "end"
				e := menteeOf(mentees[r.IntN(len(mentees))])
				now := time.Now()
				e.Status, e.EndedAt = "ended", &now
				if err := s.UpdateMentee(ctx, e); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
			if bad := pairRecountMismatches(t, s); len(bad) > 0 {
				t.Fatalf("step %d (%s): counters differ from a recount for %v", step, what, bad)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// seedTwoPairs seeds two mentors with a mentee each (the first pair's
// addresses changed so that the second seeding does not collide).
func seedTwoPairs(t *testing.T, s *store.Store) (mentorA, menteeA, mentorB, menteeB string) {
	t.Helper()
	ctx := context.Background()
	mentorA, menteeA = seedPair(t, s)
	if err := s.Exec(ctx, "UPDATE mentors SET email = 'a@example.org' WHERE id = ?", mentorA); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "UPDATE mentees SET email = 'a@example.org', email_key = 'a@example.org' WHERE id = ?", menteeA); err != nil {
		t.Fatal(err)
	}
	mentorB, menteeB = seedPair(t, s)
	return mentorA, menteeA, mentorB, menteeB
}

// TestPairCountersBackfilled: sessions written before migration 00024
// (with the schema taken down to 00023) are counted by its backfill, on
// databases that have mentees (PostgreSQL queues a deferred trigger event
// per mentee updated there).
func TestPairCountersBackfilled(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.MigrateSchemaDownTo(ctx, 23); err != nil {
			t.Fatal(err)
		}
		mentor, mentee := seedPair(t, s)
		start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		held := booking(mentor, mentee, start, time.Hour)
		held.Outcome = ptr("completed")
		missed := booking(mentor, mentee, start.Add(48*time.Hour), time.Hour)
		missed.Outcome = ptr("no_show")
		for _, b := range []*store.Booking{held, missed} {
			if err := s.InsertBooking(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MigrateSchemaUp(ctx); err != nil {
			t.Fatalf("migrate up with data: %v", err)
		}
		if bad := pairRecountMismatches(t, s); len(bad) > 0 {
			t.Fatalf("after the backfill, counters differ from a recount for %v", bad)
		}
		var booked int
		if err := s.SQLDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM mentees WHERE booked AND last_live_at IS NOT NULL").Scan(&booked); err != nil {
			t.Fatal(err)
		}
		if booked != 1 {
			t.Fatalf("%d mentees backfilled as booked with a live session, want 1", booked)
		}
	})
}

// TestPairRecountedOncePerTransaction: on PostgreSQL a pair is recounted
// once per transaction however many of its sessions were written
// (migration 00025), and again after any later write, also when a
// recount was forced midway (SET CONSTRAINTS) or the mentee changes
// mentor afterwards.
func TestPairRecountedOncePerTransaction(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres(t))
	ctx := context.Background()
	mentorA, mentee, mentorB, _ := seedTwoPairs(t, s)
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	check := func(what string) {
		t.Helper()
		if bad := pairRecountMismatches(t, s); len(bad) > 0 {
			t.Fatalf("%s: counters differ from a recount for %v", what, bad)
		}
	}
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for i := range 5 {
			if err := tx.InsertBooking(ctx, booking(mentorA, mentee, start.Add(time.Duration(i)*24*time.Hour), time.Hour)); err != nil {
				return err
			}
		}
		if err := tx.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
			return err
		}
		if err := tx.Exec(ctx, "SET CONSTRAINTS ALL DEFERRED"); err != nil {
			return err
		}
		if err := tx.InsertBooking(ctx, booking(mentorA, mentee, start.Add(30*24*time.Hour), time.Hour)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("six sessions, a recount forced after five")
	var last time.Time
	if err := s.SQLDB().QueryRowContext(ctx, "SELECT last_live_at FROM mentees WHERE id = $1", mentee).Scan(&last); err != nil || !last.Equal(start.Add(30*24*time.Hour)) {
		t.Fatalf("last live session %v (%v), want the sixth", last, err)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBooking(ctx, booking(mentorA, mentee, start.Add(40*24*time.Hour), time.Hour)); err != nil {
			return err
		}
		if err := tx.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
			return err
		}
		return tx.Exec(ctx, "UPDATE mentees SET mentor_id = ? WHERE id = ?", mentorB, mentee)
	})
	if err != nil {
		t.Fatal(err)
	}
	check("a recount forced, then a new mentor")
	var booked bool
	if err := s.SQLDB().QueryRowContext(ctx, "SELECT booked FROM mentees WHERE id = $1", mentee).Scan(&booked); err != nil || booked {
		t.Fatalf("booked with the new mentor = %v (%v), want false", booked, err)
	}
}

// TestPairRaisedByABookingAlone: on PostgreSQL a transaction whose only
// write is one new session raises the pair's counters from it (migration
// 00026) instead of recounting: a cancelled or an earlier session leaves
// last_live_at as it is, a session with a former mentor changes nothing;
// concurrent bookings of one mentee leave the latest; and the counters'
// own update bumps the mentor's slot version no second time.
func TestPairRaisedByABookingAlone(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres(t))
	ctx := context.Background()
	mentorA, mentee, mentorB, _ := seedTwoPairs(t, s)
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	version := func() (v int64) {
		t.Helper()
		if err := s.SQLDB().QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM slot_changes WHERE mentor_id = $1", mentorA).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	counters := func() (last *time.Time, booked bool) {
		t.Helper()
		if err := s.SQLDB().QueryRowContext(ctx, "SELECT last_live_at, booked FROM mentees WHERE id = $1", mentee).Scan(&last, &booked); err != nil {
			t.Fatal(err)
		}
		return last, booked
	}
	insert := func(b *store.Booking) {
		t.Helper()
		if err := s.InsertBooking(ctx, b); err != nil {
			t.Fatal(err)
		}
		if bad := pairRecountMismatches(t, s); len(bad) > 0 {
			t.Fatalf("counters differ from a recount for %v", bad)
		}
	}
	cancelled := booking(mentorA, mentee, start.Add(72*time.Hour), time.Hour)
	cancelled.Status = store.StatusCancelled
	v0 := version()
	insert(cancelled)
	if last, booked := counters(); last != nil || !booked {
		t.Fatalf("after a cancelled session: last %v booked %v, want none and true", last, booked)
	}
	if v := version(); v != v0+1 {
		t.Fatalf("one booking bumped the mentor's slot version by %d, want 1 (the counters' update must not bump it)", v-v0)
	}
	insert(booking(mentorA, mentee, start.Add(48*time.Hour), time.Hour))
	insert(booking(mentorA, mentee, start, time.Hour)) // earlier: last stays
	missed := booking(mentorA, mentee, start.Add(96*time.Hour), time.Hour)
	missed.Outcome = ptr("no_show")
	insert(missed)
	insert(booking(mentorB, mentee, start.Add(120*time.Hour), time.Hour)) // not the mentee's mentor
	if last, _ := counters(); last == nil || !last.Equal(start.Add(48*time.Hour)) {
		t.Fatalf("last live %v, want the session two days in", last)
	}
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			done <- s.InsertBooking(ctx, booking(mentorA, mentee, start.Add(time.Duration(200+i*2)*time.Hour), time.Hour))
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if bad := pairRecountMismatches(t, s); len(bad) > 0 {
		t.Fatalf("after concurrent bookings, counters differ from a recount for %v", bad)
	}
}

// TestPairBookingWaitsForALoweringRecount: a booking alone made while
// another transaction's recount holds the mentee with lower counters (its
// latest live session cancelled) waits for it and raises the counters from
// what it committed: the booking's session stays counted (migrations 00026
// and 00027).
func TestPairBookingWaitsForALoweringRecount(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres(t))
	ctx := context.Background()
	mentor, mentee := seedPair(t, s)
	start := time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC)
	latest := booking(mentor, mentee, start, time.Hour)
	if err := s.InsertBooking(ctx, latest); err != nil {
		t.Fatal(err)
	}
	holding, release, booked := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		<-holding
		booked <- s.InsertBooking(ctx, booking(mentor, mentee, start.Add(-5*24*time.Hour), time.Hour))
	}()
	err := s.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Exec(ctx, "UPDATE bookings SET status = 'cancelled' WHERE id = ?", latest.ID); err != nil {
			return err
		}
		// The recount runs now: the mentee is locked with no live session
		// (and nothing else the booking takes: slot_changes stays deferred).
		if err := tx.Exec(ctx, "SET CONSTRAINTS mentee_pair_update IMMEDIATE"); err != nil {
			return err
		}
		close(holding)
		// Until the booking's commit waits for the mentee's lock.
		for range 200 {
			var waiting int
			if err := s.SQLDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		close(release)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-release
	if err := <-booked; err != nil {
		t.Fatal(err)
	}
	if bad := pairRecountMismatches(t, s); len(bad) > 0 {
		t.Fatalf("the booking's session is not counted: counters differ from a recount for %v", bad)
	}
}
