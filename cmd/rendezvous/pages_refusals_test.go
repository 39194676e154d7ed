package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPagesBookingRefusalsSayWhatHappened: a public link whose mentor has
// no place left says so before the visitor picks a time; a new visitor who
// books anyway is told the caseload is full and what to do, a returning
// mentee over the upcoming-sessions limit is told that and where to move
// the session — in the page's language, never "this time was just taken".
func TestPagesBookingRefusalsSayWhatHappened(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	if st := e.admin.do("PATCH", "/api/v1/mentors/"+e.mentor.ID, map[string]any{"max_mentees": 1, "max_upcoming_per_mentee": 1}, nil); st != 200 {
		t.Fatalf("lower the caseload: %d", st)
	}
	anon := client{t: t, base: e.s.base}
	first := slotsOf(t, anon, e.link, "Europe/Paris")
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": first[0], "name": "Ada", "email": "ada@example.org"}, nil); st != 201 {
		t.Fatalf("first visitor books: %d", st)
	}
	axe := axeSource(t)
	for _, tc := range []struct {
		lang, full, caseload, caseloadWay, upcoming, upcomingWay string
	}{
		{"en-GB,en;q=0.9", "has no place for a new mentee", "already follows 1 mentees", "Ask your program's staff for another mentor",
			"You already have 1 upcoming session(s)", "Your confirmation mail has a link"},
		{"fr-FR,fr;q=0.9", "n'a plus de place pour un nouveau mentoré", "suit déjà 1 mentorés", "Demandez un autre mentor",
			"Vous avez déjà 1 séance(s) à venir", "Votre mail de confirmation contient un lien"},
	} {
		t.Run(tc.lang[:2], func(t *testing.T) {
			tab := b.tab("Europe/Paris", tc.lang, 390, 844, true)
			b.do(tab, "open the full link", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
			if got := evalString(t, tab, `(document.getElementById('full-notice') || {}).textContent || ''`); !strings.Contains(got, tc.full) {
				t.Errorf("the page does not say the link is full before a time is picked: %q", got)
			}
			checkAxe(t, tab, axe, "full booking link "+tc.lang[:2])
			formError := func() string { return evalString(t, tab, `document.getElementById('form-error').textContent`) }

			b.do(tab, "a new visitor books anyway", chromedp.Click(chromedp.CSS(".slot")), typeInto("#name", "Bea"),
				typeInto("#email", "bea-"+tc.lang[:2]+"@example.org"), chromedp.Click(chromedp.CSS("#confirm-button")))
			waitFor(t, 10*time.Second, func() bool { return strings.Contains(formError(), tc.caseload) },
				func() string { return "the caseload message, got " + formError() })
			if got := formError(); !strings.Contains(got, tc.caseloadWay) || strings.Contains(got, "taken") || strings.Contains(got, "prendre") {
				t.Errorf("caseload_full shows %q", got)
			}

			b.do(tab, "the first visitor books a second session", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")),
				chromedp.Click(chromedp.CSS(".slot")), typeInto("#name", "Ada"), typeInto("#email", "ada@example.org"),
				chromedp.Click(chromedp.CSS("#confirm-button")))
			waitFor(t, 10*time.Second, func() bool { return strings.Contains(formError(), tc.upcoming) },
				func() string { return "the upcoming-limit message, got " + formError() })
			if got := formError(); !strings.Contains(got, tc.upcomingWay) {
				t.Errorf("the upcoming limit shows %q, without the way forward", got)
			}
		})
	}
}
