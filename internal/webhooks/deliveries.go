package webhooks

import (
	"context"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Delivery is one event sent to one endpoint, as admins see it.
type Delivery struct {
	ID             string
	WebhookID      string // the webhook-id header: the event's id
	EventType      string
	Status         string // pending, delivered, failed
	Attempts       int
	LastStatusCode *int
	LastError      string
	LastAttemptAt  *time.Time
	NextAttemptAt  *time.Time
	DeliveredAt    *time.Time
	CreatedAt      time.Time
}

// DeliveryQuery selects deliveries, newest first.
type DeliveryQuery struct {
	Status string
	Limit  int
	// Cursor continues a listing where the previous page ended.
	Cursor string
}

// Deliveries lists an endpoint's deliveries (admins), newest first, and
// the cursor of the next page ("" at the end).
func (s *Service) Deliveries(ctx context.Context, by access.Principal, endpointID string, q DeliveryQuery) ([]Delivery, string, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, "", err
	}
	switch q.Status {
	case "", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryFailed:
	default:
		return nil, "", apperr.Field("status", "must be pending, delivered or failed")
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 500 {
		return nil, "", apperr.Field("limit", "must be between 1 and 500")
	}
	if len(q.Cursor) > 100 {
		return nil, "", apperr.Field("cursor", "is not a cursor of this listing")
	}
	if _, err := s.endpoint(ctx, s.store.Q, endpointID); err != nil {
		return nil, "", err
	}
	rows, err := s.store.WebhookDeliveries(ctx, store.WebhookDeliveryFilter{EndpointID: endpointID, Status: q.Status,
		Before: q.Cursor, Limit: q.Limit + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		next = rows[len(rows)-1].ID
	}
	out := make([]Delivery, len(rows))
	for i, d := range rows {
		out[i] = Delivery{ID: d.ID, WebhookID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
			LastStatusCode: d.LastStatusCode, LastError: d.LastError, LastAttemptAt: d.LastAttemptAt,
			NextAttemptAt: d.NextAttemptAt, DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt.UTC()}
	}
	return out, next, nil
}
