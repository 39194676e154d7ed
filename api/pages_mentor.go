package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/calsync"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// The mentor area: reached through a mailed single-use link, then kept by
// an HttpOnly cookie holding a random session value stored (hashed) on
// the server. Every form posts with a CSRF token.

const (
	mentorCookie   = "rdv_mentor"
	upcomingWindow = 60 * 24 * time.Hour
)

type signinPage struct {
	// Staff is the console's sign-in rather than the mentor area's.
	Staff bool
	Sent  bool
	Token string
	Email string
}

func (s *Server) signinForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.signin", signinPage{}))
}

// signinRequest mails a link and answers the same whether or not the
// address is a mentor's.
func (s *Server) signinRequest(c echo.Context) error {
	email := c.FormValue("email")
	if err := s.Signin.Request(c.Request().Context(), email, pageLang(c)); err != nil {
		if msg, status, ok := formError(c, err); ok {
			setRetryAfter(c, err)
			p := s.newPage(c, "title.signin", signinPage{Email: email})
			p.Error = msg
			return s.render(c, status, "signin", p)
		}
		return err
	}
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.signin", signinPage{Sent: true}))
}

// signinConfirm shows a button rather than signing in on GET: mail
// scanners open links, and would otherwise use up the single-use token.
func (s *Server) signinConfirm(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.signin", signinPage{Token: url.PathEscape(c.Param("token"))}))
}

func (s *Server) signinRedeem(c echo.Context) error {
	mentorID, err := s.Signin.Redeem(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	value, expires, err := s.Signin.Session(c.Request().Context(), mentorID)
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(mentorCookie, value, int(time.Until(expires).Seconds())))
	// A token seen before signing in (in a planted page, say) must not
	// work afterwards: the new session is a new binding, and so is this.
	s.newCSRFCookie(c)
	return c.Redirect(http.StatusSeeOther, links.MentorHome)
}

// signout ends the session on the server, or every session of the mentor
// ("sign out everywhere"), then drops the cookie.
func (s *Server) signout(c echo.Context) error {
	if ck, err := c.Cookie(mentorCookie); err == nil {
		if err := s.Signin.SignOut(c.Request().Context(), ck.Value, c.FormValue("everywhere") == "1"); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie(mentorCookie, "", -1))
	// Before the API took browser sessions, the cookie lived under /mentor.
	old := s.sessionCookie(mentorCookie, "", -1)
	old.Path = links.MentorHome
	c.SetCookie(old)
	s.newCSRFCookie(c)
	return c.Redirect(http.StatusSeeOther, links.MentorSignin)
}

