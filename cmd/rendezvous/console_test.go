package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// figure reads the number an element with this id shows.
func figure(t *testing.T, body, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no figure #%s on the page", id)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestConsolePages drives the console without a browser, as a
// coordinator: the dashboard's figures against the API's caseloads,
// searching mentees, reassigning with the preview (which says what the
// move then does), ending a mentorship, adding a mentee and editing a
// mentor; a signed-in mentor is refused every console page.
func TestConsolePages(t *testing.T) {
	e := startPages(t)
	grace := e.mentor.ID
	hopper := createMentor(t, e.admin, map[string]any{"name": "Hopper Free", "email": "hopper@example.org", "max_mentees": 5})
	idle := createMentor(t, e.admin, map[string]any{"name": "Idle Nohours", "email": "idle@example.org", "max_mentees": 1, "weekly_hours": []any{}})
	zoe, st := newMentee(t, e.admin, "zoe", grace)
	if st != 201 {
		t.Fatalf("mentee: %d", st)
	}
	yan, _ := newMentee(t, e.admin, "yan", grace)
	anon := client{t: t, base: e.s.base}
	zoeLink := linkOf(*zoe.BookingURL)
	var b bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+zoeLink+"/bookings", map[string]string{"start": firstSlot(t, anon, zoeLink, "UTC")}, &b); st != 201 {
		t.Fatalf("book: %d", st)
	}
	e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora Coordinator", "email": "cora@example.org", "role": "coordinator"}, nil)
	cora := staffBrowser(t, e, "cora@example.org", 1)

	// The dashboard agrees with the API.
	var loads struct {
		Caseloads []struct {
			ActiveMentees int `json:"active_mentees"`
			Mentees       []struct {
				Overdue     bool `json:"overdue"`
				LastSession any  `json:"last_session"`
				NextSession any  `json:"next_session"`
			} `json:"mentees"`
		} `json:"caseloads"`
	}
	if st := e.admin.do("GET", "/api/v1/caseloads", nil, &loads); st != 200 {
		t.Fatalf("caseloads: %d", st)
	}
	active, overdue, never := 0, 0, 0
	for _, c := range loads.Caseloads {
		active += c.ActiveMentees
		for _, m := range c.Mentees {
			if m.Overdue {
				overdue++
			}
			if m.LastSession == nil && m.NextSession == nil {
				never++
			}
		}
	}
	st, body := getPage(t, cora, e.s.base+"/staff")
	if st != 200 {
		t.Fatalf("dashboard: %d", st)
	}
	for id, want := range map[string]int{"fig-active": active, "count-overdue": overdue, "count-never": never, "count-no-hours": 1,
		"count-full": 0, "fig-sessions": -1} {
		if got := figure(t, body, id); want >= 0 && got != want {
			t.Errorf("dashboard #%s = %d, the API says %d", id, got, want)
		}
	}
	if active != 2 || never != 1 {
		t.Errorf("the fixture: %d active, %d never booked", active, never)
	}

	// Search by name and by e-mail, in any case.
	for q, want := range map[string]string{"ZOE": "zoe@example.org", "yan@EXAMPLE": "yan@example.org"} {
		_, body := getPage(t, cora, e.s.base+"/staff/mentees?q="+url.QueryEscape(q))
		if !strings.Contains(body, want) || strings.Count(body, "/staff/mentees/") > 3 {
			t.Errorf("search %q does not find only %s", q, want)
		}
	}
	if _, body := getPage(t, cora, e.s.base+"/staff/mentors?load=no_hours"); !strings.Contains(body, "Idle Nohours") || strings.Contains(body, "Hopper Free") {
		t.Error("the mentors without hours filter")
	}

	// Reassign: search a mentor, preview, confirm.
	zoePage := e.s.base + "/staff/mentees/" + zoe.ID
	if _, body := getPage(t, cora, zoePage+"?q=hopper"); !strings.Contains(body, "?to="+hopper.ID) {
		t.Fatal("the mentor search does not offer Hopper")
	}
	_, body = getPage(t, cora, zoePage+"?to="+idle.ID)
	if figure(t, body, "preview-moves") != 0 || figure(t, body, "preview-cancels") != 1 {
		t.Errorf("the preview to a mentor without hours should cancel the session")
	}
	_, body = getPage(t, cora, zoePage+"?to="+hopper.ID)
	if figure(t, body, "preview-moves") != 1 || figure(t, body, "preview-cancels") != 0 {
		t.Fatalf("the preview to a free mentor should move the session")
	}
	postFormFrom(t, cora, zoePage+"?to="+hopper.ID, zoePage+"/reassign", url.Values{"mentor_id": {hopper.ID}}, http.StatusOK)
	var moved menteeAnswer
	e.admin.do("GET", "/api/v1/mentees/"+zoe.ID, nil, &moved)
	var after bookingAnswer
	e.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &after)
	if moved.MentorID != hopper.ID || after.MentorID != hopper.ID || after.Status != "confirmed" {
		t.Errorf("after the reassignment: mentee's mentor %s, session's %s (%s)", moved.MentorID, after.MentorID, after.Status)
	}

	// The language links keep the page's filters (not the one-time
	// notice), and following one shows the same list in French.
	_, body = getPage(t, cora, e.s.base+"/staff/mentees?status=active&q=zo&done=mentee_added")
	if !strings.Contains(body, `href="?lang=fr&amp;q=zo&amp;status=active"`) || !strings.Contains(body, `href="?lang=en&amp;q=zo&amp;status=active"`) {
		t.Error("the language links drop the list's filters")
	}
	if _, body := getPage(t, cora, e.s.base+"/staff/mentees?lang=fr&q=zo&status=active"); !strings.Contains(body, `<html lang="fr">`) ||
		!strings.Contains(body, `value="zo"`) || !strings.Contains(body, `href="?lang=en&amp;q=zo&amp;status=active"`) {
		t.Error("the French list after switching lost its filters")
	}
	_, body = getPage(t, cora, e.s.base+"/staff/statements?month=2026-11&lang=en")
	if !strings.Contains(body, `href="?lang=fr&amp;month=2026-11"`) {
		t.Error("the statement page's language link drops the month")
	}

	// When the pair was nudged: never yet, then the time of the nudge in
	// both languages.
	if _, body := getPage(t, cora, zoePage); !regexp.MustCompile(`id="mentee-nudged">[^<]*never</p>`).MatchString(body) {
		t.Error("the mentee page does not say the pair was never nudged")
	}
	if err := openDB(t, e.db).Exec(context.Background(), "UPDATE mentees SET nudged_at = ? WHERE id = ?",
		time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), zoe.ID); err != nil {
		t.Fatal(err)
	}
	if _, body := getPage(t, cora, zoePage); !strings.Contains(body, `Reminder to meet sent to the mentee and the mentor: <time datetime="2026-11-20T09:30:00Z">20 November 2026, 09:30 UTC</time>`) {
		t.Error("the mentee page does not show when the pair was nudged")
	}
	if _, body := getPage(t, cora, zoePage+"?lang=fr"); !strings.Contains(body, `Relance envoyée au mentoré et au mentor : <time datetime="2026-11-20T09:30:00Z">20 novembre 2026, 09:30 UTC</time>`) {
		t.Error("the French mentee page does not show when the pair was nudged")
	}
	getPage(t, cora, zoePage+"?lang=en")

	// End a mentorship; add a mentee; edit a mentor.
	yanPage := e.s.base + "/staff/mentees/" + yan.ID
	postFormFrom(t, cora, yanPage, yanPage+"/end", nil, http.StatusOK)
	var ended menteeAnswer
	if e.admin.do("GET", "/api/v1/mentees/"+yan.ID, nil, &ended); ended.Status != "ended" {
		t.Errorf("after ending: %s", ended.Status)
	}
	// A refused mentee stays in the form, the error on its field.
	st, body = postFormBody(t, cora, e.s.base+"/staff/mentees/new", e.s.base+"/staff/mentees/new",
		url.Values{"name": {"Xia New"}, "email": {"xia@example.org"}, "timezone": {"Mars/Olympus"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Xia New"`) || !strings.Contains(body, `value="Mars/Olympus"`) ||
		!regexp.MustCompile(`id="assign-timezone"[^>]*aria-invalid="true"`).MatchString(body) || !strings.Contains(body, `id="assign-timezone-error"`) {
		t.Errorf("a refused mentee: %d, the form does not keep what was typed with the error on the zone", st)
	}
	postFormFrom(t, cora, e.s.base+"/staff/mentees/new", e.s.base+"/staff/mentees/new",
		url.Values{"name": {"Xia New"}, "email": {"xia@example.org"}, "timezone": {"Asia/Tokyo"}}, http.StatusOK)
	if _, body := getPage(t, cora, e.s.base+"/staff/mentees?q=xia"); !strings.Contains(body, "Xia New") {
		t.Error("the added mentee is not listed")
	}
	gracePage := e.s.base + "/staff/mentors/" + grace
	postFormFrom(t, cora, gracePage, gracePage, url.Values{"name": {"Grace H."}, "email": {"grace@example.org"}, "max_mentees": {"7"},
		"session_minutes": {"30"}, "max_upcoming_per_mentee": {"5"}, "public_booking": {"1"}, "status": {"paused"}}, http.StatusOK)
	var m struct {
		Name       string `json:"name"`
		MaxMentees int    `json:"max_mentees"`
		Status     string `json:"status"`
	}
	if e.admin.do("GET", "/api/v1/mentors/"+grace, nil, &m); m.Name != "Grace H." || m.MaxMentees != 7 || m.Status != "paused" {
		t.Errorf("after editing: %+v", m)
	}
	// Lowering Hopper's places below the mentee they follow is refused
	// on that field, with what was typed kept.
	hopperPage := e.s.base + "/staff/mentors/" + hopper.ID
	st, body = postFormBody(t, cora, hopperPage, hopperPage, url.Values{"_form": {"mentor-settings"}, "name": {"Hopper Renamed"},
		"email": {"hopper@example.org"}, "max_mentees": {"0"}, "session_minutes": {"30"}, "max_upcoming_per_mentee": {"1"}, "status": {"active"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Hopper Renamed"`) ||
		!regexp.MustCompile(`id="m-max-mentees"[^>]*value="0"[^>]*aria-invalid="true"`).MatchString(body) || !strings.Contains(body, `id="m-max-mentees-error"`) {
		t.Errorf("lowering max_mentees below the active count: %d, the error is not on its field with what was typed", st)
	}
	if _, body := getPage(t, cora, e.s.base+"/staff"); figure(t, body, "count-paused") != 1 {
		t.Error("the dashboard does not count the paused mentor")
	}
	if _, body := getPage(t, cora, e.s.base+"/staff/mentors?load=paused"); !strings.Contains(body, "Grace H.") || strings.Contains(body, "Hopper Free") {
		t.Error("the paused filter")
	}
	if st, body := getPage(t, cora, gracePage); st != 200 || !strings.Contains(body, "Grace H.") {
		t.Errorf("the mentor page: %d", st)
	}
}

// TestMenteeImport: the API's dry run lists every problem by line and
// creates nothing, as does a real run of the same file; the console's
// import page checks an uploaded file, shows its problems, then imports
// the corrected file.
func TestMenteeImport(t *testing.T) {
	e := startPages(t)
	csvBody := "name,email,timezone,mentor_email\n" +
		"Ada Lovelace,ada@example.org,Europe/London,grace@example.org\n" +
		"Bad Zone,bz@example.org,Mars/Olympus,\n" +
		"Nobody's,nb@example.org,UTC,nobody@example.org\n" +
		"Ada Twice,ADA@example.org,UTC,\n"
	var res struct {
		Created int `json:"created"`
		Valid   int `json:"valid"`
		Errors  []struct {
			Line    int    `json:"line"`
			Problem string `json:"problem"`
		} `json:"errors"`
	}
	for _, dry := range []string{"true", "false"} {
		if st := e.admin.do("POST", "/api/v1/mentees/import?dry_run="+dry, csvBody, &res, "Content-Type", "text/csv"); st != 200 {
			t.Fatalf("import (dry run %s): %d", dry, st)
		}
		if res.Created != 0 || res.Valid != 1 || len(res.Errors) != 3 || res.Errors[0].Line != 3 || res.Errors[1].Line != 4 || res.Errors[2].Line != 5 ||
			!strings.Contains(res.Errors[1].Problem, "nobody@example.org") {
			t.Errorf("import (dry run %s): %+v", dry, res)
		}
	}
	var list struct {
		Caseloads []struct {
			ActiveMentees int `json:"active_mentees"`
		}
	}
	e.admin.do("GET", "/api/v1/caseloads", nil, &list)
	if list.Caseloads[0].ActiveMentees != 0 {
		t.Fatalf("a file with problems created mentees")
	}

	e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora", "email": "cora@example.org", "role": "coordinator"}, nil)
	cora := staffBrowser(t, e, "cora@example.org", 1)
	upload := func(content, dry string) (int, string) {
		t.Helper()
		_, page := getPage(t, cora, e.s.base+"/staff/import")
		token := csrfField.FindStringSubmatch(page)[1]
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("_csrf", token)
		w.WriteField("dry_run", dry)
		f, _ := w.CreateFormFile("file", "mentees.csv")
		f.Write([]byte(content))
		w.Close()
		r, err := cora.Post(e.s.base+"/staff/import", w.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(body)
	}
	st, body := upload(csvBody, "true")
	if st != 200 || figure(t, body, "import-error-count") != 3 || !strings.Contains(body, "Mars/Olympus") {
		t.Fatalf("the page's check: %d", st)
	}
	fixed := "name,email,timezone,mentor_email\nAda Lovelace,ada@example.org,Europe/London,grace@example.org\nBea Zone,bz@example.org,Europe/Paris,\n"
	if st, body := upload(fixed, "true"); st != 200 || figure(t, body, "import-valid") != 2 {
		t.Fatalf("the page's check of the fixed file: %d", st)
	}
	if st, body := upload(fixed, "false"); st != 200 || figure(t, body, "import-created") != 2 {
		t.Fatalf("the page's import: %d", st)
	}
	if _, body := getPage(t, cora, e.s.base+"/staff/mentees?q=zone"); !strings.Contains(body, "Bea Zone") {
		t.Error("the imported mentee is not listed")
	}
}

// postFormBody posts a form with the CSRF token of page and answers the
// status and page that came back (redirects followed).
func postFormBody(t *testing.T, c *http.Client, page, target string, form url.Values) (int, string) {
	t.Helper()
	_, body := getPage(t, c, page)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on %s", page)
	}
	form.Set("_csrf", m[1])
	res, err := c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
