package notify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/mail"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no tzdata for %s: %v", name, err)
	}
	return loc
}

func TestFormatWhen(t *testing.T) {
	paris, newYork := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	cases := []struct {
		t    time.Time
		loc  *time.Location
		lang string
		want string
	}{
		{time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC), paris, "fr", "lundi 7 décembre 2026 à 14:30 (Europe/Paris)"},
		{time.Date(2026, 12, 7, 19, 30, 0, 0, time.UTC), newYork, "en", "Monday, December 7, 2026 at 2:30 PM (America/New York)"},
		{time.Date(2026, 8, 1, 7, 5, 0, 0, time.UTC), paris, "fr", "samedi 1er août 2026 à 09:05 (Europe/Paris)"},
		{time.Date(2026, 8, 1, 7, 5, 0, 0, time.UTC), nil, "en", "Saturday, August 1, 2026 at 7:05 AM (UTC)"},
	}
	for _, tc := range cases {
		if got := formatWhen(tc.t, tc.loc, tc.lang); got != tc.want {
			t.Errorf("formatWhen(%v, %v, %s) = %q, want %q", tc.t, tc.loc, tc.lang, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		lang string
		want string
	}{
		{30 * time.Minute, "en", "30 minutes"},
		{time.Hour, "en", "1 hour"},
		{90 * time.Minute, "en", "1 hour 30 minutes"},
		{24 * time.Hour, "fr", "24 heures"},
		{time.Hour + time.Minute, "fr", "1 heure 1 minute"},
	}
	for _, tc := range cases {
		if got := formatDuration(tc.d, tc.lang); got != tc.want {
			t.Errorf("formatDuration(%v, %s) = %q, want %q", tc.d, tc.lang, got, tc.want)
		}
	}
}

func session() calendar.Session {
	start := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	return calendar.Session{
		UID: "uid-42@rendezvous", Sequence: 3, Start: start, End: start.Add(45 * time.Minute),
		Summary: "Mentoring session", VideoURL: "https://meet.example.org/rendezvous-room",
		ManageURL: "https://rdv.example.org/manage/tok_secret",
		Organizer: calendar.Person{Name: "Éloïse Straßer", Email: "mentor@example.org"},
		Attendee:  calendar.Person{Name: "Zoë <script>alert(1)</script>", Email: "mentee@example.net"},
		Stamp:     start.Add(-24 * time.Hour),
	}
}

func mentee(lang string, loc *time.Location) Recipient {
	return Recipient{Person: session().Attendee, Lang: lang, Location: loc}
}

func mentorRecipient(lang string, loc *time.Location) Recipient {
	return Recipient{Person: session().Organizer, Lang: lang, Location: loc, IsMentor: true}
}

func TestRenderEveryKindInBothLanguages(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	extra := Extra{Reason: "Sick; sorry & see you soon", Lead: time.Hour}
	words := map[string]map[Kind]string{
		"en": {Confirmed: "confirmed", Rescheduled: "moved", Cancelled: "cancelled", Reminder: "starts in 1 hour", Transferred: "keeps its time"},
		"fr": {Confirmed: "confirmée", Rescheduled: "déplacée", Cancelled: "annulée", Reminder: "commence dans 1 heure", Transferred: "garde son horaire"},
	}
	when := map[string]string{"en": "Monday, December 7, 2026 at 2:30 PM (Europe/Paris)", "fr": "lundi 7 décembre 2026 à 14:30 (Europe/Paris)"}
	for lang, kinds := range words {
		for kind, word := range kinds {
			for _, to := range []Recipient{mentee(lang, paris), mentorRecipient(lang, paris)} {
				name := lang + "/" + string(kind) + "/mentor=" + map[bool]string{true: "yes", false: "no"}[to.IsMentor]
				t.Run(name, func(t *testing.T) {
					subject, text, html, err := Render(kind, session(), to, extra)
					if err != nil {
						t.Fatal(err)
					}
					if strings.ContainsAny(subject, "\r\n") || subject == "" {
						t.Errorf("subject %q", subject)
					}
					for _, part := range []string{text, html} {
						if !strings.Contains(part, word) || !strings.Contains(part, when[lang]) {
							t.Errorf("missing %q or the localized time in:\n%s", word, part)
						}
					}
					hasVideo := strings.Contains(text, session().VideoURL)
					if hasVideo == (kind == Cancelled) {
						t.Errorf("video link shown=%v for %s", hasVideo, kind)
					}
					wantManage := !to.IsMentor && kind != Cancelled
					if strings.Contains(text, "tok_secret") != wantManage || strings.Contains(html, "tok_secret") != wantManage {
						t.Errorf("manage link shown to mentor=%v for %s; want %v", to.IsMentor, kind, wantManage)
					}
					if kind == Cancelled && (!strings.Contains(text, extra.Reason) || !strings.Contains(html, "Sick; sorry &amp; see you soon")) {
						t.Errorf("reason missing:\n%s\n%s", text, html)
					}
					if to.IsMentor && !strings.Contains(text, "Zoë <script>") {
						t.Errorf("mentor mail does not name the mentee in plain text:\n%s", text)
					}
					if strings.Contains(html, "<script>") {
						t.Errorf("HTML is not escaped:\n%s", html)
					}
				})
			}
		}
	}
}

// TestRenderAnswersTheReadersQuestions: both local times when the zones
// differ (the reader's first), old and new time on a reschedule, who
// cancelled and why with a way to book again, and for the mentor the
// mentee's address, note and session page.
func TestRenderAnswersTheReadersQuestions(t *testing.T) {
	paris, toronto := mustZone(t, "Europe/Paris"), mustZone(t, "America/Toronto")
	previous := session().Start.Add(-26 * time.Hour)
	extra := func(by string) Extra {
		return Extra{OtherLocation: paris, Previous: previous, CancelledBy: by, RebookURL: "https://rdv.example.org/book/rebook_tok",
			SessionURL: "https://rdv.example.org/mentor/sessions/b1", Note: "Let's talk about Go & tests"}
	}
	menteeTO := mentee("en", toronto)
	cases := []struct {
		name    string
		kind    Kind
		to      Recipient
		extra   Extra
		want    []string // in this order in the text part
		notWant []string
	}{
		{"en mentee confirmed, both times", Confirmed, menteeTO, extra(""),
			[]string{"When: Monday, December 7, 2026 at 8:30 AM (America/Toronto)", "Éloïse Straßer's time: Monday, December 7, 2026 at 2:30 PM (Europe/Paris)"},
			[]string{"Let's talk", "mentor/sessions", "mentee@example.net"}},
		{"fr mentee confirmed, both times", Confirmed, mentee("fr", toronto), extra(""),
			[]string{"Quand : lundi 7 décembre 2026 à 08:30 (America/Toronto)", "Chez Éloïse Straßer : lundi 7 décembre 2026 à 14:30 (Europe/Paris)"}, nil},
		{"same zone, one time", Confirmed, mentee("en", paris), extra(""), []string{"When: Monday, December 7, 2026 at 2:30 PM (Europe/Paris)"}, []string{"'s time"}},
		{"en mentee rescheduled", Rescheduled, menteeTO, extra(""),
			[]string{"Old time: Sunday, December 6, 2026 at 6:30 AM (America/Toronto)", "Éloïse Straßer's old time: Sunday, December 6, 2026 at 12:30 PM (Europe/Paris)",
				"New time: Monday, December 7, 2026 at 8:30 AM (America/Toronto)", "Éloïse Straßer's time: Monday, December 7, 2026 at 2:30 PM (Europe/Paris)"}, nil},
		{"fr mentor rescheduled", Rescheduled, mentorRecipient("fr", paris), Extra{OtherLocation: toronto, Previous: previous, Note: "Parlons Go", SessionURL: "https://rdv.example.org/mentor/sessions/b1"},
			[]string{"Ancien horaire : dimanche 6 décembre 2026 à 12:30 (Europe/Paris)", "Ancien horaire chez Zoë <script>alert(1)</script> : dimanche 6 décembre 2026 à 06:30 (America/Toronto)",
				"Nouvel horaire : lundi 7 décembre 2026 à 14:30 (Europe/Paris)", "Mentoré : Zoë <script>alert(1)</script> <mentee@example.net>", "Son message : Parlons Go",
				"Page de la séance : https://rdv.example.org/mentor/sessions/b1"}, nil},
		{"en mentee cancelled by mentor, reason, rebook", Cancelled, menteeTO, Extra{OtherLocation: paris, CancelledBy: "mentor", Reason: "I am ill", RebookURL: "https://rdv.example.org/book/rebook_tok"},
			[]string{"Monday, December 7, 2026 at 8:30 AM (America/Toronto) has been cancelled", "Éloïse Straßer cancelled it.", "Reason: I am ill", "Book another time: https://rdv.example.org/book/rebook_tok"}, nil},
		{"fr mentee cancelled by staff, no reason", Cancelled, mentee("fr", toronto), Extra{CancelledBy: "coordinator", RebookURL: "https://rdv.example.org/book/rebook_tok"},
			[]string{"L'équipe du programme l'a annulée.", "Aucun motif n'a été donné.", "Réserver un autre créneau : https://rdv.example.org/book/rebook_tok"}, nil},
		{"en mentor cancelled by mentee", Cancelled, mentorRecipient("en", paris), Extra{OtherLocation: toronto, CancelledBy: "mentee", Reason: "exam", RebookURL: "https://rdv.example.org/book/rebook_tok", SessionURL: "https://rdv.example.org/mentor/sessions/b1"},
			[]string{"Zoë <script>alert(1)</script> cancelled it.", "Reason: exam", "Mentee: Zoë <script>alert(1)</script> <mentee@example.net>", "Session page: https://rdv.example.org/mentor/sessions/b1"},
			[]string{"rebook_tok", "Book another time"}},
		{"fr mentor after reassignment", Cancelled, mentorRecipient("fr", paris), Extra{CancelledBy: "reassigned"},
			[]string{"Zoë <script>alert(1)</script> a désormais un autre mentor"}, nil},
		{"fr mentee cancelled it", Cancelled, mentee("fr", paris), Extra{CancelledBy: "mentee"}, []string{"Vous l'avez annulée."}, []string{"Aucun motif"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, text, html, err := Render(tc.kind, session(), tc.to, tc.extra)
			if err != nil {
				t.Fatal(err)
			}
			rest := text
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("text lacks %q (or not in order):\n%s", w, text)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) || strings.Contains(html, w) {
					t.Errorf("mail shows %q:\n%s", w, text)
				}
			}
			for _, link := range []string{tc.extra.SessionURL, tc.extra.RebookURL} {
				if link != "" && strings.Contains(text, link) && !strings.Contains(html, `href="`+link+`"`) {
					t.Errorf("HTML part lacks the link %s:\n%s", link, html)
				}
			}
		})
	}
}

