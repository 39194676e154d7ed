package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

const pagesAdminToken = "admin-token-for-the-tests-0123456789"

// hostile is a name that would run script if it reached the page as HTML.
const hostile = `Zoé <img src=x onerror=alert(1)>`

type pagesEnv struct {
	db     storetest.Database
	s      started
	admin  client
	mentor mentorCreated
	link   string
	smtp   *smtptest.Server
}

func startPages(t *testing.T) pagesEnv {
	t.Helper()
	return startPagesOn(t, storetest.SQLite(t))
}

// startPagesOn is startPages on the given database.
func startPagesOn(t *testing.T, db storetest.Database) pagesEnv {
	t.Helper()
	smtp := smtptest.StartServer(t, smtptest.Options{})
	s := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": pagesAdminToken, "RENDEZVOUS_SMTP_URL": smtp.URL()})
	t.Cleanup(func() { s.stop() })
	admin := client{t: t, base: s.base, token: pagesAdminToken}
	m := createMentor(t, admin, map[string]any{"timezone": "Europe/Paris", "max_upcoming_per_mentee": 5})
	return pagesEnv{db: db, s: s, admin: admin, mentor: m, link: linkOf(*m.BookingURL), smtp: smtp}
}

// bookingsOf lists the mentor's sessions through the API.
func (e pagesEnv) bookingsOf(t *testing.T) []bookingAnswer {
	t.Helper()
	var out struct{ Bookings []bookingAnswer }
	if st := e.admin.do("GET", "/api/v1/mentors/"+e.mentor.ID+"/bookings", nil, &out); st != 200 {
		t.Fatalf("list bookings: %d", st)
	}
	return out.Bookings
}

func sameInstant(t *testing.T, a, b string) bool {
	t.Helper()
	ta, err1 := time.Parse(time.RFC3339, a)
	tb, err2 := time.Parse(time.RFC3339, b)
	if err1 != nil || err2 != nil {
		t.Fatalf("times %q %q: %v %v", a, b, err1, err2)
	}
	return ta.Equal(tb)
}

