package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// seed creates mentors with public links, each with a CalDAV calendar
// holding busy intervals over the next four weeks, and writes the links.
func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dbURL := fs.String("db", "", "database URL")
	keyDir := fs.String("data-dir", "data", "data dir holding secret.key (must match the server's)")
	mentors := fs.Int("mentors", 1000, "mentors")
	busy := fs.Int("busy", 100, "busy intervals per mentor")
	out := fs.String("links", "links.txt", "file to write booking links to")
	fs.Parse(args)
	ctx := context.Background()
	db, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	key, _, err := secret.LoadOrCreateKey(*keyDir)
	if err != nil {
		return err
	}
	box, _ := secret.NewBox(key)
	base, _ := parseURL("http://localhost:8080")
	ment := mentoring.New(db, box, links.New(base))
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	yes := true
	var weekly []mentoring.WeeklyRange
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, mentoring.WeeklyRange{Weekday: d, Start: "09:00", End: "12:00"},
			mentoring.WeeklyRange{Weekday: d, Start: "13:00", End: "17:00"}, mentoring.WeeklyRange{Weekday: d, Start: "18:00", End: "20:00"})
	}
	var bookingLinks []string
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Hour)
	for i := range *mentors {
		m, err := ment.CreateMentor(ctx, access.AdminToken(), mentoring.MentorInput{Name: str(fmt.Sprintf("Mentor %d", i)), Email: str(fmt.Sprintf("m%d@example.org", i)),
			Timezone: str("Europe/Paris"), MaxMentees: num(1000), MinNoticeMinutes: num(0), PublicBooking: &yes, WeeklyHours: &weekly})
		if err != nil {
			return err
		}
		bookingLinks = append(bookingLinks, m.BookingURL[strings.LastIndex(m.BookingURL, "/")+1:])
		if err := seedBusy(ctx, db, box, m.ID, *busy, now, rng); err != nil {
			return err
		}
	}
	fmt.Printf("seeded %d mentors with %d busy intervals each\n", *mentors, *busy)
	return os.WriteFile(*out, []byte(strings.Join(bookingLinks, "\n")+"\n"), 0o600)
}

func seedBusy(ctx context.Context, db *store.Store, box *secret.Box, mentorID string, n int, now time.Time, rng *rand.Rand) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		connID, calID := uuid.NewString(), uuid.NewString()
		if err := tx.Exec(ctx, `INSERT INTO connections (id, mentor_id, provider, credentials_sealed, status, last_success_at, created_at, updated_at)
			VALUES (?, ?, 'caldav', ?, 'ok', ?, ?, ?)`, connID, mentorID, box.SealString("x"), now, now, now); err != nil {
			return err
		}
		if err := tx.Exec(ctx, `INSERT INTO calendars (id, connection_id, mentor_id, ref, name, check_conflicts, write_target, writable, created_at)
			VALUES (?, ?, ?, '/cal/', 'Work', ?, ?, ?, ?)`, calID, connID, mentorID, true, false, true, now); err != nil {
			return err
		}
		spans := make([]store.BusyInterval, n)
		for i := range spans {
			start := now.Add(time.Duration(rng.IntN(28*24*2)) * 30 * time.Minute)
			spans[i] = store.BusyInterval{StartAt: start, EndAt: start.Add(time.Duration(1+rng.IntN(4)) * 30 * time.Minute)}
		}
		return tx.ReplaceCalendarBusy(ctx, mentorID, calID, spans)
	})
}
