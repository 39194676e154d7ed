package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/links"
)

// menteeHome is the part of a mentee's own booking page about them: their
// upcoming sessions and series with their manage links, and the next
// session or series to book in a click.
type menteeHome struct {
	Singles []homeSession
	Series  []homeSeries
	Next    *homeSession
	// Interval is the weeks between the sessions Next continues.
	Interval int
	// Counts are the series lengths the one-click form offers.
	Counts     []int
	Count      int
	AtLimit    bool
	BookPath   string
	SeriesPath string
	Zone       string
}

type homeSession struct {
	Start, When, ManageURL string
}

type homeSeries struct {
	Sessions []homeSession
}

// defaultSeriesCount is what the one-click series form offers first.
const defaultSeriesCount = 6

// menteeHomeOf reads the mentee part of the page of token, nil for a
// mentor's public link.
func (s *Server) menteeHomeOf(c echo.Context, token, zone, lang string) (*menteeHome, error) {
	home, err := s.Booking.MenteeHome(c.Request().Context(), token)
	if err != nil || home == nil {
		return nil, err
	}
	name, _ := s.viewerZone(c, zone)
	out := &menteeHome{Interval: home.Interval, AtLimit: home.AtLimit, SeriesPath: links.Path(links.BookSeries, token),
		BookPath: links.Path(links.Book, token),
		Count:    defaultSeriesCount, Zone: name}
	for n := booking.MinSeriesCount; n <= booking.MaxSeriesCount; n++ {
		out.Counts = append(out.Counts, n)
	}
	session := func(start time.Time, manage string) homeSession {
		return homeSession{Start: start.UTC().Format(time.RFC3339), When: s.serverTime(c, start, lang), ManageURL: manage}
	}
	bySeries := map[string]int{}
	for _, b := range home.Upcoming {
		h := session(b.Start, b.ManageURL)
		if b.SeriesID == "" {
			out.Singles = append(out.Singles, h)
			continue
		}
		i, ok := bySeries[b.SeriesID]
		if !ok {
			i = len(out.Series)
			bySeries[b.SeriesID] = i
			out.Series = append(out.Series, homeSeries{})
		}
		out.Series[i].Sessions = append(out.Series[i].Sessions, h)
	}
	if home.Next != nil {
		next := session(home.Next.Start, "")
		out.Next = &next
	}
	return out, nil
}

// bookSeriesFromPage handles the mentee page's one-click series form (a
// plain form post with the CSRF token): the free sessions are booked, the
// others skipped, then the page shows them.
func (s *Server) bookSeriesFromPage(c echo.Context) error {
	token := c.Param("link")
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		err = apperr.Field("start", "choose one of the free times")
	}
	count, cerr := strconv.Atoi(c.FormValue("count"))
	interval, ierr := strconv.Atoi(c.FormValue("interval_weeks"))
	if err == nil && (cerr != nil || ierr != nil) {
		err = apperr.Field("count", "choose a number of sessions")
	}
	if err == nil {
		_, _, err = s.Booking.BookSeries(c.Request().Context(), token, booking.SeriesInput{Start: start, Count: count, IntervalWeeks: interval,
			Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")), Timezone: c.FormValue("timezone"),
			Language: pageLang(c), SkipUnavailable: true}, nil)
	}
	if err != nil {
		if form, status, ok := postedFormError(c, err); ok {
			return s.renderBook(c, status, form)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Path(links.Book, token)+"?done=series#home")
}
