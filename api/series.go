package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
)

type occurrenceResponse struct {
	Start       string        `json:"start"`
	End         string        `json:"end"`
	Available   bool          `json:"available"`
	Reason      *string       `json:"reason"`
	Alternative *spanResponse `json:"alternative"`
}

// spanResponse is a start and an end.
type spanResponse struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type skippedResponse struct {
	Start  string `json:"start"`
	Reason string `json:"reason"`
}

type seriesResponse struct {
	ID       string            `json:"id"`
	Bookings []bookingResponse `json:"bookings"`
	Skipped  []skippedResponse `json:"skipped"`
}

func newSeriesResponse(s *booking.Series, loc *time.Location) seriesResponse {
	out := seriesResponse{ID: s.ID, Bookings: make([]bookingResponse, 0, len(s.Bookings)), Skipped: make([]skippedResponse, 0, len(s.Skipped))}
	for i := range s.Bookings {
		out.Bookings = append(out.Bookings, newBookingResponse(&s.Bookings[i], loc))
	}
	for _, sk := range s.Skipped {
		out.Skipped = append(out.Skipped, skippedResponse{Start: rfc3339(sk.Start, loc), Reason: sk.Reason})
	}
	return out
}

// queryInt reads an integer query parameter, def when absent.
func queryInt(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Field(name, "%q is not an integer", v)
	}
	return n, nil
}

func (s *Server) previewSeries(c echo.Context) error {
	start, err := parseTime("start", c.QueryParam("start"))
	if err != nil {
		return err
	}
	count, err := queryInt(c, "count", 0)
	if err != nil {
		return err
	}
	interval, err := queryInt(c, "interval_weeks", 1)
	if err != nil {
		return err
	}
	tz := c.QueryParam("tz")
	if tz == "" {
		tz = "UTC"
	}
	p, err := s.Booking.PreviewSeries(c.Request().Context(), c.Param("link"), start, count, interval, tz)
	if err != nil {
		return err
	}
	occs := make([]occurrenceResponse, len(p.Occurrences))
	for i, o := range p.Occurrences {
		occs[i] = occurrenceResponse{Start: rfc3339(o.Start, p.Timezone), End: rfc3339(o.End, p.Timezone), Available: o.Available}
		if o.Reason != "" {
			occs[i].Reason = &o.Reason
		}
		if o.Alternative != nil {
			occs[i].Alternative = &spanResponse{Start: rfc3339(o.Alternative.Start, p.Timezone), End: rfc3339(o.Alternative.End, p.Timezone)}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"timezone": p.Timezone.String(), "occurrences": occs})
}

type seriesRequest struct {
	Start           string `json:"start"`
	Count           int    `json:"count"`
	IntervalWeeks   *int   `json:"interval_weeks"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Timezone        string `json:"timezone"`
	Language        string `json:"language"`
	Note            string `json:"note"`
	SkipUnavailable *bool  `json:"skip_unavailable"`
}

func (s *Server) createSeries(c echo.Context) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return apperr.Errorf(apperr.TooLarge, "request body over 1 MiB")
	}
	var req seriesRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return apperr.Field("body", "is not a valid JSON object: %v", err)
	}
	start, err := parseTime("start", req.Start)
	if err != nil {
		return err
	}
	if req.Language == "" {
		req.Language = c.Request().Header.Get("Accept-Language")
	}
	in := booking.SeriesInput{Start: start, Count: req.Count, IntervalWeeks: 1, Name: req.Name, Email: req.Email,
		Timezone: req.Timezone, Language: req.Language, Note: req.Note, SkipUnavailable: true}
	if req.IntervalWeeks != nil {
		in.IntervalWeeks = *req.IntervalWeeks
	}
	if req.SkipUnavailable != nil {
		in.SkipUnavailable = *req.SkipUnavailable
	}
	var idem *booking.Idempotency
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 200 {
			return apperr.Field("Idempotency-Key", "is longer than 200 characters")
		}
		sum := sha256.Sum256(raw)
		idem = &booking.Idempotency{Key: key, RequestHash: hex.EncodeToString(sum[:])}
	}
	out, replayed, err := s.Booking.BookSeries(c.Request().Context(), c.Param("link"), in, idem)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, newSeriesResponse(out, zoneOr(req.Timezone, time.UTC)))
}

// bookForMentee books a session or a series for a mentee (mentor or
// staff).
func (s *Server) bookForMentee(c echo.Context) error {
	var req struct {
		Start           string `json:"start"`
		Count           *int   `json:"count"`
		IntervalWeeks   *int   `json:"interval_weeks"`
		Note            string `json:"note"`
		OutsideHours    bool   `json:"outside_hours"`
		SkipUnavailable *bool  `json:"skip_unavailable"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, err := parseTime("start", req.Start)
	if err != nil {
		return err
	}
	in := booking.ForMenteeInput{Start: start, Note: req.Note, OutsideHours: req.OutsideHours, SkipUnavailable: true}
	if req.Count != nil {
		in.Count, in.IntervalWeeks = *req.Count, 1
		if in.Count == 0 {
			return apperr.Field("count", "must be between %d and %d sessions (got 0); leave it out for one session", booking.MinSeriesCount, booking.MaxSeriesCount)
		}
	}
	if req.IntervalWeeks != nil {
		if req.Count == nil {
			return apperr.Field("interval_weeks", "is only for a series (with count)")
		}
		in.IntervalWeeks = *req.IntervalWeeks
	}
	if req.SkipUnavailable != nil {
		in.SkipUnavailable = *req.SkipUnavailable
	}
	out, err := s.Booking.BookForMentee(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	if in.Count == 0 {
		return c.JSON(http.StatusCreated, newBookingResponse(&out.Bookings[0], nil))
	}
	return c.JSON(http.StatusCreated, newSeriesResponse(out, nil))
}
