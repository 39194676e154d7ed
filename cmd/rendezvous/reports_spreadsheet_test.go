package main

import (
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestSessionsReportForSpreadsheets: plain dates select whole days, and
// ?format=spreadsheet starts with a UTF-8 byte-order mark and adds each
// party's zone and local start, the cancel reason and who cancelled,
// beside the contract's columns (which stay as they are without it).
func TestSessionsReportForSpreadsheets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		m := createMentor(t, admin, map[string]any{"name": "Zoë Müller", "timezone": "Europe/Paris", "notify": false})
		var e menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Jörg", "email": "jorg@example.org", "timezone": "America/Toronto",
			"mentor_id": m.ID, "notify": false}, &e); st != 201 || e.BookingURL == nil {
			t.Fatalf("add mentee: %d %+v", st, e)
		}
		anon := client{t: t, base: s.base}
		start := firstSlot(t, anon, linkOf(*e.BookingURL), "UTC")
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+linkOf(*e.BookingURL)+"/bookings", map[string]string{"start": start}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		if st := admin.do("POST", "/api/v1/bookings/"+b.ID+"/cancel", map[string]string{"reason": "Grève, désolé"}, nil); st != 200 {
			t.Fatalf("cancel: %d", st)
		}
		at := mustTime(t, start)
		day := at.UTC().Format(time.DateOnly)
		q := url.Values{"from": {day}, "to": {day}}
		res, body := getReport(t, admin, q)
		if res.StatusCode != 200 || !strings.HasPrefix(string(body), "session_id,") || strings.Count(string(body), "\n") != 2 {
			t.Fatalf("plain dates: %d %q", res.StatusCode, body)
		}
		if first := strings.SplitN(string(body), "\n", 2)[0]; strings.Count(first, ",") != 10 {
			t.Errorf("without format=spreadsheet the header must stay the contract's: %q", first)
		}
		q.Set("format", "spreadsheet")
		res, body = getReport(t, admin, q)
		text, ok := strings.CutPrefix(string(body), "\ufeff")
		if res.StatusCode != 200 || !ok {
			t.Fatalf("spreadsheet: %d, no byte-order mark: %q", res.StatusCode, body[:min(len(body), 20)])
		}
		rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("spreadsheet CSV: %v %q", err, text)
		}
		want := map[string]string{
			"mentor_name": "Zoë Müller", "status": "cancelled", "mentor_timezone": "Europe/Paris", "mentee_timezone": "America/Toronto",
			"mentor_local_start": at.In(mustZone(t, "Europe/Paris")).Format("2006-01-02 15:04"),
			"mentee_local_start": at.In(mustZone(t, "America/Toronto")).Format("2006-01-02 15:04"),
			"cancel_reason":      "Grève, désolé", "cancelled_by": "admin",
		}
		for i, col := range rows[0] {
			if w, ok := want[col]; ok && rows[1][i] != w {
				t.Errorf("%s = %q, want %q", col, rows[1][i], w)
			}
			delete(want, col)
		}
		if len(want) != 0 {
			t.Errorf("columns missing: %v (header %v)", want, rows[0])
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
