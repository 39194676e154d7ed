package calsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/ics"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// ProviderICS names connections to a published calendar address.
const ProviderICS = "ics"

// icsCredentials is the sealed part of an ICS connection: the address
// itself, which for Google's secret address or Outlook's published link
// is the only key to the calendar. The connection shows only its host.
type icsCredentials struct {
	URL string `json:"url"`
}

// icsSource adapts a feed to Source: busy time only, never written.
type icsSource struct{ feed *ics.Feed }

var errReadOnly = errors.New("a published calendar address is read-only")

func (a *icsSource) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	cals, err := a.feed.Calendars(ctx)
	return cals, classifyICS(err)
}

func (a *icsSource) Changes(ctx context.Context, calRef, state string, window calendar.Interval, known map[string]string) (calendar.ChangeSet, error) {
	cs, err := a.feed.Changes(ctx, calRef, state, window, known)
	return cs, classifyICS(err)
}

func (a *icsSource) Save(context.Context, string, calendar.Session, Remote) (Remote, error) {
	return Remote{}, errReadOnly
}

func (a *icsSource) Remove(context.Context, string, Remote) error { return errReadOnly }

func openICS(client *http.Client, allowHTTP bool) Opener {
	return func(_ context.Context, c *store.Connection, credentials []byte) (Source, error) {
		var creds icsCredentials
		if err := json.Unmarshal(credentials, &creds); err != nil {
			return nil, fmt.Errorf("read address of connection %s: %w", c.ID, err)
		}
		feed, err := ics.Open(creds.URL, ics.Options{HTTPClient: client, AllowHTTP: allowHTTP})
		if err != nil {
			return nil, classifyICS(err)
		}
		return &icsSource{feed: feed}, nil
	}
}

// connectICS fetches a published address once, and stores it as a
// read-only connection with one calendar when it holds iCalendar data.
func (s *Service) connectICS(ctx context.Context, mentorID, address string) (*Connection, error) {
	mentor, err := s.store.Mentor(ctx, mentorID)
	if err != nil {
		return nil, notFound(err, "mentor")
	}
	feed, err := ics.Open(address, ics.Options{HTTPClient: s.client, AllowHTTP: s.AllowPrivateHosts})
	if err != nil {
		return nil, icsConnectError(err)
	}
	src := &icsSource{feed: feed}
	remote, err := src.Calendars(ctx)
	if err != nil {
		return nil, icsConnectError(err)
	}
	conn := s.newConnection(mentorID, ProviderICS)
	conn.URL = ics.Redact(address)
	secretPart, _ := json.Marshal(icsCredentials{URL: address})
	conn.CredentialsSealed = s.box.Seal(secretPart)
	cals, pulls, err := s.firstPull(ctx, src, mentor, conn, remote)
	if err != nil {
		return nil, icsConnectError(err)
	}
	if err := s.storeConnection(ctx, conn, remote, cals, pulls); err != nil {
		return nil, notFound(err, "mentor")
	}
	return s.connectionView(ctx, mentorID, conn.ID)
}

// classifyICS adds the provider-neutral kind to a feed error.
func classifyICS(err error) error {
	switch {
	case err == nil, errors.Is(err, netguard.ErrForbiddenAddress), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, ics.ErrUnreachable):
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

// icsConnectError maps a failed first fetch to the contract's codes.
func icsConnectError(err error) error {
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return apperr.Wrap(apperr.CalendarURLForbidden, err,
			"the calendar address resolves to a private or local address, which this server does not allow")
	case errors.Is(err, ErrUnreachable):
		return apperr.Wrap(apperr.CalendarUnreachable, err, "%s", unreachableReason(err, true))
	case errors.Is(err, ics.ErrBadURL), errors.Is(err, ics.ErrAuth), errors.Is(err, ics.ErrGone),
		errors.Is(err, ics.ErrNotICalendar), errors.Is(err, ics.ErrTooLarge):
		return apperr.Field("url", "%s", brief(err))
	case errors.Is(err, ErrTooLarge):
		return apperr.Wrap(apperr.CalendarTooLarge, err, "%s", tooLargeReason(err))
	case errors.Is(err, context.Canceled):
		return err
	}
	return apperr.Wrap(apperr.CalendarUnreachable, err, "the calendar address could not be read: %s", brief(err))
}

// icsSyncFailure is the status and reason of a failed feed sync: an
// address that was reset or removed needs the mentor to connect it again.
func icsSyncFailure(err error) (status, reason string, ok bool) {
	switch {
	case errors.Is(err, ics.ErrAuth), errors.Is(err, ics.ErrGone):
		return store.ConnectionReauthRequired,
			"The published calendar address no longer works (it was reset, unpublished or removed). Publish it again and connect the new address.", true
	case errors.Is(err, ics.ErrNotICalendar), errors.Is(err, ics.ErrTooLarge):
		return store.ConnectionError, "The calendar address could not be used: " + brief(err), true
	}
	return "", "", false
}
