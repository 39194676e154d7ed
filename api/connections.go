package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/calsync"
)

// connectRequest is the body of POST /mentors/{id}/connections.
type connectRequest struct {
	Provider string `json:"provider"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// calendarResponse is one calendar of a connection.
type calendarResponse struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	CheckConflicts bool    `json:"check_conflicts"`
	WriteTarget    bool    `json:"write_target"`
	Writable       bool    `json:"writable"`
	Status         string  `json:"status"`
	Error          *string `json:"error"`
	BusyIntervals  int     `json:"busy_intervals"`
}

// connectionResponse is a connection; its credentials never leave the server.
type connectionResponse struct {
	ID          string             `json:"id"`
	Provider    string             `json:"provider"`
	URL         string             `json:"url"`
	Username    string             `json:"username"`
	Status      string             `json:"status"`
	Error       *string            `json:"error"`
	LastSync    *string            `json:"last_sync"`
	LastSuccess *string            `json:"last_success"`
	Calendars   []calendarResponse `json:"calendars"`
}

func newCalendarResponse(k calsync.Calendar) calendarResponse {
	return calendarResponse{
		ID: k.ID, Name: k.Name, CheckConflicts: k.CheckConflicts, WriteTarget: k.WriteTarget, Writable: k.Writable,
		Status: k.Status, Error: nullableText(k.Error), BusyIntervals: k.BusyIntervals,
	}
}

func newConnectionResponse(c *calsync.Connection) connectionResponse {
	r := connectionResponse{
		ID: c.ID, Provider: c.Provider, URL: c.URL, Username: c.Username, Status: c.Status, Error: nullableText(c.Error),
		LastSync: optionalTime(c.LastSync), LastSuccess: optionalTime(c.LastSuccess),
		Calendars: make([]calendarResponse, 0, len(c.Calendars)),
	}
	for _, k := range c.Calendars {
		r.Calendars = append(r.Calendars, newCalendarResponse(k))
	}
	return r
}

func nullableText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) createConnection(c echo.Context) error {
	id := c.Param("id")
	var req connectRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	conn, err := s.Calendars.Connect(c.Request().Context(), principal(c), id, calsync.ConnectInput{
		Provider: req.Provider, URL: req.URL, Username: req.Username, Password: req.Password,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newConnectionResponse(conn))
}

func (s *Server) listConnections(c echo.Context) error {
	id := c.Param("id")
	conns, err := s.Calendars.Connections(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := make([]connectionResponse, 0, len(conns))
	for i := range conns {
		out = append(out, newConnectionResponse(&conns[i]))
	}
	return c.JSON(http.StatusOK, map[string]any{"connections": out})
}

func (s *Server) deleteConnection(c echo.Context) error {
	id := c.Param("id")
	if err := s.Calendars.Disconnect(c.Request().Context(), principal(c), id, c.Param("cid")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type calendarPatchRequest struct {
	CheckConflicts *bool `json:"check_conflicts"`
	WriteTarget    *bool `json:"write_target"`
}

func (s *Server) patchCalendar(c echo.Context) error {
	id := c.Param("id")
	var req calendarPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.Calendars.UpdateCalendar(c.Request().Context(), principal(c), id, c.Param("calendar_id"),
		calsync.CalendarPatch{CheckConflicts: req.CheckConflicts, WriteTarget: req.WriteTarget})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newCalendarResponse(*k))
}

type calendarSyncResponse struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	BusyIntervals int     `json:"busy_intervals"`
	Error         *string `json:"error"`
}

func (s *Server) syncCalendars(c echo.Context) error {
	id := c.Param("id")
	res, err := s.Calendars.SyncMentor(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := make([]calendarSyncResponse, 0, len(res))
	for _, r := range res {
		out = append(out, calendarSyncResponse{ID: r.ID, Status: r.Status, BusyIntervals: r.BusyIntervals, Error: nullableText(r.Error)})
	}
	return c.JSON(http.StatusOK, map[string]any{"calendars": out})
}

type busyResponse struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Source string `json:"source"`
}

func (s *Server) getBusy(c echo.Context) error {
	id := c.Param("id")
	now := time.Now().UTC()
	from, to, err := parseWindow(c, now, now.AddDate(0, 0, 30))
	if err != nil {
		return err
	}
	spans, err := s.Calendars.Busy(c.Request().Context(), principal(c), id, from, to)
	if err != nil {
		return err
	}
	out := make([]busyResponse, 0, len(spans))
	for _, b := range spans {
		out = append(out, busyResponse{Start: rfc3339(b.Start, nil), End: rfc3339(b.End, nil), Source: b.Source})
	}
	return c.JSON(http.StatusOK, map[string]any{"busy": out})
}
