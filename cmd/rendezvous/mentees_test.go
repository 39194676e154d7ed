package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

const testAdminToken = "admin-token-for-the-tests-0123456789"

type menteeAnswer struct {
	ID                string  `json:"id"`
	MentorID          string  `json:"mentor_id"`
	Status            string  `json:"status"`
	BookingURL        *string `json:"booking_url"`
	SessionsMoved     int     `json:"sessions_moved"`
	SessionsCancelled int     `json:"sessions_cancelled"`
	Code              string  `json:"code"`
	Field             string  `json:"field"`
}

// startForMentees runs serve with a known admin token and no rate limit.
func startForMentees(t *testing.T, db storetest.Database, env map[string]string) (started, client) {
	t.Helper()
	all := map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": testAdminToken}
	for k, v := range env {
		all[k] = v
	}
	s := startServe(t, db, all)
	t.Cleanup(func() { s.stop() })
	return s, client{t: t, base: s.base, token: testAdminToken}
}

func newMentee(t *testing.T, c client, name, mentorID string) (menteeAnswer, int) {
	t.Helper()
	body := map[string]any{"name": name, "email": name + "@example.org", "timezone": "Europe/Paris", "notify": false}
	if mentorID != "" {
		body["mentor_id"] = mentorID
	}
	var m menteeAnswer
	st := c.do("POST", "/api/v1/mentees", body, &m)
	return m, st
}

// TestMenteeAssignmentAndEnd: creation with and without a mentor (the one
// with the most free places, ties to the least recently assigned), the
// mentor token's limits, caseload_full, and ending a mentorship, which
// frees the place and cancels future sessions with notice to both.
func TestMenteeAssignmentAndEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		small := createMentor(t, admin, map[string]any{"name": "Small", "max_mentees": 2})
		large := createMentor(t, admin, map[string]any{"name": "Large", "max_mentees": 3})
		want := []string{large.ID, small.ID, large.ID, small.ID, large.ID}
		var first menteeAnswer
		for i, w := range want {
			m, st := newMentee(t, admin, fmt.Sprintf("auto%d", i), "")
			if st != 201 || m.MentorID != w || m.Status != "active" || m.BookingURL == nil {
				t.Fatalf("auto-assignment %d: %d %+v, want mentor %s", i, st, m, w)
			}
			if i == 1 {
				first = m
			}
		}
		if m, st := newMentee(t, admin, "overflow", ""); st != 409 || m.Code != "caseload_full" {
			t.Fatalf("every caseload full: %d %+v", st, m)
		}
		if m, st := newMentee(t, admin, "explicit", small.ID); st != 409 || m.Code != "caseload_full" {
			t.Fatalf("explicit full mentor: %d %+v", st, m)
		}
		var bad menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "x", "email": "x@example.org", "timezone": "Mars/Olympus"}, &bad); st != 422 || bad.Field != "timezone" {
			t.Fatalf("unknown zone: %d %+v", st, bad)
		}
		smallTok := client{t: t, base: s.base, token: small.Token}
		if m, st := newMentee(t, smallTok, "poach", large.ID); st != 403 || m.Code != "forbidden" {
			t.Fatalf("mentor token creating for another mentor: %d %+v", st, m)
		}

		var got menteeAnswer
		if st := smallTok.do("GET", "/api/v1/mentees/"+first.ID, nil, &got); st != 200 || *got.BookingURL != *first.BookingURL {
			t.Fatalf("GET own mentee: %d %+v (created with %s)", st, got, *first.BookingURL)
		}
		largeTok := client{t: t, base: s.base, token: large.Token}
		if st := largeTok.do("GET", "/api/v1/mentees/"+first.ID, nil, &got); st != 404 {
			t.Fatalf("GET another mentor's mentee: %d", st)
		}

		// A session on the mentee's own link, then the mentor ends it all.
		anon := client{t: t, base: s.base}
		link := linkOf(*first.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "Europe/Paris")}, &b); st != 201 {
			t.Fatalf("book: %d %+v", st, b)
		}
		store := openDB(t, db)
		mailsBefore := jobCount(t, store, "notice_mails")
		var ended menteeAnswer
		if st := smallTok.do("POST", "/api/v1/mentees/"+first.ID+"/end", nil, &ended); st != 200 || ended.Status != "ended" || ended.BookingURL != nil {
			t.Fatalf("end: %d %+v", st, ended)
		}
		var after bookingAnswer
		if st := smallTok.do("GET", "/api/v1/bookings/"+b.ID, nil, &after); st != 200 || after.Status != "cancelled" {
			t.Fatalf("future session after the end: %d %+v", st, after)
		}
		if n := jobCount(t, store, "notice_mails") - mailsBefore; n != 1 {
			t.Fatalf("cancellation mail jobs queued: %d, want one (a mail to each party)", n)
		}
		if st := anon.do("GET", "/api/v1/book/"+link, nil, nil); st != 404 {
			t.Fatalf("an ended mentee's link: %d", st)
		}
		if st := smallTok.do("POST", "/api/v1/mentees/"+first.ID+"/end", nil, &ended); st != 200 || ended.Status != "ended" {
			t.Fatalf("ending twice: %d %+v", st, ended)
		}
		// The freed place goes to the next mentee, created by the mentor itself.
		if m, st := newMentee(t, smallTok, "successor", ""); st != 201 || m.MentorID != small.ID {
			t.Fatalf("mentor creating for itself: %d %+v", st, m)
		}
	})
}

