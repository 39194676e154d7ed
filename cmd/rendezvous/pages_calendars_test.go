package main

import (
	"net"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// freeAddr reserves a loopback port for a server whose BASE_URL must be
// known before it starts (Google redirects the browser back to it).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestPagesMentorConnectsCalendars drives the mentor area's calendar
// section in Chromium: the CalDAV form against a real Radicale, then the
// Google button through a fake Google's consent and back, and checks both
// connections through the API.
func TestPagesMentorConnectsCalendars(t *testing.T) {
	b := newBrowser(t)
	radicale := caldavtest.StartRadicale(t)
	google := googlefake.New()
	t.Cleanup(google.Close)
	smtp := smtptest.StartServer(t, smtptest.Options{})
	addr := freeAddr(t)
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": pagesAdminToken, "RENDEZVOUS_SMTP_URL": smtp.URL(),
		"RENDEZVOUS_ADDR": addr, "RENDEZVOUS_BASE_URL": "http://" + addr, "RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true",
		"RENDEZVOUS_GOOGLE_CLIENT_ID": google.ClientID, "RENDEZVOUS_GOOGLE_CLIENT_SECRET": google.ClientSecret,
		"RENDEZVOUS_GOOGLE_AUTH_URL": google.AuthURL(), "RENDEZVOUS_GOOGLE_TOKEN_URL": google.TokenURL(),
		"RENDEZVOUS_GOOGLE_API_URL": google.URL})
	t.Cleanup(func() { s.stop() })
	admin := client{t: t, base: s.base, token: pagesAdminToken}
	m := createMentor(t, admin, map[string]any{"timezone": "Europe/Paris"})
	e := pagesEnv{s: s, admin: admin, mentor: m, link: linkOf(*m.BookingURL), smtp: smtp}

	tab := b.tab("Europe/Paris", "en", 1100, 1400, false)
	b.do(tab, "ask for a link", chromedp.Navigate(s.base+"/mentor"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "follow the link", chromedp.Navigate(signinLink(t, e)), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#calendars-heading")))

	b.do(tab, "connect CalDAV with the form",
		typeInto("#caldav-url", radicale.URL),
		typeInto("#caldav-user", radicale.Username),
		typeInto("#caldav-password", radicale.Password),
		chromedp.Submit(chromedp.CSS("#caldav-url")),
		chromedp.WaitVisible(chromedp.CSS(".connection .cal-name")))
	if got := evalString(t, tab, `document.querySelector('.connection strong').textContent`); got != "ok" {
		t.Errorf("CalDAV connection status on the page: %q", got)
	}

	b.do(tab, "connect Google with the button",
		chromedp.Click(chromedp.CSS(`form[action="/mentor/google"] button`)),
		chromedp.WaitVisible(`//h1[starts-with(., "Google Calendar")]`))
	if got := evalString(t, tab, `document.querySelector('h1').textContent`); got != "Google Calendar connected" {
		t.Fatalf("after Google's consent the browser shows %q", got)
	}
	b.do(tab, "back to the mentor area", chromedp.Click(chromedp.CSS("a")), chromedp.WaitVisible(chromedp.CSS("#calendars-heading")))
	if n := evalString(t, tab, `String(document.querySelectorAll('.connection').length)`); n != "2" {
		t.Errorf("mentor area lists %s connections, want 2", n)
	}
	b.do(tab, "show the calendars", chromedp.ScrollIntoView(chromedp.CSS("#calendars-heading")))
	screenshot(t, tab, "mentor-calendars")

	var out struct{ Connections []connectionAnswer }
	if st := admin.do("GET", "/api/v1/mentors/"+m.ID+"/connections", nil, &out); st != 200 {
		t.Fatalf("connections: %d", st)
	}
	providers := []string{}
	for _, c := range out.Connections {
		if c.Status != "ok" || len(c.Calendars) == 0 {
			t.Errorf("connection %+v", c)
		}
		providers = append(providers, c.Provider)
	}
	if strings.Join(providers, ",") != "caldav,google" && strings.Join(providers, ",") != "google,caldav" {
		t.Fatalf("connections made from the pages: %v", providers)
	}
}
