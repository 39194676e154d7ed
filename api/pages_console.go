package api

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/calsync"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// The console's pages: each parses its query or form, calls the services
// with the signed-in staff member, and renders what they return.

func (s *Server) staffHome(c echo.Context) error {
	d, err := s.Console.Dashboard(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	p, err := s.newConsolePage(c, "title.staff", "dashboard", d)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_home", p)
}

type mentorsPage struct {
	Filter  console.MentorFilter
	Loads   []string
	Page    *console.MentorPage
	NextURL string
}

func (s *Server) staffMentors(c echo.Context) error {
	f := console.MentorFilter{Query: c.QueryParam("q"), Load: c.QueryParam("load")}
	page, err := s.Console.Mentors(c.Request().Context(), principal(c), f, c.QueryParam("cursor"), 0)
	if err != nil {
		return err
	}
	data := mentorsPage{Filter: f, Loads: console.MentorLoadFilters(), Page: page}
	if page.Next != "" {
		data.NextURL = links.StaffMentors + "?" + url.Values{"q": {f.Query}, "load": {f.Load}, "cursor": {page.Next}}.Encode()
	}
	p, err := s.newConsolePage(c, "title.staff_mentors", "mentors", data)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_mentors", p)
}

type staffMentorPage struct {
	Mentor      *mentoring.Mentor
	Caseload    *mentoring.Caseload
	Upcoming    []booking.Booking
	Past        []booking.Booking
	Names       map[string]string
	Connections []calsync.Connection
}

func (s *Server) staffMentor(c echo.Context) error { return s.renderStaffMentor(c, http.StatusOK, nil) }

func (s *Server) renderStaffMentor(c echo.Context, status int, form *formState) error {
	ctx, by, id := c.Request().Context(), principal(c), c.Param("id")
	m, err := s.Mentoring.Mentor(ctx, by, id)
	if err != nil {
		return err
	}
	data := staffMentorPage{Mentor: m, Names: map[string]string{}}
	if data.Caseload, err = s.Mentoring.Caseload(ctx, by, id); err != nil {
		return err
	}
	for _, e := range data.Caseload.Mentees {
		data.Names[e.ID] = e.Name
	}
	now := time.Now().UTC()
	if data.Upcoming, err = s.Booking.List(ctx, by, id, now, now.Add(upcomingWindow), "confirmed"); err != nil {
		return err
	}
	past, err := s.Booking.List(ctx, by, id, now.Add(-upcomingWindow), now, "")
	if err != nil {
		return err
	}
	// Latest first, and only what was held or missed.
	for i := len(past) - 1; i >= 0 && len(data.Past) < 20; i-- {
		if past[i].Start.Before(now) {
			data.Past = append(data.Past, past[i])
		}
	}
	if data.Connections, err = s.Calendars.Connections(ctx, by, id); err != nil {
		return err
	}
	p, err := s.newConsolePage(c, "title.staff_mentor", "mentors", data)
	if err != nil {
		return err
	}
	p.Title = m.Name
	p.Error, p.Form = form.Message(), form
	return s.render(c, status, "staff_mentor", p)
}

// editMentorFromPage saves the settings form of a mentor's page; a
// refusal is shown on its field, with what was typed.
func (s *Server) editMentorFromPage(c echo.Context) error {
	err := func() error {
		name, email := c.FormValue("name"), c.FormValue("email")
		in := mentoring.MentorInput{Name: &name, Email: &email}
		for field, dst := range map[string]**int{"max_mentees": &in.MaxMentees, "session_minutes": &in.SessionMinutes,
			"max_upcoming_per_mentee": &in.MaxUpcomingPerMentee} {
			v, err := formInt(c, field)
			if err != nil {
				return err
			}
			*dst = v
		}
		public := c.FormValue("public_booking") == "1"
		in.PublicBooking = &public
		if status := c.FormValue("status"); status != "" {
			in.Status = &status
		}
		_, err := s.Mentoring.UpdateMentor(c.Request().Context(), principal(c), c.Param("id"), in)
		return err
	}()
	if err == nil {
		return c.Redirect(http.StatusSeeOther, links.Path(links.StaffMentor, c.Param("id"))+"?done=mentor_saved")
	}
	form, status, ok := postedFormError(c, consoleInputError(c, "m", err))
	if !ok || status == http.StatusForbidden || status == http.StatusNotFound {
		return err
	}
	return s.renderStaffMentor(c, status, form)
}

type menteesPage struct {
	Filter  console.MenteeFilter
	Mentor  string // the mentor filter's name, when set
	Page    *console.MenteePage
	NextURL string
}

func (s *Server) staffMentees(c echo.Context) error {
	f := console.MenteeFilter{Query: c.QueryParam("q"), MentorID: c.QueryParam("mentor_id"), Status: c.QueryParam("status"),
		Overdue: c.QueryParam("overdue") == "true"}
	ctx := c.Request().Context()
	page, err := s.Console.Mentees(ctx, principal(c), f, c.QueryParam("cursor"), 0)
	if err != nil {
		return err
	}
	data := menteesPage{Filter: f, Page: page}
	if f.MentorID != "" {
		if m, err := s.Mentoring.Mentor(ctx, principal(c), f.MentorID); err == nil {
			data.Mentor = m.Name
		}
	}
	if page.Next != "" {
		q := url.Values{"q": {f.Query}, "mentor_id": {f.MentorID}, "status": {f.Status}, "cursor": {page.Next}}
		if f.Overdue {
			q.Set("overdue", "true")
		}
		data.NextURL = links.StaffMentees + "?" + q.Encode()
	}
	p, err := s.newConsolePage(c, "title.staff_mentees", "mentees", data)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_mentees", p)
}

type staffMenteePage struct {
	Mentee   *mentoring.Mentee
	Mentor   *mentoring.Mentor
	Sessions []console.MenteeSession
	Names    map[string]string // mentor names by id, for sessions with former mentors
	// Reassign: the mentor search and its results, and the preview of
	// the chosen one.
	Query   string
	Choices []console.MentorLoad
	Preview *booking.ReassignPreview
}

func (s *Server) staffMentee(c echo.Context) error { return s.renderStaffMentee(c, http.StatusOK, "") }

func (s *Server) renderStaffMentee(c echo.Context, status int, formErr string) error {
	ctx, by, id := c.Request().Context(), principal(c), c.Param("id")
	e, err := s.Mentoring.Mentee(ctx, by, id)
	if err != nil {
		return err
	}
	data := staffMenteePage{Mentee: e, Names: map[string]string{}, Query: c.QueryParam("q")}
	if e.MentorID != "" {
		if data.Mentor, err = s.Mentoring.Mentor(ctx, by, e.MentorID); err != nil {
			return err
		}
		data.Names[e.MentorID] = data.Mentor.Name
	}
	if data.Sessions, err = s.Console.MenteeSessions(ctx, by, id); err != nil {
		return err
	}
	for _, ms := range data.Sessions {
		if _, ok := data.Names[ms.MentorID]; !ok {
			if m, err := s.Mentoring.Mentor(ctx, by, ms.MentorID); err == nil {
				data.Names[ms.MentorID] = m.Name
			}
		}
	}
	if e.Status == "active" {
		if data.Query != "" {
			choices, err := s.Console.Mentors(ctx, by, console.MentorFilter{Query: data.Query, Load: "free"}, "", 20)
			if err != nil {
				return err
			}
			data.Choices = choices.Mentors
		}
		if to := c.QueryParam("to"); to != "" {
			if data.Preview, err = s.Booking.PreviewReassign(ctx, by, id, to); err != nil {
				return err
			}
		}
	}
	p, err := s.newConsolePage(c, "title.staff_mentee", "mentees", data)
	if err != nil {
		return err
	}
	p.Title = e.Name
	p.Error = formErr
	return s.render(c, status, "staff_mentee", p)
}

// reassignFromPage moves the mentee once the preview was shown.
func (s *Server) reassignFromPage(c echo.Context) error {
	id := c.Param("id")
	r, err := s.Booking.ReassignMentee(c.Request().Context(), principal(c), id, c.FormValue("mentor_id"))
	if err != nil {
		if msg, status, ok := formError(c, err); ok && status != http.StatusForbidden && status != http.StatusNotFound {
			return s.renderStaffMentee(c, status, msg)
		}
		return err
	}
	q := url.Values{"done": {"reassigned"}, "moved": {itoa(r.SessionsMoved)}, "cancelled": {itoa(r.SessionsCancelled)}}
	return c.Redirect(http.StatusSeeOther, links.Path(links.StaffMentee, id)+"?"+q.Encode())
}

func (s *Server) endFromPage(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.Booking.EndMentee(c.Request().Context(), principal(c), id); err != nil {
		if msg, status, ok := formError(c, err); ok && status == http.StatusConflict {
			return s.renderStaffMentee(c, status, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Path(links.StaffMentee, id)+"?done=ended")
}

// assignFromPage adds a mentee, to the chosen mentor or to the one with
// the most free places.
func (s *Server) assignFromPage(c echo.Context) error {
	in := mentoring.MenteeInput{Name: c.FormValue("name"), Email: c.FormValue("email"), Timezone: c.FormValue("timezone")}
	m, err := s.Mentoring.CreateMentee(c.Request().Context(), principal(c), c.FormValue("mentor_id"), in)
	if err != nil {
		form, status, ok := postedFormError(c, consoleInputError(c, "assign", err))
		if !ok || status == http.StatusForbidden {
			return err
		}
		return s.renderAssign(c, status, form)
	}
	return c.Redirect(http.StatusSeeOther, links.Path(links.StaffMentee, m.ID)+"?done=assigned")
}

type assignPage struct {
	MentorID string // a mentor chosen beforehand (?mentor_id=)
}

func (s *Server) staffAssign(c echo.Context) error { return s.renderAssign(c, http.StatusOK, nil) }

func (s *Server) renderAssign(c echo.Context, status int, form *formState) error {
	p, err := s.newConsolePage(c, "title.staff_assign", "mentees", assignPage{MentorID: c.QueryParam("mentor_id")})
	if err != nil {
		return err
	}
	p.Error, p.Form = form.Message(), form
	return s.render(c, status, "staff_assign", p)
}

// formInt reads a whole number from a form field; nil when left empty.
func formInt(c echo.Context, field string) (*int, error) {
	v := c.FormValue(field)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, apperr.Field(field, "%s must be a whole number", field)
	}
	return &n, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

type importPage struct {
	Text   string
	Result *importResponse
}

func (s *Server) staffImportForm(c echo.Context) error {
	p, err := s.newConsolePage(c, "title.staff_import", "import", importPage{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_import", p)
}

// staffImport checks or runs an import from an uploaded file or the text
// area, and shows every problem by line.
func (s *Server) staffImport(c echo.Context) error {
	text := c.FormValue("csv")
	var src io.Reader = strings.NewReader(text)
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("open uploaded file: %w", err)
		}
		defer f.Close()
		src = f
	}
	data := importPage{Text: text}
	p, err := s.newConsolePage(c, "title.staff_import", "import", &data)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if data.Result, err = s.runImport(c, src, c.FormValue("dry_run") != "false"); err != nil {
		msg, st, ok := formError(c, err)
		if !ok || st == http.StatusForbidden {
			return err
		}
		p.Error, status = msg, st
	}
	return s.render(c, status, "staff_import", p)
}
