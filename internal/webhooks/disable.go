package webhooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// disableIfFailing disables an endpoint whose delivery d failed for the
// whole retry span when nothing else was delivered to it meanwhile: it
// kept failing. The admins' mails are enqueued in the transaction that
// disables it, so they go out once, whoever notices first.
func (s *Service) disableIfFailing(ctx context.Context, ep *store.WebhookEndpoint, d *store.WebhookDelivery) error {
	working, err := s.store.WebhookDeliveredSince(ctx, ep.ID, d.CreatedAt)
	if err != nil || working {
		return err
	}
	var admins []calendar.Person
	if s.Admins != nil {
		if admins, err = s.Admins(ctx); err != nil {
			return fmt.Errorf("admins to tell about webhook endpoint %s: %w", ep.ID, err)
		}
	}
	now := s.Now().UTC()
	reason := fmt.Sprintf("every delivery failed for %s (last: %s)", s.RetrySpan.Round(time.Second), d.LastError)
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		changed, err := tx.DisableWebhookEndpoint(ctx, ep.ID, shorten(reason), now)
		if err != nil || !changed {
			return err
		}
		s.forgetEndpoints()
		s.Logger.Error("webhook endpoint disabled: it kept failing", slog.String("endpoint_id", ep.ID),
			slog.String("url", displayURL(ep.URL)), slog.Int("admins_mailed", len(admins)))
		mails := make([]river.InsertManyParams, 0, len(admins))
		for _, a := range admins {
			mails = append(mails, river.InsertManyParams{Args: DisabledMailArgs{EndpointID: ep.ID, URL: displayURL(ep.URL),
				To: jobs.PersonArgs{Name: a.Name, Email: a.Email}, DisabledAt: now, LastError: d.LastError}})
		}
		return s.jobs.InsertManyTx(ctx, tx, mails)
	})
}

// displayURL is an endpoint URL without its query, which may hold a
// credential of the receiver's.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}

// DisabledMailArgs tells one admin that an endpoint was disabled.
type DisabledMailArgs struct {
	Version    int             `json:"version"` // see internal/jobs/session.go
	EndpointID string          `json:"endpoint_id"`
	URL        string          `json:"url"`
	To         jobs.PersonArgs `json:"to"`
	DisabledAt time.Time       `json:"disabled_at"`
	LastError  string          `json:"last_error"`
}

// MarshalJSON writes the current version.
func (a DisabledMailArgs) MarshalJSON() ([]byte, error) {
	type plain DisabledMailArgs
	a.Version = jobs.ArgsVersion
	return json.Marshal(plain(a))
}

// Kind implements river.JobArgs.
func (DisabledMailArgs) Kind() string { return "webhook_disabled_mail" }

// InsertOpts retries the mail for about a day and a half.
func (DisabledMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

type disabledMailWorker struct {
	river.WorkerDefaults[DisabledMailArgs]
	svc *Service
}

func (w *disabledMailWorker) Work(ctx context.Context, job *river.Job[DisabledMailArgs]) error {
	s := w.svc
	if s.Mailer == nil {
		return river.JobCancel(fmt.Errorf("no mailer to tell %s about webhook endpoint %s", job.Args.To.Email, job.Args.EndpointID))
	}
	msg := disabledMessage(s.From, job.Args)
	if err := s.Mailer.Send(ctx, msg); err != nil {
		if mail.IsPermanent(err) {
			s.Logger.Error("webhook alert mail refused permanently", slog.String("endpoint_id", job.Args.EndpointID), slog.Any("error", err))
			return river.JobCancel(fmt.Errorf("mail webhook alert: %w", err))
		}
		return fmt.Errorf("mail webhook alert: %w", err)
	}
	return nil
}

// disabledMessage is written in English and French: admins have no
// language of their own here. Its Message-ID is stable per endpoint,
// disabling and admin, so a retried job sends it once (internal/maillog).
func disabledMessage(from calendar.Person, a DisabledMailArgs) mail.Message {
	sum := sha256.Sum256([]byte(a.EndpointID + "\x00" + strconv.FormatInt(a.DisabledAt.Unix(), 10) + "\x00" + strings.ToLower(a.To.Email)))
	domain := "rendezvous.invalid"
	if _, d, ok := strings.Cut(from.Email, "@"); ok && d != "" {
		domain = d
	}
	when := a.DisabledAt.UTC().Format("2006-01-02 15:04 UTC")
	return mail.Message{
		From: from, To: calendar.Person{Name: a.To.Name, Email: a.To.Email}, MessageID: "webhook-disabled." + hex.EncodeToString(sum[:12]) + "@" + domain,
		Subject: "Webhook endpoint disabled / Point de réception webhook désactivé",
		Text: fmt.Sprintf("Hello,\n\nRendezvous disabled the webhook endpoint %s (id %s) on %s: every delivery to it failed "+
			"for more than a day. The last answer was: %s\n\nIt is sent no events until an admin enables it again "+
			"(PATCH /api/v1/webhooks/%s with {\"enabled\": true}). Its deliveries are listed at GET /api/v1/webhooks/%s/deliveries.\n\n"+
			"---\n\nBonjour,\n\nRendezvous a désactivé le point de réception webhook %s (identifiant %s) le %s : toutes les "+
			"livraisons ont échoué pendant plus d'une journée. Dernière réponse : %s\n\nIl ne reçoit plus d'événements tant "+
			"qu'un administrateur ne l'a pas réactivé (PATCH /api/v1/webhooks/%s avec {\"enabled\": true}). Ses livraisons "+
			"sont listées par GET /api/v1/webhooks/%s/deliveries.\n",
			a.URL, a.EndpointID, when, a.LastError, a.EndpointID, a.EndpointID,
			a.URL, a.EndpointID, when, a.LastError, a.EndpointID, a.EndpointID),
	}
}
