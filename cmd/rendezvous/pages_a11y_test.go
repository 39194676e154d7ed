package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// Accessibility checks: axe-core (installed by .ci/run into .ci/npm, read
// from disk: no network at test time) runs in the page under test.

// axeSource is axe-core's browser bundle.
func axeSource(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", ".ci", "npm", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(path)
	if err != nil {
		storetest.Unavailable(t, "axe-core is not installed (bash .ci/run installs it into .ci/npm): accessibility checks skipped")
	}
	return string(src)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target         []any  `json:"target"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// checkAxe runs every axe rule (WCAG 2.0–2.2 A/AA and best practices) on
// the page as it is now and fails the test on any violation.
func checkAxe(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if !evalBool(t, ctx, `typeof window.axe === 'object'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe+";true")); err != nil {
			t.Fatalf("%s: inject axe-core: %v", what, err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", what, err)
	}
	var res struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%s: axe answer %s: %v", what, out, err)
	}
	if res.Passes < 10 {
		t.Fatalf("%s: axe-core checked only %d rules: it did not really run", what, res.Passes)
	}
	if os.Getenv("RENDEZVOUS_AXE_VERBOSE") == "1" {
		t.Logf("%s: %d rules pass, %d violated", what, res.Passes, len(res.Violations))
	}
	for _, v := range res.Violations {
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				nodes = append(nodes, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			nodes = append(nodes, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.FailureSummary, "\n", " ")))
		}
		t.Errorf("%s: axe %s (%s): %s\n    %s", what, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n    "))
	}
}

// checkFits fails when the page scrolls sideways (content cut off on a phone).
func checkFits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if !evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
		wide := evalString(t, ctx, `Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
			.slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).join(', ')`)
		t.Errorf("%s: the page is wider than the %s screen: %s", what, evalString(t, ctx, `String(window.innerWidth)`), wide)
	}
}

