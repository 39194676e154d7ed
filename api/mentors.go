package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// mentorRequest is the body of POST and PATCH /mentors.
type mentorRequest struct {
	Name                 *string            `json:"name"`
	Email                *string            `json:"email"`
	Timezone             *string            `json:"timezone"`
	Language             *string            `json:"language"`
	MaxMentees           *int               `json:"max_mentees"`
	SessionMinutes       *int               `json:"session_minutes"`
	MinNoticeMinutes     *int               `json:"min_notice_minutes"`
	HorizonDays          *int               `json:"horizon_days"`
	BufferMinutes        *int               `json:"buffer_minutes"`
	MaxSessionsPerDay    nullableInt        `json:"max_sessions_per_day"`
	MaxUpcomingPerMentee *int               `json:"max_upcoming_per_mentee"`
	PublicBooking        *bool              `json:"public_booking"`
	VideoProvider        *string            `json:"video_provider"`
	Status               *string            `json:"status"`
	WeeklyHours          *[]weeklyRangeJSON `json:"weekly_hours"`
	Overrides            *[]dateHoursJSON   `json:"overrides"`
	// Notify false skips a new mentor's welcome mail (creation only).
	Notify *bool `json:"notify"`
}

// weeklyRangeJSON, timeRangeJSON and dateHoursJSON are hours as the API
// writes them; the service has its own types and the database its own.
type weeklyRangeJSON struct {
	Weekday string `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

type timeRangeJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type dateHoursJSON struct {
	Date  string          `json:"date"`
	Hours []timeRangeJSON `json:"hours"`
}

func weeklyIn(in []weeklyRangeJSON) []mentoring.WeeklyRange {
	out := make([]mentoring.WeeklyRange, len(in))
	for i, r := range in {
		out[i] = mentoring.WeeklyRange(r)
	}
	return out
}

func weeklyOut(in []mentoring.WeeklyRange) []weeklyRangeJSON {
	out := make([]weeklyRangeJSON, len(in))
	for i, r := range in {
		out[i] = weeklyRangeJSON(r)
	}
	return out
}

func overridesIn(in []dateHoursJSON) []mentoring.DateHours {
	out := make([]mentoring.DateHours, len(in))
	for i, o := range in {
		out[i] = mentoring.DateHours{Date: o.Date, Hours: make([]mentoring.TimeRange, len(o.Hours))}
		for j, r := range o.Hours {
			out[i].Hours[j] = mentoring.TimeRange(r)
		}
	}
	return out
}

func overridesOut(in []mentoring.DateHours) []dateHoursJSON {
	out := make([]dateHoursJSON, len(in))
	for i, o := range in {
		out[i] = dateHoursJSON{Date: o.Date, Hours: make([]timeRangeJSON, len(o.Hours))}
		for j, r := range o.Hours {
			out[i].Hours[j] = timeRangeJSON(r)
		}
	}
	return out
}

func (r mentorRequest) input() mentoring.MentorInput {
	in := mentoring.MentorInput{
		Name: r.Name, Email: r.Email, Timezone: r.Timezone, Language: r.Language, MaxMentees: r.MaxMentees,
		SessionMinutes: r.SessionMinutes, MinNoticeMinutes: r.MinNoticeMinutes, HorizonDays: r.HorizonDays,
		BufferMinutes: r.BufferMinutes, MaxSessionsPerDay: r.MaxSessionsPerDay.Value,
		ClearMaxSessionsPerDay: r.MaxSessionsPerDay.Set && r.MaxSessionsPerDay.Value == nil,
		MaxUpcomingPerMentee:   r.MaxUpcomingPerMentee, PublicBooking: r.PublicBooking,
		VideoProvider: r.VideoProvider, Status: r.Status, Silent: r.Notify != nil && !*r.Notify,
	}
	if r.WeeklyHours != nil {
		weekly := weeklyIn(*r.WeeklyHours)
		in.WeeklyHours = &weekly
	}
	if r.Overrides != nil {
		overrides := overridesIn(*r.Overrides)
		in.Overrides = &overrides
	}
	return in
}

// mentorResponse is a mentor in the API.
type mentorResponse struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	Email                string            `json:"email"`
	Timezone             string            `json:"timezone"`
	Language             string            `json:"language"`
	MaxMentees           int               `json:"max_mentees"`
	SessionMinutes       int               `json:"session_minutes"`
	MinNoticeMinutes     int               `json:"min_notice_minutes"`
	HorizonDays          int               `json:"horizon_days"`
	BufferMinutes        int               `json:"buffer_minutes"`
	MaxSessionsPerDay    *int              `json:"max_sessions_per_day"`
	MaxUpcomingPerMentee int               `json:"max_upcoming_per_mentee"`
	PublicBooking        bool              `json:"public_booking"`
	Status               string            `json:"status"`
	VideoProvider        *string           `json:"video_provider"`
	WeeklyHours          []weeklyRangeJSON `json:"weekly_hours"`
	Overrides            []dateHoursJSON   `json:"overrides"`
	BookingURL           *string           `json:"booking_url"`
	FeedURL              string            `json:"feed_url"`
	CreatedAt            string            `json:"created_at"`
	Token                string            `json:"token,omitempty"`
}

func newMentorResponse(m *mentoring.Mentor) mentorResponse {
	r := mentorResponse{
		ID: m.ID, Name: m.Name, Email: m.Email, Timezone: m.Timezone, Language: m.Language,
		MaxMentees: m.MaxMentees, SessionMinutes: m.SessionMinutes, MinNoticeMinutes: m.MinNoticeMinutes,
		HorizonDays: m.HorizonDays, BufferMinutes: m.BufferMinutes, MaxSessionsPerDay: m.MaxSessionsPerDay,
		MaxUpcomingPerMentee: m.MaxUpcomingPerMentee, PublicBooking: m.PublicBooking, Status: m.Status,
		WeeklyHours: weeklyOut(m.WeeklyHours), Overrides: overridesOut(m.Overrides), FeedURL: m.FeedURL,
		CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339),
	}
	if m.VideoProvider != "" {
		r.VideoProvider = &m.VideoProvider
	}
	if m.BookingURL != "" {
		r.BookingURL = &m.BookingURL
	}
	return r
}

func (s *Server) createMentor(c echo.Context) error {
	var req mentorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.Mentoring.CreateMentor(c.Request().Context(), principal(c), req.input())
	if err != nil {
		return err
	}
	resp := newMentorResponse(&m.Mentor)
	resp.Token = m.Token
	return c.JSON(http.StatusCreated, resp)
}

func (s *Server) listMentors(c echo.Context) error {
	ms, err := s.Mentoring.Mentors(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]mentorResponse, 0, len(ms))
	for i := range ms {
		out = append(out, newMentorResponse(&ms[i]))
	}
	return c.JSON(http.StatusOK, map[string]any{"mentors": out})
}

func (s *Server) getMentor(c echo.Context) error {
	id := c.Param("id")
	m, err := s.Mentoring.Mentor(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMentorResponse(m))
}

func (s *Server) patchMentor(c echo.Context) error {
	id := c.Param("id")
	var req mentorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.Mentoring.UpdateMentor(c.Request().Context(), principal(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMentorResponse(m))
}

type availabilityRequest struct {
	WeeklyHours []weeklyRangeJSON `json:"weekly_hours"`
	Overrides   []dateHoursJSON   `json:"overrides"`
}

func (s *Server) putAvailability(c echo.Context) error {
	id := c.Param("id")
	var req availabilityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.Mentoring.SetAvailability(c.Request().Context(), principal(c), id, weeklyIn(req.WeeklyHours), overridesIn(req.Overrides))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMentorResponse(m))
}

func (s *Server) rotateFeedToken(c echo.Context) error {
	id := c.Param("id")
	url, err := s.Mentoring.RotateFeedToken(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"feed_url": url})
}

// rotateAPIToken answers the mentor's new API token, once; the old one
// stops working at once.
func (s *Server) rotateAPIToken(c echo.Context) error {
	token, err := s.Mentoring.RotateAPIToken(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"token": token})
}

// revokeAPIToken leaves the mentor without a working API token.
func (s *Server) revokeAPIToken(c echo.Context) error {
	if err := s.Mentoring.RevokeAPIToken(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
