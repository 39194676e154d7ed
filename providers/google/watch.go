package google

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// Channel is an open push-notification channel on one calendar's events.
// Channels cannot be renewed: before Expiration, Watch with a new id,
// then StopChannel the old one.
type Channel struct {
	ID         string
	ResourceID string // Google's id of the watched resource, for StopChannel
	Expiration time.Time
}

// Watch asks Google to POST change notifications for calRef's events to
// address (https with a valid certificate, on a verified domain). token
// is echoed in X-Goog-Channel-Token; check it with VerifyNotification.
// Google caps ttl (about a week for events).
func (c *Client) Watch(ctx context.Context, calRef, channelID, token, address string, ttl time.Duration) (Channel, error) {
	req := &calendarapi.Channel{Id: channelID, Type: "web_hook", Address: address, Token: token}
	if ttl > 0 {
		req.Params = map[string]string{"ttl": strconv.FormatInt(int64(ttl/time.Second), 10)}
	}
	var ch *calendarapi.Channel
	err := c.retry.do(ctx, "google: watch "+calRef, func() (err error) {
		ch, err = c.svc.Events.Watch(calRef, req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return Channel{}, err
	}
	out := Channel{ID: ch.Id, ResourceID: ch.ResourceId}
	if ch.Expiration > 0 {
		out.Expiration = time.UnixMilli(ch.Expiration).UTC()
	}
	return out, nil
}

// StopChannel closes a channel. One Google no longer knows counts as
// stopped.
func (c *Client) StopChannel(ctx context.Context, channelID, resourceID string) error {
	err := c.retry.do(ctx, "google: stop channel "+channelID, func() error {
		return c.svc.Channels.Stop(&calendarapi.Channel{Id: channelID, ResourceId: resourceID}).Context(ctx).Do()
	})
	if apiStatus(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// VerifyNotification checks a push notification's channel token in
// constant time. resourceState is "sync" for the handshake sent when a
// channel opens, "exists" or "not_exists" when something changed; both of
// the latter mean "sync this calendar now". An empty expectedToken never
// verifies.
func VerifyNotification(r *http.Request, expectedToken string) (channelID, resourceState string, ok bool) {
	got := r.Header.Get("X-Goog-Channel-Token")
	if expectedToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(expectedToken)) != 1 {
		return "", "", false
	}
	return r.Header.Get("X-Goog-Channel-Id"), r.Header.Get("X-Goog-Resource-State"), true
}

// NotificationChannelID is the channel a push notification claims to come
// from: look up that channel's token, then call VerifyNotification.
func NotificationChannelID(r *http.Request) string { return r.Header.Get("X-Goog-Channel-Id") }
