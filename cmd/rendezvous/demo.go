package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store"
)

const demoMentorSetting = "demo_mentor_id"

// demoAdminTokenFile keeps the demo's admin token in the data directory,
// so that a restarted demo keeps the token the README's commands use.
const demoAdminTokenFile = "demo-admin-token"

// demoAdminToken is the admin token of a demo: the one kept from the last
// demo start while it is still the database's, else a new one, kept.
func demoAdminToken(ctx context.Context, db *store.Store, dataDir string) (hash, token string, err error) {
	path := filepath.Join(dataDir, demoAdminTokenFile)
	if kept, err := os.ReadFile(path); err == nil {
		token = strings.TrimSpace(string(kept))
		stored, err := db.Setting(ctx, store.SettingAdminTokenHash)
		if err == nil && token != "" && secret.Equal(stored, secret.HashToken(token)) {
			return stored, token, nil
		}
	}
	hash, token, err = signin.AdminToken(ctx, db, "", true)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", "", fmt.Errorf("keep the demo admin token: %w", err)
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("keep the demo admin token: %w", err)
	}
	return hash, token, nil
}

// demoMentor is what the demo prints about its mentor.
type demoMentor struct {
	ID, Name, Email, BookingURL string
}

// seedDemo creates (once) a demo mentor with weekly hours and public
// booking on, and returns it.
func seedDemo(ctx context.Context, db *store.Store, ment *mentoring.Service) (*demoMentor, error) {
	if id, err := db.Setting(ctx, demoMentorSetting); err == nil {
		m, err := ment.Mentor(ctx, access.AdminToken(), id)
		if err == nil && m.BookingURL != "" {
			return &demoMentor{ID: m.ID, Name: m.Name, Email: m.Email, BookingURL: m.BookingURL}, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
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
		Silent: true, // the demo prints its sign-in link
	})
	if err != nil {
		return nil, err
	}
	if err := db.PutSetting(ctx, demoMentorSetting, m.ID); err != nil {
		return nil, fmt.Errorf("remember demo mentor: %w", err)
	}
	return &demoMentor{ID: m.ID, Name: m.Name, Email: m.Email, BookingURL: m.BookingURL}, nil
}
