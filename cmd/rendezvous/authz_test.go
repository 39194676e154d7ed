package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/app"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// audience is who may call a route.
type audience int

const (
	// forMentor: staff, and the mentor the resource belongs to.
	forMentor audience = iota
	// forStaff: admins and coordinators.
	forStaff
	// forAdmin: admins only (the admin token, or staff with the admin
	// role); a coordinator gets 403.
	forAdmin
)

// authzCase is one bearer-token route of the API.
type authzCase struct {
	method, route string // route as registered, e.g. /api/v1/mentees/:id, maybe with a query
	body          any
	who           audience
	// absent: the fixture names a resource that does not exist (or a
	// feature that is not configured), so those allowed get 404.
	absent bool
}

// publicRoutes answer to link and manage tokens, not bearer tokens, or
// to anyone (the API description).
var publicRoutes = []string{"/api/v1/book/", "/api/v1/manage/", "/api/v1/openapi.json"}

// authzCases covers every bearer-token route of the API.
func authzCases() []authzCase {
	return []authzCase{
		{"POST", "/api/v1/mentors", map[string]any{"name": "x", "email": "x@example.org", "timezone": "UTC", "max_mentees": 1}, forStaff, false},
		{"GET", "/api/v1/mentors", nil, forStaff, false},
		{"GET", "/api/v1/mentors/:id", nil, forMentor, false},
		{"PATCH", "/api/v1/mentors/:id", map[string]any{"name": "Hijacked"}, forMentor, false},
		{"PUT", "/api/v1/mentors/:id/availability", map[string]any{"weekly_hours": []any{}}, forMentor, false},
		{"POST", "/api/v1/mentors/:id/feed-token", nil, forMentor, false},
		{"POST", "/api/v1/mentors/:id/token", nil, forMentor, false},
		{"POST", "/api/v1/mentees", map[string]any{"name": "x", "email": "x@example.org", "timezone": "UTC", "mentor_id": ":id"}, forMentor, false},
		{"POST", "/api/v1/mentees/import", "name,email,timezone\nx,x@example.org,UTC\n", forStaff, false},
		{"GET", "/api/v1/mentees?mentor_id=:id", nil, forMentor, false},
		{"GET", "/api/v1/mentees/:mentee", nil, forMentor, false},
		{"POST", "/api/v1/mentees/:mentee/bookings", map[string]any{"start": "2030-01-07T10:00:00Z", "count": 3, "interval_weeks": 2}, forMentor, false},
		{"POST", "/api/v1/mentees/:mentee/end", nil, forMentor, false},
		{"POST", "/api/v1/mentees/:mentee/reassign", map[string]any{"mentor_id": ":attacker"}, forStaff, false},
		{"GET", "/api/v1/mentors/:id/caseload", nil, forMentor, false},
		{"GET", "/api/v1/caseloads", nil, forStaff, false},
		{"GET", "/api/v1/reports/sessions.csv", nil, forStaff, false},
		{"GET", "/api/v1/statements?mentor_id=:id", nil, forMentor, false},
		{"GET", "/api/v1/statements.csv?mentor_id=:id", nil, forMentor, false},
		{"POST", "/api/v1/statements/:month/close", nil, forStaff, false},
		{"GET", "/api/v1/bookings/:booking", nil, forMentor, false},
		{"POST", "/api/v1/bookings/:booking/cancel", map[string]any{"reason": "x"}, forMentor, false},
		{"POST", "/api/v1/bookings/:booking/reschedule", map[string]any{"start": "2030-01-07T10:00:00Z"}, forMentor, false},
		{"POST", "/api/v1/bookings/:booking/outcome", map[string]any{"outcome": "no_show"}, forMentor, false},
		{"POST", "/api/v1/bookings/:booking/report", map[string]any{"outcome": "no_show", "notes": "private"}, forMentor, false},
		{"GET", "/api/v1/mentors/:id/bookings", nil, forMentor, false},
		{"POST", "/api/v1/mentors/:id/connections", map[string]any{"provider": "caldav", "url": "http://127.0.0.1:1/", "username": "u", "password": "p"}, forMentor, false},
		{"GET", "/api/v1/mentors/:id/connections", nil, forMentor, false},
		{"GET", "/api/v1/mentors/:id/connections/google/start", nil, forMentor, true},
		{"DELETE", "/api/v1/mentors/:id/connections/:cid", nil, forMentor, true},
		{"PATCH", "/api/v1/mentors/:id/calendars/:calendar_id", map[string]any{"check_conflicts": false}, forMentor, true},
		{"POST", "/api/v1/mentors/:id/sync", nil, forMentor, false},
		{"GET", "/api/v1/mentors/:id/busy", nil, forMentor, false},
		{"POST", "/api/v1/staff", map[string]any{"name": "x", "email": "new.staff@example.org", "role": "admin"}, forAdmin, false},
		{"GET", "/api/v1/staff", nil, forAdmin, false},
		{"DELETE", "/api/v1/staff/:staff", nil, forAdmin, false},
		{"POST", "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:1/hook", "events": []string{"booking.created"}}, forAdmin, false},
		{"GET", "/api/v1/webhooks", nil, forAdmin, false},
		{"GET", "/api/v1/webhooks/:webhook", nil, forAdmin, true},
		{"PATCH", "/api/v1/webhooks/:webhook", map[string]any{"enabled": false}, forAdmin, true},
		{"POST", "/api/v1/webhooks/:webhook/secret", nil, forAdmin, true},
		{"GET", "/api/v1/webhooks/:webhook/deliveries", nil, forAdmin, true},
		{"DELETE", "/api/v1/webhooks/:webhook", nil, forAdmin, true},
		// Last: a caller with the mentor's token has none afterwards.
		{"DELETE", "/api/v1/mentors/:id/token", nil, forMentor, false},
	}
}

