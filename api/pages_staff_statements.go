package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/statements"
)

// The console's statement page: every mentor's figures for a month, the
// month's totals, its CSV, and closing it. Closing cannot be undone, so
// the button first shows what it will lock (?confirm=close) and only the
// form posted from there closes.

type staffStatementPage struct {
	Month      string
	MonthStart time.Time // first day of the month, UTC, for its name
	Prev, Next string    // neighbouring months, "YYYY-MM"
	Statement  *statements.Statement
	Totals     statements.Row
	CSVPath    string
	// Closable: the month is over in every zone and still open;
	// ClosableFrom says when it will be otherwise.
	Closable     bool
	ClosableFrom time.Time
	Confirm      bool
}

func (s *Server) staffStatements(c echo.Context) error {
	return s.renderStaffStatements(c, http.StatusOK, statementMonth(c), "")
}

func (s *Server) renderStaffStatements(c echo.Context, status int, month, formErr string) error {
	st, err := s.Statements.Get(c.Request().Context(), principal(c), month, "")
	if err != nil {
		return err
	}
	start, _ := statements.ParseMonth(st.Month) // parsed by Get already
	data := staffStatementPage{Month: st.Month, MonthStart: start, Statement: st,
		Prev: start.AddDate(0, -1, 0).Format("2006-01"), Next: start.AddDate(0, 1, 0).Format("2006-01"),
		CSVPath:      "/api/v1/statements.csv?" + url.Values{"month": {st.Month}}.Encode(),
		ClosableFrom: statements.ClosableFrom(start)}
	for _, r := range st.Mentors {
		data.Totals.Completed += r.Completed
		data.Totals.Minutes += r.Minutes
		data.Totals.NoShow += r.NoShow
		data.Totals.MentorNoShow += r.MentorNoShow
		data.Totals.LateCancel += r.LateCancel
		data.Totals.Unreported += r.Unreported
	}
	data.Closable = !st.Closed && !time.Now().Before(data.ClosableFrom)
	data.Confirm = data.Closable && c.QueryParam("confirm") == "close"
	p, err := s.newConsolePage(c, "title.staff_statements", "statements", data)
	if err != nil {
		return err
	}
	p.Error = formErr
	return s.render(c, status, "staff_statements", p)
}

// closeStatementFromPage closes the month once its confirmation was shown.
func (s *Server) closeStatementFromPage(c echo.Context) error {
	month := c.Param("month")
	if _, err := s.Statements.Close(c.Request().Context(), principal(c), month); err != nil {
		if msg, status, ok := formError(c, err); ok && status != http.StatusForbidden {
			if _, bad := statements.ParseMonth(month); bad != nil {
				month = statementMonth(c) // the current month, with the error
			}
			return s.renderStaffStatements(c, status, month, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.StaffStatements+"?"+url.Values{"month": {month}, "done": {"month_closed"}}.Encode())
}
