package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/notify"
)

// Booking and moving without JavaScript: the booking and manage pages
// also hold a plain form (hidden by the picker script when it runs) that
// picks a zone, then a day, then a time, and posts it. Times are
// rendered on the server in the visitor's zone.

// zoneCookie holds the visitor's zone, set by the plain form and by the
// page scripts, so that the server can write times in it.
const zoneCookie = "rdv_tz"

// plainWindowDays bounds how many days the plain form lists.
const plainWindowDays = 28

type plainDay struct {
	Label, Href string
	Count       int
	Selected    bool
}

type plainTime struct {
	Start, Label string
	Checked      bool
}

type plainBook struct {
	Zone     string
	Zones    []string
	Days     []plainDay
	DayLabel string
	Times    []plainTime
	// Page is where the zone and day choices are shown (GET); Action
	// takes the chosen time (POST).
	Page, Action string
}

// viewerZone is the zone a page writes times in: ?tz= (remembered in a
// cookie), else the cookie, else fallback.
func (s *Server) viewerZone(c echo.Context, fallback string) (string, *time.Location) {
	for _, name := range []string{c.QueryParam("tz"), cookieValue(c, zoneCookie)} {
		if name == "" {
			continue
		}
		canonical := zonenames.Canonical(name)
		if loc, err := time.LoadLocation(canonical); err == nil && canonical != "Local" {
			if name == c.QueryParam("tz") {
				c.SetCookie(&http.Cookie{Name: zoneCookie, Value: canonical, Path: "/", MaxAge: 365 * 24 * 3600,
					SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
			}
			return canonical, loc
		}
	}
	canonical := zonenames.Canonical(fallback)
	loc, err := time.LoadLocation(canonical)
	if err != nil {
		return "UTC", time.UTC
	}
	return canonical, loc
}

func cookieValue(c echo.Context, name string) string {
	if ck, err := c.Cookie(name); err == nil {
		if v, err := url.QueryUnescape(ck.Value); err == nil {
			return v
		}
	}
	return ""
}

// plainWhere is what a plain slot form lists and where it goes: the
// slots of key from load, the page the day links open (page) and the
// address the chosen time is posted to (action).
type plainWhere struct {
	key          string
	load         slotSource
	page, action string
	horizonDays  int
	mentorZone   string
	// current is the session's own time when moving it: not offered.
	current time.Time
}

// plainSlots lists the free days in the visitor's zone and the times of
// the chosen day (?day=YYYY-MM-DD, else the first free day); checked is
// the time posted, shown again checked.
func (s *Server) plainSlots(c echo.Context, w plainWhere, lang string, checked string) (*plainBook, error) {
	zone, loc := s.viewerZone(c, w.mentorZone)
	days := w.horizonDays + 1
	if days > plainWindowDays {
		days = plainWindowDays
	}
	now := time.Now().UTC().Truncate(time.Minute)
	slots, err := w.load(c.Request().Context(), w.key, now, now.Add(time.Duration(days)*24*time.Hour), zone)
	if err != nil {
		return nil, err
	}
	pb := &plainBook{Zone: zone, Zones: settingsZones(), Page: w.page, Action: w.action}
	byDay := map[string][]time.Time{}
	var order []string
	for _, sl := range slots.Slots {
		if sl.Start.Equal(w.current) {
			continue
		}
		local := sl.Start.In(loc)
		key := local.Format(time.DateOnly)
		if _, seen := byDay[key]; !seen {
			order = append(order, key)
		}
		byDay[key] = append(byDay[key], local)
	}
	chosen := c.QueryParam("day")
	if checked != "" {
		if t, err := time.Parse(time.RFC3339, checked); err == nil {
			chosen = t.In(loc).Format(time.DateOnly)
		}
	}
	if _, ok := byDay[chosen]; !ok && len(order) > 0 {
		chosen = order[0]
	}
	for _, key := range order {
		q := url.Values{"tz": {zone}, "day": {key}}
		d := plainDay{Label: notify.FormatDay(byDay[key][0], lang), Href: w.page + "?" + q.Encode() + "#plain-slots",
			Count: len(byDay[key]), Selected: key == chosen}
		pb.Days = append(pb.Days, d)
		if d.Selected {
			pb.DayLabel = d.Label
			for _, t := range byDay[key] {
				start := t.Format(time.RFC3339)
				pb.Times = append(pb.Times, plainTime{Start: start, Label: notify.FormatClock(t, lang), Checked: start == checked})
			}
		}
	}
	return pb, nil
}

// bookFromPage books from the plain form, then shows the session's page.
func (s *Server) bookFromPage(c echo.Context) error {
	token := c.Param("link")
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		err = apperr.Field("start", "choose one of the free times")
	}
	var b *booking.Booking
	if err == nil {
		b, _, err = s.Booking.Book(c.Request().Context(), token, booking.BookInput{Start: start, Name: strings.TrimSpace(c.FormValue("name")),
			Email: strings.TrimSpace(c.FormValue("email")), Timezone: c.FormValue("timezone"), Language: pageLang(c), Note: c.FormValue("note")}, nil)
	}
	if err != nil {
		if form, status, ok := postedFormError(c, err); ok {
			return s.renderBook(c, status, form)
		}
		return err
	}
	manage, err := url.Parse(b.ManageURL)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manage.Path+"?done=booked")
}

// serverTime writes an instant in the visitor's zone when it is known
// (UTC otherwise), for pages read without JavaScript; the page scripts
// rewrite it in the browser's zone.
func (s *Server) serverTime(c echo.Context, t time.Time, lang string) string {
	_, loc := s.viewerZone(c, "UTC")
	return notify.FormatWhen(t, loc, lang)
}
