package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// staffLinks are the console sign-in links mailed to to so far.
func staffLinks(t *testing.T, e pagesEnv, to string) []string {
	t.Helper()
	re := regexp.MustCompile(`https?://\S+/staff/signin/[A-Za-z0-9_-]+`)
	var links []string
	for _, m := range e.smtp.Messages() {
		if !strings.Contains(strings.ToLower(strings.Join(m.To, ",")), to) {
			continue
		}
		if l := re.FindString(decodedText(t, m.Data)); l != "" {
			links = append(links, e.s.base+l[strings.Index(l, "/staff/signin/"):])
		}
	}
	return links
}

// staffSigninLink waits for the n-th console sign-in mail to reach to and
// returns its link.
func staffSigninLink(t *testing.T, e pagesEnv, to string, n int) string {
	t.Helper()
	var links []string
	waitFor(t, 10*time.Second, func() bool {
		links = staffLinks(t, e, to)
		return len(links) >= n
	}, func() string { return "the console sign-in mail to " + to })
	return links[n-1]
}

// staffBrowser signs a staff member in to the console through the mailed
// link, as a browser without script would.
func staffBrowser(t *testing.T, e pagesEnv, email string, n int) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	postForm(t, c, e.s.base+"/staff/signin", url.Values{"email": {strings.ToUpper(email)}}, http.StatusOK)
	link := staffSigninLink(t, e, email, n)
	postForm(t, c, link, nil, http.StatusOK) // redirected to the console
	postForm(t, c, link, nil, http.StatusNotFound)
	return c
}

