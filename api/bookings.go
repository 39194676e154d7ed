package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
)

// bookingResponse is a session in the API.
type bookingResponse struct {
	ID           string  `json:"id"`
	MentorID     string  `json:"mentor_id"`
	MenteeID     string  `json:"mentee_id"`
	Start        string  `json:"start"`
	End          string  `json:"end"`
	Status       string  `json:"status"`
	Outcome      *string `json:"outcome"`
	Sequence     int     `json:"sequence"`
	Note         string  `json:"note,omitempty"`
	CancelReason string  `json:"cancel_reason,omitempty"`
	VideoURL     string  `json:"video_url"`
	ManageURL    string  `json:"manage_url"`
	ICSURL       string  `json:"ics_url"`
	// ChangedBy is null until the session is rescheduled or cancelled.
	ChangedBy       *string                  `json:"changed_by"`
	SeriesID        *string                  `json:"series_id"`
	CalendarRefusal *calendarRefusalResponse `json:"calendar_move_refused,omitempty"`
	// Report is null until an outcome is recorded, and for the mentee.
	Report           *reportResponse    `json:"report"`
	Attendance       attendanceResponse `json:"attendance"`
	SuggestedOutcome *string            `json:"suggested_outcome"`
}

// calendarRefusalResponse is a move of the session's event in the
// mentor's calendar that was refused.
type calendarRefusalResponse struct {
	Start  string `json:"start"`
	Reason string `json:"reason"`
	At     string `json:"at"`
}

type reportResponse struct {
	Outcome string `json:"outcome"`
	Notes   string `json:"notes"`
	Summary string `json:"summary"`
	FiledAt string `json:"filed_at"`
	FiledBy string `json:"filed_by"`
}

type attendanceResponse struct {
	MentorJoinedAt *string `json:"mentor_joined_at"`
	MenteeJoinedAt *string `json:"mentee_joined_at"`
}

func newBookingResponse(b *booking.Booking, loc *time.Location) bookingResponse {
	out := bookingResponse{
		ID: b.ID, MentorID: b.MentorID, MenteeID: b.MenteeID, Start: rfc3339(b.Start, loc), End: rfc3339(b.End, loc),
		Status: b.Status, Outcome: b.Outcome, Sequence: b.Sequence, Note: b.Note, CancelReason: b.CancelReason,
		VideoURL: b.VideoURL, ManageURL: b.ManageURL, ICSURL: b.ICSURL, SuggestedOutcome: b.SuggestedOutcome,
		SeriesID: seriesID(b.SeriesID),
		Attendance: attendanceResponse{MentorJoinedAt: optionalTimeIn(b.Attendance.MentorJoinedAt, loc),
			MenteeJoinedAt: optionalTimeIn(b.Attendance.MenteeJoinedAt, loc)},
	}
	if b.ChangedBy != "" {
		out.ChangedBy = &b.ChangedBy
	}
	if r := b.CalendarRefusal; r != nil {
		out.CalendarRefusal = &calendarRefusalResponse{Start: rfc3339(r.Start, loc), Reason: r.Reason, At: rfc3339(r.At, loc)}
	}
	if rep := b.Report; rep != nil {
		out.Report = &reportResponse{Outcome: rep.Outcome, Notes: rep.Notes, Summary: rep.Summary,
			FiledAt: rfc3339(rep.FiledAt, loc), FiledBy: rep.FiledBy}
	}
	return out
}

func optionalTimeIn(t *time.Time, loc *time.Location) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t, loc)
	return &s
}

func seriesID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

type linkResponse struct {
	Mentor struct {
		Name     string `json:"name"`
		Timezone string `json:"timezone"`
	} `json:"mentor"`
	SessionMinutes int `json:"session_minutes"`
	Mentee         *struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Timezone string `json:"timezone"`
	} `json:"mentee"`
}

