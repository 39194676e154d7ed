package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// TestReportMails: the summary a mentee receives and the reminder a mentor
// receives, in both languages, as text and HTML, with the summary's text
// kept as written (escaped in HTML) and no invitation attached.
func TestReportMails(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	s := calendar.Session{UID: "u1@rdv", Start: time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC),
		Organizer: calendar.Person{Name: "Grace", Email: "grace@example.org"}, Attendee: calendar.Person{Name: "Zoé", Email: "zoe@example.org"}}
	from := calendar.Person{Name: "Rendezvous", Email: "no-reply@example.org"}
	summary := "We reviewed <your> CV.\nNext: apply to two jobs."
	for lang, want := range map[string][]string{
		"en": {"Notes from your session with Grace", "Here is what Grace wrote", "Book your next session: https://rdv.example.org/book/T", "Monday, December 7, 2026 at 2:30 PM (Europe/Paris)"},
		"fr": {"Compte rendu de votre séance avec Grace", "Voici ce que Grace a écrit", "Réservez votre prochaine séance : https://rdv.example.org/book/T", "lundi 7 décembre 2026 à 14:30"},
	} {
		m, err := BuildMessage(Summary, s, Recipient{Person: s.Attendee, Lang: lang, Location: paris}, from,
			Extra{Summary: summary, RebookURL: "https://rdv.example.org/book/T"})
		if err != nil {
			t.Fatal(err)
		}
		all := m.Subject + "\n" + m.Text
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s summary mail lacks %q:\n%s", lang, w, all)
			}
		}
		if !strings.Contains(m.Text, summary) || !strings.Contains(m.HTML, "We reviewed &lt;your&gt; CV.\nNext") || m.ICS != nil {
			t.Errorf("%s summary mail: text %q html %q ics %v", lang, m.Text, m.HTML, m.ICS != nil)
		}
		due, err := BuildMessage(ReportDue, s, Recipient{Person: s.Organizer, Lang: lang, Location: paris, IsMentor: true}, from,
			Extra{SessionURL: "https://rdv.example.org/mentor/sessions/b1"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(due.Text, "https://rdv.example.org/mentor/sessions/b1") || !strings.Contains(due.HTML, `href="https://rdv.example.org/mentor/sessions/b1"`) ||
			!strings.Contains(due.Subject, "Zoé") || due.ICS != nil {
			t.Errorf("%s report reminder: %q\n%s", lang, due.Subject, due.Text)
		}
	}
	// A corrected summary is another mail; the same one keeps its id.
	a, _ := BuildMessage(Summary, s, Recipient{Person: s.Attendee}, from, Extra{Summary: "one"})
	b, _ := BuildMessage(Summary, s, Recipient{Person: s.Attendee}, from, Extra{Summary: "two"})
	c, _ := BuildMessage(Summary, s, Recipient{Person: s.Attendee}, from, Extra{Summary: "one"})
	if a.MessageID == b.MessageID || a.MessageID != c.MessageID {
		t.Errorf("message ids: %s %s %s", a.MessageID, b.MessageID, c.MessageID)
	}
	if _, err := BuildMessage(Summary, s, Recipient{Person: s.Attendee}, from, Extra{}); err == nil {
		t.Error("a summary mail without a summary was built")
	}
}
