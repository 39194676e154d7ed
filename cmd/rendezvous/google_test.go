package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

const googleAdminToken = "admin-token-for-the-google-tests-0123456789"

// googleEnv is a server pointed at a fake Google, with one mentor.
type googleEnv struct {
	fake   *googlefake.Server
	s      started
	admin  client
	mentor mentorCreated
	db     *store.Store
	box    *secret.Box
}

func startWithGoogle(t *testing.T, db storetest.Database, extra map[string]string) googleEnv {
	t.Helper()
	fake := googlefake.New()
	t.Cleanup(fake.Close)
	key := make([]byte, 32)
	rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"RENDEZVOUS_ADMIN_TOKEN": googleAdminToken, "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_SECRET_KEY":           base64.StdEncoding.EncodeToString(key),
		"RENDEZVOUS_BASE_URL":             "http://rendezvous.test",
		"RENDEZVOUS_GOOGLE_CLIENT_ID":     fake.ClientID,
		"RENDEZVOUS_GOOGLE_CLIENT_SECRET": fake.ClientSecret,
		"RENDEZVOUS_GOOGLE_AUTH_URL":      fake.AuthURL(),
		"RENDEZVOUS_GOOGLE_TOKEN_URL":     fake.TokenURL(),
		"RENDEZVOUS_GOOGLE_API_URL":       fake.URL,
	}
	for k, v := range extra {
		env[k] = v
	}
	s := startServe(t, db, env)
	t.Cleanup(func() { s.stop() })
	admin := client{t: t, base: s.base, token: googleAdminToken}
	return googleEnv{fake: fake, s: s, admin: admin, mentor: createMentor(t, admin, nil), db: openDB(t, db), box: box}
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consent runs start → Google's consent and returns our callback URL,
// moved from BASE_URL onto the test server.
func (g googleEnv) consent(t *testing.T) string {
	t.Helper()
	req, _ := http.NewRequest("GET", g.s.base+"/api/v1/mentors/"+g.mentor.ID+"/connections/google/start", nil)
	req.Header.Set("Authorization", "Bearer "+g.mentor.Token)
	res := mustDo(t, req)
	consent := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(consent, g.fake.AuthURL()) {
		t.Fatalf("start: %d %q", res.StatusCode, consent)
	}
	q := mustURL(t, consent).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("access_type") != "offline" || len(q.Get("state")) < 22 ||
		q.Get("redirect_uri") != "http://rendezvous.test/oauth/google/callback" {
		t.Fatalf("consent URL: %s", consent)
	}
	req, _ = http.NewRequest("GET", consent, nil)
	back := mustURL(t, mustDo(t, req).Header.Get("Location"))
	return g.s.base + back.Path + "?" + back.RawQuery
}

// callback opens a callback URL as a browser or as a JSON client.
func callback(t *testing.T, u string, asJSON bool) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	res := mustDo(t, req)
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func mustDo(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type connectionAnswer struct {
	ID        string `json:"id"`
	Provider  string `json:"provider"`
	Status    string `json:"status"`
	Code      string `json:"code"`
	Calendars []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Check       bool   `json:"check_conflicts"`
		WriteTarget bool   `json:"write_target"`
	} `json:"calendars"`
}

func (g googleEnv) connections(t *testing.T) []connectionAnswer {
	t.Helper()
	var out struct{ Connections []connectionAnswer }
	if st := g.admin.do("GET", "/api/v1/mentors/"+g.mentor.ID+"/connections", nil, &out); st != 200 {
		t.Fatalf("connections: %d", st)
	}
	return out.Connections
}

// busyFrom lists the mentor's busy intervals of a source, as start times.
func (g googleEnv) busyFrom(t *testing.T, source string) map[string]bool {
	t.Helper()
	var out struct {
		Busy []struct{ Start, End, Source string }
	}
	q := "?from=" + time.Now().UTC().Format(time.RFC3339) + "&to=" + time.Now().Add(96*time.Hour).UTC().Format(time.RFC3339)
	if st := g.admin.do("GET", "/api/v1/mentors/"+g.mentor.ID+"/busy"+q, nil, &out); st != 200 {
		t.Fatalf("busy: %d", st)
	}
	starts := map[string]bool{}
	for _, b := range out.Busy {
		if b.Source == source {
			starts[b.Start] = true
		}
	}
	return starts
}

func (g googleEnv) sync(t *testing.T) []struct{ ID, Status, Error string } {
	t.Helper()
	var out struct {
		Calendars []struct{ ID, Status, Error string }
	}
	if st := g.admin.do("POST", "/api/v1/mentors/"+g.mentor.ID+"/sync", nil, &out); st != 200 {
		t.Fatalf("sync: %d", st)
	}
	return out.Calendars
}

