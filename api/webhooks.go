package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// webhookRequest is the body of POST and PATCH /webhooks.
type webhookRequest struct {
	URL     *string   `json:"url"`
	Events  *[]string `json:"events"`
	Enabled *bool     `json:"enabled"`
}

// webhookResponse is an endpoint; secret only when it was just made.
type webhookResponse struct {
	ID                      string   `json:"id"`
	URL                     string   `json:"url"`
	Events                  []string `json:"events"`
	Status                  string   `json:"status"`
	DisabledAt              *string  `json:"disabled_at"`
	DisabledReason          *string  `json:"disabled_reason"`
	PreviousSecretExpiresAt *string  `json:"previous_secret_expires_at"`
	CreatedAt               string   `json:"created_at"`
	Secret                  string   `json:"secret,omitempty"`
}

func newWebhookResponse(e webhooks.Endpoint, secret string) webhookResponse {
	r := webhookResponse{ID: e.ID, URL: e.URL, Events: e.Events, Status: e.Status, DisabledAt: optionalTime(e.DisabledAt),
		PreviousSecretExpiresAt: optionalTime(e.PreviousSecretExpiresAt), CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339), Secret: secret}
	if e.DisabledReason != "" {
		r.DisabledReason = &e.DisabledReason
	}
	if r.Events == nil {
		r.Events = []string{}
	}
	return r
}

func (r webhookRequest) input() webhooks.EndpointInput {
	return webhooks.EndpointInput{URL: r.URL, Events: r.Events, Enabled: r.Enabled}
}

func (s *Server) createWebhook(c echo.Context) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.Webhooks.Register(c.Request().Context(), principal(c), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newWebhookResponse(e.Endpoint, e.Secret))
}

func (s *Server) listWebhooks(c echo.Context) error {
	es, err := s.Webhooks.Endpoints(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]webhookResponse, len(es))
	for i, e := range es {
		out[i] = newWebhookResponse(e, "")
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) getWebhook(c echo.Context) error {
	e, err := s.Webhooks.Endpoint(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newWebhookResponse(*e, ""))
}

func (s *Server) patchWebhook(c echo.Context) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.Webhooks.UpdateEndpoint(c.Request().Context(), principal(c), c.Param("id"), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newWebhookResponse(*e, ""))
}

func (s *Server) deleteWebhook(c echo.Context) error {
	if err := s.Webhooks.DeleteEndpoint(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) rotateWebhookSecret(c echo.Context) error {
	e, err := s.Webhooks.RotateSecret(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newWebhookResponse(e.Endpoint, e.Secret))
}

// deliveryResponse is one delivery in the API.
type deliveryResponse struct {
	ID             string  `json:"id"`
	WebhookID      string  `json:"webhook_id"`
	Event          string  `json:"event"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	LastStatusCode *int    `json:"last_status_code"`
	LastError      *string `json:"last_error"`
	LastAttemptAt  *string `json:"last_attempt_at"`
	NextAttemptAt  *string `json:"next_attempt_at"`
	DeliveredAt    *string `json:"delivered_at"`
	CreatedAt      string  `json:"created_at"`
}

func (s *Server) listWebhookDeliveries(c echo.Context) error {
	q := webhooks.DeliveryQuery{Status: c.QueryParam("status"), Cursor: c.QueryParam("cursor")}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return apperr.Field("limit", "must be a whole number")
		}
		q.Limit = n
	}
	ds, next, err := s.Webhooks.Deliveries(c.Request().Context(), principal(c), c.Param("id"), q)
	if err != nil {
		return err
	}
	out := make([]deliveryResponse, len(ds))
	for i, d := range ds {
		out[i] = deliveryResponse{ID: d.ID, WebhookID: d.WebhookID, Event: d.EventType, Status: d.Status, Attempts: d.Attempts,
			LastStatusCode: d.LastStatusCode, LastAttemptAt: optionalTime(d.LastAttemptAt), NextAttemptAt: optionalTime(d.NextAttemptAt),
			DeliveredAt: optionalTime(d.DeliveredAt), CreatedAt: d.CreatedAt.UTC().Format(time.RFC3339)}
		if d.LastError != "" {
			out[i].LastError = &d.LastError
		}
	}
	var cursor *string
	if next != "" {
		cursor = &next
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out, "next_cursor": cursor})
}
