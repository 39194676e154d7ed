package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// The console's forms show a refusal on the field it is about and keep
// what was typed (formState), as the mentor area does.

// consoleInput is what the console-input template shows of one field.
type consoleInput struct {
	ID, Name, Label, Type, Value, Hint string
	Required                           bool
	Bad                                bool
	Message                            string
}

// consoleInputOf builds a field of the form whose inputs are named
// prefix-field; stored is shown until something was posted.
func consoleInputOf(p *page, prefix, field, labelKey, typ, stored string) consoleInput {
	id := prefix + "-" + strings.ReplaceAll(field, "_", "-")
	in := consoleInput{ID: id, Name: field, Label: p.T(labelKey), Type: typ, Value: p.Form.Value(field, stored),
		Required: field == "name" || field == "email", Bad: p.Form.Invalid(id)}
	if field == "timezone" {
		labelKey = "staff.zone" // its hint is staff.zone_hint
	}
	if hint := labelKey + "_hint"; p.T(hint) != hint {
		in.Hint = p.T(hint)
	}
	if in.Bad {
		in.Message = p.Form.Message()
	}
	return in
}

// consoleFieldLabels are the label keys of the fields the console's
// forms post, by request field.
var consoleFieldLabels = map[string]string{
	"name": "staff.name", "email": "book.email", "timezone": "staff.timezone", "language": "staff.language",
	"max_mentees": "staff.max_mentees", "session_minutes": "staff.session_minutes", "mentor_id": "staff.assign_mentor",
	"role": "staff.role", "max_upcoming_per_mentee": "staff.max_upcoming", "status": "staff.status",
}

// consoleInputError places a service error on the input of the form
// (prefix) it names; a second mentor's or staff member's address is the
// e-mail field's.
func consoleInputError(c echo.Context, prefix string, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	field := ae.Field
	if field == "" && ae.Code == apperr.Conflict &&
		(strings.Contains(ae.Message, "address") || strings.HasSuffix(ae.Message, "is already a staff member")) {
		field = "email"
	}
	key, ok := consoleFieldLabels[field]
	if !ok {
		return err
	}
	return &inputError{err: err, input: prefix + "-" + strings.ReplaceAll(field, "_", "-"), label: translator(pageLang(c)).T(key)}
}

// newMentorPage is the create-mentor form.
type newMentorPage struct {
	Zones []string
}

func (s *Server) staffNewMentor(c echo.Context) error {
	return s.renderNewMentor(c, http.StatusOK, nil)
}

func (s *Server) renderNewMentor(c echo.Context, status int, form *formState) error {
	p, err := s.newConsolePage(c, "title.staff_mentor_new", "mentors", newMentorPage{Zones: settingsZones()})
	if err != nil {
		return err
	}
	p.Error, p.Form = form.Message(), form
	return s.render(c, status, "staff_mentor_new", p)
}

// createMentorFromPage adds a mentor (who is mailed a welcome with a
// sign-in link by the service) and opens their page.
func (s *Server) createMentorFromPage(c echo.Context) error {
	name, email, tz, lang := c.FormValue("name"), c.FormValue("email"), c.FormValue("timezone"), c.FormValue("language")
	public := c.FormValue("public_booking") == "1"
	in := mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, Language: &lang, PublicBooking: &public}
	err := func() error {
		for field, dst := range map[string]**int{"max_mentees": &in.MaxMentees, "session_minutes": &in.SessionMinutes} {
			text := strings.TrimSpace(c.FormValue(field))
			if text == "" {
				continue
			}
			v, err := strconv.Atoi(text)
			if err != nil {
				return apperr.Field(field, "%q is not a whole number", text).With("form.not_a_number", text)
			}
			*dst = &v
		}
		m, err := s.Mentoring.CreateMentor(c.Request().Context(), principal(c), in)
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, links.Path(links.StaffMentor, m.ID)+"?done=mentor_created")
	}()
	if err == nil {
		return nil
	}
	form, status, ok := postedFormError(c, consoleInputError(c, "new-mentor", err))
	if !ok || status == http.StatusForbidden {
		return err
	}
	return s.renderNewMentor(c, status, form)
}