// storedToken reads the connection's sealed token.
func (g googleEnv) storedToken(t *testing.T, connID string) (sealed string, refresh string) {
	t.Helper()
	if err := g.db.SQLDB().QueryRow(g.sql("SELECT credentials_sealed FROM connections WHERE id = ?"), connID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	tok, err := store.OpenToken(g.box, sealed)
	if err != nil {
		t.Fatal(err)
	}
	return sealed, tok.RefreshToken
}

// sql numbers the ? placeholders of a query for PostgreSQL.
func (g googleEnv) sql(query string) string {
	if g.db.Dialect() != store.Postgres {
		return query
	}
	for n := 1; strings.Contains(query, "?"); n++ {
		query = strings.Replace(query, "?", "$"+strconv.Itoa(n), 1)
	}
	return query
}

func hourFromNow(h int) time.Time {
	return time.Now().UTC().Truncate(time.Hour).Add(time.Duration(h) * time.Hour)
}

func TestGoogleCalendarEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		g := startWithGoogle(t, db, nil)
		g.fake.AddCalendar(googlefake.Calendar{ID: "team@group.calendar.google.com", Summary: "Team", AccessRole: "reader"})
		g.fake.PutEvent(g.fake.User, googlefake.TimedEvent("", "Dentist", hourFromNow(30), hourFromNow(31)))
		g.fake.PutEvent("team@group.calendar.google.com", googlefake.TimedEvent("", "Offsite", hourFromNow(40), hourFromNow(42)))

		var conn connectionAnswer
		if st, body := callback(t, g.consent(t), true); st != 201 {
			t.Fatalf("callback: %d %s", st, body)
		}
		conns := g.connections(t)
		if len(conns) != 1 || conns[0].Provider != "google" || conns[0].Status != "ok" || len(conns[0].Calendars) != 2 {
			t.Fatalf("connections: %+v", conns)
		}
		conn = conns[0]
		for _, k := range conn.Calendars {
			if !k.Check || k.WriteTarget != (k.Name == g.fake.User) {
				t.Fatalf("calendar flags: %+v", k)
			}
		}
		busy := g.busyFrom(t, "google")
		if !busy[hourFromNow(30).Format(time.RFC3339)] || !busy[hourFromNow(40).Format(time.RFC3339)] {
			t.Fatalf("seeded busy time missing: %v", busy)
		}

		// Incremental sync, then recovery from an expired sync token.
		g.fake.PutEvent(g.fake.User, googlefake.TimedEvent("", "Gym", hourFromNow(50), hourFromNow(51)))
		g.sync(t)
		if !g.busyFrom(t, "google")[hourFromNow(50).Format(time.RFC3339)] {
			t.Fatal("incremental sync missed a new event")
		}
		incremental := false
		for _, r := range g.fake.Requests() {
			incremental = incremental || r.Query.Get("syncToken") != ""
		}
		if !incremental {
			t.Fatal("second sync did not use a sync token")
		}
		g.fake.ExpireSyncTokens()
		g.fake.PutEvent(g.fake.User, googlefake.TimedEvent("", "Call", hourFromNow(60), hourFromNow(61)))
		for _, k := range g.sync(t) {
			if k.Status != "ok" {
				t.Fatalf("after 410: %+v", k)
			}
		}
		if !g.busyFrom(t, "google")[hourFromNow(60).Format(time.RFC3339)] {
			t.Fatal("full resync after 410 missed an event")
		}

		// An expired access token is refreshed and the new one persisted.
		before, refresh := g.storedToken(t, conn.ID)
		tok, _ := store.OpenToken(g.box, before)
		tok.Expiry = time.Now().Add(-time.Hour)
		expired, _ := store.SealToken(g.box, tok)
		if _, err := g.db.SQLDB().Exec(g.sql("UPDATE connections SET credentials_sealed = ? WHERE id = ?"), expired, conn.ID); err != nil {
			t.Fatal(err)
		}
		g.fake.ExpireAccessTokens()
		g.sync(t)
		after, _ := g.storedToken(t, conn.ID)
		if after == expired || g.fake.RefreshCount() == 0 || g.connections(t)[0].Status != "ok" {
			t.Fatalf("token not refreshed and saved (refreshes %d)", g.fake.RefreshCount())
		}

		// Write-back: a booking creates the event, cancelling deletes it.
		anon := client{t: t, base: g.s.base}
		link := linkOf(*g.mentor.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC"),
			"name": "Ada", "email": "ada@example.org", "timezone": "UTC"}, &b); st != 201 {
			t.Fatalf("book: %d %+v", st, b)
		}
		hasEvent := func() bool {
			for _, ev := range g.fake.Events(g.fake.User) {
				if strings.HasPrefix(ev.ICalUID, b.ID) {
					return true
				}
			}
			return false
		}
		eventually(t, 20*time.Second, "event in the primary calendar", hasEvent)
		for _, ev := range g.fake.Events(g.fake.User) {
			if strings.HasPrefix(ev.ICalUID, b.ID) && (!strings.Contains(ev.Description, "/mentor/sessions/"+b.ID) ||
				strings.Contains(ev.Description, linkOf(b.ManageURL))) {
				t.Fatalf("the event in the mentor's calendar should link to the mentor's session page, never the manage token:\n%s", ev.Description)
			}
		}
		if st := g.admin.do("POST", "/api/v1/bookings/"+b.ID+"/cancel", map[string]string{"reason": "ill"}, nil); st != 200 {
			t.Fatalf("cancel: %d", st)
		}
		eventually(t, 20*time.Second, "event deleted", func() bool { return !hasEvent() })

		// A revoked grant asks the mentor to reconnect.
		g.fake.Revoke(refresh)
		for _, k := range g.sync(t) {
			if k.Status != "reauth_required" || !strings.Contains(k.Error, "connect Google Calendar again") {
				t.Fatalf("after revoke: %+v", k)
			}
		}
		if st := g.connections(t)[0].Status; st != "reauth_required" {
			t.Fatalf("connection status after revoke: %s", st)
		}
		// Reconnecting the same account repairs the connection in place.
		if st, body := callback(t, g.consent(t), true); st != 201 {
			t.Fatalf("reconnect: %d %s", st, body)
		}
		if conns := g.connections(t); len(conns) != 1 || conns[0].Status != "ok" {
			t.Fatalf("after reconnect: %+v", conns)
		}
	})
}

