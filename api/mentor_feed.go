package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
)

// getMentorFeed serves GET /feeds/{token}.ics with ETag and Last-Modified.
func (s *Server) getMentorFeed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("feed"), ".ics")
	if !ok {
		return apperr.Errorf(apperr.NotFound, "no such feed")
	}
	req := c.Request()
	cond := booking.FeedConditions{IfNoneMatch: req.Header.Get("If-None-Match")}
	if since, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil {
		cond.IfModifiedSince = since
	}
	f, err := s.Booking.MentorFeed(req.Context(), token, cond)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("ETag", f.ETag)
	h.Set("Cache-Control", "private, max-age=300")
	if !f.Modified.IsZero() {
		h.Set("Last-Modified", f.Modified.UTC().Format(http.TimeFormat))
	}
	if f.Body == nil {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	h.Set(echo.HeaderContentLength, strconv.Itoa(f.Body.Len()))
	c.Response().WriteHeader(http.StatusOK)
	_, err = f.Body.WriteTo(c.Response())
	return err
}
