package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// TestPeopleMails: every welcome and nudge in both languages, as text and
// HTML: the mentor's welcome with its single-use link, its end and what
// to set up first; a mentee's with their mentor and booking link; a
// reassigned mentee's with the new and former mentor; the nudges with the
// last session in both parties' zones. The Message-ID is stable per event
// and reader.
func TestPeopleMails(t *testing.T) {
	paris, toronto := mustZone(t, "Europe/Paris"), mustZone(t, "America/Toronto")
	from := calendar.Person{Name: "Rendezvous", Email: "no-reply@example.org"}
	grace := calendar.Person{Name: "Grace", Email: "grace@example.org"}
	zoe := calendar.Person{Name: "Zoé <Z>", Email: "zoe@example.org"}
	expires := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	last := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	book, signin := "https://rdv.example.org/book/T0k", "https://rdv.example.org/mentor/signin/S1g"
	cases := []struct {
		p        PeopleMail
		en, fr   []string
		htmlWant string
	}{
		{PeopleMail{Kind: MentorWelcome, Event: "mentor:1", To: Recipient{Person: grace, Location: paris, IsMentor: true},
			Link: signin, LinkExpires: expires, SigninPage: "https://rdv.example.org/mentor/signin"},
			[]string{"Welcome to Rendezvous, Grace", signin, "until Monday, December 7, 2026 at 2:30 PM (Europe/Paris)", "weekly hours", "calendar", "caseload", "https://rdv.example.org/mentor/signin\n"},
			[]string{"Bienvenue sur Rendezvous, Grace", signin, "jusqu'au lundi 7 décembre 2026 à 14:30 (Europe/Paris)", "disponibilités hebdomadaires", "agenda", "nombre de mentorés"},
			`href="` + signin + `"`},
		{PeopleMail{Kind: MenteeWelcome, Event: "mentee:1", To: Recipient{Person: zoe, Location: toronto}, Other: grace, OtherLocation: paris, Link: book},
			[]string{"Your mentor is Grace", "grace@example.org", book, "Europe/Paris time zone", "yours (America/Toronto)"},
			[]string{"Votre mentor est Grace", book, "fuseau Europe/Paris", "le vôtre (America/Toronto)"},
			`href="` + book + `"`},
		{PeopleMail{Kind: MenteeReassigned, Event: "re:1", To: Recipient{Person: zoe, Location: paris}, Other: grace, OtherLocation: paris, Link: book, PreviousMentor: "Ada"},
			[]string{"Your new mentor is Grace", "taking over from Ada", book},
			[]string{"Votre nouveau mentor est Grace", "à la suite de Ada", book},
			`href="` + book + `"`},
		{PeopleMail{Kind: NudgeMentee, Event: "nudge:1", To: Recipient{Person: zoe, Location: toronto}, Other: grace, OtherLocation: paris, Link: book,
			LastSession: last, Interval: 7 * 24 * time.Hour},
			[]string{"Time for a session with Grace?", "more than 7 days", "Monday, November 2, 2026 at 10:00 AM (America/Toronto)", "Grace's time: Monday, November 2, 2026 at 4:00 PM (Europe/Paris)", book},
			[]string{"Et si vous réserviez une séance avec Grace ?", "plus de 7 jours", "lundi 2 novembre 2026 à 10:00 (America/Toronto)", "Heure de Grace : lundi 2 novembre 2026 à 16:00 (Europe/Paris)", book},
			"4:00 PM (Europe/Paris)"},
		{PeopleMail{Kind: NudgeMentor, Event: "nudge:1", To: Recipient{Person: grace, Location: paris, IsMentor: true}, Other: zoe, OtherLocation: toronto, Interval: 7 * 24 * time.Hour},
			[]string{"No session with Zoé <Z> lately", "zoe@example.org", "not had a session together yet", "booking link again"},
			[]string{"Pas de séance avec Zoé <Z> ces derniers temps", "pas encore eu de séance", "lien de réservation"},
			"Zoé &lt;Z&gt;"},
	}
	for _, c := range cases {
		for lang, want := range map[string][]string{"en": c.en, "fr": c.fr} {
			p := c.p
			p.To.Lang = lang
			m, err := BuildPeopleMessage(p, from)
			if err != nil {
				t.Fatalf("%s %s: %v", p.Kind, lang, err)
			}
			all := m.Subject + "\n" + m.Text
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("%s %s lacks %q:\n%s", p.Kind, lang, w, all)
				}
			}
			if lang == "en" && !strings.Contains(m.HTML, c.htmlWant) {
				t.Errorf("%s HTML lacks %q:\n%s", p.Kind, c.htmlWant, m.HTML)
			}
			if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) || m.ICS != nil || m.To != p.To.Person {
				t.Errorf("%s %s: html %q, ics %v, to %v", p.Kind, lang, m.HTML, m.ICS != nil, m.To)
			}
			again, _ := BuildPeopleMessage(p, from)
			other := p
			other.Event += "x"
			next, _ := BuildPeopleMessage(other, from)
			if m.MessageID != again.MessageID || m.MessageID == next.MessageID || !strings.HasSuffix(m.MessageID, "@example.org") {
				t.Errorf("%s message ids: %s %s %s", p.Kind, m.MessageID, again.MessageID, next.MessageID)
			}
		}
	}
	if _, err := BuildPeopleMessage(PeopleMail{Kind: MenteeWelcome, Event: "e", To: Recipient{Person: zoe}, Other: grace}, from); err == nil {
		t.Error("a mentee's welcome without a booking link was built")
	}
	if _, err := BuildPeopleMessage(PeopleMail{Kind: MentorWelcome, To: Recipient{Person: grace}, Link: signin, LinkExpires: expires, SigninPage: "x"}, from); err == nil {
		t.Error("a mail without its event was built")
	}
}
