package googlefake

import (
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// TimedEvent is an opaque (busy) event from start to end.
func TimedEvent(id, summary string, start, end time.Time) *calendarapi.Event {
	return &calendarapi.Event{
		Id:      id,
		Summary: summary,
		Start:   &calendarapi.EventDateTime{DateTime: start.Format(time.RFC3339)},
		End:     &calendarapi.EventDateTime{DateTime: end.Format(time.RFC3339)},
	}
}

// AllDayEvent spans the dates [startDate, endDate) ("2006-01-02"; the end
// date is exclusive, as in Google's API).
func AllDayEvent(id, summary, startDate, endDate string) *calendarapi.Event {
	return &calendarapi.Event{
		Id:      id,
		Summary: summary,
		Start:   &calendarapi.EventDateTime{Date: startDate},
		End:     &calendarapi.EventDateTime{Date: endDate},
	}
}

// Transparent marks ev "Show as: Available".
func Transparent(ev *calendarapi.Event) *calendarapi.Event {
	ev.Transparency = "transparent"
	return ev
}

// WithAttendee adds an attendee; email equal to the server's User becomes
// the self entry.
func WithAttendee(ev *calendarapi.Event, email, responseStatus string) *calendarapi.Event {
	ev.Attendees = append(ev.Attendees, &calendarapi.EventAttendee{Email: email, ResponseStatus: responseStatus})
	return ev
}
