package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// TestTwoProcessesOnePostgres starts two servers on one PostgreSQL
// database at once (racing migrations), books through one and checks that
// the invites and the reminder go out once, not once per process (the
// reminder from the sweep, which runs every minute).
func TestTwoProcessesOnePostgres(t *testing.T) {
	db := storetest.Postgres(t)
	smtp := smtptest.StartServer(t, smtptest.Options{})
	// The session starts on the first half hour at least an hour away; its
	// reminder's lead makes it due a few seconds into the test, and the
	// sweep after the one run at start sends it.
	start := time.Now().Add(time.Hour).Truncate(30 * time.Minute).Add(30 * time.Minute).UTC()
	lead := time.Until(start).Truncate(time.Second) - 10*time.Second
	env := map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789",
		"RENDEZVOUS_SECRET_KEY":  "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"RENDEZVOUS_REMINDERS":   lead.String()}
	var servers [2]started
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); servers[i] = startServe(t, db, env) }()
	}
	wg.Wait()
	defer servers[0].stop()
	defer servers[1].stop()

	admin := client{t: t, base: servers[0].base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, map[string]any{"min_notice_minutes": 0, "horizon_days": 3,
		"weekly_hours": allDayHours()})
	other := client{t: t, base: servers[1].base}
	link := linkOf(*m.BookingURL)
	if st := other.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": start.Format(time.RFC3339), "name": "Ana", "email": "ana@example.org"}, nil); st != 201 {
		t.Fatalf("book on the second process: %d", st)
	}
	inspect := openDB(t, db)
	waitFor(t, 100*time.Second, func() bool { return jobCount(t, inspect, "notice_mails", "completed") >= 2 }, func() string {
		rows, _ := inspect.SQLDB().Query("SELECT kind, state, coalesce(errors::text, '') FROM river_job WHERE kind <> 'calendar_sync'")
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k, s, e string
			rows.Scan(&k, &s, &e)
			out = append(out, k+" "+s+" "+e)
		}
		return "invites and reminders; jobs: " + strings.Join(out, "\n")
	})
	time.Sleep(2 * time.Second) // both processes poll again: nothing more may go out
	if n, single := jobCount(t, inspect, "notice_mails"), jobCount(t, inspect, "mail"); n != 2 || single != 0 {
		t.Fatalf("mail jobs: %d notices, %d single mails, want 2 notices (the invites, the reminders)", n, single)
	}
	var sent int
	inspect.SQLDB().QueryRow("SELECT count(*) FROM reminders_sent").Scan(&sent)
	if sent != 1 {
		t.Fatalf("reminder recorded %d times, want once", sent)
	}
	if n := len(smtp.Messages()); n != 4 {
		t.Fatalf("delivered %d mails, want 4 (each invite and reminder once)", n)
	}
}

func allDayHours() []map[string]string {
	var out []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		out = append(out, map[string]string{"weekday": d, "start": "00:00", "end": "24:00"})
	}
	return out
}

