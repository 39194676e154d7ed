package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/store"
)

// Emitter records events in the transaction of their change; the booking
// and mentoring services take one.
type Emitter interface {
	EmitTx(ctx context.Context, tx *store.Tx, events ...Event) error
	EventJobs(ctx context.Context, tx *store.Tx, events ...Event) ([]river.InsertManyParams, error)
	// Subscribed tells whether an enabled endpoint takes events of
	// eventType, so that a caller builds an event only when one does (a
	// booking event renders both parties' local times).
	Subscribed(ctx context.Context, tx *store.Tx, eventType string) (bool, error)
}

// Subscribed tells whether an enabled endpoint takes events of eventType
// (from the cached list of endpoints, as EventJobs reads it).
func (s *Service) Subscribed(ctx context.Context, tx *store.Tx, eventType string) (bool, error) {
	endpoints, err := s.enabledEndpoints(ctx, tx.Q)
	if err != nil {
		return false, err
	}
	for _, e := range endpoints {
		if slices.Contains(strings.Fields(e.Events), eventType) {
			return true, nil
		}
	}
	return false, nil
}

// EmitTx records events in tx, the transaction of the change they report,
// with their delivery job (see EventJobs).
func (s *Service) EmitTx(ctx context.Context, tx *store.Tx, events ...Event) error {
	jobs, err := s.EventJobs(ctx, tx, events...)
	if err != nil || len(jobs) == 0 {
		return err
	}
	if err := s.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("enqueue webhook deliveries: %w", err)
	}
	return nil
}

// EventJobs records events in tx, the transaction of the change they
// report: each is stored once with a delivery for every enabled endpoint
// that subscribed to its type. It returns the job that delivers them, for
// the caller to enqueue in tx with its other jobs (one insert): the events
// exist if and only if the change commits. Without such an endpoint
// nothing is written.
func (s *Service) EventJobs(ctx context.Context, tx *store.Tx, events ...Event) ([]river.InsertManyParams, error) {
	if len(events) == 0 {
		return nil, nil
	}
	endpoints, err := s.enabledEndpoints(ctx, tx.Q)
	if err != nil || len(endpoints) == 0 {
		return nil, err
	}
	now := s.Now().UTC()
	var ids []string
	for _, ev := range events {
		var to []store.WebhookEndpoint
		for _, e := range endpoints {
			if slices.Contains(strings.Fields(e.Events), ev.Type) {
				to = append(to, e)
			}
		}
		if len(to) == 0 {
			continue
		}
		// Time-ordered, so that the events of one job go out in order.
		id := "msg_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
		body, err := json.Marshal(envelope{Type: ev.Type, Timestamp: utc(now), Data: ev.Data})
		if err != nil {
			return nil, fmt.Errorf("encode %s event: %w", ev.Type, err)
		}
		deliveries := make([]store.WebhookDelivery, len(to))
		for i, e := range to {
			deliveries[i] = store.WebhookDelivery{ID: uuid.Must(uuid.NewV7()).String(), EndpointID: e.ID, EventID: id,
				EventType: ev.Type, Status: store.DeliveryPending, CreatedAt: now}
		}
		if err := tx.InsertWebhookEvent(ctx, &store.WebhookEvent{ID: id, Type: ev.Type, Payload: string(body), CreatedAt: now}, deliveries); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	// One job for the call, whatever the number of endpoints: each job
	// insert costs a statement (SQLite), and a booking must stay fast.
	var jobs []river.InsertManyParams
	for len(ids) > 0 {
		n := min(len(ids), maxEventsPerJob)
		jobs = append(jobs, river.InsertManyParams{Args: DeliveryArgs{EventIDs: ids[:n]}})
		ids = ids[n:]
	}
	return jobs, nil
}