func TestRenderRejectsUnknownKindAndReminderWithoutLead(t *testing.T) {
	if _, _, _, err := Render("bogus", session(), mentee("en", nil), Extra{}); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, _, _, err := Render(Reminder, session(), mentee("en", nil), Extra{}); err == nil {
		t.Error("reminder without lead accepted")
	}
}

func TestLanguageFallback(t *testing.T) {
	for tag, want := range map[string]string{"fr": "fr", "fr-CA": "fr", "FR": "fr", "en-GB": "en", "de": "en", "": "en"} {
		if got := language(tag); got != want {
			t.Errorf("language(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestBuildMessage(t *testing.T) {
	from := calendar.Person{Name: "Rendezvous", Email: "no-reply@rdv.example.org"}
	cases := []struct {
		kind   Kind
		method string
	}{{Confirmed, "REQUEST"}, {Rescheduled, "REQUEST"}, {Cancelled, "CANCEL"}, {Reminder, ""}}
	for _, tc := range cases {
		for _, to := range []Recipient{mentee("fr", nil), mentorRecipient("en", nil)} {
			m, err := BuildMessage(tc.kind, session(), to, from, Extra{Lead: 24 * time.Hour})
			if err != nil {
				t.Fatalf("%s: %v", tc.kind, err)
			}
			if m.Method != tc.method || (len(m.ICS) > 0) != (tc.method != "") {
				t.Errorf("%s: method %q, ICS %d bytes", tc.kind, m.Method, len(m.ICS))
			}
			if tc.method != "" && !bytes.Contains(m.ICS, []byte("METHOD:"+tc.method+"\r\n")) {
				t.Errorf("%s: ICS lacks METHOD:%s", tc.kind, tc.method)
			}
			if tc.kind == Cancelled && !bytes.Contains(m.ICS, []byte("STATUS:CANCELLED")) {
				t.Errorf("cancel ICS is not STATUS:CANCELLED")
			}
			if to.IsMentor && bytes.Contains(bytes.ReplaceAll(m.ICS, []byte("\r\n "), nil), []byte("tok_secret")) {
				t.Errorf("%s: the mentor's invitation carries the mentee's manage link", tc.kind)
			}
			if m.To != to.Person || m.From != from || !strings.HasSuffix(m.MessageID, "@rdv.example.org") {
				t.Errorf("%s: addressing %+v %+v %q", tc.kind, m.To, m.From, m.MessageID)
			}
			if _, err := mail.Compose(m, time.Now()); err != nil {
				t.Errorf("%s: the message does not compose: %v", tc.kind, err)
			}
		}
	}
	a, _ := BuildMessage(Confirmed, session(), mentee("en", nil), from, Extra{})
	b, _ := BuildMessage(Confirmed, session(), mentee("en", nil), from, Extra{})
	c, _ := BuildMessage(Confirmed, session(), mentorRecipient("en", nil), from, Extra{})
	if a.MessageID != b.MessageID || a.MessageID == c.MessageID {
		t.Errorf("Message-IDs must be stable per mail and differ per recipient: %s %s %s", a.MessageID, b.MessageID, c.MessageID)
	}
}

// TestRenderMoveRefused: the mentor is told which session, where they
// moved it, why the session did not follow, and that it keeps its time,
// in English and French, text and HTML, for every reason; no invitation.
func TestRenderMoveRefused(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	tried := session().Start.Add(3 * time.Hour)
	want := map[string]struct {
		kept, tried, length string
		why                 map[string]string
	}{
		"en": {"stays at its time", "Monday, December 7, 2026 at 5:30 PM (Europe/Paris)", "what your settings say (45 minutes)", map[string]string{
			"past": "already passed", "outside_hours": "outside your available hours", "overlaps_session": "another of your sessions",
			"busy": "your calendar is busy then", "length": "changed the length"}},
		"fr": {"garde son horaire", "lundi 7 décembre 2026 à 17:30 (Europe/Paris)", "ce que disent vos réglages (45 minutes)", map[string]string{
			"past": "déjà passé", "outside_hours": "en dehors de vos heures", "overlaps_session": "une autre de vos séances",
			"busy": "votre agenda est occupé", "length": "changé la durée"}},
	}
	for lang, w := range want {
		for reason, why := range w.why {
			t.Run(lang+"/"+reason, func(t *testing.T) {
				extra := Extra{Tried: Tried{Start: tried, Reason: reason}, SessionURL: "https://rdv.example.org/mentor/sessions/b1"}
				if reason == "length" {
					extra.Tried = Tried{Start: session().Start, End: session().Start.Add(90 * time.Minute), Reason: reason}
				}
				msg, err := BuildMessage(MoveRefused, session(), mentorRecipient(lang, paris), calendar.Person{Email: "noreply@example.org"}, extra)
				if err != nil {
					t.Fatal(err)
				}
				if msg.ICS != nil || msg.Method != "" {
					t.Errorf("a refused move carries an invitation (%s)", msg.Method)
				}
				when := map[string]string{"en": "Monday, December 7, 2026 at 2:30 PM (Europe/Paris)", "fr": "lundi 7 décembre 2026 à 14:30 (Europe/Paris)"}[lang]
				if !strings.Contains(msg.Subject, when) {
					t.Errorf("subject %q lacks the session's time", msg.Subject)
				}
				for _, part := range []string{msg.Text, msg.HTML} {
					for _, s := range []string{why, w.kept, when, "Zoë", extra.SessionURL} {
						if !strings.Contains(part, s) && !strings.Contains(part, strings.ReplaceAll(s, "'", "&#39;")) {
							t.Errorf("missing %q in:\n%s", s, part)
						}
					}
					if reason == "length" && !strings.Contains(part, w.length) {
						t.Errorf("missing the session's length %q in:\n%s", w.length, part)
					}
					if reason != "length" && !strings.Contains(part, w.tried) {
						t.Errorf("missing the time tried %q in:\n%s", w.tried, part)
					}
					if strings.Contains(part, "tok_secret") {
						t.Errorf("the mentee's manage link in the mentor's mail")
					}
				}
			})
		}
	}
	if _, _, _, err := Render(MoveRefused, session(), mentorRecipient("en", paris), Extra{Tried: Tried{Start: tried, Reason: "whim"}}); err == nil {
		t.Error("an unknown reason was rendered")
	}
}

// Two refused edits of one session version are two mails: the sender
// drops a Message-ID it sent before.
func TestMoveRefusedMessageIDPerEdit(t *testing.T) {
	from := calendar.Person{Email: "noreply@example.org"}
	to := mentorRecipient("en", time.UTC)
	a, err := BuildMessage(MoveRefused, session(), to, from, Extra{Tried: Tried{Start: session().Start.Add(time.Hour), Reason: "busy"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildMessage(MoveRefused, session(), to, from, Extra{Tried: Tried{Start: session().Start, End: session().Start.Add(time.Hour), Reason: "length"}})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := BuildMessage(MoveRefused, session(), to, from, Extra{Tried: Tried{Start: session().Start.Add(time.Hour), Reason: "busy"}})
	if a.MessageID == b.MessageID || a.MessageID != again.MessageID {
		t.Fatalf("message ids %q %q %q", a.MessageID, b.MessageID, again.MessageID)
	}
}