// focusRingJS checks the focused element's ring: drawn, at least 2 px,
// and 3:1 against the background it is drawn on. It answers "" or why not.
const focusRingJS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing focused';
  const s = getComputedStyle(el);
  const name = el.tagName + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '');
  if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return name + ': no focus ring (' + s.outline + ')';
  const rgb = c => c.match(/[\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let p = el.parentElement, bg = 'rgb(255, 255, 255)';
  for (; p; p = p.parentElement) { const c = getComputedStyle(p).backgroundColor; if (rgb(c).length < 4 || rgb(c)[3] > 0) { bg = c; break; } }
  const a = lum(s.outlineColor), b = lum(bg);
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return ratio >= 3 ? '' : name + ': focus ring ' + s.outlineColor + ' on ' + bg + ' is ' + ratio.toFixed(2) + ':1';
})()`

// checkFocusRings tabs through the first stops of the page and checks
// each one's focus ring.
func checkFocusRings(t *testing.T, b *browser, ctx context.Context, stops int, what string) {
	t.Helper()
	for i := 0; i < stops; i++ {
		b.do(ctx, "tab", chromedp.KeyEvent(kb.Tab))
		if why := evalString(t, ctx, focusRingJS); why != "" && why != "nothing focused" {
			t.Errorf("%s, tab stop %d: %s", what, i+1, why)
		}
	}
}

// TestPagesAccessibility runs axe-core on every page, in English and
// French, on a phone (390×844) and a desktop (1280×800), and checks that
// nothing scrolls sideways and that focus rings show.
func TestPagesAccessibility(t *testing.T) {
	axe := axeSource(t)
	e := startPages(t)
	anon := client{t: t, base: e.s.base}

	// Sessions to show: one upcoming, one cancelled.
	book := func(name string, i int) bookingAnswer {
		slots := slotsOf(t, anon, e.link, "Europe/Paris")
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": slots[i], "name": name,
			"email": strings.ToLower(strings.Fields(name)[0]) + "@example.org", "note": "Could we look at my CV?"}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		return b
	}
	upcoming := book("Ada Lovelace", 4)
	cancelled := book("Bob Cancelled", 8)
	if st := e.admin.do("POST", "/api/v1/bookings/"+cancelled.ID+"/cancel", map[string]string{"reason": "Ill"}, nil); st != 200 {
		t.Fatalf("cancel: %d", st)
	}
	managePath := func(b bookingAnswer) string { return b.ManageURL[strings.Index(b.ManageURL, "/manage/"):] }
	// A session that is over, with a report, and its mentee's next one
	// that is over too, without: the report form and the history.
	reported, unreported := book("Carl Past", 12), book("Carl Past", 16)
	pastDB := openDB(t, e.db)
	shiftSession(t, pastDB, reported.ID, time.Now().Add(-8*24*time.Hour), 30)
	shiftSession(t, pastDB, unreported.ID, time.Now().Add(-3*time.Hour), 30)
	if code := e.admin.do("POST", "/api/v1/bookings/"+reported.ID+"/report", map[string]string{"outcome": "completed",
		"notes": "Private: shy.", "summary": "We did the CV.\nNext: the cover letter."}, nil); code != 200 {
		t.Fatalf("report: %d", code)
	}
	const staffAdmin = "ada.admin@example.org"
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Ada Admin", "email": staffAdmin, "role": "admin"}, nil); st != 201 {
		t.Fatalf("add a staff admin: %d", st)
	}
	second := createMentor(t, e.admin, map[string]any{"name": "Hopper Second", "email": "hopper.second@example.org", "max_mentees": 3})
	for _, c := range []string{"Cora Coordinator", "Dan Coordinator"} {
		e.admin.do("POST", "/api/v1/staff", map[string]any{"name": c, "email": strings.ToLower(strings.Fields(c)[0]) + "@example.org", "role": "coordinator"}, nil)
	}

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
				open := func(path, wait string) {
					t.Helper()
					b.do(tab, "open "+path, chromedp.Navigate(e.s.base+path), chromedp.WaitVisible(chromedp.CSS(wait)))
				}

				open("/book/"+e.link, ".slot")
				check("booking page")
				if size.mobile {
					checkFocusRings(t, b, tab, 12, "booking page")
				}
				b.do(tab, "search a zone", chromedp.Click(chromedp.CSS("#tz")), typeInto("#tz", "Kolkata"),
					chromedp.WaitVisible(chromedp.CSS("#tz-list [role=option]")))
				check("booking page, zone list open")
				b.do(tab, "close the zone list", chromedp.KeyEvent(kb.Escape))
				b.do(tab, "choose a slot", chromedp.Click(chromedp.CSS(".slot")), chromedp.WaitVisible(chromedp.CSS("#confirm")),
					chromedp.Click(chromedp.CSS("#confirm-button")), chromedp.WaitVisible(chromedp.CSS("#form-error")))
				check("booking form with errors")
				b.do(tab, "book", typeInto("#name", "Zoé "+lang+size.name),
					typeInto("#email", "zoe-"+lang+size.name+"@example.org"),
					chromedp.Click(chromedp.CSS("#confirm-button")), chromedp.WaitVisible(chromedp.CSS("#done")))
				check("confirmation")

				open(managePath(upcoming), ".slot")
				check("manage page")
				open(managePath(upcoming)+"?done=rescheduled", ".notice")
				check("manage page with a notice")
				open(managePath(cancelled), ".status.cancelled")
				check("manage page of a cancelled session")

				open("/book/no-such-link", "h1")
				check("404 page")

				open("/mentor/signin", "#email")
				check("mentor sign-in")
				mails := len(e.smtp.Messages())
				b.do(tab, "ask for a link", typeInto("#email", "grace@example.org"),
					chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
				check("mentor sign-in, link sent")
				eventually(t, 20*time.Second, "the sign-in mail", func() bool { return len(e.smtp.Messages()) > mails })
				b.do(tab, "follow the link", chromedp.Navigate(signinLink(t, e)), chromedp.WaitVisible(chromedp.CSS("#signin-button")))
				check("mentor sign-in confirmation")
				b.do(tab, "sign in", chromedp.Click(chromedp.CSS("#signin-button")), chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
				check("mentor area")
				if !size.mobile {
					checkFocusRings(t, b, tab, 25, "mentor area")
				}
				open("/mentor?done=hours", ".notice")
				check("mentor area with a notice")
				open("/mentor/sessions/"+upcoming.ID, "#cancel-button")
				check("mentor session page")
				open("/mentor/sessions/"+cancelled.ID, ".status.cancelled")
				check("mentor session page of a cancelled session")
				open("/mentor/sessions/"+unreported.ID, "#report-button")
				check("mentor session page with the report form and history")
				open("/mentor/sessions/"+reported.ID+"?done=report", "#filed-report")
				check("mentor session page with a filed report")
				open("/mentor/statements", "#figure-completed")
				check("monthly statement")
				open("/mentor/sessions/no-such-session", "h1")
				check("mentor area 404 page")

				// The staff console, in a browser of its own: one has three
				// minutes, which a busy machine used up before the console.
				b = newBrowser(t)
				tab = b.tab("America/Toronto", lang, size.width, size.height, size.mobile)
				open("/staff/signin", "#email")
				check("staff sign-in")
				sent := len(staffLinks(t, e, staffAdmin))
				b.do(tab, "ask for a console link", typeInto("#email", staffAdmin),
					chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
				b.do(tab, "follow the console link", chromedp.Navigate(staffSigninLink(t, e, staffAdmin, sent+1)),
					chromedp.WaitVisible(chromedp.CSS("#signin-button")))
				b.do(tab, "sign in to the console", chromedp.Click(chromedp.CSS("#signin-button")), chromedp.WaitVisible(chromedp.CSS("#mentor-load")))
				check("console dashboard")
				open("/staff/team?done=staff_added", ".notice")
				check("console staff management")
				if !size.mobile {
					checkFocusRings(t, b, tab, 12, "console staff management")
				}
				open("/staff/mentors?load=free", "#mentors-table")
				check("console mentors")
				open("/staff/mentors/"+e.mentor.ID+"?done=mentor_saved", "#caseload-table")
				check("console mentor page")
				open("/staff/mentees?overdue=true", "#mentees-list")
				check("console mentees, overdue filter")
				open("/staff/mentees?q=ada", "#mentees-table")
				check("console mentee search")
				open("/staff/mentees/"+upcoming.MenteeID+"?q=hopper", "#mentor-choices")
				check("console mentee page, mentor search")
				open("/staff/mentees/"+upcoming.MenteeID+"?to="+second.ID, "#reassign-preview")
				check("console reassignment preview")
				open("/staff/mentees/new", "#assign-email")
				check("console new mentee")
				open("/staff/mentors/new", "#new-mentor-name")
				check("console new mentor")
				open("/staff/import", "#csv-text")
				check("console import")
				b.do(tab, "check a file with problems", typeInto("#csv-text", "name,email,timezone\nZed,not-an-address,UTC\n"),
					chromedp.Click(chromedp.CSS("#import-check")), chromedp.WaitVisible(chromedp.CSS("#import-errors")))
				check("console import with problems")
			})
		}
	}
}
