package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// Queue is the job queue of deliveries: a receiver that is slow to answer
// must not hold up mails and calendar work, and a thousand events must
// not wait behind eight workers.
const Queue = "webhooks"

// QueueWorkers is how many delivery jobs one process runs at once.
const QueueWorkers = 100

// queueFetchCooldown lets finished workers take new deliveries soon: a
// thousand events should not wait for ten fetches a second.
const queueFetchCooldown = 10 * time.Millisecond

// Attempts is how many times a delivery is tried before it is failed.
const Attempts = 11

// maxResponse is how much of a receiver's answer is read: receivers
// answer with a status; a larger body is not ours to store.
const maxResponse = 64 << 10

// DeliveryArgs delivers events of one change to every endpoint that
// subscribed to them, in order.
type DeliveryArgs struct {
	Version  int      `json:"version"` // see internal/jobs/session.go
	EventIDs []string `json:"event_ids"`
}

// MarshalJSON writes the current version.
func (a DeliveryArgs) MarshalJSON() ([]byte, error) {
	type plain DeliveryArgs
	a.Version = jobs.ArgsVersion
	return json.Marshal(plain(a))
}

// Kind implements river.JobArgs.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts: the worker decides when a delivery has failed; River's
// one extra attempt is for a process killed during the last one.
func (DeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: Attempts + 1}
}

// maxEventsPerJob bounds a job's work (a bulk change emits many events).
const maxEventsPerJob = 20

// schedule is the exponential backoff between attempts: the first retry
// after span/8640 (10 s for a day), each next one four times longer, at
// most span/4 (6 h), with ±10 % jitter. The ten waits add up to about
// 1.16 spans, so deliveries are retried for more than span.
type schedule struct{ span time.Duration }

// after is the wait after failed attempt n (1-based) of a delivery; the
// jitter is derived from the delivery, so every call agrees.
func (s schedule) after(n int, deliveryID string) time.Duration {
	wait := s.span / 8640
	for i := 1; i < n && wait < s.span/4; i++ {
		wait *= 4
	}
	wait = min(wait, s.span/4)
	h := fnv.New32a()
	h.Write([]byte(deliveryID))
	h.Write([]byte{byte(n)})
	jitter := float64(h.Sum32()%2001)/10000 - 0.1 // [-0.1, 0.1]
	return wait + time.Duration(float64(wait)*jitter)
}

// RegisterWorkers adds the delivery and mail workers and the delivery
// queue to the job engine.
func (s *Service) RegisterWorkers(e *jobs.Engine) {
	e.AddQueue(Queue, QueueWorkers, queueFetchCooldown)
	river.AddWorker(e.Workers(), &deliveryWorker{svc: s})
	river.AddWorker(e.Workers(), &disabledMailWorker{svc: s})
}

type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	svc *Service
}

// NextRetry follows the service's schedule instead of River's.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(w.svc.sched.after(job.Attempt, jitterKey(job.Args)))
}

func jitterKey(a DeliveryArgs) string {
	if len(a.EventIDs) == 0 {
		return ""
	}
	return a.EventIDs[0]
}

// Work sends the job's pending deliveries, each endpoint's in event order
// and the endpoints side by side, and records how each went. A receiver
// that answered 2xx is not sent that event again; one killed before the
// answer was recorded is sent it again, under the same webhook-id, which
// receivers deduplicate on. The job is retried while deliveries remain.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	s := w.svc
	pending, err := s.store.PendingWebhookDeliveries(ctx, job.Args.EventIDs)
	if err != nil || len(pending) == 0 {
		return err
	}
	var order []string
	byEndpoint := map[string][]store.PendingDelivery{}
	for _, d := range pending {
		if byEndpoint[d.EndpointID] == nil {
			order = append(order, d.EndpointID)
		}
		byEndpoint[d.EndpointID] = append(byEndpoint[d.EndpointID], d)
	}
	a := attempt{n: job.Attempt, final: job.Attempt >= Attempts, key: jitterKey(job.Args)}
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		left          int
		internalError error
	)
	for _, id := range order {
		wg.Add(1)
		go func(endpointID string, ds []store.PendingDelivery) {
			defer wg.Done()
			n, err := s.deliverTo(ctx, endpointID, ds, a)
			mu.Lock()
			defer mu.Unlock()
			left += n
			internalError = errors.Join(internalError, err)
		}(id, byEndpoint[id])
	}
	wg.Wait()
	switch {
	case internalError != nil:
		return internalError
	case left > 0 && a.final:
		return river.JobCancel(fmt.Errorf("%d webhook deliveries failed after every retry", left))
	case left > 0:
		return fmt.Errorf("%d webhook deliveries to retry", left)
	}
	return nil
}

// attempt is one run of a delivery job.
type attempt struct {
	n     int
	final bool
	key   string // the job's jitter key
}

