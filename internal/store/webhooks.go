package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Webhook endpoint states.
const (
	WebhookEnabled  = "enabled"
	WebhookDisabled = "disabled"
)

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookEndpoint is a row of webhook_endpoints: a receiver an admin
// registered, with the events it is sent.
type WebhookEndpoint struct {
	ID                      string
	URL                     string `gorm:"column:url"`
	Events                  string // space-separated event types
	SecretSealed            string
	PreviousSecretSealed    string
	PreviousSecretExpiresAt *time.Time
	Status                  string
	DisabledAt              *time.Time
	DisabledReason          string
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// WebhookEvent is a row of webhook_events: one event and the exact body
// every delivery of it sends.
type WebhookEvent struct {
	ID        string
	Type      string
	Payload   string
	CreatedAt time.Time
}

// WebhookDelivery is a row of webhook_deliveries: one event to one
// endpoint, and how its attempts went.
type WebhookDelivery struct {
	ID             string
	EndpointID     string
	EventID        string
	EventType      string
	Status         string
	Attempts       int
	LastStatusCode *int
	LastError      string
	LastAttemptAt  *time.Time
	NextAttemptAt  *time.Time
	DeliveredAt    *time.Time
	CreatedAt      time.Time
}

// TableName overrides gorm's pluralisation.
func (WebhookDelivery) TableName() string { return "webhook_deliveries" }

// InsertWebhookEndpoint stores a new endpoint.
func (q Q) InsertWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := translate(db.Create(e).Error); err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

// UpdateWebhookEndpoint stores every field of e.
func (q Q) UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Select("*").Omit("created_at").Where("id = ?", e.ID).Updates(e)
	if res.Error != nil {
		return fmt.Errorf("update webhook endpoint: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// WebhookEndpoint reads one endpoint.
func (q Q) WebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var e WebhookEndpoint
	if err := db.Where("id = ?", id).Take(&e).Error; err != nil {
		return nil, translate(err)
	}
	return &e, nil
}

// WebhookEndpoints lists every endpoint, oldest first; with onlyEnabled,
// those that are sent events.
func (q Q) WebhookEndpoints(ctx context.Context, onlyEnabled bool) ([]WebhookEndpoint, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []WebhookEndpoint
	if onlyEnabled {
		db = db.Where("status = ?", WebhookEnabled)
	}
	if err := db.Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", translate(err))
	}
	return out, nil
}

// DeleteWebhookEndpoint deletes an endpoint and its deliveries.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		db, cancel := tx.with(ctx)
		defer cancel()
		res := db.Where("id = ?", id).Delete(&WebhookEndpoint{})
		if res.Error != nil {
			return fmt.Errorf("delete webhook endpoint: %w", translate(res.Error))
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := db.Where("endpoint_id = ?", id).Delete(&WebhookDelivery{}).Error; err != nil {
			return fmt.Errorf("delete webhook deliveries: %w", translate(err))
		}
		return nil
	})
}

// InsertWebhookEvent stores an event with its deliveries, in one
// statement on PostgreSQL (a booking waits for these round trips).
func (q Q) InsertWebhookEvent(ctx context.Context, ev *WebhookEvent, deliveries []WebhookDelivery) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if q.dialect == Postgres && len(deliveries) > 0 {
		var sql strings.Builder
		sql.WriteString("WITH ev AS (INSERT INTO webhook_events (id, type, payload, created_at) VALUES (?, ?, ?, ?)) " +
			"INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, status, attempts, last_error, created_at) VALUES ")
		args := []any{ev.ID, ev.Type, ev.Payload, ev.CreatedAt.UTC()}
		for i, d := range deliveries {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, 0, '', ?)")
			args = append(args, d.ID, d.EndpointID, d.EventID, d.EventType, d.Status, d.CreatedAt.UTC())
		}
		if err := db.Exec(sql.String(), args...).Error; err != nil {
			return fmt.Errorf("insert webhook event: %w", translate(err))
		}
		return nil
	}
	if err := db.Create(ev).Error; err != nil {
		return fmt.Errorf("insert webhook event: %w", translate(err))
	}
	if len(deliveries) == 0 {
		return nil
	}
	if err := db.Create(&deliveries).Error; err != nil {
		return fmt.Errorf("insert webhook deliveries: %w", translate(err))
	}
	return nil
}

