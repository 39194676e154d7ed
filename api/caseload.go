package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/mentoring"
)

type sessionRefResponse struct {
	ID    string `json:"id"`
	Start string `json:"start"`
}

type caseloadMenteeResponse struct {
	ID                string              `json:"id"`
	Name              string              `json:"name"`
	Email             string              `json:"email"`
	SessionsCompleted int                 `json:"sessions_completed"`
	Unreported        int                 `json:"unreported"`
	LastSession       *sessionRefResponse `json:"last_session"`
	NextSession       *sessionRefResponse `json:"next_session"`
	Overdue           bool                `json:"overdue"`
}

type caseloadSessionsResponse struct {
	Upcoming           int `json:"upcoming"`
	CompletedThisMonth int `json:"completed_this_month"`
	NoShowThisMonth    int `json:"no_show_this_month"`
	MinutesThisMonth   int `json:"minutes_this_month"`
	Unreported         int `json:"unreported"`
}

// caseloadResponse is a mentor's caseload in the API.
type caseloadResponse struct {
	MentorID        string                   `json:"mentor_id"`
	MaxMentees      int                      `json:"max_mentees"`
	ActiveMentees   int                      `json:"active_mentees"`
	AvailablePlaces int                      `json:"available_places"`
	Sessions        caseloadSessionsResponse `json:"sessions"`
	Mentees         []caseloadMenteeResponse `json:"mentees"`
}

func sessionRef(r *mentoring.SessionRef) *sessionRefResponse {
	if r == nil {
		return nil
	}
	return &sessionRefResponse{ID: r.ID, Start: r.Start.UTC().Format(time.RFC3339)}
}

func newCaseloadResponse(c *mentoring.Caseload) caseloadResponse {
	r := caseloadResponse{
		MentorID: c.MentorID, MaxMentees: c.MaxMentees, ActiveMentees: c.ActiveMentees, AvailablePlaces: c.AvailablePlaces,
		Sessions: caseloadSessionsResponse{
			Upcoming: c.Sessions.Upcoming, CompletedThisMonth: c.Sessions.CompletedThisMonth,
			NoShowThisMonth: c.Sessions.NoShowThisMonth, MinutesThisMonth: c.Sessions.MinutesThisMonth,
			Unreported: c.Sessions.Unreported,
		},
		Mentees: make([]caseloadMenteeResponse, 0, len(c.Mentees)),
	}
	for _, m := range c.Mentees {
		r.Mentees = append(r.Mentees, caseloadMenteeResponse{
			ID: m.ID, Name: m.Name, Email: m.Email, SessionsCompleted: m.SessionsCompleted, Unreported: m.Unreported,
			LastSession: sessionRef(m.LastSession), NextSession: sessionRef(m.NextSession), Overdue: m.Overdue,
		})
	}
	return r
}

func (s *Server) getCaseload(c echo.Context) error {
	id := c.Param("id")
	cl, err := s.Mentoring.Caseload(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newCaseloadResponse(cl))
}

func (s *Server) listCaseloads(c echo.Context) error {
	all, err := s.Mentoring.Caseloads(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]caseloadResponse, 0, len(all))
	for i := range all {
		out = append(out, newCaseloadResponse(&all[i]))
	}
	return c.JSON(http.StatusOK, map[string]any{"caseloads": out})
}