func getPage(t *testing.T, c *http.Client, target string) (int, string) {
	t.Helper()
	res, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestStaffConsoleSignin: staff sign in by a mailed single-use link (the
// address in any case), whose token is stored hashed and whose mail job
// holds it sealed; a coordinator is refused staff management, in the
// console as in the API with the same browser; a signed-in mentor is
// refused everywhere in /staff; an admin adds and removes staff from the
// console, and removing a member signs them out at once.
func TestStaffConsoleSignin(t *testing.T) {
	e := startPages(t)
	var cora, ada struct{ ID string }
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora Coordinator", "email": "cora@example.org", "role": "coordinator"}, &cora); st != 201 {
		t.Fatalf("add coordinator: %d", st)
	}
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Ada Admin", "email": "ada@example.org", "role": "admin"}, &ada); st != 201 {
		t.Fatalf("add admin: %d", st)
	}
	if st := e.admin.do("POST", "/api/v1/staff", map[string]any{"name": "Cora Again", "email": "CORA@example.org", "role": "admin"}, nil); st != 409 {
		t.Fatalf("the same address in capitals: %d, want 409", st)
	}

	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if st, _ := getPage(t, anon, e.s.base+"/staff"); st != http.StatusSeeOther {
		t.Fatalf("the console without signing in: %d, want a redirect to sign in", st)
	}
	// An unknown address answers the same, and mails nothing.
	jar, _ := cookiejar.New(nil)
	postForm(t, &http.Client{Jar: jar}, e.s.base+"/staff/signin", url.Values{"email": {"nobody@example.org"}}, http.StatusOK)

	coordinator := staffBrowser(t, e, "cora@example.org", 1)
	st, body := getPage(t, coordinator, e.s.base+"/staff")
	if st != 200 || !strings.Contains(body, "Cora Coordinator") || !strings.Contains(body, "mentor-load") {
		t.Fatalf("the dashboard for a coordinator: %d", st)
	}
	if strings.Contains(body, `href="/staff/team"`) {
		t.Error("a coordinator is offered staff management")
	}
	if st, _ := getPage(t, coordinator, e.s.base+"/staff/team"); st != http.StatusForbidden {
		t.Errorf("staff management for a coordinator: %d, want 403", st)
	}
	db := openDB(t, e.db)
	var tokens, clear int
	if err := db.SQLDB().QueryRow("SELECT count(*) FROM staff_signin_tokens").Scan(&tokens); err != nil || tokens != 1 {
		t.Fatalf("stored console links: %d (%v), want 1", tokens, err)
	}
	link := staffSigninLink(t, e, "cora@example.org", 1)
	token := link[strings.LastIndex(link, "/")+1:]
	if err := db.SQLDB().QueryRow("SELECT count(*) FROM river_job WHERE CAST(args AS TEXT) LIKE '%" + token + "%'").Scan(&clear); err != nil || clear != 0 {
		t.Errorf("the sign-in link is in clear in %d job rows (%v)", clear, err)
	}
	if err := db.SQLDB().QueryRow("SELECT count(*) FROM staff_signin_tokens WHERE token_hash = '" + token + "'").Scan(&clear); err != nil || clear != 0 {
		t.Errorf("the sign-in token is stored in clear (%v)", err)
	}
	if n := jobCount(t, db, "staff_signin_mail"); n != 1 {
		t.Errorf("%d console sign-in mail jobs, want 1 (none for an unknown address)", n)
	}

	// The same browser on the API: as a coordinator.
	apiAs := func(c *http.Client, method, path string) int {
		t.Helper()
		u, _ := url.Parse(e.s.base)
		var csrf string
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "_csrf" {
				csrf = ck.Value
			}
		}
		req, _ := http.NewRequest(method, e.s.base+path, strings.NewReader(`{"name":"Eve","email":"eve@example.org","role":"admin"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := apiAs(coordinator, "POST", "/api/v1/staff"); st != 403 {
		t.Errorf("a coordinator's browser adding staff through the API: %d, want 403", st)
	}
	if st := apiAs(coordinator, "GET", "/api/v1/caseloads"); st != 200 {
		t.Errorf("a coordinator's browser on the caseloads: %d, want 200", st)
	}

	// A signed-in mentor is refused everywhere in the console.
	mentorJar, _ := cookiejar.New(nil)
	mentor := &http.Client{Jar: mentorJar}
	postForm(t, mentor, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	postForm(t, mentor, signinLink(t, e), nil, http.StatusOK)
	for _, path := range []string{"/staff", "/staff/team", "/staff/mentors", "/staff/mentees", "/staff/mentees/new", "/staff/mentors/" + e.mentor.ID} {
		if st, body := getPage(t, mentor, e.s.base+path); st != http.StatusForbidden || !strings.Contains(body, "/mentor") {
			t.Errorf("a mentor on %s: %d, want 403 pointing to their area", path, st)
		}
	}

	// An admin manages staff from the console.
	admin := staffBrowser(t, e, "ada@example.org", 1)
	st, body = getPage(t, admin, e.s.base+"/staff/team")
	if st != 200 || !strings.Contains(body, "cora@example.org") {
		t.Fatalf("staff management for an admin: %d", st)
	}
	postFormFrom(t, admin, e.s.base+"/staff/team", e.s.base+"/staff/team", url.Values{"name": {"Dan"}, "email": {"dan@example.org"}, "role": {"coordinator"}}, http.StatusOK)
	// A taken address (in another case) is refused on the e-mail field,
	// with what was typed kept, in English and in French.
	team := e.s.base + "/staff/team"
	taken := url.Values{"_form": {"staff-add"}, "name": {"Dan Again"}, "email": {"DAN@example.org"}, "role": {"admin"}}
	for lang, msg := range map[string]string{"en": "is already a staff member", "fr": "fait déjà partie de l&#39;équipe"} {
		getPage(t, admin, team+"?lang="+lang)
		st, body := postFormBody(t, admin, team, team, taken)
		if st != http.StatusConflict || !strings.Contains(body, `value="Dan Again"`) ||
			!regexp.MustCompile(`id="staff-email"[^>]*value="DAN@example.org"[^>]*aria-invalid="true" aria-describedby="staff-email-error`).MatchString(body) ||
			!regexp.MustCompile(`id="staff-email-error">[^<]*`+msg).MatchString(body) ||
			!regexp.MustCompile(`<option value="admin" selected>`).MatchString(body) {
			t.Errorf("%s: a taken address: %d, the refusal is not on the e-mail field with what was typed", lang, st)
		}
	}
	getPage(t, admin, team+"?lang=en")
	postFormFrom(t, admin, e.s.base+"/staff/team", e.s.base+"/staff/team/"+cora.ID+"/delete", nil, http.StatusOK)
	if st, _ := getPage(t, coordinator, e.s.base+"/staff"); st != 200 {
		t.Fatalf("after removal the client follows the redirect to sign in: %d", st)
	}
	u, _ := url.Parse(e.s.base + "/staff")
	var cookie *http.Cookie
	for _, ck := range coordinator.Jar.Cookies(u) {
		if ck.Name == "rdv_staff" {
			cookie = ck
		}
	}
	req, _ := http.NewRequest("GET", e.s.base+"/staff", nil)
	req.AddCookie(cookie)
	if res := mustDo(t, req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a removed coordinator's session: %d, want a redirect to sign in", res.StatusCode)
	}
	var list struct {
		Staff []struct{ Email string }
	}
	e.admin.do("GET", "/api/v1/staff", nil, &list)
	if len(list.Staff) != 2 || list.Staff[0].Email != "ada@example.org" || list.Staff[1].Email != "dan@example.org" {
		t.Errorf("staff after the console's changes: %+v", list.Staff)
	}
}
