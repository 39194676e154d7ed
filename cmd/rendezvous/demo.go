package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
)

const demoMentorSetting = "demo_mentor_id"

// seedDemo creates (once) a demo mentor with weekly hours and public
// booking on, and returns its booking URL.
func seedDemo(ctx context.Context, db *store.Store, ment *mentoring.Service) (string, error) {
	if id, err := db.Setting(ctx, demoMentorSetting); err == nil {
		m, err := ment.Mentor(ctx, access.AdminToken(), id)
		if err == nil && m.BookingURL != "" {
			return m.BookingURL, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	yes := true
	var weekly []mentoring.WeeklyRange
	for _, day := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly,
			mentoring.WeeklyRange{Weekday: day, Start: "09:00", End: "12:00"},
			mentoring.WeeklyRange{Weekday: day, Start: "14:00", End: "18:00"})
	}
	m, err := ment.CreateMentor(ctx, access.AdminToken(), mentoring.MentorInput{
		Name: str("Ada Lovelace (demo)"), Email: str("ada@example.org"), Timezone: str("Europe/Paris"),
		MaxMentees: num(12), MinNoticeMinutes: num(60), PublicBooking: &yes, WeeklyHours: &weekly,
	})
	if err != nil {
		return "", err
	}
	if err := db.PutSetting(ctx, demoMentorSetting, m.ID); err != nil {
		return "", fmt.Errorf("remember demo mentor: %w", err)
	}
	return m.BookingURL, nil
}
