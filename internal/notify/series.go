package notify

import (
	"fmt"
	"slices"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// Skipped is a start of a weekly series that was not booked, and why
// (booking.Reason* codes: outside_hours, too_soon, calendar_busy,
// session_booked, day_full, beyond_horizon).
type Skipped struct {
	Start  time.Time
	Reason string
}

// seriesView is what a mail says about the weekly series a session
// belongs to: how often, how many sessions, the first and the last, each
// session at its current time and the starts not booked, every time in
// the reader's zone and, when it differs, in the other party's (their
// clocks may change on other dates, so the list is written out rather
// than summed up as "every Monday at 10:00").
type seriesView struct {
	Cadence         string
	Sessions        int
	First, Last     string
	OtherFirst      string
	OtherLast       string
	List            []seriesLine
	Skipped         []seriesLine
	Zone, OtherZone string
	ShowsOtherTimes bool
}

type seriesLine struct {
	When, OtherWhen, Reason string
}

// newSeriesView describes r for a reader in own (other: the other
// party's zone, nil if unknown); skipped are the starts not booked with
// their reasons, listed when given.
func newSeriesView(r *calendar.Recurrence, own, other *time.Location, lang string, skipped []Skipped) (*seriesView, error) {
	starts, err := r.Starts()
	if err != nil {
		return nil, fmt.Errorf("notify: series in %q: %w", r.Zone, err)
	}
	excluded := map[int64]bool{}
	for _, t := range r.Excluded {
		excluded[t.Unix()] = true
	}
	moved := map[int64]time.Time{}
	for _, m := range r.Moved {
		moved[m.Of.Unix()] = m.Start
	}
	var live []time.Time
	for _, t := range starts {
		if excluded[t.Unix()] {
			continue
		}
		if m, ok := moved[t.Unix()]; ok {
			t = m
		}
		live = append(live, t)
	}
	slices.SortFunc(live, func(a, b time.Time) int { return a.Compare(b) })
	v := &seriesView{Cadence: cadence(r.IntervalWeeks, lang), Sessions: len(live)}
	line := func(t time.Time) seriesLine {
		return seriesLine{When: formatWhen(t, own, lang), OtherWhen: otherWhen(t, own, other, lang)}
	}
	for _, t := range live {
		l := line(t)
		v.List = append(v.List, l)
		v.ShowsOtherTimes = v.ShowsOtherTimes || l.OtherWhen != ""
	}
	if len(v.List) > 0 {
		v.First, v.OtherFirst = v.List[0].When, v.List[0].OtherWhen
		v.Last, v.OtherLast = v.List[len(v.List)-1].When, v.List[len(v.List)-1].OtherWhen
	}
	for _, s := range skipped {
		l := line(s.Start)
		l.Reason = skipReason(s.Reason, lang)
		v.Skipped = append(v.Skipped, l)
	}
	return v, nil
}

// cadence says how often a series repeats.
func cadence(weeks int, lang string) string {
	switch {
	case lang == langFrench && weeks <= 1:
		return "chaque semaine"
	case lang == langFrench:
		return fmt.Sprintf("toutes les %d semaines", weeks)
	case weeks <= 1:
		return "every week"
	}
	return fmt.Sprintf("every %d weeks", weeks)
}

// skipReason says in words why a start was not booked.
func skipReason(code, lang string) string {
	fr := lang == langFrench
	switch code {
	case "outside_hours":
		if fr {
			return "en dehors des horaires du mentor"
		}
		return "outside the mentor's hours"
	case "too_soon":
		if fr {
			return "trop tôt (délai de prévenance du mentor)"
		}
		return "too soon (inside the mentor's notice period)"
	case "calendar_busy":
		if fr {
			return "le mentor est occupé dans son agenda"
		}
		return "the mentor is busy in their calendar"
	case "session_booked":
		if fr {
			return "une autre séance est déjà réservée"
		}
		return "another session is already booked"
	case "day_full":
		if fr {
			return "la journée du mentor est complète"
		}
		return "the mentor's day is full"
	case "new_mentor_unavailable":
		if fr {
			return "le nouveau mentor n'est pas libre à cette heure ; séance annulée"
		}
		return "the new mentor is not free then; the session is cancelled"
	case "beyond_horizon":
		if fr {
			return "au-delà de l'horizon de réservation du mentor"
		}
		return "beyond the mentor's booking horizon"
	}
	if fr {
		return "non disponible"
	}
	return "not available"
}
