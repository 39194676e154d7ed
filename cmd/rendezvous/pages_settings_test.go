package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPagesMentorSettingsAndFormErrors: a mentor changes their own
// settings from the mentor area, in French at phone width with the
// keyboard; a wrong entry keeps what was typed, names the field as the
// page shows it ("Samedi, première plage") and ties the message to the
// field; every state is axe-clean.
func TestPagesMentorSettingsAndFormErrors(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	axe := axeSource(t)
	tab := b.tab("Europe/Paris", "fr-FR,fr;q=0.9", 390, 844, true)
	b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "sign in", chromedp.Navigate(signinLink(t, e)), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#settings-heading")))
	checkAxe(t, tab, axe, "mentor settings (fr, phone)")

	// Hours typed the way people type them.
	b.do(tab, "type 9-12 on Saturday", chromedp.SetValue(chromedp.CSS("#hours-saturday"), "9-12"),
		chromedp.SetValue(chromedp.CSS("#overrides"), "2026-12-24"),
		chromedp.Click(chromedp.CSS(`form.hours button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#hours-saturday-error")))
	if got := evalString(t, tab, `document.getElementById('hours-saturday-error').textContent`); !strings.HasPrefix(got, "Samedi, première plage : ") ||
		!strings.Contains(got, "n'est pas une heure") {
		t.Errorf("the hours error reads %q", got)
	}
	if got := evalString(t, tab, `document.getElementById('hours-saturday').value`); got != "9-12" {
		t.Errorf("the form dropped what was typed: %q", got)
	}
	if got := evalString(t, tab, `document.getElementById('overrides').value`); got != "2026-12-24" {
		t.Errorf("the form dropped the typed dates: %q", got)
	}
	if !evalBool(t, tab, `(() => { const f = document.getElementById('hours-saturday');
		return f.getAttribute('aria-invalid') === 'true' && f.getAttribute('aria-describedby').split(' ').includes('hours-saturday-error'); })()`) {
		t.Error("the error is not tied to its field")
	}
	if evalBool(t, tab, `document.getElementById('hours-monday').hasAttribute('aria-invalid')`) {
		t.Error("a field without error is marked invalid")
	}
	checkAxe(t, tab, axe, "hours form with an error (fr, phone)")

	// Settings: a wrong number keeps the form as typed.
	b.do(tab, "a horizon of 0", chromedp.SetValue(chromedp.CSS("#settings-horizon-days"), "0"),
		chromedp.SetValue(chromedp.CSS("#settings-buffer-minutes"), "10"),
		chromedp.Click(chromedp.CSS(`form.settings button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#settings-horizon-days-error")))
	if got := evalString(t, tab, `document.getElementById('settings-horizon-days-error').textContent`); !strings.HasPrefix(got, "Horizon de réservation (jours) : doit être entre 1 et 365") {
		t.Errorf("the settings error reads %q", got)
	}
	if got := evalString(t, tab, `document.getElementById('settings-buffer-minutes').value`); got != "10" {
		t.Errorf("the settings form dropped what was typed: buffer %q", got)
	}
	checkAxe(t, tab, axe, "settings form with an error (fr, phone)")

	// Fix the horizon with the keyboard, choose a zone and a length,
	// turn public booking off, submit with Enter in a field.
	if !evalBool(t, tab, `document.getElementById('settings-public-booking').checked`) {
		t.Error("the form shown again lost the checked public booking box")
	}
	b.do(tab, "fix and submit with the keyboard",
		chromedp.Focus(chromedp.CSS("#settings-horizon-days")), chromedp.KeyEvent(kb.End+kb.Backspace+"14"),
		chromedp.SetValue(chromedp.CSS("#settings-timezone"), "America/Toronto"),
		chromedp.SetValue(chromedp.CSS("#settings-session-minutes"), "45"),
		chromedp.Click(chromedp.CSS("#settings-public-booking")),
		chromedp.Focus(chromedp.CSS("#settings-horizon-days")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	var m struct {
		Timezone       string  `json:"timezone"`
		SessionMinutes int     `json:"session_minutes"`
		HorizonDays    int     `json:"horizon_days"`
		BufferMinutes  int     `json:"buffer_minutes"`
		PublicBooking  bool    `json:"public_booking"`
		BookingURL     *string `json:"booking_url"`
	}
	e.admin.do("GET", "/api/v1/mentors/"+e.mentor.ID, nil, &m)
	if m.Timezone != "America/Toronto" || m.SessionMinutes != 45 || m.HorizonDays != 14 || m.BufferMinutes != 10 || m.PublicBooking || m.BookingURL != nil {
		t.Errorf("after saving the settings: %+v", m)
	}
	if got := evalString(t, tab, `document.querySelector('.notice').textContent`); !strings.Contains(got, "réglages sont enregistrés") {
		t.Errorf("notice %q", got)
	}
	if evalBool(t, tab, `document.querySelector('[aria-invalid=true]') !== null`) {
		t.Error("fields still marked invalid after saving")
	}
	checkAxe(t, tab, axe, "mentor area after saving (fr, phone)")
}
