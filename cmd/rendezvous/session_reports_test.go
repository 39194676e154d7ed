package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// reportAnswer is a booking with its report, attendance and suggestion.
type reportAnswer struct {
	bookingAnswer
	Report *struct {
		Outcome, Notes, Summary string
		FiledAt                 string `json:"filed_at"`
		FiledBy                 string `json:"filed_by"`
	} `json:"report"`
	Attendance struct {
		MentorJoinedAt *string `json:"mentor_joined_at"`
		MenteeJoinedAt *string `json:"mentee_joined_at"`
	} `json:"attendance"`
	SuggestedOutcome *string `json:"suggested_outcome"`
	Field            string  `json:"field"`
	Detail           string  `json:"detail"`
}

// shiftSession moves a session's times in the database (the API only
// books the future): it starts at start and keeps its length.
func shiftSession(t *testing.T, st *store.Store, id string, start time.Time, minutes int) {
	t.Helper()
	if err := st.Exec(context.Background(), "UPDATE bookings SET start_at = ?, end_at = ? WHERE id = ?",
		store.UTCSecond(start), store.UTCSecond(start.Add(time.Duration(minutes)*time.Minute)), id); err != nil {
		t.Fatal(err)
	}
}

// mailsTo lists the decoded mails to an address whose text holds want.
func mailsTo(t *testing.T, smtp *smtptest.Server, to, want string) []string {
	t.Helper()
	var out []string
	for _, m := range smtp.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], to) {
			if text := decodedText(t, m.Data); strings.Contains(text, want) {
				out = append(out, text)
			}
		}
	}
	return out
}

