package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// statementFixture books sessions for two mentors and moves them into a
// month that is over everywhere (two months back): the pages' mentor
// (Europe/Paris) has one held 45-minute session, one no-show and one
// still unreported; a second mentor (Asia/Tokyo) one held session. It
// returns that month and the unreported session.
func statementFixture(t *testing.T, e pagesEnv) (month string, unreported string) {
	t.Helper()
	anon := client{t: t, base: e.s.base}
	st := openDB(t, e.db)
	m := time.Now().UTC().AddDate(0, -2, 0)
	day := time.Date(m.Year(), m.Month(), 10, 9, 0, 0, 0, time.UTC)
	book := func(link, email string, i int) string {
		var b bookingAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slotsOf(t, anon, link, "UTC")[i],
			"name": "Zoé Statement", "email": email}, &b); code != 201 {
			t.Fatalf("book: %d", code)
		}
		return b.ID
	}
	held, noShow, open := book(e.link, "zoe.statement@example.org", 0), book(e.link, "zoe.statement@example.org", 2), book(e.link, "zoe.statement@example.org", 4)
	other := createMentor(t, e.admin, map[string]any{"name": "Kenji Tokyo", "email": "kenji@example.org", "timezone": "Asia/Tokyo",
		"max_mentees": 3})
	otherHeld := book(linkOf(*other.BookingURL), "yui@example.org", 0)
	for i, id := range []string{held, noShow, open, otherHeld} {
		shiftSession(t, st, id, day.Add(time.Duration(i)*24*time.Hour), 45)
	}
	for id, outcome := range map[string]string{held: "completed", noShow: "no_show", otherHeld: "completed"} {
		if code := e.admin.do("POST", "/api/v1/bookings/"+id+"/report", map[string]string{"outcome": outcome}, nil); code != 200 {
			t.Fatalf("report %s: %d", outcome, code)
		}
	}
	return m.Format("2006-01"), open
}

