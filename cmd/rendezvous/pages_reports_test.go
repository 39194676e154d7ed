package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signInMentor signs the tab in as the pages' mentor through the mailed
// link.
func signInMentor(t *testing.T, b *browser, tab context.Context, e pagesEnv) {
	t.Helper()
	b.do(tab, "ask for a link", chromedp.Navigate(e.s.base+"/mentor"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", "grace@example.org"), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "follow the link", chromedp.Navigate(signinLink(t, e)), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
}

// TestPagesSessionReport: in Chromium, the mentor sees the session that
// is over among the reports to file, files its report from its page
// (outcome, private notes, summary), the mentee receives the summary by
// mail and not the notes, the mentee's next session shows it in the
// history, and the month's statement counts it, the mentor's and the
// console's.
func TestPagesSessionReport(t *testing.T) {
	b := newBrowser(t)
	e := startPages(t)
	anon := client{t: t, base: e.s.base}
	slots := slotsOf(t, anon, e.link, "UTC")
	book := func(start string) bookingAnswer {
		var out bookingAnswer
		if code := anon.do("POST", "/api/v1/book/"+e.link+"/bookings", map[string]string{"start": start, "name": "Zoé Report",
			"email": "zoe.report@example.org"}, &out); code != 201 {
			t.Fatalf("book: %d", code)
		}
		return out
	}
	past, next := book(slots[0]), book(slots[4])
	st := openDB(t, e.db)
	shiftSession(t, st, past.ID, time.Now().Add(-3*time.Hour), 30)

	tab := b.tab("Europe/Paris", "en", 1100, 900, false)
	signInMentor(t, b, tab, e)
	b.do(tab, "open the past session from the reports to file", chromedp.Click(chromedp.CSS(`#unreported a`)),
		chromedp.WaitVisible(chromedp.CSS("#report-missing")))
	if got := evalString(t, tab, `location.pathname`); got != "/mentor/sessions/"+past.ID {
		t.Fatalf("the report to file links %s", got)
	}
	const summary = "We rewrote your CV together.\nNext: send it to two companies."
	b.do(tab, "file the report", chromedp.SetValue(chromedp.CSS("#outcome"), "completed"),
		typeInto("#notes", "Private: very shy at first."),
		chromedp.SetValue(chromedp.CSS("#summary"), summary),
		chromedp.Click(chromedp.CSS("#report-button")), chromedp.WaitVisible(chromedp.CSS("#filed-report")))
	if got := evalString(t, tab, `document.getElementById('report-outcome').textContent`); got != "held" {
		t.Errorf("filed outcome shows %q", got)
	}
	if got := evalString(t, tab, `document.getElementById('notes').value`); got != "Private: very shy at first." {
		t.Errorf("notes after filing: %q", got)
	}
	screenshot(t, tab, "session-report")
	eventually(t, 20*time.Second, "the summary mail", func() bool { return len(mailsTo(t, e.smtp, "zoe.report@example.org", "send it to two companies")) == 1 })
	mail := mailsTo(t, e.smtp, "zoe.report@example.org", "send it to two companies")[0]
	if strings.Contains(mail, "very shy") || !strings.Contains(mail, "/book/") {
		t.Errorf("summary mail: %s", mail)
	}

	b.do(tab, "open the next session", chromedp.Navigate(e.s.base+"/mentor/sessions/"+next.ID), chromedp.WaitVisible(chromedp.CSS("#history-heading")))
	if got := evalString(t, tab, `document.querySelector('ol.history').textContent`); !strings.Contains(got, "send it to two companies") || !strings.Contains(got, "very shy") {
		t.Errorf("history on the next session: %q", got)
	}

	b.do(tab, "open the statement", chromedp.Navigate(e.s.base+"/mentor"), chromedp.Click(chromedp.CSS("#statement-link")),
		chromedp.WaitVisible(chromedp.CSS("#figure-completed")))
	if got := evalString(t, tab, `document.getElementById('figure-completed').textContent + '/' + document.getElementById('figure-minutes').textContent + '/' + document.getElementById('figure-unreported').textContent`); got != "1/30/0" {
		t.Errorf("statement figures completed/minutes/unreported: %s", got)
	}
	screenshot(t, tab, "statement")
	csvPath := evalString(t, tab, `document.querySelector('a[download]').getAttribute('href')`)
	var mentor statementAnswer
	e.admin.do("GET", "/api/v1/statements?mentor_id="+e.mentor.ID+"&"+csvPath[strings.Index(csvPath, "?")+1:], nil, &mentor)
	if len(mentor.Mentors) != 1 || mentor.Mentors[0].Completed != 1 || mentor.Mentors[0].Minutes != 30 {
		t.Errorf("the page's month through the API: %+v", mentor)
	}

	// Staff see it on the console's statement of the same month.
	const admin = "ada.admin@example.org"
	if code := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Ada Admin", "email": admin, "role": "admin"}, nil); code != 201 {
		t.Fatalf("add a staff admin: %d", code)
	}
	b.do(tab, "ask for a console link", chromedp.Navigate(e.s.base+"/staff/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", admin), chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(tab, "sign in to the console", chromedp.Navigate(staffSigninLink(t, e, admin, 1)), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#mentor-load")))
	b.do(tab, "open the staff statement", chromedp.Navigate(e.s.base+"/staff/statements?"+csvPath[strings.Index(csvPath, "?")+1:]),
		chromedp.WaitVisible(chromedp.CSS("#statement-table")))
	row := `document.querySelector('tr[data-mentor="` + e.mentor.ID + `"]')`
	if got := evalString(t, tab, row+`.cells[2].textContent + '/' + `+row+`.cells[3].textContent + '/' + `+row+`.cells[7].textContent`); got != "1/30/0" {
		t.Errorf("the staff statement's row completed/minutes/unreported: %s", got)
	}
}
