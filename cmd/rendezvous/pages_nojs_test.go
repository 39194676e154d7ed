package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// scripts turns the page's JavaScript off or on in a tab.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// TestPagesBookingWithoutJavaScript books in Chromium with JavaScript
// off, in French on a phone: the plain form picks a zone, a day and a
// time written by the server in that zone; a time taken meanwhile is
// refused with its reason and the form keeps what was typed; the session
// page shows the booked time in the visitor's zone.
func TestPagesBookingWithoutJavaScript(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	tab := b.tab("America/Toronto", "fr-FR,fr;q=0.9", 390, 844, true)
	b.do(tab, "scripts off", scripts(false))
	b.do(tab, "open the booking page in Toronto time", chromedp.Navigate(e.s.base+"/book/"+e.link+"?tz=America%2FToronto"),
		chromedp.WaitVisible(chromedp.CSS("#plain-book")))
	if evalBool(t, tab, `!document.getElementById('picker').hidden`) {
		t.Error("the script-only picker shows without JavaScript")
	}
	if got := evalString(t, tab, `document.querySelector('#plain-book legend').textContent`); !strings.Contains(got, "(America/Toronto)") {
		t.Errorf("the day's times are not in the chosen zone: %q", got)
	}
	b.do(tab, "pick the second day", chromedp.Click(chromedp.CSS(".plain-days li:nth-child(2) a")), chromedp.WaitVisible(chromedp.CSS("#plain-start-1")))
	if !evalBool(t, tab, `document.querySelector('.plain-days li:nth-child(2) a').getAttribute('aria-current') === 'date'`) {
		t.Error("the chosen day is not marked")
	}
	taken := evalString(t, tab, `document.getElementById('plain-start-0').value`)
	start := evalString(t, tab, `document.getElementById('plain-start-1').value`)
	if !strings.HasSuffix(start, "-05:00") && !strings.HasSuffix(start, "-04:00") {
		t.Fatalf("time %s is not in Toronto time", start)
	}
	label := evalString(t, tab, `document.querySelector('label[for=plain-start-1]').textContent`)

	// Someone takes the first time while the visitor types.
	anon := client{t: t, base: e.s.base}
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": taken, "name": "Quick", "email": "quick@example.org"}, nil); st != 201 {
		t.Fatalf("book behind the page's back: %d", st)
	}
	b.do(tab, "book the taken time", chromedp.Click(chromedp.CSS("label[for=plain-start-0]")), typeInto("#plain-name", "Zoé Plain"),
		typeInto("#plain-email", "zoe.plain@example.org"), typeInto("#plain-note", "Sans JavaScript"),
		chromedp.Click(chromedp.CSS("#plain-confirm")), chromedp.WaitVisible(chromedp.CSS("#plain-error")))
	if got := evalString(t, tab, `document.getElementById('plain-error').textContent`); !strings.Contains(got, "vient de prendre ce créneau") {
		t.Errorf("the refusal reads %q", got)
	}
	if got := evalString(t, tab, `document.getElementById('plain-name').value + '|' + document.getElementById('plain-note').value`); got != "Zoé Plain|Sans JavaScript" {
		t.Errorf("the form lost what was typed: %q", got)
	}
	if evalBool(t, tab, `document.querySelector('.plain-times input[value="`+taken+`"]') !== null`) {
		t.Error("the taken time is still offered")
	}
	b.do(tab, "axe needs scripts", scripts(true))
	checkAxe(t, tab, axeSource(t), "plain booking form with an error (fr, phone, no JavaScript)")
	b.do(tab, "scripts off again", scripts(false))

	b.do(tab, "book another time", chromedp.Click(chromedp.CSS(`input[value="`+start+`"] + label`)),
		chromedp.Click(chromedp.CSS("#plain-confirm")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := evalString(t, tab, `document.querySelector('.notice').textContent`); !strings.Contains(got, "C'est réservé") {
		t.Errorf("after booking: %q", got)
	}
	when := evalString(t, tab, `document.querySelector('.chosen time').textContent`)
	if !strings.Contains(when, "(America/Toronto)") || !strings.Contains(when, label) {
		t.Errorf("the session page shows %q, want %s in Toronto time", when, label)
	}
	var found bool
	for _, bk := range e.bookingsOf(t) {
		if bk.Status == "confirmed" && sameInstant(t, bk.Start, start) {
			found = true
		}
	}
	if !found {
		t.Errorf("no session at %s: %+v", start, e.bookingsOf(t))
	}
}

// TestPagesMovingWithoutJavaScript moves a session from its manage page
// with JavaScript off, in English on a desktop: the plain form picks a
// zone, a day and a time written by the server in that zone; a time
// taken meanwhile is refused on the form with its reason; after
// cancelling, the page offers to book again. With JavaScript on, the
// picker replaces the plain form.
func TestPagesMovingWithoutJavaScript(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	var booked bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": firstSlot(t, anon, e.link, "UTC"),
		"name": "Mo Plain", "email": "mo.plain@example.org"}, &booked); st != 201 {
		t.Fatalf("book: %d", st)
	}
	manage := e.s.base + booked.ManageURL[strings.Index(booked.ManageURL, "/manage/"):]
	tab := b.tab("Asia/Kolkata", "en-GB,en;q=0.9", 1280, 800, false)
	b.do(tab, "scripts off", scripts(false))
	b.do(tab, "open the manage page", chromedp.Navigate(manage), chromedp.WaitVisible(chromedp.CSS("#plain-move")))
	if evalBool(t, tab, `!document.getElementById('picker').hidden`) {
		t.Error("the script-only picker shows without JavaScript")
	}
	// The first day shown may hold a single time late in the mentor's
	// day (run in the evening, Paris time): wait for the first time.
	b.do(tab, "show the times in Toronto time", chromedp.SetValue(chromedp.CSS("#plain-tz"), "America/Toronto"),
		chromedp.Click(chromedp.CSS(".plain-zone button")), chromedp.WaitVisible(chromedp.CSS("#plain-start-0")))
	if got := evalString(t, tab, `document.querySelector('#plain-move legend').textContent`); !strings.Contains(got, "(America/Toronto)") {
		t.Errorf("the day's times are not in the chosen zone: %q", got)
	}
	if !strings.Contains(evalString(t, tab, `document.querySelector('.chosen time').textContent`), "(America/Toronto)") {
		t.Errorf("the session's time is not written in the chosen zone: %q", evalString(t, tab, `document.querySelector('.chosen time').textContent`))
	}
	b.do(tab, "pick the second day", chromedp.Click(chromedp.CSS(".plain-days li:nth-child(2) a")), chromedp.WaitVisible(chromedp.CSS("#plain-start-1")))
	taken := evalString(t, tab, `document.getElementById('plain-start-0').value`)
	target := evalString(t, tab, `document.getElementById('plain-start-1').value`)
	if !strings.HasSuffix(target, "-05:00") && !strings.HasSuffix(target, "-04:00") {
		t.Fatalf("time %s is not in Toronto time", target)
	}
	if evalBool(t, tab, `Array.from(document.querySelectorAll('.plain-times input')).some(i => new Date(i.value).getTime() === new Date('`+booked.Start+`').getTime())`) {
		t.Error("the session's own time is offered to move to")
	}
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": taken, "name": "Quick", "email": "quick@example.org"}, nil); st != 201 {
		t.Fatalf("book behind the page's back: %d", st)
	}
	b.do(tab, "move to the taken time", chromedp.Click(chromedp.CSS("label[for=plain-start-0]")),
		chromedp.Click(chromedp.CSS("#plain-move-button")), chromedp.WaitVisible(chromedp.CSS("#plain-error")))
	if got := evalString(t, tab, `document.getElementById('plain-error').textContent`); !strings.Contains(got, "just taken") {
		t.Errorf("the refusal reads %q", got)
	}
	if evalBool(t, tab, `document.querySelector('.plain-times input[value="`+taken+`"]') !== null`) {
		t.Error("the taken time is still offered")
	}
	b.do(tab, "axe needs scripts", scripts(true))
	checkAxe(t, tab, axeSource(t), "plain move form with an error (en, desktop, no JavaScript)")
	b.do(tab, "scripts off again", scripts(false))
	b.do(tab, "move", chromedp.Click(chromedp.CSS(`input[value="`+target+`"] + label`)),
		chromedp.Click(chromedp.CSS("#plain-move-button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	var moved bookingAnswer
	if e.admin.do("GET", "/api/v1/bookings/"+booked.ID, nil, &moved); !sameInstant(t, moved.Start, target) || moved.Sequence != 1 {
		t.Errorf("after moving to %s: %+v", target, moved)
	}
	// A second browser: one has three minutes, which a busy machine uses up.
	b = newBrowser(t)
	tab = b.tab("Asia/Kolkata", "en-GB,en;q=0.9", 1280, 800, false)
	b.do(tab, "scripts off", scripts(false))
	b.do(tab, "cancel", chromedp.Navigate(manage), typeInto("#reason", "Plans changed"), chromedp.Click(chromedp.CSS("#cancel-button")),
		chromedp.WaitVisible(chromedp.CSS(".status.cancelled")))
	if evalBool(t, tab, `document.getElementById('plain-move') !== null`) {
		t.Error("a cancelled session still offers to move")
	}
	rebook := evalString(t, tab, `document.getElementById('rebook') ? new URL(document.getElementById('rebook').href).pathname : ''`)
	if !strings.HasPrefix(rebook, "/book/") {
		t.Fatalf("no way to book again after cancelling: %q", rebook)
	}
	// Links carry BASE_URL, which the test server leaves at its default.
	b.do(tab, "book again", chromedp.Navigate(e.s.base+rebook), chromedp.WaitVisible(chromedp.CSS("#plain-book")))

	// With scripts, the picker replaces the plain form.
	var other bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": firstSlot(t, anon, e.link, "UTC"),
		"name": "Jo Script", "email": "jo.script@example.org"}, &other); st != 201 {
		t.Fatalf("book: %d", st)
	}
	js := b.tab("Asia/Kolkata", "en-GB,en;q=0.9", 1280, 800, false)
	b.do(js, "open the manage page with scripts", chromedp.Navigate(e.s.base+other.ManageURL[strings.Index(other.ManageURL, "/manage/"):]),
		chromedp.WaitVisible(chromedp.CSS(".slot")))
	if !evalBool(t, js, `document.getElementById('plain-move').hidden`) {
		t.Error("the plain move form still shows beside the picker")
	}
}
