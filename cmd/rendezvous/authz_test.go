package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// authzCase is one route called with another mentor's token.
type authzCase struct {
	method, route string // route as registered, e.g. /api/v1/mentees/:id
	body          any
	adminOnly     bool // 403 exactly; otherwise 403 or 404
}

// publicRoutes answer to link and manage tokens, not bearer tokens.
var publicRoutes = []string{"/api/v1/book/", "/api/v1/manage/"}

// authzCases covers every bearer-token route of the API.
func authzCases() []authzCase {
	return []authzCase{
		{"POST", "/api/v1/mentors", map[string]any{"name": "x", "email": "x@example.org", "timezone": "UTC", "max_mentees": 1}, true},
		{"GET", "/api/v1/mentors", nil, true},
		{"GET", "/api/v1/mentors/:id", nil, false},
		{"PATCH", "/api/v1/mentors/:id", map[string]any{"name": "Hijacked"}, false},
		{"PUT", "/api/v1/mentors/:id/availability", map[string]any{"weekly_hours": []any{}}, false},
		{"POST", "/api/v1/mentors/:id/feed-token", nil, false},
		{"POST", "/api/v1/mentees", map[string]any{"name": "x", "email": "x@example.org", "timezone": "UTC", "mentor_id": ":id"}, false},
		{"GET", "/api/v1/mentees/:mentee", nil, false},
		{"POST", "/api/v1/mentees/:mentee/end", nil, false},
		{"POST", "/api/v1/mentees/:mentee/reassign", map[string]any{"mentor_id": ":attacker"}, true},
		{"GET", "/api/v1/mentors/:id/caseload", nil, false},
		{"GET", "/api/v1/caseloads", nil, true},
		{"GET", "/api/v1/reports/sessions.csv", nil, true},
		{"GET", "/api/v1/bookings/:booking", nil, false},
		{"POST", "/api/v1/bookings/:booking/cancel", map[string]any{"reason": "x"}, false},
		{"POST", "/api/v1/bookings/:booking/reschedule", map[string]any{"start": "2030-01-07T10:00:00Z"}, false},
		{"POST", "/api/v1/bookings/:booking/outcome", map[string]any{"outcome": "no_show"}, false},
		{"GET", "/api/v1/mentors/:id/bookings", nil, false},
		{"POST", "/api/v1/mentors/:id/connections", map[string]any{"provider": "caldav", "url": "http://127.0.0.1:1/", "username": "u", "password": "p"}, false},
		{"GET", "/api/v1/mentors/:id/connections", nil, false},
		{"GET", "/api/v1/mentors/:id/connections/google/start", nil, false},
		{"DELETE", "/api/v1/mentors/:id/connections/:cid", nil, false},
		{"PATCH", "/api/v1/mentors/:id/calendars/:calendar_id", map[string]any{"check_conflicts": false}, false},
		{"POST", "/api/v1/mentors/:id/sync", nil, false},
		{"GET", "/api/v1/mentors/:id/busy", nil, false},
	}
}

// TestEveryRouteRefusesAnotherMentor calls every route with another
// mentor's token: 403 on admin-only routes, 403 or 404 elsewhere, never
// the victim's data, and nothing of the victim's changes.
func TestEveryRouteRefusesAnotherMentor(t *testing.T) {
	registered := checkRouteCoverage(t)
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		victim := createMentor(t, admin, map[string]any{"name": "Victim Mentor", "email": "victim@example.org", "max_mentees": 3})
		attacker := createMentor(t, admin, map[string]any{"name": "Attacker", "email": "attacker@example.org", "max_mentees": 3})
		var mentee menteeAnswer
		admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Secret Mentee", "email": "secret.mentee@example.org", "timezone": "UTC", "mentor_id": victim.ID}, &mentee)
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC")}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		secrets := []string{"Victim Mentor", "victim@example.org", "Secret Mentee", "secret.mentee@example.org",
			linkOf(b.ManageURL), link, linkOf(victim.FeedURL), b.VideoURL}
		fill := strings.NewReplacer(":id", victim.ID, ":mentee", mentee.ID, ":booking", b.ID, ":attacker", attacker.ID,
			":cid", "c-unknown", ":calendar_id", "k-unknown")
		attackerTok := client{t: t, base: s.base, token: attacker.Token}
		for _, c := range authzCases() {
			if !registered[c.method+" "+c.route] {
				t.Logf("%s %s is not wired yet", c.method, c.route)
				continue
			}
			path := fill.Replace(c.route)
			body := c.body
			if m, ok := body.(map[string]any); ok {
				filled := map[string]any{}
				for k, v := range m {
					if str, ok := v.(string); ok {
						v = fill.Replace(str)
					}
					filled[k] = v
				}
				body = filled
			}
			var raw map[string]any
			st := attackerTok.do(c.method, path, body, &raw)
			dump := strings.ToLower(stringify(raw))
			if (c.adminOnly && st != 403) || (!c.adminOnly && st != 403 && st != 404) {
				t.Errorf("%s %s with another mentor's token: %d %s", c.method, c.route, st, dump)
			}
			for _, secret := range secrets {
				if secret != "" && strings.Contains(dump, strings.ToLower(secret)) {
					t.Errorf("%s %s leaks %q: %s", c.method, c.route, secret, dump)
				}
			}
		}
		var after bookingAnswer
		admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &after)
		var m menteeAnswer
		admin.do("GET", "/api/v1/mentees/"+mentee.ID, nil, &m)
		var v mentorCreated
		admin.do("GET", "/api/v1/mentors/"+victim.ID, nil, &v)
		if after.Status != "confirmed" || after.Outcome != nil || after.Start != b.Start || m.Status != "active" || v.FeedURL != victim.FeedURL {
			t.Fatalf("the victim's data changed: %+v %+v %+v", after, m, v)
		}
	})
}

func stringify(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkRouteCoverage fails when a bearer-token route of the wired server
// is missing from authzCases, so new routes cannot skip this test. It
// returns the registered routes.
func checkRouteCoverage(t *testing.T) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"RENDEZVOUS_DATABASE_URL": "sqlite://" + filepath.Join(dir, "r.db"), "RENDEZVOUS_DATA_DIR": dir}
	cfg, err := loadConfig("serve", nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, storetest.Database{Name: "sqlite", URL: cfg.DatabaseURL})
	box, _ := secret.NewBox(make([]byte, 32))
	app, err := wire(cfg, db, box, "admin-hash", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer app.jobs.Stop(context.Background())
	covered := map[string]bool{}
	for _, c := range authzCases() {
		covered[c.method+" "+c.route] = true
	}
	var missing []string
	registered := map[string]bool{}
	for _, r := range app.http.Echo().Routes() {
		registered[r.Method+" "+normalise(r.Path)] = true
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		public := false
		for _, p := range publicRoutes {
			public = public || strings.HasPrefix(r.Path, p)
		}
		if !public && !covered[r.Method+" "+normalise(r.Path)] {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes missing from authzCases: %v", missing)
	}
	return registered
}

// normalise maps the registered parameter names to the table's.
func normalise(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/mentees/:id"):
		return strings.Replace(path, ":id", ":mentee", 1)
	case strings.HasPrefix(path, "/api/v1/bookings/:id"):
		return strings.Replace(path, ":id", ":booking", 1)
	}
	return path
}