// TestSessionReportAPI: filing a report through the API on both
// databases: refusals that store nothing, the report as the mentor and
// staff see it (and the mentee does not), the summary mailed to the
// mentee through SMTP once, and the outcome-only route keeping the text.
func TestSessionReportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL()})
		st := openDB(t, db)
		m := createMentor(t, admin, map[string]any{"name": "Grace", "max_mentees": 3, "max_upcoming_per_mentee": 3})
		other := createMentor(t, admin, map[string]any{"name": "Ada", "email": "ada@example.org", "max_mentees": 3})
		mentee, _ := newMentee(t, admin, "zoe", m.ID)
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		var b reportAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC")}, &b); code != 201 {
			t.Fatalf("book: %d", code)
		}
		var cancelled reportAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slotsOf(t, anon, link, "UTC")[4]}, &cancelled); code != 201 {
			t.Fatalf("book a second session: %d %+v", code, cancelled)
		}
		mentor := client{t: t, base: s.base, token: m.Token}
		path := "/api/v1/bookings/" + b.ID + "/report"

		var refused reportAnswer
		if code := mentor.do("POST", path, map[string]any{"outcome": "completed"}, &refused); code != 409 || refused.Code != "conflict" {
			t.Fatalf("a report before the start: %d %+v", code, refused)
		}
		// no_show before a third of the session has passed.
		shiftSession(t, st, b.ID, time.Now().Add(-5*time.Minute), 30)
		refused = reportAnswer{}
		if code := mentor.do("POST", path, map[string]any{"outcome": "no_show", "notes": "not here"}, &refused); code != 422 ||
			refused.Code != "invalid_input" || refused.Field != "outcome" {
			t.Fatalf("no_show before a third: %d %+v", code, refused)
		}
		shiftSession(t, st, b.ID, time.Now().Add(-20*time.Minute), 30)
		for what, body := range map[string]map[string]any{
			"notes over 10,000 characters":   {"outcome": "completed", "notes": strings.Repeat("n", 10001)},
			"a summary over 10,000":          {"outcome": "completed", "summary": strings.Repeat("s", 10001)},
			"no outcome":                     {"notes": "x"},
			"notes that are not a string":    {"outcome": "completed", "notes": 3},
			"an outcome that does not exist": {"outcome": "great"},
		} {
			refused = reportAnswer{}
			if code := mentor.do("POST", path, body, &refused); code != 422 || refused.Code != "invalid_input" {
				t.Errorf("%s: %d %+v", what, code, refused)
			}
		}
		intruder := client{t: t, base: s.base, token: other.Token}
		if code := intruder.do("POST", path, map[string]any{"outcome": "no_show", "notes": "mine"}, &refused); code != 404 && code != 403 {
			t.Fatalf("another mentor's report: %d", code)
		}
		// A cancelled session takes late_cancel only.
		if code := admin.do("POST", "/api/v1/bookings/"+cancelled.ID+"/cancel", map[string]string{"reason": "ill"}, nil); code != 200 {
			t.Fatalf("cancel: %d", code)
		}
		shiftSession(t, st, cancelled.ID, time.Now().Add(-2*time.Hour), 30)
		refused = reportAnswer{}
		if code := mentor.do("POST", "/api/v1/bookings/"+cancelled.ID+"/report", map[string]any{"outcome": "completed", "summary": "We met."}, &refused); code != 409 ||
			refused.Code != "conflict" || !strings.Contains(refused.Detail, "late_cancel") {
			t.Fatalf("completed on a cancelled session: %d %+v", code, refused)
		}
		var now reportAnswer
		for _, id := range []string{b.ID, cancelled.ID} {
			admin.do("GET", "/api/v1/bookings/"+id, nil, &now)
			if now.Report != nil || now.Outcome != nil {
				t.Fatalf("refused reports stored something on %s: %+v", id, now.Report)
			}
		}

		const summary = "We went through your portfolio.\nNext: publish the project — avec les accents."
		var filed reportAnswer
		if code := mentor.do("POST", path, map[string]any{"outcome": "completed", "notes": "Needs confidence.", "summary": summary}, &filed); code != 200 {
			t.Fatalf("file: %d", code)
		}
		if filed.Report == nil || filed.Report.Outcome != "completed" || filed.Report.Notes != "Needs confidence." || filed.Report.Summary != summary ||
			filed.Report.FiledBy != "mentor" || filed.Outcome == nil || *filed.Outcome != "completed" {
			t.Fatalf("filed report: %+v", filed.Report)
		}
		eventually(t, 20*time.Second, "the summary mail", func() bool { return len(mailsTo(t, smtp, "zoe@example.org", "portfolio")) > 0 })
		got := mailsTo(t, smtp, "zoe@example.org", "portfolio")
		if len(got) != 1 || !strings.Contains(got[0], "publish the project — avec les accents") || !strings.Contains(got[0], "/book/"+link) ||
			strings.Contains(got[0], "Needs confidence") {
			t.Fatalf("summary mail: %q", got)
		}
		if len(mailsTo(t, smtp, "grace@example.org", "Needs confidence")) != 0 {
			t.Fatal("the private notes were mailed")
		}

		var managed reportAnswer
		anon.do("GET", "/api/v1/manage/"+linkOf(b.ManageURL), nil, &managed)
		if managed.Report != nil {
			t.Fatalf("the mentee's manage link shows the report: %+v", managed.Report)
		}
		var outcomeOnly reportAnswer
		if code := admin.do("POST", "/api/v1/bookings/"+b.ID+"/outcome", map[string]any{"outcome": "no_show"}, &outcomeOnly); code != 200 ||
			outcomeOnly.Report == nil || outcomeOnly.Report.Outcome != "no_show" || outcomeOnly.Report.Notes != "Needs confidence." ||
			outcomeOnly.Report.Summary != summary || outcomeOnly.Report.FiledBy != "admin" {
			t.Fatalf("the outcome-only route: %d %+v", code, outcomeOnly.Report)
		}
		time.Sleep(500 * time.Millisecond)
		if n := len(mailsTo(t, smtp, "zoe@example.org", "portfolio")); n != 1 {
			t.Fatalf("the unchanged summary was mailed %d times", n)
		}
	})
}

// statementAnswer is GET /statements.
type statementAnswer struct {
	Month   string `json:"month"`
	Closed  bool   `json:"closed"`
	Mentors []struct {
		MentorID   string `json:"mentor_id"`
		MentorName string `json:"mentor_name"`
		Completed  int    `json:"completed"`
		NoShow     int    `json:"no_show"`
		Unreported int    `json:"unreported"`
		Minutes    int    `json:"minutes"`
	} `json:"mentors"`
	Code string `json:"code"`
}

// getCSV fetches a CSV route with a bearer token.
func getCSV(t *testing.T, c client, path string) (int, string) {
	t.Helper()
	res, body := get(t, c.base+path, map[string]string{"Authorization": "Bearer " + c.token})
	return res.StatusCode, body
}