// TestReassignMentee moves a mentee between mentors: a future session the
// new mentor is free for moves to them (same instant and length, new
// SEQUENCE), one they cannot take is cancelled; both with notice by mail.
func TestReassignMentee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_VIDEO": "jitsi"})
		from := createMentor(t, admin, map[string]any{"name": "From", "email": "from@example.org", "max_mentees": 2, "max_upcoming_per_mentee": 2})
		// Kathmandu (UTC+05:45) puts the session off the new mentor's own
		// half-hour grid; 08:00-20:00 there covers Paris mornings only.
		to := createMentor(t, admin, map[string]any{"name": "Tove Jansson", "email": "to@example.org", "max_mentees": 1,
			"timezone": "Asia/Kathmandu", "session_minutes": 60})
		m, _ := newMentee(t, admin, "mover", from.ID)
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		paris, _ := time.LoadLocation("Europe/Paris")
		day := time.Now().In(paris).AddDate(0, 0, 2)
		at := func(h int) string {
			return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, paris).UTC().Format(time.RFC3339)
		}
		var movable, stuck bookingAnswer
		for _, b := range []struct {
			start string
			out   *bookingAnswer
		}{{at(9), &movable}, {at(19), &stuck}} {
			if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": b.start}, b.out); st != 201 {
				t.Fatalf("book %s: %d %+v", b.start, st, b.out)
			}
		}
		waitMail(t, smtp, 4)

		fromTok := client{t: t, base: s.base, token: from.Token}
		if st := fromTok.do("POST", "/api/v1/mentees/"+m.ID+"/reassign", map[string]string{"mentor_id": to.ID}, nil); st != 403 {
			t.Fatalf("mentor token reassigning: %d", st)
		}
		var r menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees/"+m.ID+"/reassign", map[string]any{"mentor_id": to.ID, "notify": false}, &r); st != 200 || r.MentorID != to.ID || r.SessionsMoved != 1 || r.SessionsCancelled != 1 {
			t.Fatalf("reassign: %d %+v", st, r)
		}
		var moved, cancelled bookingAnswer
		admin.do("GET", "/api/v1/bookings/"+movable.ID, nil, &moved)
		admin.do("GET", "/api/v1/bookings/"+stuck.ID, nil, &cancelled)
		if moved.MentorID != to.ID || moved.Status != "confirmed" || moved.Start != movable.Start || moved.End != movable.End || moved.Sequence != 1 {
			t.Fatalf("moved session: %+v, was %+v", moved, movable)
		}
		if cancelled.MentorID != from.ID || cancelled.Status != "cancelled" {
			t.Fatalf("session the new mentor cannot take: %+v", cancelled)
		}
		if st := fromTok.do("GET", "/api/v1/bookings/"+movable.ID, nil, nil); st != 404 {
			t.Fatalf("former mentor reading the moved session: %d", st)
		}
		// The moved session now blocks the new mentor's own slots.
		var busy struct {
			Busy []struct{ Start, Source string }
		}
		toTok := client{t: t, base: s.base, token: to.Token}
		toTok.do("GET", "/api/v1/mentors/"+to.ID+"/busy?from="+at(0)+"&to="+at(23), nil, &busy)
		if len(busy.Busy) != 1 || busy.Busy[0].Source != "booking" || !mustTime(t, busy.Busy[0].Start).Equal(mustTime(t, movable.Start)) {
			t.Fatalf("new mentor's busy time: %+v", busy)
		}

		// Former mentor: CANCEL; new mentor and mentee: REQUEST with the new
		// organizer; the unmovable session: CANCEL to both.
		got := map[string]string{}
		for _, msg := range waitMailRaw(t, smtp, 9)[4:] {
			inv := parseInvite(t, msg.Data)
			id, _, _ := strings.Cut(inv.uid, "@")
			key := id + " " + msg.To[0]
			got[key] = fmt.Sprintf("%s %d", inv.method, inv.sequence)
			if id == movable.ID && msg.To[0] == "mover@example.org" && !strings.Contains(decodedText(t, msg.Data), "Tove Jansson") {
				t.Errorf("mentee's transfer mail does not name the new mentor")
			}
		}
		want := map[string]string{
			movable.ID + " from@example.org":  "CANCEL 1",
			movable.ID + " to@example.org":    "REQUEST 1",
			movable.ID + " mover@example.org": "REQUEST 1",
			stuck.ID + " from@example.org":    "CANCEL 1",
			stuck.ID + " mover@example.org":   "CANCEL 1",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("mails after the reassignment:\n got %v\nwant %v", got, want)
		}

		other, _ := newMentee(t, admin, "other", from.ID)
		if st := admin.do("POST", "/api/v1/mentees/"+other.ID+"/reassign", map[string]string{"mentor_id": to.ID}, &r); st != 409 || r.Code != "caseload_full" {
			t.Fatalf("reassign to a full mentor: %d %+v", st, r)
		}
		if st := admin.do("POST", "/api/v1/mentees/"+other.ID+"/reassign", map[string]string{}, &r); st != 422 || r.Field != "mentor_id" {
			t.Fatalf("reassign without mentor: %d %+v", st, r)
		}
	})
}