func TestGoogleConsentFailuresStoreNothing(t *testing.T) {
	g := startWithGoogle(t, storetest.SQLite(t), nil)

	g.fake.DenyConsent(true)
	st, page := callback(t, g.consent(t), false)
	if st != 422 || !strings.Contains(page, "not granted") || !strings.Contains(page, "<html") {
		t.Fatalf("denied consent: %d %s", st, page)
	}
	g.fake.DenyConsent(false)

	var p struct{ Code, Detail string }
	for name, u := range map[string]string{
		"unknown state": g.s.base + "/oauth/google/callback?state=forged&code=x",
		"no state":      g.s.base + "/oauth/google/callback?code=x",
	} {
		if st := g.admin.do("GET", strings.TrimPrefix(u, g.s.base), nil, &p, "Accept", "application/json"); st != 422 {
			t.Fatalf("%s: %d %+v", name, st, p)
		}
	}

	expiring := g.consent(t)
	if _, err := g.db.SQLDB().Exec(g.sql("UPDATE oauth_states SET expires_at = ?"), time.Now().Add(-time.Minute).UTC()); err != nil {
		t.Fatal(err)
	}
	if st, body := callback(t, expiring, true); st != 422 || !strings.Contains(body, "expired") {
		t.Fatalf("expired state: %d %s", st, body)
	}

	good := g.consent(t)
	if st, body := callback(t, good, true); st != 201 {
		t.Fatalf("callback: %d %s", st, body)
	}
	if st, body := callback(t, good, true); st != 422 || !strings.Contains(body, "already used") {
		t.Fatalf("replayed callback: %d %s", st, body)
	}
	// A used code under a fresh state: Google refuses it.
	fresh := mustURL(t, g.consent(t)).Query()
	q := mustURL(t, good).Query()
	reused := g.s.base + "/oauth/google/callback?state=" + url.QueryEscape(fresh.Get("state")) + "&code=" + url.QueryEscape(q.Get("code"))
	if st, body := callback(t, reused, true); st != 422 || !strings.Contains(body, "calendar_auth_failed") {
		t.Fatalf("reused code: %d %s", st, body)
	}
	if conns := g.connections(t); len(conns) != 1 {
		t.Fatalf("failures stored connections: %+v", conns)
	}
	var n int
	g.db.SQLDB().QueryRow("SELECT count(*) FROM calendars").Scan(&n)
	if n != 1 {
		t.Fatalf("calendars stored: %d", n)
	}
}

func TestGoogleMeetLinkBecomesVideoURL(t *testing.T) {
	g := startWithGoogle(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_VIDEO": "google_meet"})
	g.fake.SetMeetPendingReads(1)
	if st, body := callback(t, g.consent(t), true); st != 201 {
		t.Fatalf("callback: %d %s", st, body)
	}
	anon := client{t: t, base: g.s.base}
	link := linkOf(*g.mentor.BookingURL)
	var b bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC"),
		"name": "Ada", "email": "ada@example.org", "timezone": "UTC"}, &b); st != 201 {
		t.Fatalf("book: %d %+v", st, b)
	}
	waitFor(t, 20*time.Second, func() bool {
		g.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &b)
		return b.VideoURL != ""
	}, func() string { return "the Meet link as video_url, have " + b.VideoURL })
	if target := joinTarget(t, g.s.base, b.VideoURL); !strings.HasPrefix(target, "https://meet.google.com/") {
		t.Fatalf("video_url %s leads to %q, want the Meet link", b.VideoURL, target)
	}
}

