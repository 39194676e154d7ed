package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// setup seeds issue 18's program through the services: mentors working
// Monday to Friday 09:00-18:00 (Europe/Paris), each with the same number
// of mentees, and optional busy time. The mentee links are written
// interleaved (link k belongs to mentor k mod mentors), so neighbouring
// requests hit different mentors, as a program's visitors do.
func setup(args []string) error {
	fs := flag.NewFlagSet("setup", flag.ExitOnError)
	dbURL := fs.String("db", "", "database URL (sqlite://… or postgres://…)")
	keyDir := fs.String("data-dir", "data", "data dir holding secret.key (must match the server's)")
	mentors := fs.Int("mentors", 200, "mentors")
	mentees := fs.Int("mentees", 20, "mentees per mentor")
	busy := fs.Int("busy", 0, "busy intervals per mentor over the next four weeks")
	out := fs.String("links", "links.txt", "file to write the mentee links to")
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
	var weekly []mentoring.WeeklyRange
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, mentoring.WeeklyRange{Weekday: d, Start: "09:00", End: "18:00"})
	}
	byMentor := make([][]string, *mentors)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Hour)
	admin := access.AdminToken()
	for i := range *mentors {
		m, err := ment.CreateMentor(ctx, admin, mentoring.MentorInput{Name: str(fmt.Sprintf("Mentor %d", i)), Email: str(fmt.Sprintf("lm%d@example.org", i)),
			Timezone: str("Europe/Paris"), MaxMentees: num(*mentees), MinNoticeMinutes: num(0), WeeklyHours: &weekly})
		if err != nil {
			return fmt.Errorf("mentor %d: %w", i, err)
		}
		for j := range *mentees {
			me, err := ment.CreateMentee(ctx, admin, m.ID, mentoring.MenteeInput{Name: fmt.Sprintf("Mentee %d-%d", i, j),
				Email: fmt.Sprintf("le%d-%d@example.org", i, j), Timezone: "America/Toronto"})
			if err != nil {
				return fmt.Errorf("mentee %d of mentor %d: %w", j, i, err)
			}
			byMentor[i] = append(byMentor[i], me.BookingURL[strings.LastIndex(me.BookingURL, "/")+1:])
		}
		if *busy > 0 {
			if err := seedBusy(ctx, db, box, m.ID, *busy, now, rng); err != nil {
				return err
			}
		}
	}
	var all []string
	for j := range *mentees {
		for i := range *mentors {
			all = append(all, byMentor[i][j])
		}
	}
	fmt.Printf("seeded %d mentors (Mon-Fri 09-18) with %d mentees each, %d busy intervals each; %d links in %s\n",
		*mentors, *mentees, *busy, len(all), *out)
	return os.WriteFile(*out, []byte(strings.Join(all, "\n")+"\n"), 0o600)
}
