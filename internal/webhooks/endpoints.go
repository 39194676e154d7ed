package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// Endpoint is a registered endpoint as admins see it (never its secret).
type Endpoint struct {
	ID                      string
	URL                     string
	Events                  []string
	Status                  string
	DisabledAt              *time.Time
	DisabledReason          string
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
}

// WithSecret is an endpoint with its new signing secret, shown once.
type WithSecret struct {
	Endpoint
	Secret string
}

// EndpointInput registers an endpoint, or changes one (nil fields stay).
type EndpointInput struct {
	URL     *string
	Events  *[]string
	Enabled *bool
}

func (s *Service) view(e *store.WebhookEndpoint) Endpoint {
	v := Endpoint{ID: e.ID, URL: e.URL, Events: strings.Fields(e.Events), Status: e.Status, DisabledAt: e.DisabledAt,
		DisabledReason: e.DisabledReason, CreatedAt: e.CreatedAt.UTC()}
	if e.PreviousSecretExpiresAt != nil && e.PreviousSecretExpiresAt.After(s.Now()) {
		v.PreviousSecretExpiresAt = e.PreviousSecretExpiresAt
	}
	return v
}

var errNoEndpoint = apperr.Errorf(apperr.NotFound, "no such webhook endpoint")

// Register adds an endpoint (admins) and returns it with its secret.
func (s *Service) Register(ctx context.Context, by access.Principal, in EndpointInput) (*WithSecret, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, err
	}
	if in.URL == nil {
		return nil, apperr.Field("url", "is required")
	}
	if in.Events == nil {
		return nil, apperr.Field("events", "is required")
	}
	in, err := s.check(ctx, in)
	if err != nil {
		return nil, err
	}
	e := &store.WebhookEndpoint{ID: uuid.Must(uuid.NewV7()).String(), Status: store.WebhookEnabled}
	s.apply(e, in)
	signing := newSigningSecret()
	now := s.Now().UTC()
	e.SecretSealed, e.CreatedAt, e.UpdatedAt = s.box.SealString(signing), now, now
	if err := s.store.InsertWebhookEndpoint(ctx, e); err != nil {
		return nil, err
	}
	s.forgetEndpoints()
	return &WithSecret{Endpoint: s.view(e), Secret: signing}, nil
}

// check validates in and returns it normalised; it resolves the URL's
// host, so run it before any transaction.
func (s *Service) check(ctx context.Context, in EndpointInput) (EndpointInput, error) {
	if in.URL != nil {
		u, err := s.checkURL(ctx, *in.URL)
		if err != nil {
			return in, err
		}
		in.URL = &u
	}
	if in.Events != nil {
		events, err := checkEvents(*in.Events)
		if err != nil {
			return in, err
		}
		in.Events = &events
	}
	return in, nil
}

// apply sets the given fields of a checked input on e.
func (s *Service) apply(e *store.WebhookEndpoint, in EndpointInput) {
	if in.URL != nil {
		e.URL = *in.URL
	}
	if in.Events != nil {
		e.Events = strings.Join(*in.Events, " ")
	}
	if in.Enabled != nil {
		if *in.Enabled {
			e.Status, e.DisabledAt, e.DisabledReason = store.WebhookEnabled, nil, ""
		} else if e.Status != store.WebhookDisabled {
			now := s.Now().UTC()
			e.Status, e.DisabledAt, e.DisabledReason = store.WebhookDisabled, &now, "disabled by an admin"
		}
	}
}

