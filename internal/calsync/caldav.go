package calsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/caldav"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// ProviderCalDAV names CalDAV connections.
const ProviderCalDAV = "caldav"

// caldavCredentials is the sealed part of a CalDAV connection: the
// password (URL and username are shown to the mentor and stored in clear),
// and the account's own calendar user addresses, read at connect time, by
// which the mentor is recognised among an event's attendees.
type caldavCredentials struct {
	Password  string   `json:"password"`
	Addresses []string `json:"addresses,omitempty"`
}

// caldavSource adapts a providers/caldav connection to Source.
type caldavSource struct {
	conn      *caldav.Conn
	addresses []string
}

// connectCalDAV discovers the account behind a URL, which checks the
// credentials.
func connectCalDAV(ctx context.Context, client *http.Client, auth *caldav.AuthCache, url, username, password string) (*caldavSource, error) {
	conn, err := caldav.Connect(ctx, caldav.Credentials{URL: url, Username: username, Password: password}, caldav.Options{HTTPClient: client, Auth: auth})
	if err != nil {
		return nil, classifyCalDAV(err)
	}
	return &caldavSource{conn: conn, addresses: conn.Addresses()}, nil
}

// openCalDAV opens a stored connection without discovery: its calendars'
// references are already known.
func openCalDAV(client *http.Client, auth *caldav.AuthCache) Opener {
	return func(_ context.Context, c *store.Connection, credentials []byte) (Source, error) {
		var creds caldavCredentials
		if err := json.Unmarshal(credentials, &creds); err != nil {
			return nil, fmt.Errorf("read credentials of connection %s: %w", c.ID, err)
		}
		conn, err := caldav.Open(caldav.Credentials{URL: c.URL, Username: c.Username, Password: creds.Password}, caldav.Options{HTTPClient: client, Auth: auth})
		if err != nil {
			return nil, classifyCalDAV(err)
		}
		return &caldavSource{conn: conn, addresses: creds.Addresses}, nil
	}
}

// SelfAddresses are the account's calendar user addresses.
func (a *caldavSource) SelfAddresses() []string { return a.addresses }

func (a *caldavSource) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	cals, err := a.conn.Calendars(ctx)
	return cals, classifyCalDAV(err)
}

func (a *caldavSource) Changes(ctx context.Context, calRef, state string, window calendar.Interval, known map[string]string) (calendar.ChangeSet, error) {
	cs, err := a.conn.Changes(ctx, calRef, state, window, known)
	return cs, classifyCalDAV(err)
}

// Save writes the session's object. The booking is the source of truth
// for its own event: whatever holds its UID in the calendar is
// overwritten (remote edits to a session's event are lost), an object a
// client imported under its own name is adopted, and copies are removed,
// so that exactly one object carries the session (see
// caldav.Conn.SaveEvent).
func (a *caldavSource) Save(ctx context.Context, calRef string, s calendar.Session, prev Remote) (Remote, error) {
	ics, err := ical.EncodeObject(s)
	if err != nil {
		return Remote{}, err
	}
	key, etag, err := a.conn.SaveEvent(ctx, calRef, s.UID, ics, prev.Key)
	if err != nil {
		return Remote{}, classifyCalDAV(err)
	}
	return Remote{Key: key, ETag: etag, UID: s.UID}, nil
}

// Remove deletes the session's object and any other object with its UID.
// Unconditional: a cancelled session's event goes even if edited.
func (a *caldavSource) Remove(ctx context.Context, calRef string, prev Remote) error {
	return classifyCalDAV(a.conn.RemoveEvent(ctx, calRef, prev.UID, prev.Key))
}

// classifyCalDAV adds the provider-neutral kind to a CalDAV error.
func classifyCalDAV(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, caldav.ErrAuth):
		return fmt.Errorf("%w: %w", ErrCredentials, err)
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return err
	case errors.Is(err, caldav.ErrNotCalDAV):
		return fmt.Errorf("%w: %w", ErrNotCalendarServer, err)
	case errors.Is(err, caldav.ErrTooLarge):
		return tooLarge{err}
	case errors.Is(err, caldav.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}
