package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/statements"
)

// statementResponse is a month's statement in the API.
type statementResponse struct {
	Month    string            `json:"month"`
	Closed   bool              `json:"closed"`
	ClosedAt *string           `json:"closed_at"`
	Mentors  []statementMentor `json:"mentors"`
}

type statementMentor struct {
	MentorID     string `json:"mentor_id"`
	MentorName   string `json:"mentor_name"`
	Timezone     string `json:"timezone"`
	Completed    int    `json:"completed"`
	NoShow       int    `json:"no_show"`
	MentorNoShow int    `json:"mentor_no_show"`
	LateCancel   int    `json:"late_cancel"`
	Unreported   int    `json:"unreported"`
	Minutes      int    `json:"minutes"`
	PeriodStart  string `json:"period_start"`
	PeriodEnd    string `json:"period_end"`
}

func newStatementResponse(st *statements.Statement) statementResponse {
	out := statementResponse{Month: st.Month, Closed: st.Closed, ClosedAt: optionalTime(st.ClosedAt), Mentors: make([]statementMentor, 0, len(st.Mentors))}
	for _, r := range st.Mentors {
		loc := zoneOr(r.Timezone, time.UTC)
		out.Mentors = append(out.Mentors, statementMentor{MentorID: r.MentorID, MentorName: r.MentorName, Timezone: r.Timezone,
			Completed: r.Completed, NoShow: r.NoShow, MentorNoShow: r.MentorNoShow, LateCancel: r.LateCancel, Unreported: r.Unreported,
			Minutes: r.Minutes, PeriodStart: rfc3339(r.PeriodStart, loc), PeriodEnd: rfc3339(r.PeriodEnd, loc)})
	}
	return out
}

// statementMonth is the month asked for, by default the current one (UTC).
func statementMonth(c echo.Context) string {
	if m := c.QueryParam("month"); m != "" {
		return m
	}
	return time.Now().UTC().Format("2006-01")
}

func (s *Server) getStatement(c echo.Context) error {
	st, err := s.Statements.Get(c.Request().Context(), principal(c), statementMonth(c), c.QueryParam("mentor_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newStatementResponse(st))
}

func (s *Server) getStatementCSV(c echo.Context) error {
	month := statementMonth(c)
	data, err := s.Statements.CSV(c.Request().Context(), principal(c), month, c.QueryParam("mentor_id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="statement-`+month+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", data)
}

func (s *Server) closeStatement(c echo.Context) error {
	st, err := s.Statements.Close(c.Request().Context(), principal(c), c.Param("month"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newStatementResponse(st))
}