// checkURL accepts absolute http(s) URLs whose host may be reached.
func (s *Service) checkURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", apperr.Field("url", "is required")
	}
	if len(raw) > maxURL {
		return "", apperr.Field("url", "is longer than %d characters", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.Opaque != "" {
		return "", apperr.Field("url", "must be an absolute http:// or https:// URL")
	}
	if u.Fragment != "" {
		return "", apperr.Field("url", "must not have a #fragment")
	}
	resolve, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := netguard.CheckHost(resolve, u.Hostname(), s.AllowPrivate); err != nil {
		return "", apperr.Wrap(apperr.WebhookURLForbidden, err,
			"%s is a private or reserved address; endpoints there need RENDEZVOUS_ALLOW_PRIVATE_HOSTS=true", u.Hostname())
	}
	return u.String(), nil
}

func checkEvents(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apperr.Field("events", "must name at least one event")
	}
	out := make([]string, 0, len(in))
	for _, e := range in {
		if !knownEvent(e) {
			names := make([]string, 0, len(EventTypes()))
			for _, t := range EventTypes() {
				names = append(names, t.Name)
			}
			return nil, apperr.Field("events", "%q is not an event; the events are %s", e, strings.Join(names, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Endpoints lists every endpoint (admins).
func (s *Service) Endpoints(ctx context.Context, by access.Principal) ([]Endpoint, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, err
	}
	rows, err := s.store.WebhookEndpoints(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, len(rows))
	for i := range rows {
		out[i] = s.view(&rows[i])
	}
	return out, nil
}

func (s *Service) endpoint(ctx context.Context, q store.Q, id string) (*store.WebhookEndpoint, error) {
	if len(id) > 100 {
		return nil, errNoEndpoint
	}
	e, err := q.WebhookEndpoint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoEndpoint
	}
	return e, err
}

// Endpoint reads one endpoint (admins).
func (s *Service) Endpoint(ctx context.Context, by access.Principal, id string) (*Endpoint, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, err
	}
	e, err := s.endpoint(ctx, s.store.Q, id)
	if err != nil {
		return nil, err
	}
	v := s.view(e)
	return &v, nil
}

// UpdateEndpoint changes an endpoint's URL, events, or state (admins);
// enabling a disabled endpoint sends it new events again.
func (s *Service) UpdateEndpoint(ctx context.Context, by access.Principal, id string, in EndpointInput) (*Endpoint, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, err
	}
	in, err := s.check(ctx, in)
	if err != nil {
		return nil, err
	}
	var out Endpoint
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		e, err := s.endpoint(ctx, tx.Q, id)
		if err != nil {
			return err
		}
		s.apply(e, in)
		e.UpdatedAt = s.Now().UTC()
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		out = s.view(e)
		return nil
	})
	s.forgetEndpoints()
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteEndpoint removes an endpoint and its deliveries (admins); its
// pending deliveries are not sent.
func (s *Service) DeleteEndpoint(ctx context.Context, by access.Principal, id string) error {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return err
	}
	if len(id) > 100 {
		return errNoEndpoint
	}
	err := s.store.DeleteWebhookEndpoint(ctx, id)
	s.forgetEndpoints()
	if errors.Is(err, store.ErrNotFound) {
		return errNoEndpoint
	}
	return err
}

// RotateSecret gives an endpoint a new secret (admins), shown once. The
// previous one keeps signing beside it for RotationOverlap.
func (s *Service) RotateSecret(ctx context.Context, by access.Principal, id string) (*WithSecret, error) {
	if err := by.RequireAdmin("managing webhooks"); err != nil {
		return nil, err
	}
	signing := newSigningSecret()
	var out *WithSecret
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		e, err := s.endpoint(ctx, tx.Q, id)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		until := now.Add(RotationOverlap)
		e.PreviousSecretSealed, e.PreviousSecretExpiresAt = e.SecretSealed, &until
		e.SecretSealed, e.UpdatedAt = s.box.SealString(signing), now
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		out = &WithSecret{Endpoint: s.view(e), Secret: signing}
		return nil
	})
	return out, err
}

// signingKeys are the keys an endpoint's deliveries are signed with now.
func (s *Service) signingKeys(e *store.WebhookEndpoint) ([][]byte, error) {
	current, err := s.box.OpenString(e.SecretSealed)
	if err != nil {
		return nil, fmt.Errorf("open the secret of webhook endpoint %s: %w", e.ID, err)
	}
	key, err := secretKey(current)
	if err != nil {
		return nil, err
	}
	keys := [][]byte{key}
	if e.PreviousSecretSealed != "" && e.PreviousSecretExpiresAt != nil && s.Now().Before(*e.PreviousSecretExpiresAt) {
		previous, err := s.box.OpenString(e.PreviousSecretSealed)
		if err != nil {
			return nil, fmt.Errorf("open the previous secret of webhook endpoint %s: %w", e.ID, err)
		}
		if k, err := secretKey(previous); err == nil {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
