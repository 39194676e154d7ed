package mentoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
)

// WeeklyRange is one range of a mentor's weekly hours: a weekday
// ("monday") and local clock times ("09:00").
type WeeklyRange struct {
	Weekday string
	Start   string
	End     string
}

// TimeRange is a range of a date override.
type TimeRange struct {
	Start string
	End   string
}

// DateHours replaces the hours of one local date; no hours is a day off.
type DateHours struct {
	Date  string // YYYY-MM-DD
	Hours []TimeRange
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// ParseAvailability turns API hours into the engine's form and validates
// them, naming the offending field.
func ParseAvailability(loc *time.Location, weekly []WeeklyRange, overrides []DateHours) (calendar.Availability, error) {
	a := calendar.Availability{Location: loc}
	// requestIndex[wd][k] is the position in weekly of the k-th range of
	// weekday wd, to name the request's field when the engine refuses one.
	var requestIndex [7][]int
	for i, r := range weekly {
		field := fmt.Sprintf("weekly_hours[%d]", i)
		wd, ok := weekdays[strings.ToLower(r.Weekday)]
		if !ok {
			return a, apperr.Field(field+".weekday", "%q is not a weekday (monday … sunday)", r.Weekday)
		}
		hr, err := parseRange(field, r.Start, r.End)
		if err != nil {
			return a, err
		}
		a.Weekly[wd] = append(a.Weekly[wd], hr)
		requestIndex[wd] = append(requestIndex[wd], i)
	}
	for i, o := range overrides {
		field := fmt.Sprintf("overrides[%d]", i)
		d, err := calendar.ParseDate(o.Date)
		if err != nil {
			return a, apperr.Field(field+".date", "%q is not a date (YYYY-MM-DD)", o.Date)
		}
		ov := calendar.Override{Date: d, Hours: []calendar.HoursRange{}}
		for j, r := range o.Hours {
			hr, err := parseRange(fmt.Sprintf("%s.hours[%d]", field, j), r.Start, r.End)
			if err != nil {
				return a, err
			}
			ov.Hours = append(ov.Hours, hr)
		}
		a.Overrides = append(a.Overrides, ov)
	}
	if err := a.Validate(); err != nil {
		if ae, ok := err.(*calendar.AvailabilityError); ok {
			return a, apperr.Field(weeklyRequestField(ae.Field, requestIndex), "%s", ae.Problem)
		}
		return a, apperr.Field("weekly_hours", "%v", err)
	}
	return a, nil
}

// weeklyRequestField turns the engine's "weekly_hours.monday[1]" (the
// second Monday range) into the request's "weekly_hours[4]"; other fields
// pass through.
func weeklyRequestField(field string, requestIndex [7][]int) string {
	rest, ok := strings.CutPrefix(field, "weekly_hours.")
	if !ok {
		return field
	}
	day, k, found := strings.Cut(strings.TrimSuffix(rest, "]"), "[")
	wd, known := weekdays[day]
	if !known {
		return field
	}
	if !found {
		return "weekly_hours"
	}
	var i int
	if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(requestIndex[wd]) {
		return "weekly_hours"
	}
	return fmt.Sprintf("weekly_hours[%d]", requestIndex[wd][i])
}

func parseRange(field, start, end string) (calendar.HoursRange, error) {
	s, err := calendar.ParseClock(start)
	if err != nil {
		return calendar.HoursRange{}, apperr.Field(field+".start", "%q is not a time (HH:MM)", start)
	}
	e, err := calendar.ParseClock(end)
	if err != nil {
		return calendar.HoursRange{}, apperr.Field(field+".end", "%q is not a time (HH:MM)", end)
	}
	if e <= s {
		return calendar.HoursRange{}, apperr.Field(field+".end", "%s ends before it starts (%s)", end, start)
	}
	return calendar.HoursRange{Start: s, End: e}, nil
}
