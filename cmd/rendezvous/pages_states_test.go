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
)

// TestPagesAccessibilityMoreStates runs axe-core, in English and French,
// on a phone and a desktop, on the page states TestPagesAccessibility
// does not reach: a mentee's personal booking link (name and e-mail
// given), a cancelled session's page with its way to book again, and the
// mentor's page of a session under way (not over: no report form yet).
func TestPagesAccessibilityMoreStates(t *testing.T) {
	axe := axeSource(t)
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	personal, st := newMentee(t, e.admin, "pat.personal", e.mentor.ID)
	if st != 201 || personal.BookingURL == nil {
		t.Fatalf("add a mentee: %d %+v", st, personal)
	}
	book := func(name string, i int) bookingAnswer {
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": slotsOf(t, anon, e.link, "UTC")[i],
			"name": name, "email": strings.ToLower(strings.Fields(name)[0]) + "@example.org"}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		return b
	}
	cancelled, started := book("Cy Cancelled", 2), book("Sam Started", 6)
	if st := anon.do("POST", "/api/v1/manage/"+lastSegment(cancelled.ManageURL)+"/cancel", map[string]string{"reason": "Exams"}, nil); st != 200 {
		t.Fatalf("cancel: %d", st)
	}
	shiftSession(t, openDB(t, e.db), started.ID, time.Now().Add(-10*time.Minute), 30)
	used := map[string]bool{} // the single-use sign-in links followed

	for _, lang := range []string{"en", "fr"} {
		for _, size := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}} {
			t.Run(lang+"/"+size.name, func(t *testing.T) {
				b := newBrowser(t)
				tab := b.tab("America/Toronto", lang, size.width, size.height, size.mobile)
				check := func(what string) {
					t.Helper()
					checkAxe(t, tab, axe, what)
					if size.mobile {
						checkFits(t, tab, what)
					}
				}
				b.do(tab, "open the personal link", chromedp.Navigate(e.s.base+"/book/"+linkOf(*personal.BookingURL)),
					chromedp.WaitVisible(chromedp.CSS(".slot")))
				check("mentee's personal booking page")
				b.do(tab, "choose a slot", chromedp.Click(chromedp.CSS(".slot")), chromedp.WaitVisible(chromedp.CSS("#confirm")))
				if !evalBool(t, tab, `document.getElementById('name').readOnly && document.getElementById('name').value === 'pat.personal'`) {
					t.Error("the personal link lets the mentee edit their name")
				}
				check("mentee's personal booking page, slot chosen")

				b.do(tab, "open the cancelled session", chromedp.Navigate(e.s.base+"/manage/"+lastSegment(cancelled.ManageURL)),
					chromedp.WaitVisible(chromedp.CSS("#rebook")))
				check("cancelled session's page with its rebook link")

				b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
					typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
					chromedp.WaitVisible(chromedp.CSS(".notice")))
				b.do(tab, "sign in", chromedp.Navigate(newestSigninLink(t, e, used)), chromedp.Click(chromedp.CSS("#signin-button")),
					chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
				b.do(tab, "open the session under way", chromedp.Navigate(e.s.base+"/mentor/sessions/"+started.ID),
					chromedp.WaitVisible(chromedp.CSS("#session-status")))
				check("mentor's page of a session under way")
			})
		}
	}
}

// newestSigninLink waits for a sign-in mail with a link not in used, and
// adds it there.
func newestSigninLink(t *testing.T, e pagesEnv, used map[string]bool) string {
	t.Helper()
	re := regexp.MustCompile(`https?://\S+/mentor/signin/[A-Za-z0-9_-]+`)
	var link string
	waitFor(t, 20*time.Second, func() bool {
		for _, m := range e.smtp.Messages() {
			if l := re.FindString(decodedText(t, m.Data)); l != "" && !used[l] {
				link = l
			}
		}
		return link != ""
	}, func() string { return "a new sign-in mail" })
	used[link] = true
	return e.s.base + link[strings.Index(link, "/mentor/signin/"):]
}

func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// TestPagesMentorSettingsKeyboardOnly signs in and changes a mentor
// setting with the keyboard alone (TestPagesKeyboardOnly does booking,
// moving and cancelling): Tab to reach each control, Enter to use it.
func TestPagesMentorSettingsKeyboardOnly(t *testing.T) {
	e := startPages(t)
	b := newBrowser(t)
	tab := b.tab("Europe/Paris", "fr-FR,fr;q=0.9", 1280, 800, false)
	// Mentor settings: Tab to the buffer, replace it, Enter submits.
	b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor/signin"), chromedp.WaitVisible(chromedp.CSS("#email")))
	tabTo(t, b, tab, "#email")
	b.do(tab, "type the address and press Enter", chromedp.KeyEvent("grace@example.org"+kb.Enter), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "open the link", chromedp.Navigate(signinLink(t, e)), chromedp.WaitVisible(chromedp.CSS("#signin-button")))
	tabTo(t, b, tab, "#signin-button")
	b.do(tab, "sign in with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#settings-heading")))
	tabTo(t, b, tab, "#settings-buffer-minutes")
	b.do(tab, "replace the buffer and press Enter", chromedp.KeyEvent(kb.End+kb.Backspace+kb.Backspace+kb.Backspace+"15"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	var m struct {
		BufferMinutes int `json:"buffer_minutes"`
	}
	if e.admin.do("GET", "/api/v1/mentors/"+e.mentor.ID, nil, &m); m.BufferMinutes != 15 {
		t.Errorf("buffer after saving with the keyboard: %d, want 15", m.BufferMinutes)
	}
}

// TestMentorPagesWriteTimesInTheMentorsZone reads the mentor area without
// a browser (as without JavaScript): every time the server writes is in
// the mentor's zone and language, never raw UTC or RFC 3339.
func TestMentorPagesWriteTimesInTheMentorsZone(t *testing.T) {
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	var booked bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": firstSlot(t, anon, e.link, "UTC"),
		"name": "Ty Times", "email": "ty.times@example.org"}, &booked); st != 201 {
		t.Fatalf("book: %d", st)
	}
	jar, _ := cookiejar.New(nil)
	browserless := &http.Client{Jar: jar}
	postForm(t, browserless, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	postForm(t, browserless, signinLink(t, e), nil, http.StatusOK)
	timeText := regexp.MustCompile(`<time[^>]*>([^<]*)</time>`)
	for _, lang := range []string{"en", "fr"} {
		for _, path := range []string{"/mentor", "/mentor/sessions/" + booked.ID} {
			res, err := browserless.Get(e.s.base + path + "?lang=" + lang)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			found := timeText.FindAllStringSubmatch(string(body), -1)
			if len(found) == 0 {
				t.Errorf("%s (%s): no time shown", path, lang)
			}
			for _, m := range found {
				if !strings.HasSuffix(m[1], "(Europe/Paris)") || strings.Contains(m[1], "UTC") || strings.Contains(m[1], "T") && strings.Contains(m[1], ":00Z") {
					t.Errorf("%s (%s): a time reads %q, want it in the mentor's zone", path, lang, m[1])
				}
				if lang == "fr" && !regexp.MustCompile(`lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche`).MatchString(m[1]) {
					t.Errorf("%s: a time on the French page reads %q", path, m[1])
				}
			}
		}
	}
}
