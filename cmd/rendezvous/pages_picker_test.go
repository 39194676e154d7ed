package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// tabTo presses Tab until the focused element matches sel, as a keyboard
// user would reach it; it fails when the element is never reached.
func tabTo(t *testing.T, b *browser, ctx context.Context, sel string) {
	t.Helper()
	js := `(() => { const e = document.activeElement; return !!e && e.matches(` + jsQuote(sel) + `); })()`
	for i := 0; i < 400; i++ {
		if evalBool(t, ctx, js) {
			return
		}
		b.do(ctx, "tab", chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("%s is not reachable with Tab", sel)
}

func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// zoneOptions lists the zone list's options (data-zone) as shown now.
func zoneOptions(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return strings.Split(evalString(t, ctx, `Array.from(document.querySelectorAll('#tz-list [role=option]')).map(o => o.dataset.zone).join(' ')`), " ")
}

// searchZone types a query into the emptied zone box and returns the
// options it finds.
func searchZone(t *testing.T, b *browser, ctx context.Context, query string) []string {
	t.Helper()
	// Focusing the box selects its text, so typing replaces it.
	evalBool(t, ctx, `document.getElementById('tz').blur(), true`)
	b.do(ctx, "search "+query, chromedp.Focus(chromedp.CSS("#tz")), chromedp.KeyEvent(query), chromedp.WaitVisible(chromedp.CSS("#tz-list")))
	return zoneOptions(t, ctx)
}

// TestPagesZonePicker: the browser reports the obsolete Europe/Kiev; the
// picker shows Europe/Kyiv, puts it and the mentor's Paris first, finds
// zones by city, country and old or current name in both languages, with
// offsets; a chosen zone reloads the slots in it; night hours hide and the
// choice is remembered on the next visit and on the manage page; the week
// shows 7 columns at 1280 px.
func TestPagesZonePicker(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	tab := b.tab("Europe/Kiev", "en", 1280, 800, false)
	b.do(tab, "open booking page", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if z := evalString(t, tab, `document.getElementById('tz').dataset.zone`); z != "Europe/Kyiv" {
		t.Errorf("detected zone shown as %q, want the canonical Europe/Kyiv", z)
	}
	if v := evalString(t, tab, `document.getElementById('tz').value`); v != "Kyiv, Ukraine" {
		t.Errorf("zone box reads %q", v)
	}
	if now := evalString(t, tab, `document.getElementById('tz-now').textContent`); !strings.Contains(now, "(UTC+02:00)") {
		t.Errorf("current time line %q lacks Kyiv's offset", now)
	}
	if tops := evalString(t, tab, `String(new Set(Array.from(document.querySelectorAll('.day')).map(d => d.offsetTop)).size) + '/' + document.querySelectorAll('.day').length`); tops != "1/7" {
		t.Errorf("at 1280 px the week has rows/days %s, want 1/7", tops)
	}

	b.do(tab, "open the zone list", chromedp.Click(chromedp.CSS("#tz")), chromedp.WaitVisible(chromedp.CSS("#tz-list")))
	if all := zoneOptions(t, tab); len(all) < 400 || all[0] != "Europe/Kyiv" || all[1] != "Europe/Paris" {
		t.Errorf("zone list starts %v (%d zones), want Europe/Kyiv then the mentor's Europe/Paris", all[:3], len(all))
	}
	if got := evalString(t, tab, `document.querySelector('#tz-list [role=option]:nth-child(2)').textContent`); !strings.Contains(got, "Paris, France — your mentor's zone") ||
		!strings.Contains(got, "UTC+01:00") {
		t.Errorf("mentor's zone option reads %q", got)
	}
	for query, want := range map[string]string{
		"Kolkata": "Asia/Kolkata", "Calcutta": "Asia/Kolkata", "india": "Asia/Kolkata", "Kyiv": "Europe/Kyiv", "Kiev": "Europe/Kyiv",
		"Ho Chi Minh": "Asia/Ho_Chi_Minh", "saigon": "Asia/Ho_Chi_Minh", "Vietnam": "Asia/Ho_Chi_Minh", "São Paulo": "America/Sao_Paulo",
		"America/Toronto": "America/Toronto", "UTC+05:45": "Asia/Kathmandu", "Katmandu": "Asia/Kathmandu",
	} {
		if got := searchZone(t, b, tab, query); got[0] != want {
			t.Errorf("searching %q finds %v first, want %s", query, got[:min(3, len(got))], want)
		}
	}
	if got := searchZone(t, b, tab, "kolkata"); got[0] != "Asia/Kolkata" {
		t.Fatalf("searching kolkata finds %v", got)
	}
	screenshot(t, tab, "zone-picker")
	if got := evalString(t, tab, `document.querySelector('#tz-list [role=option]').textContent`); !strings.Contains(got, "UTC+05:30") {
		t.Errorf("Kolkata's option %q lacks its offset", got)
	}
	b.do(tab, "pick Kolkata with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitNotVisible(chromedp.CSS("#tz-list")))
	waitFor(t, 10*time.Second, func() bool {
		return pollBool(tab, `!!document.querySelector('.slot') && document.querySelector('.slot').dataset.start.endsWith('+05:30')`)
	}, func() string { return "slots in Kolkata time" })
	if z := evalString(t, tab, `document.getElementById('tz').dataset.zone`); z != "Asia/Kolkata" {
		t.Errorf("after picking, the zone is %q", z)
	}
	b.do(tab, "Escape keeps the zone", chromedp.Focus(chromedp.CSS("#tz")), chromedp.KeyEvent("xyz"), chromedp.KeyEvent(kb.Escape))
	if v := evalString(t, tab, `document.getElementById('tz').value`); v != "Kolkata, India" {
		t.Errorf("after Escape the zone box reads %q", v)
	}

	// Night hours: a Paris mentor open 08:00-20:00 is 01:00-13:00 for
	// Toronto in winter: the small hours are offered until hidden.
	night := `Array.from(document.querySelectorAll('.slot')).some(s => { const h = +s.dataset.start.slice(11, 13); return h < 7 || h >= 22; })`
	to := b.tab("America/Toronto", "fr-CA,fr", 1280, 800, false)
	b.do(to, "open booking page", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if !evalBool(t, to, night) {
		t.Fatal("no night slots to hide: the test's hours do not reach Toronto's night")
	}
	if got := searchZone(t, b, to, "Inde"); got[0] != "Asia/Kolkata" {
		t.Errorf("searching Inde in French finds %v", got[:3])
	}
	b.do(to, "close", chromedp.KeyEvent(kb.Escape), chromedp.Click(chromedp.CSS("#hide-night")))
	if evalBool(t, to, night) {
		t.Error("night slots still shown after hiding them")
	}
	if !evalBool(t, to, `document.querySelectorAll('.slot').length > 0`) {
		t.Error("hiding night hours hid every slot")
	}
	b.do(to, "come back", chromedp.Navigate(e.s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	if !evalBool(t, to, `document.getElementById('hide-night').checked`) || evalBool(t, to, night) {
		t.Error("the night-hours choice was not remembered")
	}
	anon := client{t: t, base: e.s.base}
	var booked bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": firstSlot(t, anon, e.link, "UTC"),
		"name": "Night Owl", "email": "owl@example.org"}, &booked); st != 201 {
		t.Fatalf("book: %d", st)
	}
	b.do(to, "open manage page", chromedp.Navigate(e.s.base+booked.ManageURL[strings.Index(booked.ManageURL, "/manage/"):]),
		chromedp.WaitVisible(chromedp.CSS(".slot")))
	if !evalBool(t, to, `document.getElementById('hide-night').checked`) || evalBool(t, to, night) {
		t.Error("the manage page's picker ignores the night-hours choice")
	}
	b.do(to, "show night hours again", chromedp.Click(chromedp.CSS("#hide-night")))
	if !evalBool(t, to, night) {
		t.Error("night slots did not come back")
	}
}

// TestPagesKeyboardOnly books, reschedules and cancels with Tab, Enter and
// Space only (and typing into fields), following the pages' own links.
func TestPagesKeyboardOnly(t *testing.T) {
	b := newBrowser(t)
	smtp := smtptest.StartServer(t, smtptest.Options{})
	addr := freeAddr(t)
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": pagesAdminToken,
		"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_ADDR": addr, "RENDEZVOUS_BASE_URL": "http://" + addr})
	t.Cleanup(func() { s.stop() })
	admin := client{t: t, base: s.base, token: pagesAdminToken}
	m := createMentor(t, admin, map[string]any{"timezone": "Europe/Paris"})
	e := pagesEnv{s: s, admin: admin, mentor: m, link: linkOf(*m.BookingURL), smtp: smtp}
	tab := b.tab("America/Toronto", "en", 1280, 800, false)

	b.do(tab, "open booking page", chromedp.Navigate(s.base+"/book/"+e.link), chromedp.WaitVisible(chromedp.CSS(".slot")))
	tabTo(t, b, tab, ".slot")
	start := evalString(t, tab, `document.activeElement.dataset.start`)
	b.do(tab, "choose with Space", chromedp.KeyEvent(" "), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	tabTo(t, b, tab, "#name")
	b.do(tab, "type the name", chromedp.KeyEvent("Kay Board"))
	tabTo(t, b, tab, "#email")
	b.do(tab, "type the address", chromedp.KeyEvent("kay@example.org"))
	tabTo(t, b, tab, "#confirm-button")
	b.do(tab, "confirm with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#done")))
	bookings := e.bookingsOf(t)
	if len(bookings) != 1 || !sameInstant(t, bookings[0].Start, start) {
		t.Fatalf("after booking by keyboard: %+v, want one at %s", bookings, start)
	}

	tabTo(t, b, tab, "#done-manage")
	b.do(tab, "follow the manage link with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".slot")))
	tabTo(t, b, tab, `.slot:not([data-start="`+start+`"])`)
	moveTo := evalString(t, tab, `document.activeElement.dataset.start`)
	b.do(tab, "choose with Space", chromedp.KeyEvent(" "), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	tabTo(t, b, tab, "#confirm-button")
	b.do(tab, "move with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if bookings = e.bookingsOf(t); !sameInstant(t, bookings[0].Start, moveTo) {
		t.Fatalf("after moving by keyboard: %+v, want %s", bookings, moveTo)
	}

	tabTo(t, b, tab, "#reason")
	b.do(tab, "type a reason", chromedp.KeyEvent("Keyboard broke"))
	tabTo(t, b, tab, "#cancel-button")
	b.do(tab, "cancel with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".status.cancelled")))
	if bookings = e.bookingsOf(t); bookings[0].Status != "cancelled" {
		t.Fatalf("after cancelling by keyboard: %+v", bookings)
	}
}
