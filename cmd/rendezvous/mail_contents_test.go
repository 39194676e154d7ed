package main

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// readMail is what a person reads of one mail: subject, text and HTML.
type readMail struct {
	to, subject, text, html string
}

func readMails(t *testing.T, msgs []smtptest.Message) []readMail {
	t.Helper()
	out := make([]readMail, 0, len(msgs))
	for _, m := range msgs {
		r, err := mail.CreateReader(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("parse mail: %v", err)
		}
		subject, _ := r.Header.Subject()
		rm := readMail{to: strings.Join(m.To, ","), subject: subject}
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("mail part: %v", err)
			}
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			body, _ := io.ReadAll(p.Body)
			if _, inline := p.Header.(*mail.InlineHeader); !inline {
				continue
			}
			switch ct {
			case "text/plain":
				rm.text = string(body)
			case "text/html":
				rm.html = string(body)
			}
		}
		if rm.text == "" || rm.html == "" {
			t.Fatalf("mail to %s lacks a text or HTML part:\n%s", rm.to, m.Data)
		}
		out = append(out, rm)
	}
	return out
}

// mailTo picks the one mail of msgs addressed to addr.
func mailTo(t *testing.T, msgs []readMail, addr string) readMail {
	t.Helper()
	for _, m := range msgs {
		if strings.Contains(m.to, addr) {
			return m
		}
	}
	t.Fatalf("no mail to %s among %d", addr, len(msgs))
	return readMail{}
}

func mustContain(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, body)
		}
	}
}

// TestMailsAnswerTheReadersQuestions books, moves and cancels a session
// between a French mentor in Paris and an English-speaking mentee in
// Toronto, and reads every mail as delivered by SMTP: each shows the
// reader's time first and the other party's beside it, in the reader's
// language; the move shows the old and new time; the cancellation says
// who cancelled and why and offers the mentee a link to book again; the
// mentor's mails carry the mentee's address, note and session page.
func TestMailsAnswerTheReadersQuestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s := startServe(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
			"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789", "RENDEZVOUS_REMINDERS": ""})
		defer s.stop()
		admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
		m := createMentor(t, admin, map[string]any{"name": "Éloïse Mentor", "email": "eloise@example.org", "language": "fr", "notify": false})
		mentor := client{t: t, base: s.base, token: m.Token}
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		free := slotsOf(t, anon, link, "America/Toronto")
		first, second := mustTime(t, free[0]), mustTime(t, free[len(free)-1])
		paris, _ := time.LoadLocation("Europe/Paris")
		toronto, _ := time.LoadLocation("America/Toronto")
		en := func(at time.Time) string { return at.In(toronto).Format("Monday, January 2, 2006 at 3:04 PM") }
		enParis := func(at time.Time) string { return at.In(paris).Format("3:04 PM") + " (Europe/Paris)" }
		fr := func(at time.Time) string { return at.In(paris).Format("15:04") + " (Europe/Paris)" }
		base := len(smtp.Messages()) // a welcome mail, if any, went out before

		var b bookingAnswer
		body := map[string]string{"start": free[0], "name": "Zoé Student", "email": "zoe@example.net", "timezone": "America/Toronto",
			"note": "Je voudrais parler de Go & des tests"}
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, &b, "Accept-Language", "en-CA,en;q=0.9"); st != 201 {
			t.Fatalf("book: %d %+v", st, b)
		}
		confirmed := readMails(t, waitMailRaw(t, smtp, base+2)[base:])
		toMentee, toMentor := mailTo(t, confirmed, "zoe@example.net"), mailTo(t, confirmed, "eloise@example.org")
		mustContain(t, "mentee's confirmation", toMentee.text, "is confirmed", "When: "+en(first)+" (America/Toronto)",
			"Éloïse Mentor's time: ", enParis(first), "/manage/")
		if strings.Contains(toMentee.text, "zoe@example.net") || strings.Contains(toMentee.text, "/mentor/sessions/") {
			t.Errorf("the mentee's mail shows mentor-only details:\n%s", toMentee.text)
		}
		// Zoé became a mentee by booking the public link: her
		// confirmation gives her own booking link, not the public one.
		mustContain(t, "mentee's confirmation", toMentee.text, "Your personal booking link, for your next sessions with Éloïse Mentor: ")
		mustContain(t, "mentee's confirmation (HTML)", toMentee.html, "Your personal booking link</a>")
		if strings.Contains(toMentee.text, link) || strings.Contains(toMentor.text, "personal booking link") {
			t.Errorf("the confirmation shows the public link, or the mentor's shows the mentee's link:\n%s\n%s", toMentee.text, toMentor.text)
		}
		mustContain(t, "mentor's confirmation", toMentor.subject+"\n"+toMentor.text, "Séance confirmée avec Zoé Student", "est confirmée", "Quand : ", fr(first),
			"Chez Zoé Student : ", "(America/Toronto)", "Mentoré : Zoé Student <zoe@example.net>",
			"Son message : Je voudrais parler de Go & des tests", "Page de la séance : http", "/mentor/sessions/"+b.ID)
		mustContain(t, "mentor's confirmation (HTML)", toMentor.html, `lang="fr"`, `href="mailto:zoe@example.net"`,
			`/mentor/sessions/`+b.ID+`"`, "Go &amp; des tests")
		if strings.Contains(toMentor.text, "/manage/") {
			t.Errorf("the mentor's mail carries the mentee's manage link:\n%s", toMentor.text)
		}

		token := linkOf(b.ManageURL)
		if st := anon.do("POST", "/api/v1/manage/"+token+"/reschedule", map[string]string{"start": second.UTC().Format(time.RFC3339)}, nil); st != 200 {
			t.Fatalf("reschedule: %d", st)
		}
		moved := readMails(t, waitMailRaw(t, smtp, base+4)[base+2:])
		toMentee, toMentor = mailTo(t, moved, "zoe@example.net"), mailTo(t, moved, "eloise@example.org")
		mustContain(t, "mentee's reschedule", toMentee.text, "Old time: "+en(first), "New time: "+en(second), "Éloïse Mentor's old time: ")
		mustContain(t, "mentor's reschedule", toMentor.text, "Ancien horaire : ", "Nouvel horaire : ", fr(first), fr(second),
			"Ancien horaire chez Zoé Student : ")
		mustContain(t, "mentee's reschedule (HTML)", toMentee.html, "Old time", "New time")

		if st := mentor.do("POST", "/api/v1/bookings/"+b.ID+"/cancel", map[string]string{"reason": "Je suis malade"}, nil); st != 200 {
			t.Fatalf("cancel: %d", st)
		}
		cancelled := readMails(t, waitMailRaw(t, smtp, base+6)[base+4:])
		toMentee, toMentor = mailTo(t, cancelled, "zoe@example.net"), mailTo(t, cancelled, "eloise@example.org")
		mustContain(t, "mentee's cancellation", toMentee.text, "has been cancelled", "Éloïse Mentor cancelled it.",
			"Reason: Je suis malade", "Book another time: http", "/book/")
		mustContain(t, "mentee's cancellation (HTML)", toMentee.html, "Éloïse Mentor cancelled it.", ">Book another time</a>")
		mustContain(t, "mentor's cancellation", toMentor.text, "est annulée", "Vous l'avez annulée.", "Motif : Je suis malade",
			"Mentoré : Zoé Student <zoe@example.net>")
		if strings.Contains(toMentor.text, "/book/") {
			t.Errorf("the mentor's cancellation offers the mentee's booking link:\n%s", toMentor.text)
		}
		// The rebook link opens a booking page.
		_, rebook, _ := strings.Cut(toMentee.text, "/book/")
		rebook = strings.Fields(rebook)[0]
		if st := anon.do("GET", "/api/v1/book/"+linkOf(rebook), nil, nil); st != 200 {
			t.Errorf("the rebook link %s answers %d", rebook, st)
		}
	})
}

