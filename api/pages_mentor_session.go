package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/booking"
)

// A session's page in the mentor area, the manage link of the mentor's
// feed: the session, cancelling it with a reason while it is ahead, and
// recording its outcome once it has started.

type mentorSessionPage struct {
	ID, MenteeName, MenteeEmail, Start, StartUTC, Length, JoinURL, Reason, Note, Timezone string
	CancelPath, ReasonKey                                                                 string
	Cancelled, Upcoming, Started                                                          bool
	Outcome                                                                               string
	Outcomes                                                                              []string
}

func (s *Server) mentorSessionPage(c echo.Context) error {
	return s.renderMentorSession(c, http.StatusOK, "")
}

func (s *Server) renderMentorSession(c echo.Context, status int, formErr string) error {
	ctx := c.Request().Context()
	mentorID := sessionMentor(c)
	sess, err := s.Booking.SessionForMentor(ctx, mentorID, c.Param("id"))
	if err != nil {
		return err
	}
	mentor, err := s.Mentoring.Mentor(ctx, mentorID)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.mentor_session", nil)
	p.Error = formErr
	now := time.Now()
	data := mentorSessionPage{
		ID: sess.ID, MenteeName: sess.MenteeName, MenteeEmail: sess.MenteeEmail, Timezone: mentor.Timezone,
		Start: sess.Start.Format(time.RFC3339), StartUTC: sess.Start.UTC().Format("2006-01-02 15:04 UTC"),
		Length: p.minutes(sess.End.Sub(sess.Start)), JoinURL: sess.JoinURL, Reason: sess.CancelReason, Note: sess.Note,
		Cancelled: sess.Status != "confirmed", Upcoming: sess.Status == "confirmed" && sess.Start.After(now),
		CancelPath: "/mentor/sessions/" + url.PathEscape(sess.ID) + "/cancel", ReasonKey: "msession.reason",
		Started: !sess.Start.After(now), Outcomes: []string{"completed", "no_show", "mentor_no_show", "late_cancel"},
	}
	if sess.Outcome != nil {
		data.Outcome = *sess.Outcome
	}
	p.Page = data
	return s.render(c, status, "mentor_session", p)
}

// mentorSessionAction runs a form action on the signed-in mentor's
// session, then shows the session again with a notice or the form's error.
func (s *Server) mentorSessionAction(done string, act func(c echo.Context, mentorID, id string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		if err := act(c, sessionMentor(c), id); err != nil {
			if msg, status, ok := formError(err); ok {
				return s.renderMentorSession(c, status, msg)
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/mentor/sessions/"+url.PathEscape(id)+"?done="+done)
	}
}

func (s *Server) cancelAsMentor(c echo.Context, mentorID, id string) error {
	_, err := s.Booking.Cancel(c.Request().Context(), booking.Actor{MentorID: mentorID}, id, c.FormValue("reason"))
	return err
}

func (s *Server) recordOutcome(c echo.Context, mentorID, id string) error {
	_, err := s.Booking.SetOutcome(c.Request().Context(), booking.Actor{MentorID: mentorID}, id, c.FormValue("outcome"))
	return err
}
