package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// mailsMatching waits until n mails to addr (with want in their subject)
// have arrived, and returns them as read.
func mailsMatching(t *testing.T, smtp *smtptest.Server, addr, want string, n int) []readMail {
	t.Helper()
	var got []readMail
	waitFor(t, 30*time.Second, func() bool {
		got = nil
		for _, m := range readMails(t, smtp.Messages()) {
			if strings.EqualFold(m.to, addr) && strings.Contains(m.subject, want) {
				got = append(got, m)
			}
		}
		return len(got) >= n
	}, func() string { return "a mail to " + addr + " about " + want })
	return got
}

// mailCount counts the mails delivered to addr.
func mailCount(smtp *smtptest.Server, addr string) int {
	n := 0
	for _, m := range smtp.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], addr) {
			n++
		}
	}
	return n
}

// TestWelcomeMailsOverSMTP reads, as delivered by SMTP, every welcome in
// both languages: a new mentor's (what Rendezvous is, a single-use
// sign-in link that opens the sign-in page, what to set up first), a new
// mentee's and an imported one's (their mentor and booking link), a
// reassigned mentee's (the new mentor, the former one, the link); text
// and HTML. "notify": false (and ?notify=false on an import) sends none.
// Then a pair that has not met within the expected interval is nudged
// once each, in each reader's language, with the last session in both
// zones and the mentee's booking link.
func TestWelcomeMailsOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_EXPECTED_INTERVAL": "1h"})
		eloise := createMentor(t, admin, map[string]any{"name": "Éloïse Mentor", "email": "eloise@example.org", "language": "fr", "notify": true,
			"max_upcoming_per_mentee": 5})
		grace := createMentor(t, admin, map[string]any{"name": "Grace Hopper", "email": "grace@example.org", "timezone": "America/Toronto",
			"notify": true})
		createMentor(t, admin, map[string]any{"name": "Quiet Mentor", "email": "quiet@example.org"})

		fr := mailsMatching(t, smtp, "eloise@example.org", "Bienvenue sur Rendezvous", 1)[0]
		mustContain(t, "French mentor welcome", fr.text, "Bonjour Éloïse Mentor", "espace mentor", "/mentor/signin/",
			"Il fonctionne une seule fois, jusqu'au", "(Europe/Paris)", "disponibilités hebdomadaires", "agenda", "nombre de mentorés",
			"demandez un nouveau lien sur http")
		mustContain(t, "French mentor welcome (HTML)", fr.html, `<html lang="fr">`, "À régler en premier", "/mentor/signin/")
		en := mailsMatching(t, smtp, "grace@example.org", "Welcome to Rendezvous", 1)[0]
		mustContain(t, "English mentor welcome", en.text, "Hello Grace Hopper", "It works once, until", "(America/Toronto)",
			"weekly hours", "calendar", "caseload")
		mustContain(t, "English mentor welcome (HTML)", en.html, `<html lang="en">`, "What to set up first")
		link := regexp.MustCompile(`/mentor/signin/[A-Za-z0-9_-]+`).FindString(en.text)
		if link == "" {
			t.Fatalf("no sign-in link in the welcome:\n%s", en.text)
		}
		resp, err := http.Get(s.base + link)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("the welcome's sign-in link: %d", resp.StatusCode)
		}
		if n := mailCount(smtp, "quiet@example.org"); n != 0 {
			t.Fatalf("a mentor created with notify false got %d mails", n)
		}

		// Mentees: an English one in Toronto with the French mentor, a
		// French one with the English mentor, a silent one.
		var zoe, luc menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe Student", "email": "zoe@example.org", "timezone": "America/Toronto",
			"language": "en", "mentor_id": eloise.ID}, &zoe); st != 201 {
			t.Fatalf("mentee: %d", st)
		}
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Luc Élève", "email": "luc@example.org", "timezone": "Europe/Paris",
			"language": "fr", "mentor_id": grace.ID}, &luc); st != 201 {
			t.Fatalf("mentee: %d", st)
		}
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Sam Silent", "email": "sam@example.org", "timezone": "UTC",
			"mentor_id": grace.ID, "notify": false}, nil); st != 201 {
			t.Fatalf("mentee: %d", st)
		}
		zw := mailsMatching(t, smtp, "zoe@example.org", "Your mentor is Éloïse Mentor", 1)[0]
		mustContain(t, "English mentee welcome", zw.text, "Hello Zoe Student", "eloise@example.org", *zoe.BookingURL,
			"Europe/Paris time zone", "yours (America/Toronto)")
		mustContain(t, "English mentee welcome (HTML)", zw.html, `href="`+*zoe.BookingURL+`"`)
		lw := mailsMatching(t, smtp, "luc@example.org", "Votre mentor est Grace Hopper", 1)[0]
		mustContain(t, "French mentee welcome", lw.text, "Bonjour Luc Élève", *luc.BookingURL, "fuseau America/Toronto", "le vôtre (Europe/Paris)")
		mustContain(t, "French mentee welcome (HTML)", lw.html, `<html lang="fr">`, `href="`+*luc.BookingURL+`"`)

		// An import with and without welcomes.
		csv := "name,email,timezone,mentor_email\nIra Import,ira@example.org,UTC,grace@example.org\n"
		var res struct{ Created int }
		if st := admin.do("POST", "/api/v1/mentees/import", csv, &res, "Content-Type", "text/csv"); st != 200 || res.Created != 1 {
			t.Fatalf("import: %d %+v", st, res)
		}
		csv = "name,email,timezone,mentor_email\nNed Nomail,ned@example.org,UTC,grace@example.org\n"
		if st := admin.do("POST", "/api/v1/mentees/import?notify=false", csv, &res, "Content-Type", "text/csv"); st != 200 || res.Created != 1 {
			t.Fatalf("import without welcomes: %d %+v", st, res)
		}
		mustContain(t, "imported mentee's welcome", mailsMatching(t, smtp, "ira@example.org", "Your mentor is Grace Hopper", 1)[0].text, "/book/")

		// Reassignments, in each language; a silent one.
		var moved menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees/"+zoe.ID+"/reassign", map[string]any{"mentor_id": grace.ID}, &moved); st != 200 {
			t.Fatalf("reassign: %d", st)
		}
		zr := mailsMatching(t, smtp, "zoe@example.org", "Your new mentor is Grace Hopper", 1)[0]
		mustContain(t, "English reassignment", zr.text, "taking over from Éloïse Mentor", "grace@example.org", *moved.BookingURL)
		mustContain(t, "English reassignment (HTML)", zr.html, `href="`+*moved.BookingURL+`"`)
		if st := admin.do("POST", "/api/v1/mentees/"+luc.ID+"/reassign", map[string]any{"mentor_id": eloise.ID}, &moved); st != 200 {
			t.Fatalf("reassign: %d", st)
		}
		lr := mailsMatching(t, smtp, "luc@example.org", "Votre nouveau mentor est Éloïse Mentor", 1)[0]
		mustContain(t, "French reassignment", lr.text, "à la suite de Grace Hopper", *moved.BookingURL)
		if st := admin.do("POST", "/api/v1/mentees/"+luc.ID+"/reassign", map[string]any{"mentor_id": grace.ID, "notify": false}, nil); st != 200 {
			t.Fatalf("silent reassign: %d", st)
		}

		// Nudges: Ira (UTC) and Grace (Toronto) met two hours ago, with an
		// expected interval of one hour.
		inspect := openDB(t, db)
		var iraID string
		rows, err := inspect.SQLDB().Query("SELECT id FROM mentees WHERE email = 'ira@example.org'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			rows.Scan(&iraID)
		}
		rows.Close()
		var iraMentee menteeAnswer
		admin.do("GET", "/api/v1/mentees/"+iraID, nil, &iraMentee)
		iraLink := linkOf(*iraMentee.BookingURL)
		anon := client{t: t, base: s.base}
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+iraLink+"/bookings", map[string]string{"start": firstSlot(t, anon, iraLink, "UTC")}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		held := time.Now().Add(-2 * time.Hour).Truncate(time.Minute).UTC()
		shiftSession(t, inspect, b.ID, held, 30)
		shiftAssigned(t, inspect, iraID, time.Now().Add(-3*time.Hour))
		nudge := mailsMatching(t, smtp, "ira@example.org", "Time for a session with Grace Hopper?", 1)[0]
		toronto, _ := time.LoadLocation("America/Toronto")
		mustContain(t, "mentee's nudge", nudge.text, "for more than 1 hour", "Your last session: "+held.Format("Monday, January 2, 2006 at 3:04 PM")+" (UTC)",
			"Grace Hopper's time: "+held.In(toronto).Format("Monday, January 2, 2006 at 3:04 PM")+" (America/Toronto)", *iraMentee.BookingURL)
		mustContain(t, "mentee's nudge (HTML)", nudge.html, `href="`+*iraMentee.BookingURL+`"`)
		toMentor := mailsMatching(t, smtp, "grace@example.org", "No session with Ira Import lately", 1)[0]
		mustContain(t, "mentor's nudge", toMentor.text, "ira@example.org", "Ira Import's time: ", "(UTC)")

		// A French pair: Luc (Paris) with Grace, assigned three hours ago,
		// never met.
		shiftAssigned(t, inspect, luc.ID, time.Now().Add(-3*time.Hour))
		ln := mailsMatching(t, smtp, "luc@example.org", "Et si vous réserviez une séance avec Grace Hopper ?", 1)[0]
		mustContain(t, "French nudge", ln.text, "depuis plus de 1 heure", "pas encore eu de séance", "/book/")
		time.Sleep(6 * time.Second) // another sweep: nothing more
		if n := len(mailsMatching(t, smtp, "ira@example.org", "Time for a session", 1)); n != 1 {
			t.Fatalf("Ira nudged %d times", n)
		}
		if n := len(mailsMatching(t, smtp, "luc@example.org", "Et si vous réserviez", 1)); n != 1 {
			t.Fatalf("Luc nudged %d times", n)
		}
		for _, who := range []string{"sam@example.org", "ned@example.org"} {
			if n := mailCount(smtp, who); n != 0 {
				t.Errorf("%s, added with notify false, got %d mails", who, n)
			}
		}
	})
}

// shiftAssigned moves a mentorship's start back, as if made at.
func shiftAssigned(t *testing.T, st *store.Store, menteeID string, at time.Time) {
	t.Helper()
	if err := st.Exec(context.Background(), "UPDATE mentees SET assigned_at = ? WHERE id = ?", store.UTCSecond(at), menteeID); err != nil {
		t.Fatal(err)
	}
}
