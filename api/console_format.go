package api

import (
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/internal/console"
)

// The console shows times in UTC, named as such: its readers work across
// zones, and a time without its zone would be read as local.

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

func monthsOf(lang string) [12]string {
	if m, ok := monthNames[lang]; ok {
		return m
	}
	return monthNames["en"]
}

// monthName is "December 2026" or "décembre 2026".
func monthName(lang string, t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %d", monthsOf(lang)[t.Month()-1], t.Year())
}

// shortDate is "3 December 2026" in both languages' order.
func shortDate(lang string, v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsOf(lang)[t.Month()-1], t.Year())
}

// shortTime is "3 December 2026, 14:30 UTC".
func shortTime(lang string, v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s, %02d:%02d UTC", shortDate(lang, t), t.Hour(), t.Minute())
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), true
	case *time.Time:
		if t != nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// taggedMentor lets the "mentor-tags" template reach both the page's
// strings and the mentor.
type taggedMentor struct {
	*page
	console.MentorLoad
}

func tagged(p *page, m console.MentorLoad) taggedMentor { return taggedMentor{p, m} }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
