package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestRefusedTimesSayWhyInTheReadersLanguage: a past time, a time within
// the notice, past the horizon, off the half hours, and a taken one each
// get their own message, in the language of Accept-Language, while the
// code stays slot_unavailable; a field error names the field as a person
// sees it.
func TestRefusedTimesSayWhyInTheReadersLanguage(t *testing.T) {
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789", "RENDEZVOUS_REMINDERS": ""})
	defer s.stop()
	admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, map[string]any{"name": "Grace", "min_notice_minutes": 2 * 24 * 60, "horizon_days": 7, "notify": false})
	anon := client{t: t, base: s.base}
	link := linkOf(*m.BookingURL)
	paris, _ := time.LoadLocation("Europe/Paris")
	day := func(offset int) time.Time {
		y, mo, d := time.Now().In(paris).Date()
		return time.Date(y, mo, d+offset, 10, 0, 0, 0, paris)
	}
	free := mustTime(t, slotsOf4(t, anon, link)[0])
	type problem struct{ Code, Title, Detail, Field string }
	bookers := 0
	book := func(start time.Time, lang string) (int, problem) {
		var p problem
		bookers++ // each a new visitor: one upcoming session per mentee
		st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": start.UTC().Format(time.RFC3339),
			"name": "Zoé", "email": fmt.Sprintf("zoe%d@example.org", bookers)}, &p, "Accept-Language", lang)
		return st, p
	}
	if st, _ := book(free, "en"); st != 201 {
		t.Fatalf("book the first free slot: %d", st)
	}
	cases := []struct {
		name   string
		start  time.Time
		en, fr string
	}{
		{"past", day(-1), "already passed", "déjà passé"},
		{"within the notice", day(1), "needs 2880 minutes' notice", "demande 2880 minutes de préavis"},
		{"beyond the horizon", day(10), "up to 7 days ahead", "jusqu'à 7 jours à l'avance"},
		{"off the grid", free.Add(40 * time.Minute), "start every 30 minutes", "toutes les 30 minutes"},
		{"outside the hours", time.Date(free.In(paris).Year(), free.In(paris).Month(), free.In(paris).Day(), 22, 0, 0, 0, paris), "outside Grace's hours", "en dehors des heures de Grace"},
		{"taken", free, "just taken", "vient de prendre"},
	}
	seen := map[string]string{}
	for _, tc := range cases {
		for lang, want := range map[string]string{"en-GB,en;q=0.9": tc.en, "fr-FR,fr;q=0.9,en;q=0.5": tc.fr} {
			st, p := book(tc.start, lang)
			if st != 409 || p.Code != "slot_unavailable" || !strings.Contains(p.Detail, want) {
				t.Errorf("%s (%s): %d %+v, want 409 slot_unavailable saying %q", tc.name, lang, st, p, want)
			}
			if strings.HasPrefix(lang, "fr") && p.Title != "Ce créneau n'est pas disponible" {
				t.Errorf("%s: French title %q", tc.name, p.Title)
			}
			if other, dup := seen[p.Detail]; dup && other != tc.name {
				t.Errorf("%s and %s say the same: %q", tc.name, other, p.Detail)
			}
			seen[p.Detail] = tc.name
		}
	}
	var p problem
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": "tomorrow", "name": "Zoé", "email": "zoe@example.org"},
		&p, "Accept-Language", "fr"); st != 422 || p.Field != "start" || p.Detail != `Horaire : "tomorrow" n'est pas une date et heure RFC 3339` {
		t.Errorf("French field error: %d %+v", st, p)
	}
	if st := admin.do("PUT", "/api/v1/mentors/"+m.ID+"/availability", map[string]any{"weekly_hours": []map[string]string{
		{"weekday": "monday", "start": "09:00", "end": "12:00"}, {"weekday": "saturday", "start": "9", "end": "12:00"}}}, &p); st != 422 ||
		p.Field != "weekly_hours[1].start" || !strings.HasPrefix(p.Detail, `Weekly hours, range 2, start: "9" is not a time`) {
		t.Errorf("English indexed field: %d %+v", st, p)
	}
}

// slotsOf4 lists the free starts of the days 3 and 4 from now (beyond a
// two-day notice).
func slotsOf4(t *testing.T, c client, link string) []string {
	t.Helper()
	from := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(120 * time.Hour).UTC().Format(time.RFC3339)
	var s slotsAnswer
	if st := c.do("GET", "/api/v1/book/"+link+"/slots?from="+from+"&to="+to+"&tz=Europe/Paris", nil, &s); st != 200 || len(s.Slots) == 0 {
		t.Fatalf("slots: %d %+v", st, s)
	}
	out := make([]string, len(s.Slots))
	for i, sl := range s.Slots {
		out[i] = sl.Start
	}
	return out
}
