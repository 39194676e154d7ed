package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/statements"
)

// The statement page of the mentor area: a month's figures, in the
// mentor's zone, with the CSV to download.

type statementPage struct {
	Month, Timezone, CSVPath string
	Closed                   bool
	ClosedAt                 *time.Time
	Row                      statements.Row
	PeriodStart, PeriodEnd   string
}

func (s *Server) statementPage(c echo.Context) error {
	ctx, me := c.Request().Context(), principal(c)
	month := statementMonth(c)
	st, err := s.Statements.Get(ctx, me, month, "")
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.statement", nil)
	data := statementPage{Month: st.Month, Closed: st.Closed, ClosedAt: st.ClosedAt,
		CSVPath: "/api/v1/statements.csv?" + url.Values{"month": {st.Month}}.Encode()}
	if len(st.Mentors) == 1 {
		data.Row = st.Mentors[0]
		loc := zoneOr(data.Row.Timezone, time.UTC)
		data.Timezone = data.Row.Timezone
		data.PeriodStart = data.Row.PeriodStart.In(loc).Format("2006-01-02 15:04")
		data.PeriodEnd = data.Row.PeriodEnd.In(loc).Format("2006-01-02 15:04")
	}
	p.Page = data
	return s.render(c, http.StatusOK, "statement", p)
}
