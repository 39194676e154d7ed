package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// seriesSession is a 10-week series of a Paris mentor from Monday 1 March
// 2027 10:00 Paris, across both zones' March changes (Toronto on the
// 14th, Paris on the 28th), its third start not booked.
func seriesSession(t *testing.T) (calendar.Session, []Skipped) {
	paris := mustZone(t, "Europe/Paris")
	first := time.Date(2027, 3, 1, 10, 0, 0, 0, paris)
	s := session()
	s.Start, s.End = first, first.Add(45*time.Minute)
	skipped := first.AddDate(0, 0, 14)
	s.Series = &calendar.Recurrence{Zone: "Europe/Paris", First: first.UTC(), Length: 45 * time.Minute, Count: 10, IntervalWeeks: 1,
		Excluded: []time.Time{skipped.UTC()}}
	return s, []Skipped{{Start: skipped.UTC(), Reason: "calendar_busy"}}
}

// TestRenderSeriesConfirmation: a series' confirmation says it is a
// series (cadence, number of sessions, first and last date), lists each
// session in the reader's and the other party's zone (a Toronto mentee
// sees 4:00, 5:00 then 4:00 AM again as the two zones change on other
// dates), and the start not booked with its reason; in both languages,
// text and HTML.
func TestRenderSeriesConfirmation(t *testing.T) {
	paris, toronto := mustZone(t, "Europe/Paris"), mustZone(t, "America/Toronto")
	s, skipped := seriesSession(t)
	extra := Extra{OtherLocation: paris, Skipped: skipped}
	want := map[string][]string{
		"en": {"9 sessions", "every week",
			"Monday, March 1, 2027 at 4:00 AM (America/Toronto)",  // before both changes
			"Monday, March 22, 2027 at 5:00 AM (America/Toronto)", // Toronto changed, Paris not yet
			"Monday, April 26, 2027 at 4:00 AM (America/Toronto)", // the last, both changed
			"Monday, March 22, 2027 at 10:00 AM (Europe/Paris)",   // the mentor's time beside it
			"Monday, March 15, 2027 at 5:00 AM (America/Toronto)", // the start not booked
			"the mentor is busy in their calendar"},
		"fr": {"9 séances", "chaque semaine",
			"lundi 1er mars 2027 à 04:00 (America/Toronto)",
			"lundi 22 mars 2027 à 05:00 (America/Toronto)",
			"lundi 26 avril 2027 à 04:00 (America/Toronto)",
			"lundi 22 mars 2027 à 10:00 (Europe/Paris)",
			"lundi 15 mars 2027 à 05:00 (America/Toronto)",
			"le mentor est occupé dans son agenda"},
	}
	for lang, words := range want {
		t.Run(lang, func(t *testing.T) {
			subject, text, html, err := Render(Confirmed, s, mentee(lang, toronto), extra)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(subject, words[0]) {
				t.Errorf("subject %q does not say it is a series of %s", subject, words[0])
			}
			for _, part := range []string{text, html} {
				for _, w := range words {
					if !strings.Contains(part, w) {
						t.Errorf("missing %q in:\n%s", w, part)
					}
				}
			}
			if n := strings.Count(text, "\n- "); n != 10 {
				t.Errorf("text lists %d lines, want 9 sessions and 1 skipped:\n%s", n, text)
			}
			if strings.Count(html, "<li>") != 10 {
				t.Errorf("HTML lists %d items, want 10:\n%s", strings.Count(html, "<li>"), html)
			}
		})
	}
}

// TestRenderSeriesSameZone: when both parties share a zone, no second
// time is written; a mentor reads the series too.
func TestRenderSeriesSameZone(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	s, skipped := seriesSession(t)
	_, text, _, err := Render(Confirmed, s, mentorRecipient("en", paris), Extra{OtherLocation: paris, Skipped: skipped})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "'s time") || !strings.Contains(text, "Series: 9 sessions, every week, from Monday, March 1, 2027 at 10:00 AM (Europe/Paris) to Monday, May 3, 2027 at 10:00 AM (Europe/Paris)") {
		t.Errorf("series in one zone:\n%s", text)
	}
}

// TestRenderSeriesCancelOne: cancelling one session of a series that
// goes on says so and lists what is left; its invitation is the series
// (REQUEST) with that start excluded.
func TestRenderSeriesCancelOne(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	s, _ := seriesSession(t)
	s.Series.Excluded = append(s.Series.Excluded, s.Start.UTC())
	msg, err := BuildMessage(Cancelled, s, mentee("fr", paris), calendar.Person{Email: "noreply@example.org"}, Extra{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, "La suite de la série est maintenue") || !strings.Contains(msg.Text, "8 séances") ||
		strings.Contains(msg.Text, "Non réservées") || !strings.Contains(string(msg.ICS), "METHOD:REQUEST") {
		t.Errorf("cancel one of a series:\n%s\n%s", msg.Text, msg.ICS)
	}
}
