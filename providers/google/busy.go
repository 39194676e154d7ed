package google

import (
	"time"
	_ "time/tzdata" // calendar zones must resolve on hosts without zoneinfo

	calendarapi "google.golang.org/api/calendar/v3"

	"github.com/rendezvous/rendezvous/calendar"
)

// eventItem converts one (non-cancelled) event instance. Busy is empty
// when the event does not block the mentor's time or its times cannot be
// read: one malformed event must not fail the whole calendar's sync.
func eventItem(ev *calendarapi.Event, zone *time.Location) calendar.Item {
	item := calendar.Item{Key: ev.Id, ETag: ev.Etag}
	start, ok1 := eventTime(ev.Start, zone)
	end, ok2 := eventTime(ev.End, zone)
	if ok1 {
		item.Start = start
	}
	if ok1 && ok2 {
		item.End = end
	}
	if !blocksTime(ev) {
		return item
	}
	if !ok1 || !ok2 || !end.After(start) {
		return item
	}
	item.Busy = []calendar.Interval{{Start: start, End: end}}
	return item
}

// blocksTime is false for events Google itself shows as free: marked
// "transparent" (Show as: Available), declined by the calendar's owner
// (the attendee entry with self=true), and working-location markers.
func blocksTime(ev *calendarapi.Event) bool {
	if ev.Transparency == "transparent" || ev.EventType == "workingLocation" {
		return false
	}
	for _, a := range ev.Attendees {
		if a.Self && a.ResponseStatus == "declined" {
			return false
		}
	}
	return true
}

// eventTime reads a start or end in UTC. Timed values carry their offset;
// all-day values (date only, end exclusive) are midnights in the
// calendar's zone, as Google displays them.
func eventTime(dt *calendarapi.EventDateTime, zone *time.Location) (time.Time, bool) {
	if dt == nil {
		return time.Time{}, false
	}
	if dt.DateTime != "" {
		t, err := time.Parse(time.RFC3339, dt.DateTime)
		return t.UTC(), err == nil
	}
	if dt.Date != "" {
		t, err := time.ParseInLocation(time.DateOnly, dt.Date, zone)
		return t.UTC(), err == nil
	}
	return time.Time{}, false
}

// loadZone resolves the calendar's IANA zone, falling back to UTC (the
// best guess left) when Google sends none or one we cannot load.
func loadZone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
