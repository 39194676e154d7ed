package calsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"golang.org/x/oauth2"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/google"
	"github.com/rendezvous/rendezvous/providers/video"
)

// googleSource adapts a providers/google client to Source.
type googleSource struct {
	client *google.Client
	logger *slog.Logger
}

// newSource builds a Calendar client over ts. The client is built with a
// background context: it outlives the request or job that opened it.
func (p *googleProvider) newSource(ts oauth2.TokenSource, logger *slog.Logger) (*googleSource, error) {
	client, err := google.NewClient(context.Background(), ts, p.ClientOptions...)
	if err != nil {
		return nil, err
	}
	return &googleSource{client: client, logger: logger}, nil
}

// openGoogle opens a stored connection. Its token is read from (and
// refreshed tokens written to) the connection's row at each use, not from
// the credentials passed in, so that a refresh by another process is seen.
func (s *Service) openGoogle(_ context.Context, c *store.Connection, _ []byte) (Source, error) {
	ts := s.google.OAuth.TokenSource(s.store.ConnectionToken(s.box, c.ID))
	return s.google.newSource(ts, s.Logger)
}

func (g *googleSource) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	cals, err := g.client.Calendars(ctx)
	return cals, classifyGoogle(err)
}

// Changes ignores known: Google's sync tokens say what changed.
func (g *googleSource) Changes(ctx context.Context, calRef, state string, window calendar.Interval, _ map[string]string) (calendar.ChangeSet, error) {
	cs, err := g.client.Changes(ctx, calRef, state, window)
	return cs, classifyGoogle(err)
}

func (g *googleSource) Save(ctx context.Context, calRef string, s calendar.Session, prev Remote) (Remote, error) {
	r, _, err := g.SaveWithMeet(ctx, calRef, s, prev, false)
	return r, err
}

// SaveWithMeet creates the event (asking for a Meet conference when
// withMeet and the session has no link yet) or patches it. Insert is
// idempotent by the session's UID, so a retry after a lost answer or a
// pending Meet resumes the same event.
func (g *googleSource) SaveWithMeet(ctx context.Context, calRef string, s calendar.Session, prev Remote, withMeet bool) (Remote, string, error) {
	needsMeet := withMeet && s.VideoURL == ""
	if prev.Key != "" && !needsMeet {
		err := g.client.Patch(ctx, calRef, prev.Key, s)
		if !errors.Is(err, google.ErrNotFound) {
			return Remote{Key: prev.Key}, "", classifyGoogle(err)
		}
		// Deleted in Google Calendar: the booking still stands, so the
		// event is created again.
	}
	id, meetURL, err := g.client.Insert(ctx, calRef, s, needsMeet)
	if errors.Is(err, google.ErrMeetFailed) && id != "" {
		g.logger.Warn("google refused to create a Meet link; the session keeps no video link",
			slog.String("uid", s.UID), slog.Any("error", err))
		return Remote{Key: id}, "", nil
	}
	if err != nil {
		return Remote{}, "", classifyGoogle(err)
	}
	return Remote{Key: id}, meetURL, nil
}

func (g *googleSource) Remove(ctx context.Context, calRef string, prev Remote) error {
	if prev.Key == "" {
		return nil
	}
	return classifyGoogle(g.client.Delete(ctx, calRef, prev.Key))
}

// classifyGoogle adds the provider-neutral kind to a Google error. A
// revoked grant or a rejected access token needs the mentor to reconnect.
func classifyGoogle(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, google.ErrInvalidGrant), errors.Is(err, google.ErrUnauthorized):
		return fmt.Errorf("%w: %w", ErrCredentials, err)
	case errors.Is(err, google.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

// meetSaver is a Source that can create a Google Meet link with an event.
type meetSaver interface {
	SaveWithMeet(ctx context.Context, calRef string, s calendar.Session, prev Remote, withMeet bool) (Remote, string, error)
}

// saveSession writes the booking's event; for a google_meet booking in a
// Google calendar it also returns the new Meet link.
func (s *Service) saveSession(ctx context.Context, src Source, calRef string, sess calendar.Session, prev Remote, b *store.Booking) (Remote, string, error) {
	if ms, ok := src.(meetSaver); ok && b.VideoProvider == video.KindGoogleMeet {
		return ms.SaveWithMeet(ctx, calRef, sess, prev, true)
	}
	r, err := src.Save(ctx, calRef, sess, prev)
	return r, "", err
}

// recordWriteback remembers where the booking's event lives and, in the
// same transaction, a new Meet link as the booking's video link.
func (s *Service) recordWriteback(ctx context.Context, b *store.Booking, calendarID string, remote Remote, meetURL string) error {
	if meetURL == "" || b.VideoURL != "" {
		return s.store.SetBookingWriteback(ctx, b.ID, calendarID, remote.Key, remote.ETag, b.Sequence)
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetBookingWriteback(ctx, b.ID, calendarID, remote.Key, remote.ETag, b.Sequence); err != nil {
			return err
		}
		set, err := tx.SetBookingVideoURL(ctx, b.ID, meetURL)
		if err != nil || !set {
			return err
		}
		// The invitation waited for the link: it goes out with it.
		return s.notices.ReleaseHeld(ctx, tx, b.ID)
	})
}

// heldToken is a TokenStore in memory, for the calls made while
// connecting, before the connection has a row to keep its token in.
type heldToken struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

func (h *heldToken) Load(context.Context) (*oauth2.Token, error) { return h.token(), nil }

func (h *heldToken) Save(_ context.Context, tok *oauth2.Token) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	cp := *tok
	h.tok = &cp
	return nil
}

func (h *heldToken) token() *oauth2.Token {
	h.mu.Lock()
	defer h.mu.Unlock()
	cp := *h.tok
	return &cp
}
