package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// The hours form writes ranges as text ("09:00-12:00, 14:00-17:00"); these
// helpers only translate between that text and the service's types. The
// service validates the times themselves.

var weekdayKeys = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

type weekdayHours struct {
	Key, Label, Value string
}

func weekdayFields(t translator, weekly []mentoring.WeeklyRange) []weekdayHours {
	byDay := map[string][]string{}
	for _, r := range weekly {
		byDay[r.Weekday] = append(byDay[r.Weekday], r.Start+"-"+r.End)
	}
	out := make([]weekdayHours, len(weekdayKeys))
	for i, k := range weekdayKeys {
		out[i] = weekdayHours{Key: k, Label: t.T("weekday." + k), Value: strings.Join(byDay[k], ", ")}
	}
	return out
}

func formatOverrides(overrides []mentoring.DateHours) string {
	lines := make([]string, 0, len(overrides))
	for _, o := range overrides {
		parts := []string{o.Date}
		for _, h := range o.Hours {
			parts = append(parts, h.Start+"-"+h.End)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n")
}

// parseRanges reads "09:00-12:00, 14:00-17:00" (commas or spaces apart).
func parseRanges(field, text string) ([]mentoring.TimeRange, error) {
	var out []mentoring.TimeRange
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		start, end, ok := strings.Cut(part, "-")
		if !ok {
			return nil, apperr.Field(field, "%q is not a range like 09:00-12:00", part)
		}
		out = append(out, mentoring.TimeRange{Start: strings.TrimSpace(start), End: strings.TrimSpace(end)})
	}
	return out, nil
}

// parseWeeklyForm reads the seven day fields, and where each range came
// from, so that an error can name "Saturday, first range".
func parseWeeklyForm(c echo.Context) ([]mentoring.WeeklyRange, []weeklyEntry, error) {
	weekly, entries := []mentoring.WeeklyRange{}, []weeklyEntry{}
	for _, day := range weekdayKeys {
		ranges, err := parseRanges(day, c.FormValue("hours_"+day))
		if err != nil {
			return nil, nil, err
		}
		for i, r := range ranges {
			weekly = append(weekly, mentoring.WeeklyRange{Weekday: day, Start: r.Start, End: r.End})
			entries = append(entries, weeklyEntry{day: day, ordinal: i})
		}
	}
	return weekly, entries, nil
}

// parseOverridesForm reads one override per line: "2026-12-24" is a day
// off, "2026-12-24 10:00-12:00" replaces that day's hours.
func parseOverridesForm(text string) ([]mentoring.DateHours, error) {
	overrides := []mentoring.DateHours{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		date, rest, _ := strings.Cut(line, " ")
		ranges, err := parseRanges("overrides", rest)
		if err != nil {
			return nil, err
		}
		if ranges == nil {
			ranges = []mentoring.TimeRange{}
		}
		overrides = append(overrides, mentoring.DateHours{Date: date, Hours: ranges})
	}
	return overrides, nil
}