// WebhookDelivery reads one delivery.
func (q Q) WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var d WebhookDelivery
	if err := db.Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, translate(err)
	}
	return &d, nil
}

// PendingDelivery is a delivery still to be made, with its event.
type PendingDelivery struct {
	WebhookDelivery
	Payload string
}

// PendingWebhookDeliveries reads the deliveries of these events still to
// be made, with their events' bodies, oldest event first.
func (q Q) PendingWebhookDeliveries(ctx context.Context, eventIDs []string) ([]PendingDelivery, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []PendingDelivery
	err := db.Table("webhook_deliveries d").Select("d.*, e.payload").Joins("JOIN webhook_events e ON e.id = d.event_id").
		Where("d.event_id IN ? AND d.status = ?", eventIDs, DeliveryPending).Order("d.event_id, d.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read pending webhook deliveries: %w", translate(err))
	}
	return out, nil
}

// UpdateWebhookDelivery stores how an attempt went.
func (q Q) UpdateWebhookDelivery(ctx context.Context, d *WebhookDelivery) error {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Select("status", "attempts", "last_status_code", "last_error", "last_attempt_at", "next_attempt_at", "delivered_at").
		Where("id = ?", d.ID).Updates(d)
	if res.Error != nil {
		return fmt.Errorf("update webhook delivery: %w", translate(res.Error))
	}
	return nil
}

// WebhookDeliveryFilter selects an endpoint's deliveries, newest first.
type WebhookDeliveryFilter struct {
	EndpointID string
	Status     string // empty: any
	// Before is a delivery id: only older ones are listed (paging).
	Before string
	Limit  int
}

// WebhookDeliveries lists an endpoint's deliveries, newest first (ids are
// time-ordered UUIDv7s).
func (q Q) WebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) ([]WebhookDelivery, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	db = db.Where("endpoint_id = ?", f.EndpointID)
	if f.Status != "" {
		db = db.Where("status = ?", f.Status)
	}
	if f.Before != "" {
		db = db.Where("id < ?", f.Before)
	}
	var out []WebhookDelivery
	if err := db.Order("id DESC").Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", translate(err))
	}
	return out, nil
}

// WebhookDeliveredSince reports whether the endpoint took any delivery
// after since.
func (q Q) WebhookDeliveredSince(ctx context.Context, endpointID string, since time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	err := db.Model(&WebhookDelivery{}).Where("endpoint_id = ? AND delivered_at > ?", endpointID, since.UTC()).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("read webhook deliveries: %w", translate(err))
	}
	return n > 0, nil
}

// DisableWebhookEndpoint disables an enabled endpoint; changed is false
// when it was disabled (or deleted) already, so that only one caller acts
// on the change.
func (q Q) DisableWebhookEndpoint(ctx context.Context, id, reason string, at time.Time) (changed bool, err error) {
	db, cancel := q.with(ctx)
	defer cancel()
	at = at.UTC()
	res := db.Model(&WebhookEndpoint{}).Where("id = ? AND status = ?", id, WebhookEnabled).
		Updates(map[string]any{"status": WebhookDisabled, "disabled_at": at, "disabled_reason": reason, "updated_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("disable webhook endpoint: %w", translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// purgeWebhooks deletes finished deliveries older than before, and events
// left without deliveries.
func purgeWebhooks(db *gorm.DB, before time.Time) (int64, error) {
	res := db.Where("status <> ? AND created_at < ?", DeliveryPending, before.UTC()).Delete(&WebhookDelivery{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge webhook deliveries: %w", translate(res.Error))
	}
	n := res.RowsAffected
	res = db.Where("created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)", before.UTC()).
		Delete(&WebhookEvent{})
	if res.Error != nil {
		return n, fmt.Errorf("purge webhook events: %w", translate(res.Error))
	}
	return n + res.RowsAffected, nil
}
