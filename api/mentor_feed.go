package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// getMentorFeed serves GET /feeds/{token}.ics with ETag and Last-Modified.
func (s *Server) getMentorFeed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("feed"), ".ics")
	if !ok {
		return apperr.Errorf(apperr.NotFound, "no such feed")
	}
	req := c.Request()
	f, err := s.Booking.MentorFeed(req.Context(), token, req.Header.Get("If-None-Match"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("ETag", f.ETag)
	h.Set("Cache-Control", "private, max-age=300")
	if !f.Modified.IsZero() {
		h.Set("Last-Modified", f.Modified.UTC().Format(http.TimeFormat))
	}
	if f.Body == nil || notModifiedSince(req, f.Modified) && req.Header.Get("If-None-Match") == "" {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", f.Body)
}

// notModifiedSince applies If-Modified-Since (whole seconds, as HTTP dates).
func notModifiedSince(req *http.Request, modified time.Time) bool {
	v := req.Header.Get("If-Modified-Since")
	if v == "" || modified.IsZero() {
		return false
	}
	since, err := http.ParseTime(v)
	return err == nil && !modified.Truncate(time.Second).After(since)
}
