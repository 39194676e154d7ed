package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// getReport fetches sessions.csv with query q.
func getReport(t *testing.T, c client, q url.Values) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/v1/reports/sessions.csv?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// TestSessionsReport: the CSV's header, quoting and UTF-8 names, UTC
// times, a period longer than one batch, the mentor filter and the limits
// on the window.
func TestSessionsReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		st := openDB(t, db)
		const paidName = `Zoë "Zed" Müller, PhD`
		paid := createMentor(t, admin, map[string]any{"name": paidName, "max_mentees": 5})
		other := createMentor(t, admin, map[string]any{"name": "李雷", "max_mentees": 5})
		var straße, émile menteeAnswer
		admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Straße, Jörg", "email": "jorg@example.org", "timezone": "Europe/Berlin", "mentor_id": paid.ID}, &straße)
		admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Émile\nNewline", "email": "emile@example.org", "timezone": "Europe/Paris", "mentor_id": other.ID}, &émile)
		if straße.ID == "" || émile.ID == "" {
			t.Fatalf("mentees not created: %+v %+v", straße, émile)
		}

		// 1,100 sessions of one mentor, 30 minutes apart, cross a batch
		// boundary; the other mentor has one at the very same start as
		// the first (ties order by id).
		from := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		const many = 1100
		for i := range many {
			outcome := ""
			if i%2 == 0 {
				outcome = "completed"
			}
			insertSession(t, st, paid.ID, straße.ID, from.Add(time.Duration(i)*30*time.Minute), 30, "confirmed", outcome)
		}
		insertSession(t, st, other.ID, émile.ID, from, 45, "cancelled", "late_cancel")
		insertSession(t, st, other.ID, émile.ID, from.Add(-time.Hour), 45, "confirmed", "") // before the window

		to := from.Add(many * 30 * time.Minute)
		res, body := getReport(t, admin, url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}})
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("report: %d %v", res.StatusCode, res.Header)
		}
		const header = "session_id,mentor_id,mentor_name,mentee_id,mentee_name,start,end,minutes,status,outcome,video_provider\n"
		if !strings.HasPrefix(string(body), header) {
			t.Fatalf("header: %q", string(body[:min(len(body), 200)]))
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatalf("parse CSV: %v", err)
		}
		if len(rows) != 1+many+1 {
			t.Fatalf("%d rows, want %d", len(rows)-1, many+1)
		}
		seen := map[string]bool{}
		var prev string
		for _, r := range rows[1:] {
			if seen[r[0]] {
				t.Fatalf("session %s twice", r[0])
			}
			seen[r[0]] = true
			if r[5] < prev {
				t.Fatalf("rows out of order at %v", r)
			}
			prev = r[5]
			if _, err := time.Parse(time.RFC3339, r[5]); err != nil || !strings.HasSuffix(r[5], "Z") {
				t.Fatalf("start %q is not RFC 3339 UTC", r[5])
			}
		}
		byMentor := map[string][]string{}
		for _, r := range rows[1:3] {
			byMentor[r[1]] = r
		}
		p, o := byMentor[paid.ID], byMentor[other.ID]
		if p == nil || o == nil {
			t.Fatalf("first rows: %v", rows[1:3])
		}
		if p[2] != paidName || p[4] != "Straße, Jörg" || p[6] != "2026-01-05T08:30:00Z" || p[7] != "30" || p[8] != "confirmed" || p[9] != "completed" || p[10] != "jitsi" {
			t.Fatalf("row of the paid mentor: %q", p)
		}
		if o[2] != "李雷" || o[4] != "Émile\nNewline" || o[7] != "45" || o[8] != "cancelled" || o[9] != "late_cancel" {
			t.Fatalf("row of the other mentor: %q", o)
		}

		res, body = getReport(t, admin, url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}, "mentor_id": {other.ID}})
		if rows, _ := csv.NewReader(strings.NewReader(string(body))).ReadAll(); res.StatusCode != 200 || len(rows) != 2 {
			t.Fatalf("filtered by mentor: %d %d rows", res.StatusCode, len(rows))
		}
		if res, body = getReport(t, admin, nil); res.StatusCode != 200 || string(body) != header {
			t.Fatalf("current month (no sessions): %d %q", res.StatusCode, body)
		}
		bad := []url.Values{
			{"from": {to.Format(time.RFC3339)}, "to": {from.Format(time.RFC3339)}},
			{"from": {from.Format(time.RFC3339)}, "to": {from.Format(time.RFC3339)}},
			{"from": {from.Format(time.RFC3339)}, "to": {from.AddDate(0, 0, 367).Format(time.RFC3339)}},
			{"from": {"yesterday"}},
		}
		for _, q := range bad {
			if res, body := getReport(t, admin, q); res.StatusCode != 422 || !strings.Contains(string(body), "invalid_input") {
				t.Fatalf("window %v: %d %s", q, res.StatusCode, body)
			}
		}
		if res, _ := getReport(t, admin, url.Values{"mentor_id": {"nobody"}}); res.StatusCode != 404 {
			t.Fatalf("unknown mentor: %d", res.StatusCode)
		}
		mentorTok := client{t: t, base: s.base, token: paid.Token}
		if res, body := getReport(t, mentorTok, url.Values{"mentor_id": {paid.ID}}); res.StatusCode != 403 || strings.Contains(string(body), "session_id") {
			t.Fatalf("report with a mentor token: %d %s", res.StatusCode, body)
		}
	})
}
