package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
)

// Day and month names are spelled out here rather than pulled from a
// locale library: two languages need nineteen words. They are function-local
// so that no package state can be modified.
func frenchWeekday(d time.Weekday) string {
	return [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}[d]
}

func frenchMonth(m time.Month) string {
	return [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}[m-1]
}

// formatWhen writes an instant in the recipient's zone, followed by the
// zone's current name so that nobody has to guess which "2:30 PM" is meant:
//
//	en: Monday, December 7, 2026 at 2:30 PM (America/New York)
//	fr: lundi 7 décembre 2026 à 14:30 (Europe/Paris)
func formatWhen(t time.Time, loc *time.Location, lang string) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if lang == langFrench {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1er" // French writes the first of the month as an ordinal
		}
		return fmt.Sprintf("%s %s %s %d à %s (%s)", frenchWeekday(t.Weekday()), day,
			frenchMonth(t.Month()), t.Year(), t.Format("15:04"), zonenames.Display(loc.String()))
	}
	return t.Format("Monday, January 2, 2006 at 3:04 PM") + " (" + zonenames.Display(loc.String()) + ")"
}

// FormatWhen writes an instant as mails do, for pages that render times
// on the server: the day, date and time in loc, then the zone's name.
func FormatWhen(t time.Time, loc *time.Location, lang string) string {
	return formatWhen(t, loc, language(lang))
}

// FormatDay writes a local date for a list of days: "Monday, December 7"
// or "lundi 7 décembre".
func FormatDay(t time.Time, lang string) string {
	if language(lang) == langFrench {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return frenchWeekday(t.Weekday()) + " " + day + " " + frenchMonth(t.Month())
	}
	return t.Format("Monday, January 2")
}

// FormatClock writes a local time of day: "2:30 PM" or "14:30".
func FormatClock(t time.Time, lang string) string {
	if language(lang) == langFrench {
		return t.Format("15:04")
	}
	return t.Format("3:04 PM")
}

// otherWhen is an instant in the other party's zone, or "" when that zone
// is unknown or shows the same wall-clock time and zone name as the
// reader's (nothing to convert).
func otherWhen(t time.Time, own, other *time.Location, lang string) string {
	if other == nil {
		return ""
	}
	if own == nil {
		own = time.UTC
	}
	if zonenames.Canonical(own.String()) == zonenames.Canonical(other.String()) {
		return ""
	}
	return formatWhen(t, other, lang)
}

// formatDuration writes a session length or reminder lead in words:
// "30 minutes", "1 hour", "1 hour 30 minutes", "24 heures".
func formatDuration(d time.Duration, lang string) string {
	d = d.Round(time.Minute)
	hours, minutes := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	hourWord, minuteWord := "hour", "minute"
	if lang == langFrench {
		hourWord = "heure"
	}
	var parts []string
	if hours > 0 {
		parts = append(parts, plural(hours, hourWord))
	}
	if minutes > 0 || hours == 0 {
		parts = append(parts, plural(minutes, minuteWord))
	}
	return strings.Join(parts, " ")
}

// plural adds an s beyond one: true of "minute", "hour" and "heure".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
