package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// fetchStatus asks the page's origin for path with the tab's cookies and
// answers the status (redirects not followed).
func fetchStatus(t *testing.T, ctx context.Context, path string) int {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch(`+strconv.Quote(path)+`, {redirect: 'manual'}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	return int(out)
}

// figureOf reads the whole number an element shows.
func figureOf(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(evalString(t, ctx, `document.querySelector(`+strconv.Quote(sel)+`).textContent`)))
	if err != nil {
		t.Fatalf("%s shows no number: %v", sel, err)
	}
	return n
}

// clearInput empties a field before typeInto fills it again.
func clearInput(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + strconv.Quote(sel) + `).value = ''`)
}

// loaded waits until the page at an address containing part has loaded
// (a form's answer, rather than the page the form was on); while the page
// navigates, asking it fails, which only means "not yet".
func loaded(part string) chromedp.Action[chromedp.Void] {
	js := `location.href.includes(` + strconv.Quote(part) + `) && document.readyState === 'complete'`
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(20 * time.Second)
		for !pollBool(ctx, js) {
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("no page at an address with %q within 20 s", part)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return chromedp.Void{}, nil
	}
}

// TestConsoleInBrowser drives the staff console in headless Chromium on
// both databases: a coordinator signs in by the mailed link; the
// dashboard's figures agree with the API; a mentee search; a new mentor
// whose refused address stays on its field with what was typed; a
// reassignment through the mentor search and its preview; an import
// checked with its problems by line, then run; staff management refused
// to a coordinator; and a signed-in mentor refused everywhere in /staff.
func TestConsoleInBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		e := startPagesOn(t, db)
		grace := e.mentor.ID
		hopper := createMentor(t, e.admin, map[string]any{"name": "Hopper Free", "email": "hopper@example.org", "max_mentees": 5})
		createMentor(t, e.admin, map[string]any{"name": "Idle Nohours", "email": "idle@example.org", "max_mentees": 1, "weekly_hours": []any{}})
		zoe, _ := newMentee(t, e.admin, "zoe", grace)
		newMentee(t, e.admin, "yan", grace)
		anon := client{t: t, base: e.s.base}
		var b bookingAnswer
		zoeLink := linkOf(*zoe.BookingURL)
		if st := anon.do("POST", "/api/v1/book/"+zoeLink+"/bookings", map[string]string{"start": firstSlot(t, anon, zoeLink, "UTC")}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora Coordinator", "email": "cora@example.org", "role": "coordinator"}, nil); st != 201 {
			t.Fatalf("add a coordinator: %d", st)
		}
		br := newBrowser(t)
		staffPaths := []string{"/staff", "/staff/team", "/staff/mentors", "/staff/mentors/new", "/staff/mentors/" + grace,
			"/staff/mentees", "/staff/mentees/new", "/staff/mentees/" + zoe.ID, "/staff/import", "/staff/statements"}

		// A signed-in mentor is refused everywhere in the console.
		mt := br.tab("Europe/Paris", "en", 1280, 800, false)
		br.do(mt, "mentor sign-in", chromedp.Navigate(e.s.base+"/mentor/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
			typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
		br.do(mt, "follow the mentor's link", chromedp.Navigate(signinLink(t, e)), chromedp.WaitVisible(chromedp.CSS("#signin-button")),
			chromedp.Click(chromedp.CSS("#signin-button")), chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
		for _, p := range staffPaths {
			if st := fetchStatus(t, mt, p); st != 403 {
				t.Errorf("a mentor on %s: %d, want 403", p, st)
			}
		}
		br.do(mt, "a mentor opens the console", chromedp.Navigate(e.s.base+"/staff"), chromedp.WaitVisible(chromedp.CSS("h1")))
		if body := evalString(t, mt, `document.body.textContent`); !strings.Contains(body, "/mentor") || strings.Contains(body, "zoe@example.org") {
			t.Errorf("a mentor's console page does not send them to their area, or shows data")
		}

		// The coordinator signs in by the mailed link.
		tab := br.tab("Europe/Paris", "en", 1280, 800, false)
		br.do(tab, "staff sign-in", chromedp.Navigate(e.s.base+"/staff/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
			typeInto("#email", "Cora@Example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
		br.do(tab, "follow the console link", chromedp.Navigate(staffSigninLink(t, e, "cora@example.org", 1)),
			chromedp.WaitVisible(chromedp.CSS("#signin-button")), chromedp.Click(chromedp.CSS("#signin-button")),
			chromedp.WaitVisible(chromedp.CSS("#mentor-load")))

		// The dashboard's figures are the API's.
		var loads struct {
			Caseloads []struct {
				ActiveMentees  int `json:"active_mentees"`
				MaxMentees     int `json:"max_mentees"`
				AvailablePlace int `json:"available_places"`
				Mentees        []struct {
					LastSession any `json:"last_session"`
					NextSession any `json:"next_session"`
				} `json:"mentees"`
			} `json:"caseloads"`
		}
		if st := e.admin.do("GET", "/api/v1/caseloads", nil, &loads); st != 200 {
			t.Fatalf("caseloads: %d", st)
		}
		active, never, full := 0, 0, 0
		for _, c := range loads.Caseloads {
			active += c.ActiveMentees
			if c.ActiveMentees >= c.MaxMentees {
				full++
			}
			for _, m := range c.Mentees {
				if m.LastSession == nil && m.NextSession == nil {
					never++
				}
			}
		}
		var overdue menteeListAnswer
		e.admin.do("GET", "/api/v1/mentees?overdue=true&limit=200", nil, &overdue)
		for sel, want := range map[string]int{"#fig-active": active, "#count-never": never, "#count-full": full,
			"#count-overdue": len(overdue.Mentees), "#count-no-hours": 1} {
			if got := figureOf(t, tab, sel); got != want {
				t.Errorf("dashboard %s = %d, the API says %d", sel, got, want)
			}
		}
		if active != 2 || never != 1 {
			t.Errorf("the fixture: %d active, %d never booked", active, never)
		}
		if evalBool(t, tab, `!!document.querySelector('a[href="/staff/team"]')`) {
			t.Error("a coordinator is offered staff management")
		}
		screenshot(t, tab, "console-dashboard")

		// Staff management is refused to a coordinator.
		if st := fetchStatus(t, tab, "/staff/team"); st != 403 {
			t.Errorf("staff management for a coordinator: %d, want 403", st)
		}
		br.do(tab, "a coordinator opens staff management", chromedp.Navigate(e.s.base+"/staff/team"), chromedp.WaitVisible(chromedp.CSS("h1")))
		if evalBool(t, tab, `!!document.getElementById('staff-table') || !!document.getElementById('staff-email')`) {
			t.Error("a coordinator sees staff management")
		}

		// Search mentees by part of the address, in capitals.
		br.do(tab, "search mentees", chromedp.Navigate(e.s.base+"/staff/mentees"), chromedp.WaitVisible(chromedp.CSS("#q")),
			typeInto("#q", "ZOE@EX"), chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)), loaded("q=ZOE"),
			chromedp.WaitVisible(chromedp.CSS("#mentees-table")))
		if rows := evalString(t, tab, `Array.from(document.querySelectorAll('#mentees-table tbody tr')).map(r => r.textContent).join('|')`); !strings.Contains(rows, "zoe@example.org") || strings.Contains(rows, "yan@") {
			t.Errorf("the search for ZOE@EX shows %q", rows)
		}
		br.do(tab, "all mentees", chromedp.Navigate(e.s.base+"/staff/mentees"), chromedp.WaitVisible(chromedp.CSS("#mentees-table")))
		screenshot(t, tab, "console-mentees")

		// A new mentor: a taken address is refused on its field, with
		// what was typed kept; then added.
		br.do(tab, "new mentor form", chromedp.Navigate(e.s.base+"/staff/mentors"), chromedp.WaitVisible(chromedp.CSS("#new-mentor-link")),
			chromedp.Click(chromedp.CSS("#new-mentor-link")), chromedp.WaitVisible(chromedp.CSS("#new-mentor-name")),
			typeInto("#new-mentor-name", "Lin Newcomer"), typeInto("#new-mentor-email", "GRACE@example.org"),
			clearInput("#new-mentor-max-mentees"), typeInto("#new-mentor-max-mentees", "4"),
			chromedp.Click(chromedp.CSS("#new-mentor-submit")), chromedp.WaitVisible(chromedp.CSS("#new-mentor-email-error")))
		if got := evalString(t, tab, `[document.getElementById('new-mentor-name').value, document.getElementById('new-mentor-email').value,
			document.getElementById('new-mentor-max-mentees').value, document.getElementById('new-mentor-email').getAttribute('aria-invalid')].join('|')`); got != "Lin Newcomer|GRACE@example.org|4|true" {
			t.Errorf("the refused form shows %q", got)
		}
		br.do(tab, "add the mentor", clearInput("#new-mentor-email"), typeInto("#new-mentor-email", "lin@example.org"),
			chromedp.Click(chromedp.CSS("#new-mentor-submit")), loaded("done=mentor_created"), chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
		var mentors struct {
			Mentors []struct {
				Name       string `json:"name"`
				Email      string `json:"email"`
				MaxMentees int    `json:"max_mentees"`
			} `json:"mentors"`
		}
		e.admin.do("GET", "/api/v1/mentors", nil, &mentors)
		found := false
		for _, m := range mentors.Mentors {
			found = found || (m.Name == "Lin Newcomer" && m.Email == "lin@example.org" && m.MaxMentees == 4)
		}
		if !found || len(mentors.Mentors) != 4 {
			t.Errorf("after adding a mentor in the console: %+v", mentors.Mentors)
		}

		// Reassign Zoe: find Hopper, see the preview, confirm.
		br.do(tab, "find a mentor for zoe", chromedp.Navigate(e.s.base+"/staff/mentees/"+zoe.ID), chromedp.WaitVisible(chromedp.CSS("#mentor-q")),
			typeInto("#mentor-q", "hopper"), chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)), loaded("q=hopper"),
			chromedp.WaitVisible(chromedp.CSS("#mentor-choices a")))
		br.do(tab, "preview", chromedp.Click(chromedp.CSS(`#mentor-choices a[href$="`+hopper.ID+`"]`)), loaded("to="),
			chromedp.WaitVisible(chromedp.CSS("#reassign-preview")))
		if moves, cancels := figureOf(t, tab, "#preview-moves"), figureOf(t, tab, "#preview-cancels"); moves != 1 || cancels != 0 {
			t.Errorf("the preview to Hopper: %d moved, %d cancelled; want the one session moved", moves, cancels)
		}
		br.do(tab, "show the preview", chromedp.ScrollIntoView(chromedp.CSS("#reassign-heading")))
		screenshot(t, tab, "console-reassign")
		br.do(tab, "confirm", chromedp.Click(chromedp.CSS("#confirm-reassign")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		var moved menteeAnswer
		e.admin.do("GET", "/api/v1/mentees/"+zoe.ID, nil, &moved)
		var after bookingAnswer
		e.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &after)
		if moved.MentorID != hopper.ID || after.MentorID != hopper.ID || after.Status != "confirmed" {
			t.Errorf("after the reassignment: mentee's mentor %s, session's %s (%s)", moved.MentorID, after.MentorID, after.Status)
		}

		// Import: a dry run lists every problem by line and creates
		// nothing; the corrected file is imported.
		bad := "name,email,timezone,mentor_email\nAda Import,ada.i@example.org,Europe/London,hopper@example.org\nBad Zone,bz@example.org,Mars/Olympus,\nYan Again,YAN@example.org,UTC,grace@example.org\n"
		br.do(tab, "check a file with problems", chromedp.Navigate(e.s.base+"/staff/import"), chromedp.WaitVisible(chromedp.CSS("#csv-text")),
			typeInto("#csv-text", bad), chromedp.Click(chromedp.CSS("#import-check")), chromedp.WaitVisible(chromedp.CSS("#import-errors")))
		if n := figureOf(t, tab, "#import-error-count"); n != 2 {
			t.Errorf("the dry run lists %d problems, want 2", n)
		}
		if lines := evalString(t, tab, `Array.from(document.querySelectorAll('#import-errors tbody tr')).map(r => r.cells[0].textContent.trim()).join(',')`); lines != "3,4" {
			t.Errorf("the problems are on lines %q, want 3,4", lines)
		}
		if evalString(t, tab, `document.getElementById('csv-text').value`) != bad {
			t.Error("the file's text is not kept after the check")
		}
		br.do(tab, "show the problems", chromedp.ScrollIntoView(chromedp.CSS("#import-report")))
		screenshot(t, tab, "console-import")
		var none menteeListAnswer
		if e.admin.do("GET", "/api/v1/mentees?q=import", nil, &none); len(none.Mentees) != 0 {
			t.Fatalf("a dry run created %d mentees", len(none.Mentees))
		}
		fixed := "name,email,timezone,mentor_email\nAda Import,ada.i@example.org,Europe/London,hopper@example.org\nBea Import,bea.i@example.org,Europe/Paris,\n"
		br.do(tab, "import the fixed file", clearInput("#csv-text"), typeInto("#csv-text", fixed),
			chromedp.Click(chromedp.CSS("#import-run")), chromedp.WaitVisible(chromedp.CSS("#import-created")))
		if n := figureOf(t, tab, "#import-created"); n != 2 {
			t.Errorf("the import created %d, want 2", n)
		}
		var imported menteeListAnswer
		if e.admin.do("GET", "/api/v1/mentees?q=import", nil, &imported); len(imported.Mentees) != 2 {
			t.Errorf("after the import the API lists %d imported mentees", len(imported.Mentees))
		}
	})
}

// TestConsoleFormErrorsAccessibility runs axe-core on the console's forms
// shown again with a refusal on their field (a taken address: a mentor's,
// a staff member's).
func TestConsoleFormErrorsAccessibility(t *testing.T) {
	axe := axeSource(t)
	e := startPages(t)
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Ada Admin", "email": "ada.admin@example.org", "role": "admin"}, nil); st != 201 {
		t.Fatalf("add a staff admin: %d", st)
	}
	b := newBrowser(t)
	tab := b.tab("Europe/Paris", "fr", 390, 844, true)
	b.do(tab, "staff sign-in", chromedp.Navigate(e.s.base+"/staff/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", "ada.admin@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "follow the console link", chromedp.Navigate(staffSigninLink(t, e, "ada.admin@example.org", 1)),
		chromedp.WaitVisible(chromedp.CSS("#signin-button")), chromedp.Click(chromedp.CSS("#signin-button")), chromedp.WaitVisible(chromedp.CSS("#mentor-load")))
	b.do(tab, "a taken address", chromedp.Navigate(e.s.base+"/staff/mentors/new"), chromedp.WaitVisible(chromedp.CSS("#new-mentor-name")),
		typeInto("#new-mentor-name", "Lin"), typeInto("#new-mentor-email", "grace@example.org"),
		chromedp.Click(chromedp.CSS("#new-mentor-submit")), chromedp.WaitVisible(chromedp.CSS("#new-mentor-email-error")))
	checkAxe(t, tab, axe, "console new mentor with an error on a field")
	checkFits(t, tab, "console new mentor with an error on a field")
	b.do(tab, "a staff member's taken address", chromedp.Navigate(e.s.base+"/staff/team"), chromedp.WaitVisible(chromedp.CSS("#staff-name")),
		typeInto("#staff-name", "Ada Bis"), typeInto("#staff-email", "ADA.admin@example.org"),
		chromedp.Click(chromedp.CSS("#staff-submit")), chromedp.WaitVisible(chromedp.CSS("#staff-email-error")))
	checkAxe(t, tab, axe, "console staff management with an error on a field")
	checkFits(t, tab, "console staff management with an error on a field")
}
