package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// TestCSRFBoundToSession: a CSRF token is good for the browser it was
// shown to and nothing else. A value set both as cookie and as field (a
// planted cookie) is refused, another browser's token is refused, another
// signed-in session's token is refused by the API, and a token seen before
// signing in no longer works once signed in.
func TestCSRFBoundToSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "0",
			"RENDEZVOUS_ADMIN_TOKEN": pagesAdminToken, "RENDEZVOUS_SMTP_URL": smtp.URL()})
		t.Cleanup(func() { s.stop() })
		admin := client{t: t, base: s.base, token: pagesAdminToken}
		grace := createMentor(t, admin, nil)
		e := pagesEnv{db: db, s: s, admin: admin, mentor: grace, smtp: smtp}

		newBrowser := func() *http.Client {
			jar, _ := cookiejar.New(nil)
			return &http.Client{Jar: jar}
		}
		tokenOf := func(c *http.Client, page string) string {
			t.Helper()
			res, err := c.Get(page)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			m := csrfField.FindStringSubmatch(string(body))
			if m == nil {
				t.Fatalf("no CSRF token on %s (%d)", page, res.StatusCode)
			}
			return m[1]
		}
		post := func(c *http.Client, target string, form url.Values, cookies ...*http.Cookie) int {
			t.Helper()
			req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		signinForm := s.base + "/mentor/signin"
		ask := url.Values{"email": {"grace@example.org"}}

		// A value the client chose, as cookie and as field.
		planted := url.Values{"email": {"grace@example.org"}, "_csrf": {"chosen-by-the-attacker-0123456789"}}
		if st := post(http.DefaultClient, signinForm, planted, &http.Cookie{Name: "_csrf", Value: "chosen-by-the-attacker-0123456789"}); st != 403 {
			t.Fatalf("a token equal to a planted cookie: %d, want 403", st)
		}

		// Another browser's token.
		victim, other := newBrowser(), newBrowser()
		victimToken, otherToken := tokenOf(victim, signinForm), tokenOf(other, signinForm)
		if victimToken == otherToken {
			t.Fatal("two browsers were shown the same CSRF token")
		}
		if st := post(victim, signinForm, url.Values{"email": ask["email"], "_csrf": {otherToken}}); st != 403 {
			t.Fatalf("another browser's token: %d, want 403", st)
		}
		if st := post(victim, signinForm, url.Values{"email": ask["email"], "_csrf": {victimToken}}); st != 200 {
			t.Fatalf("the browser's own token: %d", st)
		}

		// Signing in rotates the token: the one from before is dead.
		link := signinLink(t, e)
		before := tokenOf(victim, link)
		if before != victimToken {
			t.Fatal("one browser was shown two tokens before signing in")
		}
		if st := post(victim, link, url.Values{"_csrf": {before}}); st != 200 {
			t.Fatalf("signing in: %d", st)
		}
		if st := post(victim, s.base+"/mentor/feed-token", url.Values{"_csrf": {before}}); st != 403 {
			t.Fatalf("the token from before signing in, on a mentor form: %d, want 403", st)
		}
		if st := post(victim, signinForm, url.Values{"email": ask["email"], "_csrf": {before}}); st != 403 {
			t.Fatalf("the token from before signing in, on an open form: %d, want 403", st)
		}
		after := tokenOf(victim, s.base+"/mentor")
		if after == before {
			t.Fatal("signing in kept the CSRF token")
		}
		if st := post(victim, s.base+"/mentor/feed-token", url.Values{"_csrf": {after}}); st != 200 {
			t.Fatalf("the signed-in token on a mentor form: %d", st)
		}

		// The API, called by a signed-in browser: only its own session's
		// token goes.
		sessions := signin.New(openDB(t, db), nil, nil, signin.Options{})
		first, second := sessionValue(t, sessions, grace.ID), sessionValue(t, sessions, grace.ID)
		_, firstHeaders := signedInBrowser(t, s.base, "rdv_mentor", first)
		anon := client{t: t, base: s.base}
		patch := map[string]any{"name": "Renamed"}
		if st := anon.do("PATCH", "/api/v1/mentors/"+grace.ID, patch, nil, "Cookie", "rdv_mentor="+second, "X-CSRF-Token", firstHeaders[3]); st != 403 {
			t.Fatalf("another session's token on the API: %d, want 403", st)
		}
		if st := anon.do("PATCH", "/api/v1/mentors/"+grace.ID, patch, nil, firstHeaders...); st != 200 {
			t.Fatalf("the session's own token on the API: %d", st)
		}
	})
}