// TestConcurrentAutoAssignment: 30 simultaneous creations against two
// mentors with 5 places each: exactly 10 succeed, 20 get caseload_full,
// and no caseload goes over its maximum.
func TestConcurrentAutoAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		_, admin := startForMentees(t, db, nil)
		a := createMentor(t, admin, map[string]any{"name": "A", "max_mentees": 5})
		b := createMentor(t, admin, map[string]any{"name": "B", "max_mentees": 5})
		var wg sync.WaitGroup
		statuses := make([]int, 30)
		codes := make([]string, 30)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, st := newMentee(t, admin, fmt.Sprintf("racer%02d", i), "")
				statuses[i], codes[i] = st, m.Code
			}()
		}
		wg.Wait()
		created, full := 0, 0
		for i, st := range statuses {
			switch {
			case st == 201:
				created++
			case st == 409 && codes[i] == "caseload_full":
				full++
			default:
				t.Errorf("request %d: %d %s", i, st, codes[i])
			}
		}
		if created != 10 || full != 20 {
			t.Fatalf("%d created, %d caseload_full; want 10 and 20", created, full)
		}
		for _, m := range []mentorCreated{a, b} {
			var c caseloadAnswer
			if st := admin.do("GET", "/api/v1/mentors/"+m.ID+"/caseload", nil, &c); st != 200 || c.ActiveMentees != 5 || c.AvailablePlaces != 0 {
				t.Fatalf("caseload of %s: %d %+v", m.ID, st, c)
			}
		}
	})
}
