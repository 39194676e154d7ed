package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitInTab polls js in the tab until it is true, or fails after 20 s.
func waitInTab(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !pollBool(ctx, js) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not %s", what, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// textsOf are the texts of the elements matching sel, spaces made plain
// (Intl writes "4:00 AM" with a narrow no-break space).
func textsOf(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	raw := evalString(t, ctx, `JSON.stringify(Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(e => e.textContent.replace(/[\u202f\u00a0]/g, ' ')))`)
	var out []string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestPagesSeriesAcrossDST books, in headless Chromium set to
// America/Toronto, a 10-week series of a Europe/Paris mentor from Monday
// 1 March 2027 across both zones' March changes (Toronto on the 14th,
// Paris on the 28th): the preview and the booked list show each session
// at the right Toronto time on each side of each change (4:00, 5:00 from
// the 15th, 4:00 again from the 29th), and every session is stored at
// 10:00 Paris time. Then the mentee's page: their series and sessions
// with their manage links, the next session and a series booked in one
// click each, by keyboard, and the limit said; axe-core clean, in English
// and French, on a phone.
func TestPagesSeriesAcrossDST(t *testing.T) {
	axe := axeSource(t)
	e := startPages(t)
	m := createMentor(t, e.admin, map[string]any{"name": "Camille Paris", "timezone": "Europe/Paris", "horizon_days": 200,
		"max_upcoming_per_mentee": 3, "weekly_hours": []map[string]string{{"weekday": "monday", "start": "09:00", "end": "12:00"}}})
	var zoe menteeAnswer
	if st := e.admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe Toronto", "email": "zoe.toronto@example.org",
		"timezone": "America/Toronto", "mentor_id": m.ID}, &zoe); st != 201 {
		t.Fatalf("create mentee: %d", st)
	}
	page := "/book/" + linkOf(*zoe.BookingURL)
	b := newBrowser(t)
	tab := b.tab("America/Toronto", "en", 390, 844, true)
	check := func(what string) {
		t.Helper()
		checkAxe(t, tab, axe, what)
		checkFits(t, tab, what)
	}
	b.do(tab, "open the mentee's page", chromedp.Navigate(e.s.base+page), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if got := textsOf(t, tab, "#home p"); len(got) == 0 || !strings.Contains(got[0], "no session") {
		t.Errorf("a mentee without sessions: %q", got)
	}
	check("mentee page, nothing booked")

	first := `button.slot[data-start^="2027-03-01T04:00"]`
	for i := 0; !evalBool(t, tab, `!!document.querySelector(`+jsString(first)+`)`); i++ {
		if i > 40 || evalBool(t, tab, `document.getElementById('next-week').disabled`) {
			t.Fatalf("no slot on Monday 1 March 2027 at 4:00 Toronto time")
		}
		b.do(tab, "next week", chromedp.Click(chromedp.CSS("#next-week")))
	}
	b.do(tab, "choose 1 March", chromedp.Click(chromedp.CSS(first)), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	evalBool(t, tab, `(() => { const r = document.getElementById('repeat'); r.value = '10'; r.dispatchEvent(new Event('change')); return true })()`)
	waitInTab(t, tab, "the preview", `document.querySelectorAll('#series-list li').length === 10`)
	check("booking form with a series preview")
	want := []string{"March 1, 2027 at 4:00 AM", "March 8, 2027 at 4:00 AM", "March 15, 2027 at 5:00 AM", "March 22, 2027 at 5:00 AM",
		"March 29, 2027 at 4:00 AM", "April 5, 2027 at 4:00 AM", "April 12, 2027 at 4:00 AM", "April 19, 2027 at 4:00 AM",
		"April 26, 2027 at 4:00 AM", "May 3, 2027 at 4:00 AM"}
	same := func(what string, got []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d sessions %q, want %d", what, len(got), got, len(want))
		}
		for i := range want {
			if !strings.Contains(got[i], want[i]) || strings.Contains(got[i], "not free") {
				t.Errorf("%s, session %d: %q, want %q, free", what, i+1, got[i], want[i])
			}
		}
	}
	same("preview", textsOf(t, tab, "#series-list li"))
	b.do(tab, "book the series", chromedp.Click(chromedp.CSS("#confirm-button")), chromedp.WaitVisible(chromedp.CSS("#done-series")))
	same("booked", textsOf(t, tab, "#done-list li"))
	check("series booked")

	var stored struct{ Bookings []bookingAnswer }
	e.admin.do("GET", "/api/v1/mentors/"+m.ID+"/bookings?from=2027-02-01T00:00:00Z&to=2027-06-01T00:00:00Z", nil, &stored)
	paris, _ := time.LoadLocation("Europe/Paris")
	if len(stored.Bookings) != 10 {
		t.Fatalf("%d sessions stored, want 10", len(stored.Bookings))
	}
	for _, s := range stored.Bookings {
		if at := mustTime(t, s.Start).In(paris); at.Hour() != 10 || at.Minute() != 0 || at.Weekday() != time.Monday {
			t.Errorf("session at %s Paris time, want Monday 10:00", at)
		}
	}

	// The mentee's page: the series with ten manage links, and the next
	// session (10 May, a week after the last) to book in a click.
	b.do(tab, "reload the mentee's page", chromedp.Navigate(e.s.base+page), chromedp.WaitVisible(chromedp.CSS("#book-next")))
	if got := textsOf(t, tab, "#home h3"); len(got) == 0 || !strings.Contains(got[0], "Weekly series (10 sessions)") {
		t.Errorf("the series on the mentee's page: %q", got)
	}
	if n := len(textsOf(t, tab, `#home a[href*="/manage/"]`)); n != 10 {
		t.Errorf("%d manage links on the mentee's page, want 10", n)
	}
	if got := textsOf(t, tab, ".home-next strong"); len(got) == 0 || !strings.Contains(got[0], "May 10, 2027") || !strings.Contains(got[0], "4:00 AM") {
		t.Errorf("next session offered: %q, want Monday 10 May at 4:00 AM", got)
	}
	check("mentee page with a series")
	b.do(tab, "book the next one by keyboard", chromedp.Focus(chromedp.CSS("#book-next")), chromedp.KeyEvent(kb.Enter))
	waitInTab(t, tab, "the booked session's page", `location.pathname.startsWith('/manage/')`)
	b.do(tab, "back to the mentee's page", chromedp.Navigate(e.s.base+page), chromedp.WaitVisible(chromedp.CSS("#book-next-series")))
	evalBool(t, tab, `(() => { document.getElementById('next-count').value = '3'; return true })()`)
	b.do(tab, "a series of three by keyboard", chromedp.Focus(chromedp.CSS("#book-next-series")), chromedp.KeyEvent(kb.Enter))
	waitInTab(t, tab, "the series booked from the page", `location.search.includes('done=series') && !!document.getElementById('home-limit')`)
	if got := textsOf(t, tab, "#home h3"); len(got) < 2 || !strings.Contains(got[1], "(3 sessions)") {
		t.Errorf("after a series in a click: %q", got)
	}
	if n := len(textsOf(t, tab, `#home a[href*="/manage/"]`)); n != 14 {
		t.Errorf("%d manage links, want 10 + 1 + 3", n)
	}
	check("mentee page at the limit")

	fr := b.tab("Europe/Paris", "fr", 390, 844, true)
	b.do(fr, "the page in French", chromedp.Navigate(e.s.base+page), chromedp.WaitVisible(chromedp.CSS("#home")))
	if got := textsOf(t, fr, "#home h2"); len(got) == 0 || got[0] != "Vos prochaines séances" {
		t.Errorf("French heading: %q", got)
	}
	checkAxe(t, fr, axe, "mentee page in French")
	checkFits(t, fr, "mentee page in French")
}