// requireMentorPage establishes the signed-in mentor of a mentor-area
// page and sends everyone else to the sign-in form.
func (s *Server) requireMentorPage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok, err := s.mentorPrincipal(c)
		if err != nil {
			return err
		}
		if !ok || p.MentorID == "" {
			return c.Redirect(http.StatusSeeOther, links.MentorSignin)
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// sessionMentor is the signed-in mentor whose area a page shows.
func sessionMentor(c echo.Context) string { return principal(c).MentorID }

type upcomingSession struct {
	ID       string
	Start    time.Time
	Mentee   string
	VideoURL string
	// MoveRefused: the mentor moved it in their calendar onto a time that
	// is not free; the session page says why.
	MoveRefused bool
}

type mentorPage struct {
	Mentor   *mentoring.Mentor
	Caseload *mentoring.Caseload
	Upcoming []upcomingSession
	// Unreported are ended sessions waiting for their report.
	Unreported    []upcomingSession
	Weekdays      []weekdayHours
	Overrides     string
	Connections   []calsync.Connection
	GoogleEnabled bool
	// Zones and Lengths are the choices of the settings form.
	Zones   []string
	Lengths []int
}

func (s *Server) mentorHome(c echo.Context) error { return s.renderMentor(c, http.StatusOK, nil) }

// renderMentor shows the mentor area; form is a posted form shown again
// with its error, or nil.
func (s *Server) renderMentor(c echo.Context, status int, form *formState) error {
	ctx, me := c.Request().Context(), principal(c)
	id := me.MentorID
	m, err := s.Mentoring.Mentor(ctx, me, id)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.mentor", nil)
	p.Error, p.Form = form.Message(), form
	p.inZone(m.Timezone)
	data := mentorPage{Mentor: m, Weekdays: weekdayFields(p.translator, m.WeeklyHours), Overrides: formatOverrides(m.Overrides),
		GoogleEnabled: s.Calendars.GoogleEnabled(), Zones: settingsZones(), Lengths: sessionLengths()}
	if data.Caseload, err = s.Mentoring.Caseload(ctx, me, id); err != nil {
		return err
	}
	names := make(map[string]string, len(data.Caseload.Mentees))
	for _, e := range data.Caseload.Mentees {
		names[e.ID] = e.Name
	}
	now := time.Now().UTC()
	sessions, err := s.Booking.List(ctx, me, id, now, now.Add(upcomingWindow), "confirmed")
	if err != nil {
		return err
	}
	for _, b := range sessions {
		data.Upcoming = append(data.Upcoming, upcomingSession{ID: b.ID, Start: b.Start, Mentee: names[b.MenteeID], VideoURL: b.VideoURL,
			MoveRefused: b.CalendarRefusal != nil})
	}
	unreported, err := s.Booking.Unreported(ctx, me, id)
	if err != nil {
		return err
	}
	for _, b := range unreported {
		data.Unreported = append(data.Unreported, upcomingSession{ID: b.ID, Start: b.Start, Mentee: names[b.MenteeID]})
	}
	if data.Connections, err = s.Calendars.Connections(ctx, me, id); err != nil {
		return err
	}
	p.Page = data
	p.Script = struct {
		Locale  string            `json:"locale"`
		Strings map[string]string `json:"strings"`
	}{p.Lang, p.jsStrings("mentor.copied", "mentor.copy")}
	return s.render(c, status, "mentor", p)
}

// mentorAction runs a form's service call, then redirects with a notice
// (post/redirect/get) or shows the page again with the service's message.
func (s *Server) mentorAction(done string, act func(c echo.Context, mentorID string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := act(c, sessionMentor(c)); err != nil {
			if form, status, ok := postedFormError(c, err); ok {
				return s.renderMentor(c, status, form)
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, links.MentorHome+"?done="+done)
	}
}

func (s *Server) saveHours(c echo.Context, id string) error {
	t := translator(pageLang(c))
	weekly, entries, err := parseWeeklyForm(c)
	if err != nil {
		return hoursInputError(t, err, nil)
	}
	overrides, err := parseOverridesForm(c.FormValue("overrides"))
	if err != nil {
		return hoursInputError(t, err, entries)
	}
	_, err = s.Mentoring.SetAvailability(c.Request().Context(), principal(c), id, weekly, overrides)
	return hoursInputError(t, err, entries)
}

func (s *Server) connectCalDAV(c echo.Context, id string) error {
	_, err := s.Calendars.Connect(c.Request().Context(), principal(c), id, calsync.ConnectInput{
		Provider: "caldav", URL: c.FormValue("url"), Username: c.FormValue("username"), Password: c.FormValue("password"),
	})
	return err
}

func (s *Server) disconnectCalendar(c echo.Context, id string) error {
	return s.Calendars.Disconnect(c.Request().Context(), principal(c), id, c.Param("cid"))
}

func (s *Server) saveCalendar(c echo.Context, id string) error {
	conflicts, target := c.FormValue("check_conflicts") == "1", c.FormValue("write_target") == "1"
	_, err := s.Calendars.UpdateCalendar(c.Request().Context(), principal(c), id, c.Param("calendar_id"),
		calsync.CalendarPatch{CheckConflicts: &conflicts, WriteTarget: &target})
	return err
}

func (s *Server) syncNow(c echo.Context, id string) error {
	_, err := s.Calendars.SyncMentor(c.Request().Context(), principal(c), id)
	return err
}

func (s *Server) rotateFeed(c echo.Context, id string) error {
	_, err := s.Mentoring.RotateFeedToken(c.Request().Context(), principal(c), id)
	return err
}

// connectGoogle starts Google's consent for the signed-in mentor.
func (s *Server) connectGoogle(c echo.Context) error {
	consent, err := s.Calendars.StartGoogle(c.Request().Context(), principal(c), sessionMentor(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, consent)
}

// bookForMenteeFromPage books a session or a weekly series for one of
// the mentor's mentees from the mentor area; the start is read on the
// mentor's own clock.
func (s *Server) bookForMenteeFromPage(c echo.Context, mentorID string) error {
	ctx := c.Request().Context()
	me, err := s.Mentoring.Mentor(ctx, principal(c), mentorID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(me.Timezone)
	if err != nil {
		loc = time.UTC
	}
	start, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("start"), loc)
	if err != nil {
		return apperr.Field("start", "%q is not a date and time", c.FormValue("start"))
	}
	count, err := strconv.Atoi(c.FormValue("count"))
	if err != nil {
		count = 1
	}
	interval, err := strconv.Atoi(c.FormValue("interval_weeks"))
	if err != nil {
		interval = 1
	}
	in := booking.ForMenteeInput{Start: start, OutsideHours: c.FormValue("outside_hours") != "", SkipUnavailable: true}
	if count != 1 {
		in.Count, in.IntervalWeeks = count, interval
	}
	_, err = s.Booking.BookForMentee(ctx, principal(c), c.FormValue("mentee"), in)
	return err
}