// deliverTo sends an endpoint its deliveries in order, stopping at the
// first failure (a dead receiver costs one timeout per attempt, and a
// receiver never gets an event before an earlier one). It returns how
// many did not go through (to retry, or failed for good on the final
// attempt).
func (s *Service) deliverTo(ctx context.Context, endpointID string, ds []store.PendingDelivery, a attempt) (int, error) {
	// The receiver may have answered: record what happened even if the
	// job's own context ends now.
	record, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ep, err := s.endpointToSend(ctx, endpointID)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted after this event was recorded for it.
		return 0, s.fail(record, ds, "endpoint deleted before delivery")
	}
	if err != nil {
		return 0, err
	}
	if ep.Status != store.WebhookEnabled {
		return 0, s.fail(record, ds, "endpoint disabled before delivery")
	}
	keys, err := s.signingKeys(ep)
	if err != nil {
		s.Logger.Error("webhook secret cannot be opened", slog.String("endpoint_id", ep.ID), slog.Any("error", err))
		return 0, s.fail(record, ds, "the endpoint's signing secret cannot be opened (was RENDEZVOUS_SECRET_KEY changed?)")
	}
	for i := range ds {
		d := &ds[i].WebhookDelivery
		code, problem := s.post(ctx, ep.URL, d.EventID, []byte(ds[i].Payload), keys)
		now := s.Now().UTC()
		d.Attempts, d.LastAttemptAt, d.LastError, d.NextAttemptAt = max(d.Attempts+1, a.n), &now, problem, nil
		d.LastStatusCode = nil
		if code != 0 {
			d.LastStatusCode = &code
		}
		if problem == "" {
			d.Status, d.DeliveredAt = store.DeliveryDelivered, &now
			if err := s.store.UpdateWebhookDelivery(record, d); err != nil {
				return 0, err
			}
			continue
		}
		attrs := []any{slog.String("delivery_id", d.ID), slog.String("webhook_id", d.EventID), slog.String("event", d.EventType),
			slog.String("endpoint_id", ep.ID), slog.Int("attempt", a.n), slog.Int("status", code), slog.String("error", problem)}
		if a.final {
			s.Logger.Error("webhook delivery failed after every retry", attrs...)
			d.Status = store.DeliveryFailed
			if err := s.store.UpdateWebhookDelivery(record, d); err != nil {
				return 0, err
			}
			if err := s.fail(record, ds[i+1:], "not sent: an earlier event to this endpoint failed"); err != nil {
				return 0, err
			}
			return len(ds) - i, s.disableIfFailing(record, ep, d)
		}
		next := now.Add(s.sched.after(a.n, a.key))
		d.NextAttemptAt = &next
		if err := s.store.UpdateWebhookDelivery(record, d); err != nil {
			return 0, err
		}
		s.Logger.Warn("webhook delivery failed; will retry", append(attrs, slog.Time("next_attempt_at", next))...)
		for j := range ds[i+1:] {
			ds[i+1+j].NextAttemptAt = &next
			if err := s.store.UpdateWebhookDelivery(record, &ds[i+1+j].WebhookDelivery); err != nil {
				return 0, err
			}
		}
		return len(ds) - i, nil
	}
	return 0, nil
}

// fail marks deliveries failed without sending them.
func (s *Service) fail(ctx context.Context, ds []store.PendingDelivery, why string) error {
	for i := range ds {
		d := &ds[i].WebhookDelivery
		d.Status, d.LastError, d.NextAttemptAt = store.DeliveryFailed, why, nil
		if err := s.store.UpdateWebhookDelivery(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// endpointToSend is the endpoint deliveries go to: from the list of
// enabled endpoints this process holds (see endpointCacheTTL), else as
// stored (disabled, deleted, or new).
func (s *Service) endpointToSend(ctx context.Context, id string) (*store.WebhookEndpoint, error) {
	if list, err := s.enabledEndpoints(ctx, s.store.Q); err == nil {
		for i := range list {
			if list[i].ID == id {
				e := list[i]
				return &e, nil
			}
		}
	}
	return s.store.WebhookEndpoint(ctx, id)
}

// post sends an event's body under its webhook-id, signed now, and
// returns the status (0 when there was no answer) and what went wrong
// ("" for a 2xx).
func (s *Service) post(ctx context.Context, target, id string, body []byte, keys [][]byte) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "bad endpoint URL: " + err.Error()
	}
	ts := s.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rendezvous-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", signatureHeader(keys, id, ts, body))
	res, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrForbiddenAddress) {
			return 0, "the endpoint resolves to a private or reserved address, which is not allowed"
		}
		return 0, shorten(err.Error())
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, ""
	}
	problem := "answered " + res.Status
	if excerpt := strings.TrimSpace(string(answer)); excerpt != "" {
		problem += ": " + excerpt
	}
	return res.StatusCode, shorten(problem)
}

// shorten keeps the start of a message as valid UTF-8 without NUL.
func shorten(msg string) string {
	msg = strings.ToValidUTF8(strings.ReplaceAll(msg, "\x00", ""), "")
	const limit = 300
	if len(msg) <= limit {
		return msg
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}
