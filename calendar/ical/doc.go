// Package ical translates between iCalendar (RFC 5545) and the scheduling
// domain: busy time decoded from remote calendars (recurrence, time zones,
// Windows TZIDs, folding), and invites, calendar objects and feeds encoded
// from sessions. Like its parent it performs no I/O.
package ical
