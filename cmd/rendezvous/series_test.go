package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

type seriesAnswer struct {
	ID       string `json:"id"`
	Bookings []struct {
		bookingAnswer
		SeriesID *string `json:"series_id"`
	} `json:"bookings"`
	Skipped []struct {
		Start  string `json:"start"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

type previewAnswer struct {
	Timezone    string `json:"timezone"`
	Occurrences []struct {
		Start       string  `json:"start"`
		Available   bool    `json:"available"`
		Reason      *string `json:"reason"`
		Alternative *struct {
			Start string `json:"start"`
		} `json:"alternative"`
	} `json:"occurrences"`
}

// TestSeriesAPI drives the weekly-series routes through the server (every
// answer checked against the API description): preview, bad input, a
// series booked and replayed by its Idempotency-Key, all or nothing over
// taken weeks, and a mentor booking for a mentee.
func TestSeriesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true"})
		// A receiver that never answers: its deliveries list what was sent.
		var hook webhookAnswer
		if st := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hooks", "events": []string{"booking.cancelled"}}, &hook); st != 201 {
			t.Fatalf("register a webhook: %d %+v", st, hook)
		}
		m := createMentor(t, admin, map[string]any{"horizon_days": 60})
		mentor := client{t: t, base: s.base, token: m.Token}
		var zoe, ada menteeAnswer
		admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe", "email": "zoe@example.org", "timezone": "UTC", "mentor_id": m.ID}, &zoe)
		admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Ada", "email": "ada@example.org", "timezone": "UTC", "mentor_id": m.ID}, &ada)
		anon := client{t: t, base: s.base}
		link, adaLink := linkOf(*zoe.BookingURL), linkOf(*ada.BookingURL)
		start := firstSlot(t, anon, link, "UTC")

		var p previewAnswer
		if st := anon.do("GET", "/api/v1/book/"+link+"/series?start="+start+"&count=4&interval_weeks=1&tz=America/Toronto", nil, &p); st != 200 || len(p.Occurrences) != 4 {
			t.Fatalf("preview: %d %+v", st, p)
		}
		for _, o := range p.Occurrences {
			if !o.Available || o.Reason != nil || o.Alternative != nil {
				t.Errorf("occurrence %+v, want free", o)
			}
		}
		t0, _ := time.Parse(time.RFC3339, start)
		for _, q := range []string{"count=1", "count=27", "count=4&interval_weeks=5", "count=x"} {
			if st := anon.do("GET", "/api/v1/book/"+link+"/series?start="+start+"&"+q, nil, nil); st != 422 {
				t.Errorf("preview with %s: %d, want 422", q, st)
			}
		}
		offGrid := t0.Add(15 * time.Minute).Format(time.RFC3339)
		if st := anon.do("GET", "/api/v1/book/"+link+"/series?start="+offGrid+"&count=4", nil, nil); st != 422 {
			t.Errorf("preview off the grid: %d, want 422", st)
		}

		body := map[string]any{"start": start, "count": 4, "interval_weeks": 1}
		var first, again seriesAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/series", body, &first, "Idempotency-Key", "series-1"); st != 201 || len(first.Bookings) != 4 || len(first.Skipped) != 0 {
			t.Fatalf("book series: %d %+v", st, first)
		}
		for _, b := range first.Bookings {
			if b.SeriesID == nil || *b.SeriesID != first.ID {
				t.Errorf("booking %s carries series %v, want %s", b.ID, b.SeriesID, first.ID)
			}
		}
		if st := anon.do("POST", "/api/v1/book/"+link+"/series", body, &again, "Idempotency-Key", "series-1"); st != 201 || again.ID != first.ID {
			t.Fatalf("replay: %d %+v, want series %s", st, again, first.ID)
		}
		all := map[string]any{"start": start, "count": 2, "interval_weeks": 1, "skip_unavailable": false}
		if st := anon.do("POST", "/api/v1/book/"+adaLink+"/series", all, nil); st != 409 {
			t.Fatalf("all or nothing over taken weeks: %d, want 409", st)
		}
		var skipped seriesAnswer
		later := t0.AddDate(0, 0, 21).Format(time.RFC3339)
		if st := anon.do("POST", "/api/v1/book/"+adaLink+"/series", map[string]any{"start": later, "count": 3}, &skipped); st != 201 ||
			len(skipped.Bookings) != 2 || len(skipped.Skipped) != 1 || skipped.Skipped[0].Reason != "session_booked" {
			t.Fatalf("series over a taken week: %d %+v", st, skipped)
		}

		// This session and the following ones of the first series.
		var cancelled bookingAnswer
		if st := anon.do("POST", "/api/v1/manage/"+linkOf(first.Bookings[2].ManageURL)+"/cancel", map[string]any{"reason": "moving away", "scope": "following"}, &cancelled); st != 200 || cancelled.Status != "cancelled" {
			t.Fatalf("cancel this and the following: %d %+v", st, cancelled)
		}
		var last bookingAnswer
		if admin.do("GET", "/api/v1/bookings/"+first.Bookings[3].ID, nil, &last); last.Status != "cancelled" {
			t.Fatalf("the following session: %+v, want cancelled", last)
		}
		// Webhook receivers follow sessions one by one: each cancelled
		// session is announced.
		var ds deliveriesAnswer
		if admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", nil, &ds); len(ds.Deliveries) != 2 {
			t.Fatalf("booking.cancelled deliveries after cancelling two sessions of a series: %+v, want 2", ds.Deliveries)
		}
		if st := anon.do("POST", "/api/v1/manage/"+linkOf(first.Bookings[1].ManageURL)+"/cancel", map[string]any{"scope": "all"}, nil); st != 422 {
			t.Fatalf("an unknown scope: %d, want 422", st)
		}

		var one bookingAnswer
		evening := t0.AddDate(0, 0, 2).Truncate(24 * time.Hour).Add(21 * time.Hour).Format(time.RFC3339) // 22:00 Paris: outside the hours
		if st := mentor.do("POST", "/api/v1/mentees/"+zoe.ID+"/bookings", map[string]any{"start": evening}, nil); st != 409 {
			t.Fatalf("outside the hours unasked: %d, want 409", st)
		}
		if st := mentor.do("POST", "/api/v1/mentees/"+zoe.ID+"/bookings", map[string]any{"start": evening, "outside_hours": true}, &one); st != 201 || one.ID == "" {
			t.Fatalf("one session for a mentee: %d %+v", st, one)
		}
		var byMentor seriesAnswer
		if st := mentor.do("POST", "/api/v1/mentees/"+zoe.ID+"/bookings", map[string]any{"start": evening, "count": 3, "interval_weeks": 2, "outside_hours": true}, &byMentor); st != 201 ||
			len(byMentor.Bookings) != 2 || len(byMentor.Skipped) != 1 {
			t.Fatalf("series for a mentee over its own first session: %d %+v", st, byMentor)
		}
	})
}

// TestPagesBookForMentee: from the mentor area, a mentor books a weekly
// series for their mentee outside their hours (read on the mentor's
// clock); the mentee gets one invitation for the series.
func TestPagesBookForMentee(t *testing.T) {
	e := startPages(t)
	var zoe menteeAnswer
	e.admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe", "email": "zoe@example.org", "timezone": "UTC", "mentor_id": e.mentor.ID}, &zoe)
	jar, _ := cookiejar.New(nil)
	browserless := &http.Client{Jar: jar}
	postForm(t, browserless, e.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
	postForm(t, browserless, signinLink(t, e), nil, http.StatusOK)

	paris, _ := time.LoadLocation("Europe/Paris")
	day := time.Now().In(paris).AddDate(0, 0, 3)
	first := time.Date(day.Year(), day.Month(), day.Day(), 21, 0, 0, 0, paris) // after the 20:00 close
	postFormFrom(t, browserless, e.s.base+"/mentor", e.s.base+"/mentor/book", url.Values{"mentee": {zoe.ID},
		"start": {first.Format("2006-01-02T15:04")}, "count": {"4"}, "interval_weeks": {"2"}, "outside_hours": {"1"}}, http.StatusOK)
	var got []time.Time
	for _, b := range e.bookingsOf(t) {
		if b.MenteeID == zoe.ID {
			at, _ := time.Parse(time.RFC3339, b.Start)
			got = append(got, at)
		}
	}
	if len(got) == 0 || !got[0].Equal(first) {
		t.Fatalf("booked for the mentee: %v, want a series from %s", got, first)
	}
	for k, at := range got {
		if want := first.AddDate(0, 0, 14*k); !at.Equal(want) {
			t.Errorf("session %d at %s, want %s", k, at, want)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d sessions booked for the mentee, want 4 (listed: %v)", len(got), got)
	}
}

// TestSeriesSessionsCountInStatements: each session of a series is a
// session for reports and statements: once held, one reported completed
// and two not, the month's statement counts 1 completed and 2 unreported.
func TestSeriesSessionsCountInStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		st := openDB(t, db)
		m := createMentor(t, admin, map[string]any{"name": "Zoë Series", "timezone": "Europe/Paris", "max_mentees": 3, "horizon_days": 60})
		mentee, _ := newMentee(t, admin, "sam", m.ID)
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		var series seriesAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/series", map[string]any{"start": firstSlot(t, anon, link, "UTC"), "count": 3, "interval_weeks": 1}, &series); code != 201 || len(series.Bookings) != 3 {
			t.Fatalf("book series: %d %+v", code, series)
		}
		month := time.Now().UTC().AddDate(0, -2, 0)
		for i, b := range series.Bookings {
			shiftSession(t, st, b.ID, time.Date(month.Year(), month.Month(), 3+7*i, 9, 0, 0, 0, time.UTC), 45)
		}
		mentor := client{t: t, base: s.base, token: m.Token}
		if code := mentor.do("POST", "/api/v1/bookings/"+series.Bookings[0].ID+"/report", map[string]any{"outcome": "completed"}, nil); code != 200 {
			t.Fatalf("report: %d", code)
		}
		var stmt statementAnswer
		if code := admin.do("GET", "/api/v1/statements?month="+month.Format("2006-01")+"&mentor_id="+m.ID, nil, &stmt); code != 200 || len(stmt.Mentors) != 1 ||
			stmt.Mentors[0].Completed != 1 || stmt.Mentors[0].Unreported != 2 || stmt.Mentors[0].Minutes != 45 {
			t.Fatalf("statement: %d %+v", code, stmt)
		}
	})
}
