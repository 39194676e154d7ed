package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

type slotsAnswer struct {
	Timezone string `json:"timezone"`
	Stale    bool   `json:"stale"`
	Slots    []struct{ Start, End string }
}

type bookingAnswer struct {
	ID        string  `json:"id"`
	MentorID  string  `json:"mentor_id"`
	MenteeID  string  `json:"mentee_id"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Status    string  `json:"status"`
	Outcome   *string `json:"outcome"`
	Sequence  int     `json:"sequence"`
	VideoURL  string  `json:"video_url"`
	ManageURL string  `json:"manage_url"`
	ICSURL    string  `json:"ics_url"`
	Code      string  `json:"code"`
}

func firstSlot(t *testing.T, c client, link, tz string) string {
	t.Helper()
	return slotsOf(t, c, link, tz)[0]
}

// slotsOfFullDay lists the slot starts of the first whole day in slotsOf's
// window (the day after tomorrow), which begin with the mentor's first
// hour whatever the time of day the test runs at: for tests that move a
// session hours later the same day and need those hours to be working
// ones.
func slotsOfFullDay(t *testing.T, c client, link, tz string) []string {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	byDay := map[string][]string{}
	for _, s := range slotsOf(t, c, link, tz) {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("slot %q: %v", s, err)
		}
		day := at.In(loc).Format(time.DateOnly)
		if len(byDay[day]) == 0 {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], s)
	}
	if len(days) < 2 {
		t.Fatalf("slots of one day only: %v", days)
	}
	return byDay[days[1]]
}

// slotsOf lists the slot starts of the next two days after tomorrow.
func slotsOf(t *testing.T, c client, link, tz string) []string {
	t.Helper()
	from := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	var s slotsAnswer
	if st := c.do("GET", "/api/v1/book/"+link+"/slots?from="+from+"&to="+to+"&tz="+tz, nil, &s); st != 200 || len(s.Slots) == 0 {
		t.Fatalf("slots: %d %+v", st, s)
	}
	if s.Timezone != tz {
		t.Fatalf("slots in %s, want %s", s.Timezone, tz)
	}
	out := make([]string, len(s.Slots))
	for i, sl := range s.Slots {
		out[i] = sl.Start
	}
	return out
}

// TestConcurrentBookingsOneSlot fires 50 requests at one slot: exactly one
// wins, the rest get 409 slot_unavailable, and one set of invites goes out.
func TestConcurrentBookingsOneSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s := startServe(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
			"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789"})
		defer s.stop()
		admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
		m := createMentor(t, admin, nil)
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		start := firstSlot(t, anon, link, "America/Toronto")

		var wg sync.WaitGroup
		codes := make(chan string, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b bookingAnswer
				st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{
					"start": start, "name": fmt.Sprintf("Mentee %d", i), "email": fmt.Sprintf("m%d@example.org", i), "timezone": "America/Toronto"}, &b)
				codes <- fmt.Sprintf("%d %s", st, b.Code)
			}()
		}
		wg.Wait()
		close(codes)
		tally := map[string]int{}
		for c := range codes {
			tally[c]++
		}
		if tally["201 "] != 1 || tally["409 slot_unavailable"] != 49 {
			t.Fatalf("want one 201 and 49 409 slot_unavailable, got %v", tally)
		}
		var list struct{ Bookings []bookingAnswer }
		admin.do("GET", "/api/v1/mentors/"+m.ID+"/bookings", nil, &list)
		if len(list.Bookings) != 1 {
			t.Fatalf("stored sessions: %d, want 1", len(list.Bookings))
		}
		eventually(t, 20*time.Second, "the invites", func() bool { return len(smtp.Messages()) >= 2 })
		inspect := openDB(t, db)
		eventually(t, 20*time.Second, "the mail job to finish", func() bool { return jobCount(t, inspect, "notice_mails", "completed") == 1 })
		if n, single := jobCount(t, inspect, "notice_mails"), jobCount(t, inspect, "mail"); n != 1 || single != 0 {
			t.Fatalf("mail jobs: %d notices, %d single mails, want exactly one notice (one invite each)", n, single)
		}
		if n := len(smtp.Messages()); n != 2 {
			t.Fatalf("mails sent: %d, want 2", n)
		}
	})
}

// TestBookingPathAndInvites books, replays, reschedules and cancels through
// the API and checks every invite that arrives over SMTP.
func TestBookingPathAndInvites(t *testing.T) {
	smtp := smtptest.StartServer(t, smtptest.Options{})
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789", "RENDEZVOUS_VIDEO": "jitsi"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, nil)
	anon := client{t: t, base: s.base}
	link := linkOf(*m.BookingURL)
	free := slotsOf(t, anon, link, "America/Toronto")
	start := free[0]

	body := map[string]string{"start": start, "name": "Zoé Ærø", "email": "zoe@example.org", "timezone": "America/Toronto", "note": "Let's talk Go"}
	var b bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, &b, "Idempotency-Key", "k1"); st != 201 {
		t.Fatalf("book: %d %+v", st, b)
	}
	if b.Status != "confirmed" || b.Outcome != nil || !strings.Contains(b.VideoURL, "/join/") || !strings.Contains(b.ManageURL, "/manage/") {
		t.Fatalf("booking: %+v", b)
	}
	if target := joinTarget(t, s.base, b.VideoURL); !strings.HasPrefix(target, "https://meet.jit.si/") {
		t.Fatalf("the join link leads to %q", target)
	}
	if b.Start != start {
		t.Fatalf("start %s, want %s (the visitor's zone)", b.Start, start)
	}
	var replay bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, &replay, "Idempotency-Key", "k1"); st != 201 || replay.ID != b.ID {
		t.Fatalf("replay: %d %+v", st, replay)
	}
	body["note"] = "another body"
	var bad bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, &bad, "Idempotency-Key", "k1"); st != 422 || bad.Code != "invalid_input" {
		t.Fatalf("key reuse with another body: %d %+v", st, bad)
	}

	icsURL := s.base + b.ICSURL[strings.Index(b.ICSURL, "/api/"):]
	res, err := http.Get(icsURL)
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") || !bytes.Contains(ics, []byte("UID:"+b.ID)) {
		t.Fatalf("ics: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), ics)
	}
	if res, _ := http.Get(strings.Replace(icsURL, "token=", "token=x", 1)); res.StatusCode != 404 {
		t.Fatalf("ics with a wrong token: %d", res.StatusCode)
	}

	invites := waitMail(t, smtp, 2)
	for _, inv := range invites {
		if inv.method != "REQUEST" || inv.sequence != 0 || inv.uid == "" {
			t.Fatalf("invite: %+v", inv)
		}
	}

	token := linkOf(b.ManageURL)
	var moved bookingAnswer
	next := mustTime(t, free[len(free)-1]).UTC().Format(time.RFC3339)
	if st := anon.do("POST", "/api/v1/manage/"+token+"/reschedule", map[string]string{"start": next}, &moved); st != 200 || moved.ID != b.ID || moved.Sequence != 1 {
		t.Fatalf("reschedule: %d %+v", st, moved)
	}
	updates := waitMail(t, smtp, 4)[2:]
	for _, u := range updates {
		if u.method != "REQUEST" || u.sequence != 1 || u.uid != invites[0].uid {
			t.Fatalf("reschedule invite: %+v", u)
		}
	}
	var cancelled bookingAnswer
	if st := anon.do("POST", "/api/v1/manage/"+token+"/cancel", map[string]string{"reason": "ill"}, &cancelled); st != 200 || cancelled.Status != "cancelled" || cancelled.Sequence != 2 {
		t.Fatalf("cancel: %d %+v", st, cancelled)
	}
	for _, c := range waitMail(t, smtp, 6)[4:] {
		if c.method != "CANCEL" || c.sequence != 2 || c.uid != invites[0].uid || c.status != "CANCELLED" {
			t.Fatalf("cancel mail: %+v", c)
		}
	}
	// The slot is free again.
	var again bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": next, "name": "Other", "email": "other@example.org"}, &again); st != 201 {
		t.Fatalf("rebook a freed slot: %d %+v", st, again)
	}
}

// TestSMTPOutageDeliversOnce: the SMTP server refuses for a while, then
// accepts; every invite arrives exactly once.
func TestSMTPOutageDeliversOnce(t *testing.T) {
	smtp := smtptest.StartServer(t, smtptest.Options{RejectCode: 451})
	db := storetest.SQLite(t)
	s := startServe(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, nil)
	anon := client{t: t, base: s.base}
	link := linkOf(*m.BookingURL)
	start := firstSlot(t, anon, link, "Europe/Paris")
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": start, "name": "A", "email": "a@example.org"}, nil); st != 201 {
		t.Fatalf("book: %d", st)
	}
	inspect := openDB(t, db)
	eventually(t, 20*time.Second, "a failed delivery attempt", func() bool { return jobCountWhere(t, inspect, "notice_mails", "errors IS NOT NULL") == 1 })
	if len(smtp.Messages()) != 0 {
		t.Fatal("a refused mail was counted as delivered")
	}
	smtp.SetRejectCode(0)
	waitFor(t, 30*time.Second, func() bool { return jobCount(t, inspect, "notice_mails", "completed") == 1 }, func() string {
		var errs []string
		rows, _ := inspect.SQLDB().Query("SELECT state, attempt, CAST(errors AS TEXT) FROM river_job WHERE kind = 'notice_mails'")
		for rows != nil && rows.Next() {
			var state, e string
			var attempt int
			rows.Scan(&state, &attempt, &e)
			errs = append(errs, fmt.Sprintf("%s attempt %d: %s", state, attempt, e))
		}
		return "delivery after the outage; jobs: " + strings.Join(errs, "\n")
	})
	if n := len(smtp.Messages()); n != 2 {
		t.Fatalf("delivered %d mails, want exactly 2", n)
	}
}

type invite struct {
	to, method, uid, status string
	sequence                int
}

// waitMail waits for n mails and parses the iMIP invite in each.
func waitMail(t *testing.T, smtp *smtptest.Server, n int) []invite {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("%d mails", n), func() bool { return len(smtp.Messages()) >= n })
	var out []invite
	for _, msg := range smtp.Messages()[:n] {
		out = append(out, parseInvite(t, msg.Data))
	}
	return out
}

// parseInvite checks the RFC 6047 structure: a text/calendar part with a
// method inside multipart/alternative, and the same .ics attached.
func parseInvite(t *testing.T, data []byte) invite {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	var inv invite
	var inline, attached []byte
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("mail part: %v", err)
		}
		ct, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			if ct == "text/calendar" {
				inline, inv.method = body, strings.ToUpper(params["method"])
			}
		case *mail.AttachmentHeader:
			if name, _ := h.Filename(); name == "invite.ics" {
				attached = body
			}
		}
	}
	if inline == nil || attached == nil {
		t.Fatalf("invite lacks the inline calendar part or the invite.ics attachment:\n%s", data)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(inline)).Decode()
	if err != nil {
		t.Fatalf("parse invite: %v", err)
	}
	if m, _ := cal.Props.Text(ical.PropMethod); m != inv.method {
		t.Fatalf("METHOD %q in the body, %q in Content-Type", m, inv.method)
	}
	ev := cal.Events()[0]
	inv.uid, _ = ev.Props.Text(ical.PropUID)
	inv.status, _ = ev.Props.Text(ical.PropStatus)
	if seq := ev.Props.Get(ical.PropSequence); seq != nil {
		fmt.Sscan(seq.Value, &inv.sequence)
	}
	return inv
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
