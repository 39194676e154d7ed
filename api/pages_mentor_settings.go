package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// The settings form of the mentor area: everything a mentor may set on
// themselves, posted as one form. The service validates; this only reads
// the fields and places an error on the field it names.

// settingsFields are the numeric fields of the form, by request field.
var settingsFields = []string{"max_mentees", "session_minutes", "min_notice_minutes", "horizon_days", "buffer_minutes",
	"max_sessions_per_day", "max_upcoming_per_mentee"}

// sessionLengths are the lengths the form offers (the service takes any
// multiple of 15 minutes up to 4 hours).
func sessionLengths() []int {
	out := make([]int, 0, 16)
	for m := 15; m <= 240; m += 15 {
		out = append(out, m)
	}
	return out
}

// settingsZones are the zones the form lists, by canonical name.
func settingsZones() []string {
	all := zonenames.All()
	out := make([]string, len(all))
	for i, z := range all {
		out[i] = z.Name
	}
	return out
}

func (s *Server) saveSettings(c echo.Context, id string) error {
	t := translator(pageLang(c))
	var in mentoring.MentorInput
	ints := map[string]**int{"max_mentees": &in.MaxMentees, "session_minutes": &in.SessionMinutes,
		"min_notice_minutes": &in.MinNoticeMinutes, "horizon_days": &in.HorizonDays, "buffer_minutes": &in.BufferMinutes,
		"max_sessions_per_day": &in.MaxSessionsPerDay, "max_upcoming_per_mentee": &in.MaxUpcomingPerMentee}
	for _, field := range settingsFields {
		text := strings.TrimSpace(c.FormValue(field))
		if text == "" {
			if field == "max_sessions_per_day" {
				in.ClearMaxSessionsPerDay = true
				continue
			}
			return settingsInputError(t, apperr.Field(field, "is required"))
		}
		v, err := strconv.Atoi(text)
		if err != nil {
			return settingsInputError(t, apperr.Field(field, "%q is not a whole number", text).With("form.not_a_number", text))
		}
		*ints[field] = &v
	}
	tz, lang, public := c.FormValue("timezone"), c.FormValue("language"), c.FormValue("public_booking") == "1"
	in.Timezone, in.Language, in.PublicBooking = &tz, &lang, &public
	_, err := s.Mentoring.UpdateMentor(c.Request().Context(), principal(c), id, in)
	return settingsInputError(t, err)
}

// settingsInputError places an error on the settings field it names.
func settingsInputError(t translator, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Field == "" {
		return err
	}
	key := "settings." + ae.Field
	if t.T(key) == key {
		return err
	}
	return &inputError{err: err, input: "settings-" + strings.ReplaceAll(ae.Field, "_", "-"), label: t.T(key)}
}

// settingsField is what the number-field template shows of one setting.
type settingsField struct {
	Field, Label, Hint, Stored string
	Form                       *formState
}

func settingsFieldOf(p *page, field, stored string) settingsField {
	return settingsField{Field: field, Label: p.T("settings." + field), Hint: p.T("settings." + field + "_hint"), Stored: stored, Form: p.Form}
}

// optionalInt writes an optional number, empty when unset.
func optionalInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}
