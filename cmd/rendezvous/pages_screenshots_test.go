package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesScreenshots refreshes the README's screenshots, in English and
// French, on a phone (390×844) and a desktop (1280×800): the booking
// page, its plain form (no JavaScript), a session's manage page and the
// mentor's area and session page. It runs only with
// RENDEZVOUS_UPDATE_SCREENSHOTS=1: the other page tests check the pages.
func TestPagesScreenshots(t *testing.T) {
	if os.Getenv("RENDEZVOUS_UPDATE_SCREENSHOTS") != "1" {
		t.Skip("RENDEZVOUS_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots")
	}
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	var booked bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": slotsOf(t, anon, e.link, "UTC")[2],
		"name": "Ada Lovelace", "email": "ada@example.org", "note": "Could we look at my CV?"}, &booked); st != 201 {
		t.Fatalf("book: %d", st)
	}
	used := map[string]bool{}
	for _, lang := range []string{"en", "fr"} {
		for _, size := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}} {
			t.Run(lang+"/"+size.name, func(t *testing.T) {
				b := newBrowser(t)
				tab := b.tab("America/Toronto", lang, size.width, size.height, size.mobile)
				name := func(page string) string { return page + "-" + lang + "-" + size.name }
				b.do(tab, "booking page", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
				screenshot(t, tab, name("booking"))
				b.do(tab, "manage page", chromedp.Navigate(e.s.base+"/manage/"+lastSegment(booked.ManageURL)), chromedp.WaitVisible(chromedp.CSS(".slot")))
				screenshot(t, tab, name("manage"))

				plain := b.tab("America/Toronto", lang, size.width, size.height, size.mobile)
				b.do(plain, "scripts off", scripts(false))
				b.do(plain, "plain booking form", chromedp.Navigate(e.s.base+"/book/"+e.link+"?tz=America%2FToronto"),
					chromedp.WaitVisible(chromedp.CSS("#plain-book")), chromedp.ScrollIntoView(chromedp.CSS("#plain-book")))
				screenshot(t, plain, name("booking-plain"))

				b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
					typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
					chromedp.WaitVisible(chromedp.CSS(".notice")))
				b.do(tab, "sign in", chromedp.Navigate(newestSigninLink(t, e, used)), chromedp.Click(chromedp.CSS("#signin-button")),
					chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
				screenshot(t, tab, name("mentor"))
				b.do(tab, "session page", chromedp.Navigate(e.s.base+"/mentor/sessions/"+booked.ID), chromedp.WaitVisible(chromedp.CSS("#cancel-button")))
				screenshot(t, tab, name("mentor-session"))
			})
		}
	}
}
