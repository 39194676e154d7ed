package main

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

type menteeListAnswer struct {
	Mentees []struct {
		ID            string  `json:"id"`
		Name          string  `json:"name"`
		Email         string  `json:"email"`
		Status        string  `json:"status"`
		MentorID      *string `json:"mentor_id"`
		MentorName    *string `json:"mentor_name"`
		NextSessionAt *string `json:"next_session_at"`
		Overdue       bool    `json:"overdue"`
	} `json:"mentees"`
	NextCursor *string `json:"next_cursor"`
	Code       string  `json:"code"`
	Field      string  `json:"field"`
}

// listAllMentees follows next_cursor from the first page to the last and
// answers the names in order, and how many pages it took.
func listAllMentees(t *testing.T, c client, query url.Values, limit int) (string, int) {
	t.Helper()
	var names []string
	pages := 0
	cursor := ""
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page menteeListAnswer
		if st := c.do("GET", "/api/v1/mentees?"+q.Encode(), nil, &page); st != 200 {
			t.Fatalf("mentees %s: %d %s", q.Encode(), st, page.Code)
		}
		pages++
		for _, m := range page.Mentees {
			names = append(names, m.Name)
		}
		if page.NextCursor == nil {
			return strings.Join(names, ","), pages
		}
		if pages > 50 {
			t.Fatal("the cursor never ends")
		}
		cursor = *page.NextCursor
	}
}

// TestMenteeListAPI: GET /api/v1/mentees searches by name and e-mail in
// any case and filters by mentor, status and overdue, a page at a time by
// keyset cursor; a mentor sees only their own mentees (another mentor's
// id is refused), as they would in no other way; on both databases.
func TestMenteeListAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		grace := createMentor(t, admin, map[string]any{"name": "Grace List", "max_mentees": 10})
		ada := createMentor(t, admin, map[string]any{"name": "Ada List", "max_mentees": 10})
		for _, n := range []string{"bea", "cy", "dan", "eve", "fay"} {
			if _, st := newMentee(t, admin, n, grace.ID); st != 201 {
				t.Fatalf("mentee %s: %d", n, st)
			}
		}
		zed, _ := newMentee(t, admin, "zed", ada.ID)
		abe, _ := newMentee(t, admin, "abe", ada.ID)
		if st := admin.do("POST", "/api/v1/mentees/"+zed.ID+"/end", nil, nil); st != 200 {
			t.Fatalf("end: %d", st)
		}
		// Abe was assigned long ago and never booked: overdue.
		st := openDB(t, db)
		if err := st.Exec(t.Context(), "UPDATE mentees SET assigned_at = ? WHERE id = ?", time.Now().Add(-30*24*time.Hour).UTC(), abe.ID); err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			q     url.Values
			want  string
			limit int
			pages int
		}{
			{url.Values{}, "abe,bea,cy,dan,eve,fay,zed", 2, 4},
			{url.Values{}, "abe,bea,cy,dan,eve,fay,zed", 7, 1},
			{url.Values{}, "abe,bea,cy,dan,eve,fay,zed", 200, 1},
			{url.Values{"q": {"EVE@EXAMPLE"}}, "eve", 2, 1},
			{url.Values{"q": {"%"}}, "", 2, 1},
			{url.Values{"mentor_id": {grace.ID}}, "bea,cy,dan,eve,fay", 2, 3},
			{url.Values{"status": {"ended"}}, "zed", 50, 1},
			{url.Values{"status": {"active"}, "mentor_id": {ada.ID}}, "abe", 50, 1},
			{url.Values{"overdue": {"true"}}, "abe", 1, 1},
		} {
			got, pages := listAllMentees(t, admin, c.q, c.limit)
			if got != c.want || pages != c.pages {
				t.Errorf("mentees %s by %d: %q in %d pages, want %q in %d", c.q.Encode(), c.limit, got, pages, c.want, c.pages)
			}
		}
		var one menteeListAnswer
		admin.do("GET", "/api/v1/mentees?q=abe", nil, &one)
		if len(one.Mentees) != 1 || one.Mentees[0].MentorName == nil || *one.Mentees[0].MentorName != "Ada List" ||
			!one.Mentees[0].Overdue || one.Mentees[0].Email != "abe@example.org" || one.Mentees[0].Status != "active" {
			t.Errorf("abe's row: %+v", one.Mentees)
		}

		// A mentor: their own, by default and by their id, with pages;
		// never another mentor's.
		graceC := client{t: t, base: s.base, token: grace.Token}
		if got, pages := listAllMentees(t, graceC, url.Values{}, 2); got != "bea,cy,dan,eve,fay" || pages != 3 {
			t.Errorf("grace's mentees: %q in %d pages", got, pages)
		}
		if got, _ := listAllMentees(t, graceC, url.Values{"mentor_id": {grace.ID}, "q": {"AN"}}, 50); got != "dan" {
			t.Errorf("grace's mentees with an: %q", got)
		}
		if got, _ := listAllMentees(t, graceC, url.Values{"q": {"zed"}}, 50); got != "" {
			t.Errorf("grace finds another mentor's mentee: %q", got)
		}
		var refused menteeListAnswer
		if code := graceC.do("GET", "/api/v1/mentees?mentor_id="+ada.ID, nil, &refused); code != 403 || len(refused.Mentees) != 0 {
			t.Errorf("grace asking for ada's mentees: %d %+v", code, refused)
		}

		// Bad input: 422 naming the field; nobody: 401.
		for q, field := range map[string]string{"status=gone": "status", "limit=201": "limit", "limit=x": "limit", "overdue=yes": "overdue",
			"cursor=forged": "cursor", "q=" + strings.Repeat("a", 201): "q"} {
			var bad menteeListAnswer
			if code := admin.do("GET", "/api/v1/mentees?"+q, nil, &bad); code != 422 || bad.Field != field {
				t.Errorf("mentees?%.30s: %d %s, want 422 on %s", q, code, bad.Field, field)
			}
		}
		if code := (client{t: t, base: s.base}).do("GET", "/api/v1/mentees", nil, nil); code != 401 {
			t.Errorf("without a token: %d", code)
		}
	})
}