// postFormStatus posts a form of page to target with the page's CSRF
// token and returns the final status and body.
func postFormStatus(t *testing.T, c *http.Client, page, target string) (int, string) {
	t.Helper()
	_, body := getPage(t, c, page)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on %s", page)
	}
	res, err := c.PostForm(target, url.Values{"_csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// TestStaffStatementPage drives the console's statement page without a
// browser, as a coordinator: every mentor's figures and the totals for a
// month, the CSV behind its link, closing only through the confirmation
// and only once the month is over everywhere (each refusal a clear
// message and nothing closed), the month locked afterwards with its CSV
// unchanged; a signed-in mentor is refused the page.
func TestStaffStatementPage(t *testing.T) {
	e := startPages(t)
	month, unreported := statementFixture(t, e)
	e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora Coordinator", "email": "cora@example.org", "role": "coordinator"}, nil)
	cora := staffBrowser(t, e, "cora@example.org", 1)
	page := e.s.base + "/staff/statements?month=" + month

	st, body := getPage(t, cora, page)
	if st != 200 {
		t.Fatalf("statement page: %d", st)
	}
	for id, want := range map[string]int{"total-mentors": 2, "total-completed": 2, "total-minutes": 90, "total-no-show": 1,
		"total-mentor-no-show": 0, "total-late-cancel": 0, "total-unreported": 1} {
		if got := figure(t, body, id); got != want {
			t.Errorf("#%s = %d, want %d", id, got, want)
		}
	}
	for _, want := range []string{"Grace", "Kenji Tokyo", `href="/staff/mentors/` + e.mentor.ID + `"`, `id="statement-open"`,
		`href="/api/v1/statements.csv?month=` + month + `"`, `id="close-start"`, `aria-current="page">Statements<`} {
		if !strings.Contains(body, want) {
			t.Errorf("the statement page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="close-confirm"`) {
		t.Error("the confirmation shows before it is asked for")
	}

	// The CSV behind the link, with the console's cookie, is the API's.
	_, csvPage := getPage(t, cora, e.s.base+"/api/v1/statements.csv?month="+month)
	_, csvAPI := getCSV(t, e.admin, "/api/v1/statements.csv?month="+month)
	if csvPage != csvAPI || !strings.HasPrefix(csvPage, "\ufeffmonth,") || strings.Count(csvPage, "\n") != 3 {
		t.Fatalf("the page's CSV:\n%s\nthe API's:\n%s", csvPage, csvAPI)
	}

	// This month is not over: no button, and a forced post is refused.
	current := time.Now().UTC().Format("2006-01")
	_, body = getPage(t, cora, e.s.base+"/staff/statements?month="+current+"&confirm=close")
	if !strings.Contains(body, `id="close-later"`) || strings.Contains(body, `id="close-start"`) || strings.Contains(body, `id="close-month"`) {
		t.Error("the current month offers to close")
	}
	code, body := postFormStatus(t, cora, page, e.s.base+"/staff/statements/"+current+"/close")
	if code != http.StatusConflict || !strings.Contains(body, "is not over in every time zone yet") || !strings.Contains(body, `id="statement-error"`) {
		t.Fatalf("closing the current month: %d", code)
	}
	code, body = postFormStatus(t, cora, page, e.s.base+"/staff/statements/2026-13/close")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a month like 2026-11") {
		t.Fatalf("closing a month that does not exist: %d", code)
	}
	if st, _ := getPage(t, cora, e.s.base+"/staff/statements?month=november"); st != http.StatusUnprocessableEntity {
		t.Errorf("a bad month: %d", st)
	}
	var now statementAnswer
	if e.admin.do("GET", "/api/v1/statements?month="+current, nil, &now); now.Closed {
		t.Fatal("a refused close closed the month")
	}

	// Closing: the confirmation says what it locks, its form closes.
	_, body = getPage(t, cora, page+"&confirm=close")
	if !strings.Contains(body, `id="close-confirm"`) || figureText(body, "confirm-unreported") == "" {
		t.Fatal("no confirmation naming the unreported session")
	}
	code, body = postFormStatus(t, cora, page+"&confirm=close", e.s.base+"/staff/statements/"+month+"/close")
	if code != 200 || !strings.Contains(body, "The month is closed") || !strings.Contains(body, `id="statement-closed"`) ||
		strings.Contains(body, `id="close-section"`) {
		t.Fatalf("after closing: %d", code)
	}
	var closed statementAnswer
	if e.admin.do("GET", "/api/v1/statements?month="+month, nil, &closed); !closed.Closed {
		t.Fatal("the month is not closed")
	}
	code, body = postFormStatus(t, cora, page, e.s.base+"/staff/statements/"+month+"/close")
	if code != http.StatusConflict || !strings.Contains(body, "is already closed") {
		t.Fatalf("closing twice: %d", code)
	}
	_, kept := getCSV(t, e.admin, "/api/v1/statements.csv?month="+month)
	var refused reportAnswer
	if code := e.admin.do("POST", "/api/v1/bookings/"+unreported+"/report", map[string]string{"outcome": "completed"}, &refused); code != 409 ||
		refused.Code != "period_closed" {
		t.Fatalf("a report in the closed month: %d %+v", code, refused)
	}
	if _, again := getCSV(t, e.admin, "/api/v1/statements.csv?month="+month); again != kept {
		t.Fatalf("the closed CSV changed:\n%s\nwas\n%s", again, kept)
	}

	// French: the page and the refusal.
	code, body = postFormStatus(t, cora, page, e.s.base+"/staff/statements/"+month+"/close?lang=fr")
	if code != http.StatusConflict || !strings.Contains(body, "est déjà clos") || !strings.Contains(body, "Relevés de") {
		t.Fatalf("closing twice, in French: %d", code)
	}

	// Mentors are refused the console's page.
	mentorBrowser := mentorBrowserless(t, e)
	if st, _ := getPage(t, mentorBrowser, page); st != http.StatusForbidden {
		t.Errorf("a mentor opening the staff statement: %d", st)
	}
}

// figureText is the text of the element with this id ("" when missing).
func figureText(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	return rest[strings.Index(rest, ">")+1 : strings.Index(rest, "<")]
}

// mentorBrowserless signs the pages' mentor in, as a browser without
// script would.
func mentorBrowserless(t *testing.T, e pagesEnv) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	postForm(t, c, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	postForm(t, c, signinLink(t, e), nil, http.StatusOK)
	return c
}

// TestPagesStaffStatement: in Chromium, staff read a month's statement
// in English and French, on a phone (the table as labelled lines, nothing
// wider than the screen) and a desktop, with no axe-core violation and
// visible focus rings; they download the CSV (UTF-8 with a BOM) and close
// the month with the keyboard through its confirmation.
func TestPagesStaffStatement(t *testing.T) {
	axe := axeSource(t)
	b := newBrowser(t)
	e := startPages(t)
	month, _ := statementFixture(t, e)
	const admin = "ada.admin@example.org"
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Ada Admin", "email": admin, "role": "admin"}, nil); st != 201 {
		t.Fatalf("add a staff admin: %d", st)
	}
	first := b.tab("America/Toronto", "en", 1280, 800, false)
	b.do(first, "ask for a console link", chromedp.Navigate(e.s.base+"/staff/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
		typeInto("#email", admin), chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.do(first, "sign in to the console", chromedp.Navigate(staffSigninLink(t, e, admin, 1)), chromedp.Click(chromedp.CSS("#signin-button")),
		chromedp.WaitVisible(chromedp.CSS("#mentor-load")))
	b.do(first, "open the statements from the console's navigation", chromedp.Click(chromedp.CSS(`.console-nav a[href="/staff/statements"]`)),
		chromedp.WaitVisible(chromedp.CSS("#statement-totals")))

	page := e.s.base + "/staff/statements?month=" + month
	for _, lang := range []string{"en", "fr"} {
		for _, size := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}} {
			t.Run(lang+"/"+size.name, func(t *testing.T) {
				tab := b.tab("America/Toronto", lang, size.width, size.height, size.mobile)
				b.do(tab, "open the statement", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#statement-table")))
				checkAxe(t, tab, axe, "staff statement")
				heading := evalString(t, tab, `document.querySelector('h1').textContent`)
				if want := map[string]string{"en": "Statements for", "fr": "Relevés de"}[lang]; !strings.HasPrefix(heading, want) {
					t.Errorf("heading %q", heading)
				}
				if got := evalString(t, tab, `document.getElementById('total-completed').textContent + '/' + document.getElementById('total-unreported').textContent`); got != "2/1" {
					t.Errorf("totals held/unreported: %s", got)
				}
				display := evalString(t, tab, `getComputedStyle(document.querySelector('#statement-table td')).display`)
				if size.mobile {
					checkFits(t, tab, "staff statement")
					if display != "grid" {
						t.Errorf("on a phone the table does not reflow (cells are %s)", display)
					}
					if !evalBool(t, tab, `Array.from(document.querySelectorAll('#statement-table td')).every(td =>
						td.dataset.label && getComputedStyle(td, '::before').content === JSON.stringify(td.dataset.label))`) {
						t.Error("reflowed cells are not labelled")
					}
				} else {
					if display != "table-cell" {
						t.Errorf("on a desktop the table is not a table (cells are %s)", display)
					}
					checkFocusRings(t, b, tab, 14, "staff statement")
				}
				b.do(tab, "open the confirmation", chromedp.Navigate(page+"&confirm=close"), chromedp.WaitVisible(chromedp.CSS("#close-confirm")))
				checkAxe(t, tab, axe, "staff statement, closing confirmation")
				if size.mobile {
					checkFits(t, tab, "staff statement, closing confirmation")
				}
			})
		}
	}

	// The CSV link, fetched as the browser would.
	b.do(first, "open the statement", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#statement-csv")))
	head, err := chromedp.Run(first, chromedp.Evaluate[string](`fetch(document.getElementById('statement-csv').href).then(r => r.arrayBuffer())
		.then(b => Array.from(new Uint8Array(b).slice(0, 8)).join(','))`, chromedp.EvalAwaitPromise))
	if err != nil || head != "239,187,191,109,111,110,116,104" { // BOM, "month"
		t.Fatalf("the CSV's first bytes: %q %v", head, err)
	}

	// Close with the keyboard: the button, then the confirmation's.
	b.do(first, "start closing", chromedp.Focus(chromedp.CSS("#close-start")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#close-confirm")))
	screenshot(t, first, "staff-statement-confirm")
	b.do(first, "confirm", chromedp.Focus(chromedp.CSS("#close-month")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#statement-closed")))
	if flash := evalString(t, first, `document.querySelector('.notice[role=status]').textContent`); !strings.Contains(flash, "The month is closed") {
		t.Errorf("after closing: %q", flash)
	}
	if evalBool(t, first, `!!document.getElementById('close-section')`) {
		t.Error("a closed month still offers to close")
	}
	checkAxe(t, first, axe, "staff statement, closed")
	screenshot(t, first, "staff-statement")
	var closed statementAnswer
	if e.admin.do("GET", "/api/v1/statements?month="+month, nil, &closed); !closed.Closed {
		t.Fatal("the month is not closed")
	}
}
