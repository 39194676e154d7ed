package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/links"
)

// pickerScript is what the slot picker script needs from the server.
type pickerScript struct {
	Mode     string `json:"mode"` // "book" or "manage"
	SlotsURL string `json:"slots_url"`
	// SeriesURL previews (GET) and books (POST) a weekly series; empty on
	// the manage page.
	SeriesURL   string            `json:"series_url,omitempty"`
	ActionURL   string            `json:"action_url"`
	Locale      string            `json:"locale"`
	HorizonDays int               `json:"horizon_days"`
	MentorZone  string            `json:"mentor_zone"` // canonical, listed first after the visitor's own
	Strings     map[string]string `json:"strings"`
}

var pickerStrings = []string{
	"pick.none_week", "pick.none", "pick.day_none", "pick.taken", "pick.error", "pick.count", "pick.none_night",
	"pick.zone_detected", "pick.zone_mentor", "pick.zone_now", "pick.zone_nomatch", "pick.zone_matches",
	"book.sending", "book.required", "book.confirm", "manage.moving", "manage.move", "mentor.copied", "mentor.copy",
	"book.way.caseload_full", "book.way.already_mentored", "book.way.conflict",
	"done.manage", "series.not_free", "series.alternative", "series.booked", "series.skipped", "series.sessions",
	"series.reason.outside_hours", "series.reason.too_soon", "series.reason.calendar_busy", "series.reason.session_booked",
	"series.reason.day_full", "series.reason.beyond_horizon",
}

type bookPage struct {
	MentorName, Length, Name, Email string
	// Full: no place for a new mentee; the page says so up front.
	Full bool
	// Known: a mentee's own link; name and e-mail are theirs, not typed.
	Known bool
	Plain *plainBook
	// Home: on a mentee's own link, their sessions and what to book next.
	Home *menteeHome
	// Counts are the series lengths the booking form offers.
	Counts []int
}

// bookPage serves GET /book/{link}: the mentor, the slot picker, and the
// form. The booking itself goes to the JSON API, which the link token
// authorises; no cookie is involved, so it needs no CSRF token.
func (s *Server) bookPage(c echo.Context) error { return s.renderBook(c, http.StatusOK, nil) }

// renderBook shows the booking page; form is the plain form shown again
// with its error, or nil.
func (s *Server) renderBook(c echo.Context, status int, form *formState) error {
	token := c.Param("link")
	link, err := s.Booking.ResolveLink(c.Request().Context(), token)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.book", nil)
	p.Form = form
	data := bookPage{MentorName: link.MentorName, Length: p.minutes(time.Duration(link.SessionMinutes) * time.Minute), Full: link.Full}
	for n := booking.MinSeriesCount; n <= booking.MaxSeriesCount; n++ {
		data.Counts = append(data.Counts, n)
	}
	if link.Mentee != nil {
		data.Name, data.Email, data.Known = link.Mentee.Name, link.Mentee.Email, true
		if data.Home, err = s.menteeHomeOf(c, token, link.Mentee.Timezone, p.Lang); err != nil {
			return err
		}
	}
	where := plainWhere{key: token, load: s.Booking.Slots, page: links.Path(links.Book, token), action: links.Path(links.Book, token),
		horizonDays: link.HorizonDays, mentorZone: link.MentorTimezone}
	if data.Plain, err = s.plainSlots(c, where, p.Lang, form.Value("start", "")); err != nil {
		return err
	}
	p.Page = data
	p.Script = pickerScript{
		Mode: "book", SlotsURL: links.Path(links.APIBookSlots, token), ActionURL: links.Path(links.APIBookBookings, token),
		SeriesURL: links.Path(links.APIBookSeries, token),
		Locale:    p.Lang, HorizonDays: link.HorizonDays, MentorZone: zonenames.Canonical(link.MentorTimezone), Strings: p.jsStrings(pickerStrings...),
	}
	p.Scripts = []string{"zonepicker.js", "picker.js"}
	return s.render(c, status, "book", p)
}