// routeOf is a case's route without its query.
func routeOf(route string) string { r, _, _ := strings.Cut(route, "?"); return r }

// caller is one column of the authorization table: a role, with a bearer
// token or a signed-in browser.
type caller struct {
	name string
	c    client
	// headers go with every request (a browser's cookies and CSRF token).
	headers []string
	// admin: the admin token or a staff admin; staff: a coordinator;
	// mentor: the victim mentor themselves.
	admin, staff, mentor, anonymous bool
}

// allows reports whether the caller may call a route of audience a.
func (k caller) allows(a audience) bool {
	return k.admin || (k.staff && a != forAdmin) || (k.mentor && a == forMentor)
}

// signedInBrowser is a client signed in with the session value of a cookie, as a
// browser holding it would call the API (with the page's CSRF token).
// The token is the one a page shows that browser: it is bound to the
// session.
func signedInBrowser(t *testing.T, base, cookie, value string) (client, []string) {
	t.Helper()
	return client{t: t, base: base}, []string{"Cookie", cookie + "=" + value, "X-CSRF-Token", pageCSRFToken(t, base, cookie+"="+value)}
}

// pageCSRFToken is the CSRF token of the sign-in form as a browser with
// these cookies is shown it.
func pageCSRFToken(t *testing.T, base, cookies string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/mentor/signin", nil)
	req.Header.Set("Cookie", cookies)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in form (%d)", res.StatusCode)
	}
	return m[1]
}

