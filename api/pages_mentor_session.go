package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/notify"
)

// A session's page in the mentor area, the manage link of the mentor's
// feed: the session, moving it to another free time or cancelling it with
// a reason, and recording its outcome, as the booking service's rules
// allow.

// moveWindow is how far ahead the session page offers times to move to.
const moveWindow = 14 * 24 * time.Hour

type slotDay struct {
	Label string
	Slots []slotOption
}

type slotOption struct{ Value, Label string }

type mentorSessionPage struct {
	MoveDays                                                                               []slotDay
	ID, MenteeName, MenteeEmail, Start, StartText, Length, JoinURL, Reason, Note, Timezone string
	CancelPath, MovePath, OutcomePath, ReasonKey                                           string
	Cancelled                                                                              bool
	// ChangedByCalendar: the last change came from the mentor's calendar.
	ChangedByCalendar bool
	// Refused* is a refused move of the event in the mentor's calendar.
	RefusedStart, RefusedStartText, RefusedReason string
	// InSeries: the session is part of a weekly series.
	InSeries bool
	booking.Rules
	Outcome  string
	Outcomes []string
	// The report: the one filed, what attendance suggests, who joined
	// when, whether the month is closed, the mentee's earlier reports.
	ReportPath     string
	Report         *booking.Report
	Suggested      string
	Selected       string // the outcome the form starts on
	Notes, Summary string
	MentorJoined   *time.Time
	MenteeJoined   *time.Time
	Ended, Locked  bool
	History        []booking.HistoryEntry
	MaxReportText  int
}

func (s *Server) mentorSessionPage(c echo.Context) error {
	return s.renderMentorSession(c, http.StatusOK, "")
}

func (s *Server) renderMentorSession(c echo.Context, status int, formErr string) error {
	ctx, me := c.Request().Context(), principal(c)
	sess, err := s.Booking.Detail(ctx, me, c.Param("id"))
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.mentor_session", nil)
	p.Error = formErr
	p.inZone(sess.MentorTimezone)
	page := links.Path(links.MentorSession, sess.ID)
	data := mentorSessionPage{
		ID: sess.ID, MenteeName: sess.MenteeName, MenteeEmail: sess.MenteeEmail, Timezone: sess.MentorTimezone,
		Start: sess.Start.Format(time.RFC3339), StartText: p.When(sess.Start),
		Length: p.minutes(sess.End.Sub(sess.Start)), JoinURL: sess.JoinURL, Reason: sess.CancelReason, Note: sess.Note,
		Cancelled: sess.Status != "confirmed", Rules: sess.Rules, InSeries: sess.SeriesID != "",
		CancelPath: page + "/cancel", MovePath: page + "/move", OutcomePath: page + "/outcome", ReasonKey: "msession.reason",
		Outcomes:   booking.OutcomeNames(),
		ReportPath: page + "/report", Report: sess.Report, MentorJoined: sess.Attendance.MentorJoinedAt,
		MenteeJoined: sess.Attendance.MenteeJoinedAt, Ended: !sess.End.After(time.Now()), Locked: sess.ReportLocked,
		History: sess.History, MaxReportText: booking.MaxReportText,
	}
	if sess.Outcome != nil {
		data.Outcome, data.Selected = *sess.Outcome, *sess.Outcome
	}
	if sess.SuggestedOutcome != nil {
		data.Suggested = *sess.SuggestedOutcome
		if data.Selected == "" {
			data.Selected = data.Suggested
		}
	}
	if sess.Report != nil {
		data.Notes, data.Summary = sess.Report.Notes, sess.Report.Summary
	}
	if formErr != "" {
		// Show the form as it was sent, so nothing typed is lost.
		data.Selected, data.Notes, data.Summary = c.FormValue("outcome"), c.FormValue("notes"), c.FormValue("summary")
	}
	data.ChangedByCalendar = sess.ChangedBy == "calendar"
	if r := sess.CalendarRefusal; r != nil && !data.Cancelled {
		data.RefusedStart, data.RefusedStartText, data.RefusedReason = r.Start.Format(time.RFC3339), p.When(r.Start), r.Reason
	}
	if data.CanMove {
		now := time.Now()
		free, err := s.Booking.SlotsToMove(ctx, me, sess.ID, now, now.Add(moveWindow))
		if err != nil {
			return err
		}
		data.MoveDays = slotDays(p, free.Slots, sess.Start)
	}
	p.Page = data
	return s.render(c, status, "mentor_session", p)
}

// mentorSessionAction runs a form action on the signed-in mentor's
// session, then shows the session again with a notice or the form's error.
func (s *Server) mentorSessionAction(done string, act func(c echo.Context, id string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		if err := act(c, id); err != nil {
			if msg, status, ok := formError(c, err); ok {
				return s.renderMentorSession(c, status, msg)
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, links.Path(links.MentorSession, id)+"?done="+done)
	}
}

func (s *Server) cancelAsMentor(c echo.Context, id string) error {
	_, err := s.Booking.CancelScoped(c.Request().Context(), principal(c), id, c.FormValue("reason"), c.FormValue("scope"))
	return err
}

func (s *Server) fileReportFromPage(c echo.Context, id string) error {
	_, err := s.Booking.FileReport(c.Request().Context(), principal(c), id, booking.ReportInput{
		Outcome: c.FormValue("outcome"), Notes: c.FormValue("notes"), Summary: c.FormValue("summary")})
	return err
}

func (s *Server) recordOutcome(c echo.Context, id string) error {
	_, err := s.Booking.SetOutcome(c.Request().Context(), principal(c), id, c.FormValue("outcome"))
	return err
}

// slotDays groups free slots by local day (the slots' own zone, the
// mentor's) for a select; current (the session's own start) is left out.
func slotDays(p *page, slots []calendar.Interval, current time.Time) []slotDay {
	var out []slotDay
	for _, sl := range slots {
		if sl.Start.Equal(current) {
			continue
		}
		day := notify.FormatDay(sl.Start, p.Lang)
		if len(out) == 0 || out[len(out)-1].Label != day {
			out = append(out, slotDay{Label: day})
		}
		d := &out[len(out)-1]
		d.Slots = append(d.Slots, slotOption{Value: sl.Start.UTC().Format(time.RFC3339), Label: notify.FormatClock(sl.Start, p.Lang)})
	}
	return out
}

func (s *Server) moveAsMentor(c echo.Context, id string) error {
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		return apperr.Field("start", "choose one of the free times")
	}
	_, err = s.Booking.Reschedule(c.Request().Context(), principal(c), id, start)
	return err
}