func TestGoogleNotConfigured(t *testing.T) {
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_ADMIN_TOKEN": googleAdminToken})
	defer s.stop()
	admin := client{t: t, base: s.base, token: googleAdminToken}
	m := createMentor(t, admin, nil)
	var p struct{ Code string }
	if st := admin.do("GET", "/api/v1/mentors/"+m.ID+"/connections/google/start", nil, &p); st != 404 || p.Code != "not_found" {
		t.Fatalf("start without Google: %d %+v", st, p)
	}
}

// TestGoogleMeetTransferWaitsForLink: a session handed to a mentor who
// meets on Google Meet keeps its mails to the mentee and the new mentor
// until the write-back has created the Meet link, then sends them with it;
// the former mentor's cancellation goes at once.
func TestGoogleMeetTransferWaitsForLink(t *testing.T) {
	smtp := smtptest.StartServer(t, smtptest.Options{})
	g := startWithGoogle(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_VIDEO": "google_meet", "RENDEZVOUS_SMTP_URL": smtp.URL()})
	if st, body := callback(t, g.consent(t), true); st != 201 {
		t.Fatalf("callback: %d %s", st, body)
	}
	former := createMentor(t, g.admin, map[string]any{"name": "Former", "email": "former@example.org"})
	var mentee menteeAnswer
	if st := g.admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Ada", "email": "ada@example.org",
		"timezone": "UTC", "mentor_id": former.ID, "notify": false}, &mentee); st != 201 {
		t.Fatalf("mentee: %d", st)
	}
	anon := client{t: t, base: g.s.base}
	link := linkOf(*mentee.BookingURL)
	var b bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC")}, &b); st != 201 {
		t.Fatalf("book: %d %+v", st, b)
	}
	waitMail(t, smtp, 2)
	var r menteeAnswer
	if st := g.admin.do("POST", "/api/v1/mentees/"+mentee.ID+"/reassign", map[string]any{"mentor_id": g.mentor.ID, "notify": false}, &r); st != 200 || r.SessionsMoved != 1 {
		t.Fatalf("reassign: %d %+v", st, r)
	}
	waitFor(t, 20*time.Second, func() bool {
		g.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &b)
		return b.VideoURL != ""
	}, func() string { return "the new mentor's Meet link as video_url, have " + b.VideoURL })
	if target := joinTarget(t, g.s.base, b.VideoURL); !strings.HasPrefix(target, "https://meet.google.com/") {
		t.Fatalf("video_url %s leads to %q, want the Meet link", b.VideoURL, target)
	}
	room := b.VideoURL[strings.Index(b.VideoURL, "/join/"):strings.Index(b.VideoURL, "?")]
	got := map[string]string{}
	for _, msg := range waitMailRaw(t, smtp, 5)[2:] {
		inv := parseInvite(t, msg.Data)
		got[msg.To[0]] = inv.method
		text := decodedText(t, msg.Data)
		if inv.method == "REQUEST" && !strings.Contains(text, room+"?k=") {
			t.Errorf("transfer mail to %s lacks the join link of %s:\n%s", msg.To[0], room, text)
		}
	}
	want := map[string]string{"former@example.org": "CANCEL", "ada@example.org": "REQUEST", "grace@example.org": "REQUEST"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mails after the transfer: %v, want %v", got, want)
	}
}

// TestGoogleDisconnectRevokes: disconnecting a Google connection revokes
// its grant at Google, so the access ends there too.
func TestGoogleDisconnectRevokes(t *testing.T) {
	g := startWithGoogle(t, storetest.SQLite(t), nil)
	if st, body := callback(t, g.consent(t), true); st != 201 {
		t.Fatalf("callback: %d %s", st, body)
	}
	conn := g.connections(t)[0]
	_, refresh := g.storedToken(t, conn.ID)
	if g.fake.Revoked(refresh) {
		t.Fatal("revoked before disconnecting")
	}
	mentor := client{t: t, base: g.s.base, token: g.mentor.Token}
	if st := mentor.do("DELETE", "/api/v1/mentors/"+g.mentor.ID+"/connections/"+conn.ID, nil, nil); st != 204 {
		t.Fatalf("disconnect: %d", st)
	}
	if !g.fake.Revoked(refresh) {
		t.Fatal("the grant is still live at Google after disconnecting")
	}
	if n := len(g.connections(t)); n != 0 {
		t.Fatalf("%d connections left", n)
	}
}
