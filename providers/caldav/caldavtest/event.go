package caldavtest

import (
	"fmt"
	"strings"
	"time"
)

// Event returns a minimal VCALENDAR with one timed VEVENT in UTC; extra
// lines (e.g. "RRULE:FREQ=WEEKLY", "TRANSP:TRANSPARENT") go into the VEVENT.
func Event(uid, summary string, start, end time.Time, extra ...string) string {
	const layout = "20060102T150405Z"
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Rendezvous//caldavtest//EN",
		"BEGIN:VEVENT",
		"UID:" + uid,
		"DTSTAMP:20260101T000000Z",
		"DTSTART:" + start.UTC().Format(layout),
		"DTEND:" + end.UTC().Format(layout),
		"SUMMARY:" + summary,
	}
	lines = append(lines, extra...)
	lines = append(lines, "END:VEVENT", "END:VCALENDAR", "")
	return strings.Join(lines, "\r\n")
}

// Calendar wraps raw VEVENT (or VTODO) blocks, given without CRLFs or with,
// into a VCALENDAR: for series with overrides, which share one object.
func Calendar(components ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rendezvous//caldavtest//EN\r\n")
	for _, c := range components {
		for _, line := range strings.Split(strings.TrimSpace(c), "\n") {
			fmt.Fprintf(&b, "%s\r\n", strings.TrimRight(line, "\r"))
		}
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}