type managePage struct {
	MentorName, Length, Start, StartText, VideoURL, ICSURL, Reason, CancelPath, ReasonKey string
	Cancelled                                                                             bool
	// RebookURL books again after a cancellation ("" when there is no link).
	RebookURL string
	// Plain is the form that moves the session without JavaScript.
	Plain *plainBook
	// CanMove and CanCancel are the service's rules: the page offers
	// exactly what the service would accept.
	CanMove, CanCancel bool
	// InSeries: the session is part of a weekly series (the cancel form
	// then offers this one or the following ones too).
	InSeries bool
}

// managePage serves GET /manage/{token}: the session, the picker to move
// it, and a plain form to cancel it.
func (s *Server) managePage(c echo.Context) error {
	return s.renderManage(c, http.StatusOK, "", nil)
}

// renderManage shows the manage page; formErr is the cancel form's error
// and form the plain move form shown again with its error, or nil.
func (s *Server) renderManage(c echo.Context, status int, formErr string, form *formState) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	b, err := s.Booking.Manage(ctx, token)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.manage", nil)
	p.Error, p.Form = formErr, form
	data := managePage{
		MentorName: b.MentorName, Length: p.minutes(b.End.Sub(b.Start)), RebookURL: b.RebookURL,
		Start: b.Start.Format(time.RFC3339), StartText: s.serverTime(c, b.Start, p.Lang),
		VideoURL: b.VideoURL, ICSURL: b.ICSURL, Reason: b.CancelReason, CancelPath: links.Path(links.ManageCancel, token), ReasonKey: "manage.reason",
		Cancelled: b.Status != "confirmed", CanMove: b.CanMove, CanCancel: b.CanCancel, InSeries: b.SeriesID != "",
	}
	if data.CanMove {
		where := plainWhere{key: token, load: s.Booking.ManageSlots, page: links.Path(links.Manage, token),
			action: links.Path(links.ManageMove, token), horizonDays: b.HorizonDays, mentorZone: b.MentorTimezone, current: b.Start}
		if data.Plain, err = s.plainSlots(c, where, p.Lang, form.Value("start", "")); err != nil {
			return err
		}
	}
	p.Page = data
	p.Script = pickerScript{
		Mode: "manage", SlotsURL: links.Path(links.ManageSlots, token), ActionURL: links.Path(links.APIManageReschedule, token),
		Locale: p.Lang, HorizonDays: b.HorizonDays, MentorZone: zonenames.Canonical(b.MentorTimezone), Strings: p.jsStrings(pickerStrings...),
	}
	if data.CanMove {
		p.Scripts = []string{"zonepicker.js", "picker.js"}
	}
	return s.render(c, status, "manage", p)
}

// manageSlots serves GET /manage/{token}/slots: the API's slot list for
// moving this session (its own time counts as free).
func (s *Server) manageSlots(c echo.Context) error {
	return s.serveSlots(c, c.Param("token"), s.Booking.ManageSlots)
}

// cancelFromPage handles the cancel form of the manage page: a plain form
// post, so it works without JavaScript and carries the CSRF token.
func (s *Server) cancelFromPage(c echo.Context) error {
	token := c.Param("token")
	if _, err := s.Booking.CancelByManageTokenScoped(c.Request().Context(), token, c.FormValue("reason"), c.FormValue("scope")); err != nil {
		if msg, status, ok := formError(c, err); ok {
			return s.renderManage(c, status, msg, nil)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Path(links.Manage, token)+"?done=cancelled")
}

// moveFromPage moves the session to the time chosen in the manage page's
// plain form (no JavaScript needed), then shows the page with a notice.
func (s *Server) moveFromPage(c echo.Context) error {
	token := c.Param("token")
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		err = apperr.Field("start", "choose one of the free times")
	} else {
		_, err = s.Booking.RescheduleByManageToken(c.Request().Context(), token, start)
	}
	if err != nil {
		if form, status, ok := postedFormError(c, err); ok {
			return s.renderManage(c, status, "", form)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Path(links.Manage, token)+"?done=rescheduled")
}