// TestStatementsAPI: on both databases, a month's statement as JSON and
// CSV for staff and for the mentor, closing it, a report refused
// afterwards with period_closed and nothing stored, and the closed CSV
// unchanged.
func TestStatementsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		st := openDB(t, db)
		m := createMentor(t, admin, map[string]any{"name": "Zoë Statement", "timezone": "Europe/Paris", "max_mentees": 3, "max_upcoming_per_mentee": 3})
		mentee, _ := newMentee(t, admin, "sam", m.ID)
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		slots := slotsOf(t, anon, link, "UTC")
		month := time.Now().UTC().AddDate(0, -2, 0)
		first := time.Date(month.Year(), month.Month(), 10, 9, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 2 {
			var b bookingAnswer
			if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slots[i*2]}, &b); code != 201 {
				t.Fatalf("book: %d", code)
			}
			shiftSession(t, st, b.ID, first.Add(time.Duration(i)*24*time.Hour), 45)
			ids = append(ids, b.ID)
		}
		mentor := client{t: t, base: s.base, token: m.Token}
		if code := mentor.do("POST", "/api/v1/bookings/"+ids[0]+"/report", map[string]any{"outcome": "completed", "summary": "Good."}, nil); code != 200 {
			t.Fatalf("report: %d", code)
		}
		name := month.Format("2006-01")
		var stmt statementAnswer
		if code := admin.do("GET", "/api/v1/statements?month="+name, nil, &stmt); code != 200 || stmt.Closed || len(stmt.Mentors) != 1 ||
			stmt.Mentors[0].Completed != 1 || stmt.Mentors[0].Unreported != 1 || stmt.Mentors[0].Minutes != 45 {
			t.Fatalf("statement: %d %+v", code, stmt)
		}
		var own statementAnswer
		if code := mentor.do("GET", "/api/v1/statements?month="+name, nil, &own); code != 200 || len(own.Mentors) != 1 || own.Mentors[0].MentorID != m.ID {
			t.Fatalf("the mentor's own: %d %+v", code, own)
		}
		var bad statementAnswer
		if code := admin.do("GET", "/api/v1/statements?month=2026-13", nil, &bad); code != 422 || bad.Code != "invalid_input" {
			t.Fatalf("a bad month: %d %+v", code, bad)
		}
		code, before := getCSV(t, admin, "/api/v1/statements.csv?month="+name)
		if code != 200 || !strings.HasPrefix(before, "\ufeffmonth,mentor_id,mentor_name,timezone,") || !strings.Contains(before, "Zoë Statement") {
			t.Fatalf("CSV: %d %q", code, before)
		}
		if code := mentor.do("POST", "/api/v1/statements/"+name+"/close", nil, &bad); code != 403 {
			t.Fatalf("a mentor closing: %d", code)
		}
		var closed statementAnswer
		if code := admin.do("POST", "/api/v1/statements/"+name+"/close", nil, &closed); code != 200 || !closed.Closed {
			t.Fatalf("close: %d %+v", code, closed)
		}
		if code := admin.do("POST", "/api/v1/statements/"+name+"/close", nil, &bad); code != 409 || bad.Code != "conflict" {
			t.Fatalf("close twice: %d %+v", code, bad)
		}
		_, kept := getCSV(t, admin, "/api/v1/statements.csv?month="+name)
		var refused reportAnswer
		if code := mentor.do("POST", "/api/v1/bookings/"+ids[1]+"/report", map[string]any{"outcome": "completed", "notes": "late"}, &refused); code != 409 || refused.Code != "period_closed" {
			t.Fatalf("a report in a closed month: %d %+v", code, refused)
		}
		var after reportAnswer
		admin.do("GET", "/api/v1/bookings/"+ids[1], nil, &after)
		if after.Report != nil {
			t.Fatalf("the refused report was stored: %+v", after.Report)
		}
		if err := st.Exec(context.Background(), "UPDATE mentors SET name = 'Renamed' WHERE id = ?", m.ID); err != nil {
			t.Fatal(err)
		}
		if _, again := getCSV(t, admin, "/api/v1/statements.csv?month="+name); again != kept || !strings.Contains(kept, "Zoë Statement") {
			t.Fatalf("the closed CSV changed:\n%s\nwas\n%s", again, kept)
		}
	})
}