// TestReportReminderOnceAcrossProcesses: two servers on one PostgreSQL
// database, three sessions over without a report: the mentor gets one
// reminder per session, through SMTP, not one per process.
func TestReportReminderOnceAcrossProcesses(t *testing.T) {
	db := storetest.Postgres(t)
	smtp := smtptest.StartServer(t, smtptest.Options{})
	env := map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789",
		"RENDEZVOUS_SECRET_KEY":  "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"RENDEZVOUS_REMINDERS":   "", "RENDEZVOUS_REPORT_REMINDER": "1m"}
	var servers [2]started
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); servers[i] = startServe(t, db, env) }()
	}
	wg.Wait()
	defer servers[0].stop()
	defer servers[1].stop()

	admin := client{t: t, base: servers[0].base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, map[string]any{"max_upcoming_per_mentee": 5})
	mentee, _ := newMentee(t, admin, "zoe", m.ID)
	anon := client{t: t, base: servers[1].base}
	link := linkOf(*mentee.BookingURL)
	slots := slotsOf(t, anon, link, "UTC")
	inspect := openDB(t, db)
	for i, ago := range []time.Duration{3 * time.Minute, 40 * time.Minute, 80 * time.Minute} {
		var b bookingAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slots[i*2]}, &b); code != 201 {
			t.Fatalf("book: %d", code)
		}
		shiftSession(t, inspect, b.ID, time.Now().Add(-ago-30*time.Minute), 30)
	}
	reminders := func() int { return len(mailsTo(t, smtp, "grace@example.org", "its report is not filed yet")) }
	waitFor(t, 60*time.Second, func() bool { return reminders() >= 3 }, func() string {
		rows, _ := inspect.SQLDB().Query("SELECT kind, state, coalesce(errors::text, '') FROM river_job WHERE kind <> 'calendar_sync'")
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k, s, e string
			rows.Scan(&k, &s, &e)
			out = append(out, k+" "+s+" "+e)
		}
		return "three report reminders; jobs: " + strings.Join(out, "\n")
	})
	time.Sleep(10 * time.Second) // more sweeps in both processes: nothing more may go out
	if n := reminders(); n != 3 {
		t.Fatalf("report reminders delivered: %d, want 3 (one per session)", n)
	}
	var marked int
	inspect.SQLDB().QueryRow("SELECT count(*) FROM bookings WHERE report_reminded_at IS NOT NULL").Scan(&marked)
	if marked != 3 {
		t.Fatalf("sessions marked reminded: %d", marked)
	}
}

// TestNudgesOnceAcrossProcesses: two servers on one PostgreSQL database,
// three pairs that have not met within the expected interval (one hour
// here, so each process sweeps every 5 seconds): each mentee and each
// mentor's mailbox gets one nudge per pair through SMTP, not one per
// process, and each pair is marked nudged once.
func TestNudgesOnceAcrossProcesses(t *testing.T) {
	db := storetest.Postgres(t)
	smtp := smtptest.StartServer(t, smtptest.Options{})
	env := map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
		"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789",
		"RENDEZVOUS_SECRET_KEY":  "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"RENDEZVOUS_REMINDERS":   "", "RENDEZVOUS_EXPECTED_INTERVAL": "1h"}
	var servers [2]started
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); servers[i] = startServe(t, db, env) }()
	}
	wg.Wait()
	defer servers[0].stop()
	defer servers[1].stop()

	admin := client{t: t, base: servers[0].base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, nil)
	inspect := openDB(t, db)
	names := []string{"ana", "bo", "cy"}
	for _, name := range names {
		e, st := newMentee(t, client{t: t, base: servers[1].base, token: admin.token}, name, m.ID)
		if st != 201 {
			t.Fatalf("mentee %s: %d", name, st)
		}
		shiftAssigned(t, inspect, e.ID, time.Now().Add(-2*time.Hour))
	}
	nudges := func(to, subject string) int {
		n := 0
		for _, msg := range smtp.Messages() {
			if len(msg.To) == 1 && msg.To[0] == to && strings.Contains(decodedText(t, msg.Data), subject) {
				n++
			}
		}
		return n
	}
	all := func() int {
		n := nudges("grace@example.org", "lately")
		for _, name := range names {
			n += nudges(name+"@example.org", "Time for a session")
		}
		return n
	}
	waitFor(t, 60*time.Second, func() bool { return all() >= 6 }, func() string { return "three nudges to the mentor and one to each mentee" })
	time.Sleep(12 * time.Second) // more sweeps in both processes: nothing more may go out
	for _, name := range names {
		if n := nudges(name+"@example.org", "Time for a session"); n != 1 {
			t.Errorf("%s nudged %d times, want once", name, n)
		}
	}
	if n := nudges("grace@example.org", "lately"); n != 3 {
		t.Errorf("the mentor got %d nudges, want 3 (one per pair)", n)
	}
	var marked, jobsDone int
	inspect.SQLDB().QueryRow("SELECT count(*) FROM mentees WHERE nudged_at IS NOT NULL").Scan(&marked)
	inspect.SQLDB().QueryRow("SELECT count(*) FROM river_job WHERE kind = 'people_mail'").Scan(&jobsDone)
	if marked != 3 || jobsDone != 6 {
		t.Fatalf("pairs marked nudged: %d, nudge jobs: %d; want 3 and 6", marked, jobsDone)
	}
}
