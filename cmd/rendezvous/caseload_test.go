package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

type sessionRefAnswer struct {
	ID    string `json:"id"`
	Start string `json:"start"`
}

type caseloadAnswer struct {
	MentorID        string `json:"mentor_id"`
	MaxMentees      int    `json:"max_mentees"`
	ActiveMentees   int    `json:"active_mentees"`
	AvailablePlaces int    `json:"available_places"`
	Sessions        struct {
		Upcoming           int `json:"upcoming"`
		CompletedThisMonth int `json:"completed_this_month"`
		NoShowThisMonth    int `json:"no_show_this_month"`
		MinutesThisMonth   int `json:"minutes_this_month"`
		Unreported         int `json:"unreported"`
	} `json:"sessions"`
	Mentees []struct {
		ID                string            `json:"id"`
		Name              string            `json:"name"`
		Email             string            `json:"email"`
		SessionsCompleted int               `json:"sessions_completed"`
		Unreported        int               `json:"unreported"`
		LastSession       *sessionRefAnswer `json:"last_session"`
		NextSession       *sessionRefAnswer `json:"next_session"`
		Overdue           bool              `json:"overdue"`
	} `json:"mentees"`
}

// insertSession stores a session directly: past sessions cannot be booked
// through the API, and outcomes need them.
func insertSession(t *testing.T, s *store.Store, mentorID, menteeID string, start time.Time, minutes int, status string, outcome string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	b := &store.Booking{ID: id, UID: id + "@test", MentorID: mentorID, MenteeID: menteeID, StartAt: start,
		EndAt: start.Add(time.Duration(minutes) * time.Minute), Status: status, ManageTokenHash: "h" + id,
		ManageTokenSealed: "x", VideoProvider: "jitsi", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if outcome != "" {
		b.Outcome = &outcome
	}
	if err := s.InsertBooking(context.Background(), b); err != nil {
		t.Fatalf("insert session: %v", err)
	}
	return id
}

// TestCaseloadView checks the counts, last/next sessions, unreported
// sessions and overdue mentees of a mentor's caseload, the same in the
// program-wide view, and who may see them.
func TestCaseloadView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		st := openDB(t, db)
		ctx := context.Background()
		m := createMentor(t, admin, map[string]any{"name": "Zoned", "timezone": "America/New_York", "max_mentees": 5})
		other := createMentor(t, admin, map[string]any{"name": "Other", "max_mentees": 1})
		busy, _ := newMentee(t, admin, "busy", m.ID)
		lapsed, _ := newMentee(t, admin, "lapsed", m.ID)
		idle, _ := newMentee(t, admin, "idle", m.ID)
		fresh, _ := newMentee(t, admin, "fresh", m.ID)
		if err := st.Exec(ctx, "UPDATE mentees SET assigned_at = ? WHERE id = ?", time.Now().Add(-8*24*time.Hour).UTC(), idle.ID); err != nil {
			t.Fatal(err)
		}

		now := time.Now().UTC().Truncate(time.Minute)
		loc, _ := time.LoadLocation("America/New_York")
		local := now.In(loc)
		monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
		inMonth := func(t time.Time) bool { return !t.Before(monthStart) && t.Before(monthStart.AddDate(0, 1, 0)) }
		type sess struct {
			mentee  string
			ago     time.Duration
			minutes int
			status  string
			outcome string
		}
		plan := []sess{
			{busy.ID, 40 * 24 * time.Hour, 60, "confirmed", "completed"},
			{busy.ID, 10 * 24 * time.Hour, 45, "confirmed", "completed"},
			{busy.ID, 5 * 24 * time.Hour, 60, "confirmed", "no_show"},
			{busy.ID, 3 * 24 * time.Hour, 60, "confirmed", ""},            // unreported
			{busy.ID, 24*time.Hour + 30*time.Minute, 60, "cancelled", ""}, // ignored
			{busy.ID, 2 * time.Hour, 60, "confirmed", ""},                 // ended an hour ago: not yet unreported
			{busy.ID, -48 * time.Hour, 60, "confirmed", ""},               // upcoming
			{lapsed.ID, 10*24*time.Hour - 3*time.Hour, 30, "confirmed", "completed"},
		}
		var completed, noShow, minutes int
		ids := make([]string, len(plan))
		for i, p := range plan {
			start := now.Add(-p.ago)
			ids[i] = insertSession(t, st, m.ID, p.mentee, start, p.minutes, p.status, p.outcome)
			if inMonth(start) && p.status == "confirmed" {
				switch p.outcome {
				case "completed":
					completed, minutes = completed+1, minutes+p.minutes
				case "no_show":
					noShow++
				}
			}
		}

		var c caseloadAnswer
		mentorTok := client{t: t, base: s.base, token: m.Token}
		if code := mentorTok.do("GET", "/api/v1/mentors/"+m.ID+"/caseload", nil, &c); code != 200 {
			t.Fatalf("caseload: %d", code)
		}
		if c.MentorID != m.ID || c.MaxMentees != 5 || c.ActiveMentees != 4 || c.AvailablePlaces != 1 {
			t.Fatalf("places: %+v", c)
		}
		ss := c.Sessions
		if ss.Upcoming != 1 || ss.Unreported != 1 || ss.CompletedThisMonth != completed || ss.NoShowThisMonth != noShow || ss.MinutesThisMonth != minutes {
			t.Fatalf("sessions %+v, want completed %d no-show %d minutes %d", ss, completed, noShow, minutes)
		}
		byID := map[string]int{}
		for i, e := range c.Mentees {
			byID[e.ID] = i
		}
		b := c.Mentees[byID[busy.ID]]
		if b.Name != "busy" || b.SessionsCompleted != 2 || b.Unreported != 1 || b.Overdue ||
			b.LastSession == nil || b.LastSession.ID != ids[5] || b.NextSession == nil || b.NextSession.ID != ids[6] {
			t.Fatalf("busy mentee: %+v", b)
		}
		if b.NextSession.Start != now.Add(48*time.Hour).Format(time.RFC3339) {
			t.Fatalf("next session start %s", b.NextSession.Start)
		}
		for id, overdue := range map[string]bool{lapsed.ID: true, idle.ID: true, fresh.ID: false} {
			if e := c.Mentees[byID[id]]; e.Overdue != overdue || e.NextSession != nil {
				t.Fatalf("mentee %s: %+v, want overdue %v", e.Name, e, overdue)
			}
		}
		if e := c.Mentees[byID[lapsed.ID]]; e.LastSession == nil || e.LastSession.ID != ids[7] {
			t.Fatalf("lapsed mentee's last session: %+v", e)
		}

		var all struct {
			Caseloads []caseloadAnswer `json:"caseloads"`
		}
		if code := admin.do("GET", "/api/v1/caseloads", nil, &all); code != 200 || len(all.Caseloads) != 2 {
			t.Fatalf("caseloads: %d %d", code, len(all.Caseloads))
		}
		if got := all.Caseloads[0]; got.MentorID != m.ID || got.Sessions != c.Sessions || len(got.Mentees) != 4 {
			t.Fatalf("program-wide view differs: %+v", got)
		}
		if got := all.Caseloads[1]; got.MentorID != other.ID || got.ActiveMentees != 0 || got.AvailablePlaces != 1 || got.Mentees == nil {
			t.Fatalf("empty caseload: %+v", got)
		}
		if code := mentorTok.do("GET", "/api/v1/caseloads", nil, nil); code != 403 {
			t.Fatalf("caseloads with a mentor token: %d", code)
		}
		if code := mentorTok.do("GET", "/api/v1/mentors/"+other.ID+"/caseload", nil, nil); code != 403 {
			t.Fatalf("another mentor's caseload: %d", code)
		}
		if code := admin.do("GET", "/api/v1/mentors/nope/caseload", nil, nil); code != 404 {
			t.Fatalf("unknown mentor's caseload: %d", code)
		}
	})
}