func (s *Server) getLink(c echo.Context) error {
	link, err := s.Booking.ResolveLink(c.Request().Context(), c.Param("link"))
	if err != nil {
		return err
	}
	var r linkResponse
	r.Mentor.Name, r.Mentor.Timezone = link.MentorName, link.MentorTimezone
	r.SessionMinutes = link.SessionMinutes
	if link.Mentee != nil {
		r.Mentee = &struct {
			Name     string `json:"name"`
			Email    string `json:"email"`
			Timezone string `json:"timezone"`
		}{link.Mentee.Name, link.Mentee.Email, link.Mentee.Timezone}
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) getSlots(c echo.Context) error {
	return s.serveSlots(c, c.Param("link"), s.Booking.Slots)
}

// slotSource lists free slots for a key (a booking link or a manage token).
type slotSource func(ctx context.Context, key string, from, to time.Time, tz string) (*booking.Slots, error)

// serveSlots answers a slot query in the contract's shape.
func (s *Server) serveSlots(c echo.Context, key string, load slotSource) error {
	now := time.Now().UTC()
	from, to, err := parseWindow(c, now, now.Add(7*24*time.Hour))
	if err != nil {
		return err
	}
	tz := c.QueryParam("tz")
	if tz == "" {
		tz = "UTC"
	}
	res, err := load(c.Request().Context(), key, from, to, tz)
	if err != nil {
		return err
	}
	return s.writeSlots(c, res)
}

type bookRequest struct {
	Start    string `json:"start"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Timezone string `json:"timezone"`
	Language string `json:"language"`
	Note     string `json:"note"`
}

func (s *Server) createBooking(c echo.Context) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return apperr.Errorf(apperr.TooLarge, "request body over 1 MiB")
	}
	var req bookRequest
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
	loc := zoneOr(req.Timezone, time.UTC)
	in := booking.BookInput{Start: start, Name: req.Name, Email: req.Email, Timezone: req.Timezone, Language: req.Language, Note: req.Note}
	var idem *booking.Idempotency
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 200 {
			return apperr.Field("Idempotency-Key", "is longer than 200 characters")
		}
		sum := sha256.Sum256(raw)
		idem = &booking.Idempotency{Key: key, RequestHash: hex.EncodeToString(sum[:])}
	}
	b, replayed, err := s.Booking.Book(c.Request().Context(), c.Param("link"), in, idem)
	if err != nil {
		return err
	}
	if replayed {
		// The same request again: the same status and the booking it
		// made, rendered as the first answer was (same body, same zone).
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, newBookingResponse(b, loc))
}

func zoneOr(name string, def *time.Location) *time.Location {
	if name == "" {
		return def
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return def
}

func (s *Server) getManaged(c echo.Context) error {
	b, err := s.Booking.ByManageToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBookingResponse(b, nil))
}

// The mentee changes a session through its manage token; a mentor or
// staff through the API, by the session's id.

func (s *Server) cancelAsMentee(c echo.Context, reason, scope string) (*booking.Booking, error) {
	return s.Booking.CancelByManageTokenScoped(c.Request().Context(), c.Param("token"), reason, scope)
}

func (s *Server) cancelAsCaller(c echo.Context, reason, scope string) (*booking.Booking, error) {
	return s.Booking.CancelScoped(c.Request().Context(), principal(c), c.Param("id"), reason, scope)
}

func (s *Server) rescheduleAsMentee(c echo.Context, start time.Time) (*booking.Booking, error) {
	return s.Booking.RescheduleByManageToken(c.Request().Context(), c.Param("token"), start)
}

func (s *Server) rescheduleAsCaller(c echo.Context, start time.Time) (*booking.Booking, error) {
	return s.Booking.Reschedule(c.Request().Context(), principal(c), c.Param("id"), start)
}

func (s *Server) cancelSession(cancel func(c echo.Context, reason, scope string) (*booking.Booking, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req struct {
			Reason string `json:"reason"`
			// Scope is this (the default) or following: this session and
			// the later ones of its weekly series.
			Scope string `json:"scope"`
		}
		if err := decodeOptionalJSON(c, &req); err != nil {
			return err
		}
		out, err := cancel(c, req.Reason, req.Scope)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, newBookingResponse(out, nil))
	}
}

func (s *Server) rescheduleSession(reschedule func(c echo.Context, start time.Time) (*booking.Booking, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req struct {
			Start string `json:"start"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		start, err := parseTime("start", req.Start)
		if err != nil {
			return err
		}
		out, err := reschedule(c, start)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, newBookingResponse(out, nil))
	}
}

// getBookingOrICS serves /bookings/{id} to API callers and
// /bookings/{id}.ics?token= to whoever holds the manage token.
func (s *Server) getBookingOrICS(c echo.Context) error {
	if id, ok := strings.CutSuffix(c.Param("id"), ".ics"); ok {
		return s.limiter(func(c echo.Context) error {
			data, err := s.Booking.ICS(c.Request().Context(), id, c.QueryParam("token"))
			if err != nil {
				return err
			}
			c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="session.ics"`)
			return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", data)
		})(c)
	}
	return s.authenticated(s.getBooking)(c)
}

func (s *Server) getBooking(c echo.Context) error {
	b, err := s.Booking.Get(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBookingResponse(b, nil))
}

func (s *Server) listBookings(c echo.Context) error {
	id := c.Param("id")
	now := time.Now().UTC()
	from, to, err := parseWindow(c, now.Add(-30*24*time.Hour), now.Add(90*24*time.Hour))
	if err != nil {
		return err
	}
	bs, err := s.Booking.List(c.Request().Context(), principal(c), id, from, to, c.QueryParam("status"))
	if err != nil {
		return err
	}
	out := make([]bookingResponse, 0, len(bs))
	for i := range bs {
		out = append(out, newBookingResponse(&bs[i], nil))
	}
	return c.JSON(http.StatusOK, map[string]any{"bookings": out})
}

func (s *Server) setOutcome(c echo.Context) error {
	var req struct {
		Outcome string `json:"outcome"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, err := s.Booking.SetOutcome(c.Request().Context(), principal(c), c.Param("id"), req.Outcome)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBookingResponse(b, nil))
}

// fileReport files or corrects a session's report.
func (s *Server) fileReport(c echo.Context) error {
	var req struct {
		Outcome string `json:"outcome"`
		Notes   string `json:"notes"`
		Summary string `json:"summary"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, err := s.Booking.FileReport(c.Request().Context(), principal(c), c.Param("id"),
		booking.ReportInput{Outcome: req.Outcome, Notes: req.Notes, Summary: req.Summary})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBookingResponse(b, nil))
}

// join records a participant's first join and redirects to the video
// room. The link's key must not travel on to the provider in a Referer,
// and no cache may keep the answer.
func (s *Server) join(c echo.Context) error {
	target, err := s.Booking.Join(c.Request().Context(), c.Param("room"), c.QueryParam("k"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusFound, target)
}
