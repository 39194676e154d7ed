package mentoring

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/store"
)

// The mentors row keeps weekly hours and overrides as JSON in these
// shapes. They are the storage format, apart from the service's types and
// the API's: renaming a field of either must not change stored rows.

type storedWeekly struct {
	Weekday string `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

type storedRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type storedOverride struct {
	Date  string        `json:"date"`
	Hours []storedRange `json:"hours"`
}

// hours are a mentor's weekly hours and date overrides.
type hours struct {
	Weekly    []WeeklyRange
	Overrides []DateHours
}

func encodeHours(weekly []WeeklyRange, overrides []DateHours) (string, string) {
	sw := make([]storedWeekly, len(weekly))
	for i, r := range weekly {
		sw[i] = storedWeekly{Weekday: strings.ToLower(r.Weekday), Start: r.Start, End: r.End}
	}
	so := make([]storedOverride, len(overrides))
	for i, o := range overrides {
		so[i] = storedOverride{Date: o.Date, Hours: make([]storedRange, len(o.Hours))}
		for j, r := range o.Hours {
			so[i].Hours[j] = storedRange(r)
		}
	}
	w, _ := json.Marshal(sw)
	o, _ := json.Marshal(so)
	return string(w), string(o)
}

func decodeHours(weekly, overrides string) (hours, error) {
	var sw []storedWeekly
	var so []storedOverride
	if err := json.Unmarshal([]byte(weekly), &sw); err != nil {
		return hours{}, fmt.Errorf("decode weekly hours: %w", err)
	}
	if err := json.Unmarshal([]byte(overrides), &so); err != nil {
		return hours{}, fmt.Errorf("decode overrides: %w", err)
	}
	h := hours{Weekly: make([]WeeklyRange, len(sw)), Overrides: make([]DateHours, len(so))}
	for i, r := range sw {
		h.Weekly[i] = WeeklyRange(r)
	}
	for i, o := range so {
		h.Overrides[i] = DateHours{Date: o.Date, Hours: make([]TimeRange, len(o.Hours))}
		for j, r := range o.Hours {
			h.Overrides[i].Hours[j] = TimeRange(r)
		}
	}
	return h, nil
}

// AvailabilityOf is a stored mentor's hours in the slot engine's form, in
// the mentor's zone loc.
func AvailabilityOf(m *store.Mentor, loc *time.Location) (calendar.Availability, error) {
	h, err := decodeHours(m.WeeklyHours, m.Overrides)
	if err != nil {
		return calendar.Availability{}, fmt.Errorf("mentor %s: %w", m.ID, err)
	}
	return ParseAvailability(loc, h.Weekly, h.Overrides)
}
