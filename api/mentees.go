package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// menteeRequest is the body of POST /mentees.
type menteeRequest struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Timezone string `json:"timezone"`
	Language string `json:"language"`
	MentorID string `json:"mentor_id"`
	// Notify false skips the welcome mail.
	Notify *bool `json:"notify"`
}

// menteeResponse is a mentee in the API.
type menteeResponse struct {
	ID         string  `json:"id"`
	MentorID   string  `json:"mentor_id"`
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	Timezone   string  `json:"timezone"`
	Language   string  `json:"language"`
	Status     string  `json:"status"`
	BookingURL *string `json:"booking_url"`
	AssignedAt string  `json:"assigned_at"`
	EndedAt    *string `json:"ended_at"`
}

func newMenteeResponse(m *mentoring.Mentee) menteeResponse {
	r := menteeResponse{
		ID: m.ID, MentorID: m.MentorID, Name: m.Name, Email: m.Email, Timezone: m.Timezone, Language: m.Language,
		Status: m.Status, AssignedAt: m.AssignedAt.UTC().Format(time.RFC3339), EndedAt: optionalTime(m.EndedAt),
	}
	if m.BookingURL != "" {
		r.BookingURL = &m.BookingURL
	}
	return r
}

func (s *Server) createMentee(c echo.Context) error {
	var req menteeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := mentoring.MenteeInput{Name: req.Name, Email: req.Email, Timezone: req.Timezone, Language: req.Language,
		Silent: req.Notify != nil && !*req.Notify}
	m, err := s.Mentoring.CreateMentee(c.Request().Context(), principal(c), req.MentorID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newMenteeResponse(m))
}

func (s *Server) getMentee(c echo.Context) error {
	m, err := s.Mentoring.Mentee(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMenteeResponse(m))
}

func (s *Server) endMentee(c echo.Context) error {
	m, err := s.Booking.EndMentee(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMenteeResponse(m))
}

type reassignRequest struct {
	MentorID string `json:"mentor_id"`
	// Notify false skips the mail of the new mentor to the mentee.
	Notify *bool `json:"notify"`
}

// reassignResponse is the moved mentee and what became of their sessions.
type reassignResponse struct {
	menteeResponse
	SessionsMoved     int `json:"sessions_moved"`
	SessionsCancelled int `json:"sessions_cancelled"`
}

func (s *Server) reassignMentee(c echo.Context) error {
	var req reassignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.Booking.ReassignMentee(c.Request().Context(), principal(c), c.Param("id"), req.MentorID,
		mentoring.MoveOptions{Silent: req.Notify != nil && !*req.Notify})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reassignResponse{
		menteeResponse: newMenteeResponse(&r.Mentee), SessionsMoved: r.SessionsMoved, SessionsCancelled: r.SessionsCancelled,
	})
}

// menteeListItem is a mentee in GET /mentees: who, with whom, and how
// the pair is going.
type menteeListItem struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Email         string  `json:"email"`
	Status        string  `json:"status"`
	MentorID      *string `json:"mentor_id"`
	MentorName    *string `json:"mentor_name"`
	AssignedAt    string  `json:"assigned_at"`
	LastSessionAt *string `json:"last_session_at"`
	NextSessionAt *string `json:"next_session_at"`
	Overdue       bool    `json:"overdue"`
}

// listMentees is the console's mentee list as JSON: the same service
// call, so the same filters, scoping and pages.
func (s *Server) listMentees(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f := console.MenteeFilter{Query: c.QueryParam("q"), MentorID: c.QueryParam("mentor_id"), Status: c.QueryParam("status")}
	switch c.QueryParam("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return apperr.Field("overdue", "overdue must be true or false")
	}
	page, err := s.Console.Mentees(c.Request().Context(), principal(c), f, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Mentees    []menteeListItem `json:"mentees"`
		NextCursor *string          `json:"next_cursor"`
	}{Mentees: make([]menteeListItem, 0, len(page.Mentees))}
	for _, m := range page.Mentees {
		item := menteeListItem{ID: m.ID, Name: m.Name, Email: m.Email, Status: m.Status,
			AssignedAt: m.AssignedAt.UTC().Format(time.RFC3339), LastSessionAt: optionalTime(m.LastSession),
			NextSessionAt: optionalTime(m.NextSession), Overdue: m.Overdue}
		if m.MentorID != "" {
			item.MentorID, item.MentorName = &m.MentorID, &m.MentorName
		}
		out.Mentees = append(out.Mentees, item)
	}
	if page.Next != "" {
		out.NextCursor = &page.Next
	}
	return c.JSON(http.StatusOK, out)
}