// TestSeriesMailsSayItIsASeries books a weekly series between a French
// mentor in Paris and an English-speaking mentee in Toronto, one of its
// weeks taken: each party's invitation mail says it is a series (cadence,
// number of sessions, first and last), lists the sessions in both zones
// and the week not booked with its reason, in the reader's language, text
// and HTML.
func TestSeriesMailsSayItIsASeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s := startServe(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_RATE_LIMIT": "0",
			"RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789", "RENDEZVOUS_REMINDERS": ""})
		defer s.stop()
		admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
		m := createMentor(t, admin, map[string]any{"name": "Éloïse Mentor", "email": "eloise@example.org", "language": "fr", "notify": false, "horizon_days": 60})
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		first := mustTime(t, slotsOf(t, anon, link, "America/Toronto")[0])
		paris, _ := time.LoadLocation("Europe/Paris")
		toronto, _ := time.LoadLocation("America/Toronto")
		base := len(smtp.Messages())
		taken := first.In(paris).AddDate(0, 0, 14) // the third week, same Paris time
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": taken.Format(time.RFC3339), "name": "Ada",
			"email": "ada@example.net", "timezone": "Europe/Paris"}, nil); st != 201 {
			t.Fatalf("book the third week: %d", st)
		}
		waitMailRaw(t, smtp, base+2)
		var series seriesAnswer
		body := map[string]any{"start": first.Format(time.RFC3339), "count": 4, "interval_weeks": 1, "name": "Zoé Student",
			"email": "zoe@example.net", "timezone": "America/Toronto"}
		if st := anon.do("POST", "/api/v1/book/"+link+"/series", body, &series, "Accept-Language", "en-CA"); st != 201 || len(series.Skipped) != 1 {
			t.Fatalf("book the series: %d %+v", st, series)
		}
		mails := readMails(t, waitMailRaw(t, smtp, base+4)[base+2:])
		toMentee, toMentor := mailTo(t, mails, "zoe@example.net"), mailTo(t, mails, "eloise@example.org")
		last := first.In(paris).AddDate(0, 0, 21)
		en := func(at time.Time) string {
			return at.In(toronto).Format("Monday, January 2, 2006 at 3:04 PM") + " (America/Toronto)"
		}
		enParis := func(at time.Time) string {
			return at.In(paris).Format("Monday, January 2, 2006 at 3:04 PM") + " (Europe/Paris)"
		}
		for _, part := range []string{toMentee.text, toMentee.html} {
			mustContain(t, "mentee's series mail", part, "3 mentoring sessions", "every week", en(first), en(last), enParis(last),
				"Not booked (1)", en(taken), "another session is already booked")
		}
		mustContain(t, "mentee's subject", toMentee.subject, "Series of 3 sessions confirmed")
		frParis := func(at time.Time) string { return at.In(paris).Format("15:04") + " (Europe/Paris)" }
		for _, part := range []string{toMentor.text, toMentor.html} {
			mustContain(t, "mentor's series mail", part, "3 séances de mentorat", "chaque semaine", frParis(first), "(America/Toronto)",
				"Non réservées (1)", "une autre séance est déjà réservée")
		}
		mustContain(t, "mentor's subject", toMentor.subject, "Série de 3 séances confirmée")
	})
}