// TestPagesBookMoveCancel books from Toronto against a Paris mentor with
// the keyboard, checks the instant through the API, moves the session and
// cancels it, all in real Chromium.
func TestPagesBookMoveCancel(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	tab := b.tab("America/Toronto", "en-CA,en;q=0.9", 1280, 800, false)

	b.do(tab, "open booking page", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if z := evalString(t, tab, `document.getElementById('tz').dataset.zone`); z != "America/Toronto" {
		t.Fatalf("zone select shows %q, want the browser's America/Toronto", z)
	}
	start := evalString(t, tab, `document.querySelector('.slot').dataset.start`)
	if !strings.HasSuffix(start, "-05:00") && !strings.HasSuffix(start, "-04:00") {
		t.Fatalf("slot %s is not in Toronto time", start)
	}
	screenshot(t, tab, "booking")

	// Keyboard only: focus the slot, press Enter, type, press Enter.
	b.do(tab, "choose a slot with the keyboard", chromedp.Focus(chromedp.CSS(".slot")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if id := evalString(t, tab, `document.activeElement.id`); id != "confirm-heading" {
		t.Errorf("focus after choosing is on %q, want the confirm heading", id)
	}
	b.do(tab, "fill the form", typeInto("#name", hostile), typeInto("#email", "zoe@example.org"),
		chromedp.Focus(chromedp.CSS("#confirm-button")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#done")))
	if got := evalString(t, tab, `document.getElementById('done-name').textContent`); got != hostile {
		t.Errorf("confirmation shows name %q, want it as text %q", got, hostile)
	}
	if evalBool(t, tab, `document.querySelector('main img') !== null`) {
		t.Error("the name was rendered as HTML")
	}
	if !evalBool(t, tab, `document.getElementById('done-ics').href.includes('.ics?token=')`) {
		t.Error("no add-to-calendar link")
	}
	screenshot(t, tab, "confirmation")

	bookings := e.bookingsOf(t)
	if len(bookings) != 1 || !sameInstant(t, bookings[0].Start, start) {
		t.Fatalf("API sessions %+v, want one at %s", bookings, start)
	}
	// Links carry BASE_URL, which the test server leaves at its default.
	manage := e.s.base + evalString(t, tab, `new URL(document.getElementById('done-manage').href).pathname`)

	// Move it to another slot.
	b.do(tab, "open manage page", chromedp.Navigate(manage), chromedp.WaitVisible(chromedp.CSS(".slot")))
	moveTo := evalString(t, tab, `document.querySelectorAll('.slot')[3].dataset.start`)
	b.do(tab, "move", chromedp.Click(chromedp.CSS(`.slot[data-start="`+moveTo+`"]`)), chromedp.Click(chromedp.CSS("#confirm-button")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	screenshot(t, tab, "manage")
	bookings = e.bookingsOf(t)
	if len(bookings) != 1 || !sameInstant(t, bookings[0].Start, moveTo) || bookings[0].Sequence != 1 {
		t.Fatalf("after moving: %+v, want one session at %s, sequence 1", bookings, moveTo)
	}

	// Cancel it with the plain form.
	b.do(tab, "cancel", typeInto("#reason", "Ill <b>today</b>"), chromedp.Click(chromedp.CSS("#cancel-button")),
		chromedp.WaitVisible(chromedp.CSS(".status.cancelled")))
	if got := evalString(t, tab, `document.querySelector('.status.cancelled').textContent`); !strings.Contains(got, "Ill <b>today</b>") {
		t.Errorf("cancelled status %q lacks the reason as text", got)
	}
	if bookings = e.bookingsOf(t); bookings[0].Status != "cancelled" {
		t.Fatalf("after cancelling: %+v", bookings)
	}

	t.Run("slot taken meanwhile", func(t *testing.T) {
		b.do(tab, "open booking page", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
		taken := evalString(t, tab, `document.querySelector('.slot').dataset.start`)
		b.do(tab, "choose", chromedp.Click(chromedp.CSS(".slot")), typeInto("#name", "Late Larry"),
			typeInto("#email", "larry@example.org"))
		anon := client{t: t, base: e.s.base}
		if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": taken, "name": "Quick Quinn", "email": "quinn@example.org"}, nil); st != 201 {
			t.Fatalf("book behind the page's back: %d", st)
		}
		b.do(tab, "confirm the taken slot", chromedp.Click(chromedp.CSS("#confirm-button")), chromedp.WaitNotVisible(chromedp.CSS("#confirm")))
		waitFor(t, 10*time.Second, func() bool {
			return strings.Contains(evalString(t, tab, `document.getElementById('pick-status').textContent`), "just taken")
		}, func() string { return "the slot-taken message" })
		if evalBool(t, tab, `document.querySelector('.slot[data-start="`+taken+`"]') !== null`) {
			t.Error("the taken slot is still offered")
		}
	})
}

// TestPagesFrenchAndPhone checks the French page from Accept-Language,
// the language switch, and slot buttons on a phone-sized screen.
func TestPagesFrenchAndPhone(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	fr := b.tab("Europe/Paris", "fr-FR,fr;q=0.9", 1100, 900, false)
	b.do(fr, "open in French", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if h := evalString(t, fr, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, "Réserver une séance avec") {
		t.Errorf("French heading %q", h)
	}
	days := evalString(t, fr, `Array.from(document.querySelectorAll('.day h3')).map(h => h.textContent).join(' ')`)
	if !regexp.MustCompile(`lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche`).MatchString(days) {
		t.Errorf("day names are not French: %s", days)
	}
	b.do(fr, "switch to English", chromedp.Click(chromedp.CSS(`a[hreflang=en]`)))
	waitFor(t, 10*time.Second, func() bool {
		return pollBool(fr, `location.search === '?lang=en' && !!document.documentElement && document.documentElement.lang === 'en'`)
	},
		func() string { return "the English page" })
	// The choice sticks (cookie) although the browser still prefers French.
	b.do(fr, "reopen", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if h := evalString(t, fr, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, "Book a session with") {
		t.Errorf("after switching to English the heading is %q", h)
	}

	phone := b.tab("Europe/London", "en-GB", 390, 844, true)
	b.do(phone, "open on a phone", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if !evalBool(t, phone, `(() => { const r = document.querySelector('.slot').getBoundingClientRect();
		return r.width >= 44 && r.left >= 0 && r.right <= window.innerWidth && document.documentElement.scrollWidth <= window.innerWidth; })()`) {
		t.Error("slot buttons do not fit a 390 px wide screen")
	}
	screenshot(t, phone, "booking-phone")
	// Day by day: each day a full-width row, one under the other.
	if !evalBool(t, phone, `(() => { const days = Array.from(document.querySelectorAll('.day')), w = document.getElementById('days').clientWidth;
		return days.length === 7 && days.every((d, i) => d.clientWidth >= 0.95 * w && (i === 0 || d.offsetTop > days[i - 1].offsetTop)); })()`) {
		t.Error("on a phone the days are not one per row")
	}
	b.do(phone, "tap a slot", chromedp.Click(chromedp.CSS(".slot")), chromedp.WaitVisible(chromedp.CSS("#name")))
}

// TestPagesMentorArea signs in through a mailed link, sees a mentee's
// hostile name as text, and saves weekly hours.
func TestPagesMentorArea(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	start := firstSlot(t, anon, e.link, "UTC")
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": start, "name": hostile, "email": "zoe@example.org"}, nil); st != 201 {
		t.Fatalf("book: %d", st)
	}
	tab := b.tab("Europe/Paris", "en", 1100, 900, false)
	b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", "Grace@Example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	link := signinLink(t, e)
	b.do(tab, "follow the link", chromedp.Navigate(link), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
	if got := evalString(t, tab, `document.querySelector('td.mentee-name').textContent`); got != hostile {
		t.Errorf("mentor area shows mentee %q, want the text %q", got, hostile)
	}
	if evalBool(t, tab, `document.querySelector('main img') !== null`) {
		t.Error("a mentee's name was rendered as HTML in the mentor area")
	}
	if !strings.HasSuffix(evalString(t, tab, `document.getElementById('feed-url').value`), ".ics") {
		t.Error("no feed URL to copy")
	}
	screenshot(t, tab, "mentor")
	b.do(tab, "save hours", chromedp.SetValue(chromedp.CSS("#hours-monday"), "09:00-12:00, 14:00-17:30"),
		chromedp.Click(chromedp.CSS(`form.hours button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	var m struct {
		WeeklyHours []struct{ Weekday, Start, End string } `json:"weekly_hours"`
	}
	e.admin.do("GET", "/api/v1/mentors/"+e.mentor.ID, nil, &m)
	var monday []string
	for _, h := range m.WeeklyHours {
		if h.Weekday == "monday" {
			monday = append(monday, h.Start+"-"+h.End)
		}
	}
	if strings.Join(monday, ",") != "09:00-12:00,14:00-17:30" {
		t.Errorf("monday hours %v", monday)
	}

	// The session's own page (the manage link of the mentor's feed):
	// cancel it with a reason.
	sessions := e.bookingsOf(t)
	if len(sessions) != 1 {
		t.Fatalf("sessions: %+v", sessions)
	}
	feed := evalString(t, tab, `document.getElementById('feed-url').value`)
	feed = e.s.base + feed[strings.Index(feed, "/feeds/"):]
	if _, body := get(t, feed, nil); !strings.Contains(strings.ReplaceAll(body, "\r\n ", ""), "/mentor/sessions/"+sessions[0].ID) {
		t.Errorf("the feed does not link the session's page:\n%s", body)
	}
	b.do(tab, "open the session", chromedp.Click(chromedp.CSS(`ul.sessions a`)), chromedp.WaitVisible(chromedp.CSS("#cancel-button")))
	if got := evalString(t, tab, `document.querySelector('h1 .mentee-name').textContent`); got != hostile {
		t.Errorf("session page shows mentee %q, want the text %q", got, hostile)
	}
	target := evalString(t, tab, `document.querySelector('#move-start option:nth-of-type(3)').value`)
	b.do(tab, "move as the mentor", chromedp.SetValue(chromedp.CSS("#move-start"), target),
		chromedp.Click(chromedp.CSS("#move-button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	var moved bookingAnswer
	if e.admin.do("GET", "/api/v1/bookings/"+sessions[0].ID, nil, &moved); !sameInstant(t, moved.Start, target) || moved.Sequence != 1 {
		t.Errorf("session after the mentor moved it to %s: %+v", target, moved)
	}
	// The move's notice is still on the page: wait for the cancelled status.
	b.do(tab, "cancel as the mentor", typeInto("#reason", "Ill, sorry"),
		chromedp.Click(chromedp.CSS("#cancel-button")), chromedp.WaitVisible(chromedp.CSS("#session-status.cancelled")))
	if got := evalString(t, tab, `document.getElementById('session-status').textContent`); !strings.Contains(got, "Ill, sorry") {
		t.Errorf("status after cancelling: %q", got)
	}
	var after bookingAnswer
	if e.admin.do("GET", "/api/v1/bookings/"+sessions[0].ID, nil, &after); after.Status != "cancelled" {
		t.Errorf("session after the mentor cancelled it: %+v", after)
	}
	other := createMentor(t, e.admin, map[string]any{"name": "Other", "email": "other@example.org"})
	anonOther := client{t: t, base: e.s.base}
	otherLink := linkOf(*other.BookingURL)
	var theirs bookingAnswer
	if st := anonOther.do("POST", "/api/v1/book/"+otherLink+"/bookings", map[string]string{"start": firstSlot(t, anonOther, otherLink, "UTC"),
		"name": "Bob", "email": "bob@example.org"}, &theirs); st != 201 {
		t.Fatalf("book with the other mentor: %d", st)
	}
	b.do(tab, "open another mentor's session", chromedp.Navigate(e.s.base+"/mentor/sessions/"+theirs.ID), chromedp.WaitVisible(chromedp.CSS("h1")))
	if evalBool(t, tab, `document.body.textContent.includes("Bob")`) {
		t.Error("the mentor area showed another mentor's session")
	}
}

// signinLink waits for the sign-in mail and returns its link.
func signinLink(t *testing.T, e pagesEnv) string {
	t.Helper()
	re := regexp.MustCompile(`https?://\S+/mentor/signin/[A-Za-z0-9_-]+`)
	var link string
	waitFor(t, 10*time.Second, func() bool {
		for _, m := range e.smtp.Messages() {
			if l := re.FindString(decodedText(t, m.Data)); l != "" {
				link = l
			}
		}
		return link != ""
	}, func() string { return "the sign-in mail" })
	return e.s.base + link[strings.Index(link, "/mentor/signin/"):]
}

// TestPagesCSRFAndSingleUseSignin checks, without a browser, that page
// forms need their CSRF token and that a sign-in link works once.
func TestPagesCSRFAndSingleUseSignin(t *testing.T) {
	e := startPages(t)
	res, err := http.PostForm(e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("form post without CSRF token: %d %s, want an HTML 403", res.StatusCode, res.Header.Get("Content-Type"))
	}
	jar, _ := cookiejar.New(nil)
	browserless := &http.Client{Jar: jar}
	postForm(t, browserless, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	link := signinLink(t, e)
	postForm(t, browserless, link, nil, http.StatusOK) // redirected to /mentor, signed in
	postForm(t, browserless, link, nil, http.StatusNotFound)

	// Signing out ends the session on the server: the old cookie value,
	// replayed from elsewhere, no longer opens the mentor area.
	area, _ := url.Parse(e.s.base + "/mentor")
	var session *http.Cookie
	for _, ck := range jar.Cookies(area) {
		if ck.Name == "rdv_mentor" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("no session cookie after signing in: %v", jar.Cookies(area))
	}
	replay := func() int {
		req, _ := http.NewRequest("GET", area.String(), nil)
		req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
		return mustDo(t, req).StatusCode
	}
	if st := replay(); st != http.StatusOK {
		t.Fatalf("the session cookie replayed before signing out: %d", st)
	}
	postFormFrom(t, browserless, area.String(), e.s.base+"/mentor/signout", nil, http.StatusOK)
	if st := replay(); st != http.StatusSeeOther {
		t.Fatalf("the session cookie replayed after signing out: %d, want a redirect to sign in", st)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// postForm GETs the page for its CSRF token, then posts the form.
func postForm(t *testing.T, c *http.Client, target string, form url.Values, want int) {
	t.Helper()
	postFormFrom(t, c, target, target, form, want)
}

// postFormFrom posts a form of page to target, with the page's CSRF token.
func postFormFrom(t *testing.T, c *http.Client, page, target string, form url.Values, want int) {
	t.Helper()
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no CSRF field on %s (%d)", page, res.StatusCode)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", m[1])
	res, err = c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("POST %s: %d, want %d", target, res.StatusCode, want)
	}
}

// TestSigninLinkSurvivesSMTPOutage: with the mail server refusing, asking
// for a link still answers at once; the link arrives, once, when the
// server accepts again, and it works.
func TestSigninLinkSurvivesSMTPOutage(t *testing.T) {
	e := startPages(t)
	e.smtp.SetRejectCode(451)
	jar, _ := cookiejar.New(nil)
	browserless := &http.Client{Jar: jar}
	postForm(t, browserless, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	inspect := openDB(t, e.db)
	eventually(t, 20*time.Second, "a refused delivery", func() bool { return jobCountWhere(t, inspect, "signin_mail", "errors IS NOT NULL") == 1 })
	if len(e.smtp.Messages()) != 0 {
		t.Fatal("a refused mail was counted as delivered")
	}
	e.smtp.SetRejectCode(0)
	link := signinLink(t, e)
	eventually(t, 20*time.Second, "the mail job to finish", func() bool { return jobCount(t, inspect, "signin_mail", "completed") == 1 })
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d sign-in mails delivered, want 1", n)
	}
	postForm(t, browserless, link, nil, http.StatusOK)
}
