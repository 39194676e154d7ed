package api

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/calsync"
)

// startGoogle sends the mentor (or an admin acting for them) to Google's
// consent screen.
func (s *Server) startGoogle(c echo.Context) error {
	id := c.Param("id")
	consent, err := s.Calendars.StartGoogle(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, consent)
}

// googleCallback is where Google's consent comes back. It is opened by the
// mentor's browser, so it answers an HTML page unless JSON is asked for.
func (s *Server) googleCallback(c echo.Context) error {
	q := c.QueryParams()
	conn, err := s.Calendars.FinishGoogle(c.Request().Context(), calsync.GoogleCallback{
		State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"),
	})
	c.Response().Header().Set("Cache-Control", "no-store")
	if wantsJSON(c.Request()) {
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, newConnectionResponse(conn))
	}
	if err != nil {
		p := problemFor(err)
		if p.Status >= 500 {
			s.logger.Error("google callback failed", slog.String("request_id", requestID(c)), slog.Any("error", err))
		}
		return s.googlePage(c, p.Status, "Google Calendar was not connected", p.Detail)
	}
	names := make([]string, 0, len(conn.Calendars))
	for _, k := range conn.Calendars {
		names = append(names, k.Name)
	}
	return s.googlePage(c, http.StatusOK, "Google Calendar connected",
		"Rendezvous now sees the busy time of: "+strings.Join(names, ", ")+". You can close this page.")
}

// wantsJSON reports whether the client asked for JSON over HTML.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}

var googlePageTemplate = template.Must(template.New("google").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>{{.Title}}</h1><p>{{.Message}}</p><p><a href="{{.Home}}">Back to your mentor area</a></p>
</body></html>
`))

// googlePage renders the small page the callback ends on.
func (s *Server) googlePage(c echo.Context, status int, title, message string) error {
	home := s.Links.MentorHome()
	var sb strings.Builder
	if err := googlePageTemplate.Execute(&sb, map[string]string{"Title": title, "Message": message, "Home": home}); err != nil {
		return err
	}
	return c.HTML(status, sb.String())
}