// TestAuthorizationByRole calls every route as every role: anonymous (401),
// another mentor's token (403 on staff routes, 403 or 404 elsewhere, never
// the victim's data, nothing of the victim's changed), then the victim
// mentor by token and signed-in browser, a coordinator's and a staff
// admin's signed-in browsers, and the admin token, who are let through
// where their role allows and refused (403) elsewhere. A browser session
// answers as the token of the same role.
func TestAuthorizationByRole(t *testing.T) {
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
			":cid", "c-unknown", ":calendar_id", "k-unknown", ":webhook", "w-unknown", ":month", "2026-10")
		// A staff member to remove, made afresh for each call that removes one.
		staffSeq := 0
		newStaff := func(role string) string {
			staffSeq++
			var out struct{ ID string }
			if st := admin.do("POST", "/api/v1/staff", map[string]any{"name": "Staff " + role,
				"email": fmt.Sprintf("staff%d.%s@example.org", staffSeq, role), "role": role}, &out); st != 201 {
				t.Fatalf("add staff: %d", st)
			}
			return out.ID
		}
		call := func(k *caller, c authzCase) (int, string) {
			path := fill.Replace(c.route)
			if strings.Contains(path, ":staff") {
				path = strings.Replace(path, ":staff", newStaff("coordinator"), 1)
			}
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
			out := any(&raw)
			if strings.Contains(c.route, ".csv") {
				out = nil // a CSV when let through; refusals are checked by status
			}
			headers := k.headers
			if _, csv := body.(string); csv {
				headers = append(append([]string{}, headers...), "Content-Type", "text/csv")
			}
			st := k.c.do(c.method, path, body, out, headers...)
			if rotated, _ := raw["token"].(string); st == 200 && c.route == "/api/v1/mentors/:id/token" && k.c.token == victim.Token {
				k.c.token = rotated // the old token stops working at once
			}
			return st, strings.ToLower(stringify(raw))
		}
		sessions := signin.New(openDB(t, db), nil, nil, signin.Options{})
		mentorBrowser, mentorCookies := signedInBrowser(t, s.base, "rdv_mentor", sessionValue(t, sessions, victim.ID))
		coordinatorBrowser, coordinatorCookies := signedInBrowser(t, s.base, "rdv_staff", staffSessionValue(t, sessions, newStaff("coordinator")))
		adminBrowser, adminCookies := signedInBrowser(t, s.base, "rdv_staff", staffSessionValue(t, sessions, newStaff("admin")))

		// Those refused first, while the victim's data is as created.
		refused := []caller{
			{name: "anonymous", c: anon, anonymous: true},
			{name: "another mentor's token", c: client{t: t, base: s.base, token: attacker.Token}},
		}
		for i := range refused {
			k := &refused[i]
			for _, c := range authzCases() {
				if !registered[c.method+" "+routeOf(c.route)] {
					t.Logf("%s %s is not wired yet", c.method, c.route)
					continue
				}
				st, dump := call(k, c)
				switch {
				case k.anonymous && st != 401:
					t.Errorf("%s %s as %s: %d %s, want 401", c.method, c.route, k.name, st, dump)
				case !k.anonymous && ((c.who != forMentor && st != 403) || (c.who == forMentor && st != 403 && st != 404)):
					t.Errorf("%s %s with %s: %d %s", c.method, c.route, k.name, st, dump)
				}
				for _, secret := range secrets {
					if secret != "" && strings.Contains(dump, strings.ToLower(secret)) {
						t.Errorf("%s %s as %s leaks %q: %s", c.method, c.route, k.name, secret, dump)
					}
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
		if st := (client{t: t, base: s.base, token: victim.Token}).do("GET", "/api/v1/mentors/"+victim.ID, nil, nil); st != 200 {
			t.Fatalf("the victim's token stopped working: %d", st)
		}

		// Then those let through where their role allows. Their calls
		// change the data (the session is cancelled, the mentee ended and
		// moved), so a later call may answer 404, 409 or 422 instead of
		// 200, but never 401 or 403 where the role is allowed.
		allowed := []caller{
			{name: "the mentor's token", c: client{t: t, base: s.base, token: victim.Token}, mentor: true},
			{name: "the mentor's browser session", c: mentorBrowser, headers: mentorCookies, mentor: true},
			{name: "a coordinator's browser session", c: coordinatorBrowser, headers: coordinatorCookies, staff: true},
			{name: "a staff admin's browser session", c: adminBrowser, headers: adminCookies, admin: true},
			{name: "the admin token", c: admin, admin: true},
		}
		for i := range allowed {
			k := &allowed[i]
			for _, c := range authzCases() {
				if !registered[c.method+" "+routeOf(c.route)] {
					continue
				}
				st, dump := call(k, c)
				if !k.allows(c.who) {
					if st != 403 {
						t.Errorf("%s %s as %s: %d %s, want 403", c.method, c.route, k.name, st, dump)
					}
					continue
				}
				if st == 401 || st == 403 || (st == 404 && !c.absent) {
					t.Errorf("%s %s as %s: %d %s, want it let through", c.method, c.route, k.name, st, dump)
				}
			}
		}
	})
}

// sessionValue signs a mentor in as a browser would hold it.
func sessionValue(t *testing.T, s *signin.Service, mentorID string) string {
	t.Helper()
	v, _, err := s.Session(context.Background(), mentorID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// staffSessionValue signs a staff member's browser in to the console.
func staffSessionValue(t *testing.T, s *signin.Service, staffID string) string {
	t.Helper()
	v, _, err := s.StaffSessionStart(context.Background(), staffID)
	if err != nil {
		t.Fatal(err)
	}
	return v
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
	wired, err := app.New(cfg, db, box, "admin-hash", slog.New(slog.DiscardHandler), app.Tuning{})
	if err != nil {
		t.Fatal(err)
	}
	defer wired.Jobs.Stop(context.Background())
	covered := map[string]bool{}
	for _, c := range authzCases() {
		covered[c.method+" "+routeOf(c.route)] = true
	}
	var missing []string
	registered := map[string]bool{}
	for _, r := range wired.HTTP.Echo().Routes() {
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
	case strings.HasPrefix(path, "/api/v1/staff/:id"):
		return strings.Replace(path, ":id", ":staff", 1)
	case strings.HasPrefix(path, "/api/v1/webhooks/:id"):
		return strings.Replace(path, ":id", ":webhook", 1)
	}
	return path
}
