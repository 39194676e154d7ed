package calsync

import (
	"context"
	"errors"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Source is one connection's account at a calendar provider, as the sync
// and write-back need it. CalDAV implements it in caldav.go; a Google
// adapter implements the same methods over providers/google (Changes may
// ignore known, Save maps to Insert/Patch, Remove to Delete) and is added
// by New when Options.Google is set.
//
// Errors should wrap ErrCredentials, ErrUnreachable or ErrNotCalendarServer
// when they are one of those, so that the service can tell the mentor what
// to do whatever the provider.
type Source interface {
	// Calendars lists the account's event calendars.
	Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error)
	// Changes returns what changed in calendar calRef since state; known
	// maps the stored items' keys to their ETags.
	Changes(ctx context.Context, calRef, state string, window calendar.Interval, known map[string]string) (calendar.ChangeSet, error)
	// Save creates the session's event in calRef (prev.Key == "") or
	// updates the event prev, and returns where it now lives.
	Save(ctx context.Context, calRef string, s calendar.Session, prev Remote) (Remote, error)
	// Remove deletes the event prev; an event already gone is removed.
	Remove(ctx context.Context, calRef string, prev Remote) error
}

// Remote is where a session's event lives in a provider's calendar.
type Remote struct {
	Key  string // CalDAV object href, Google event id
	ETag string
	// UID is the session's iCalendar UID: CalDAV removes every object
	// holding it, copies included.
	UID string
}

// Opener opens the Source of a stored connection; credentials are the
// connection's opened (decrypted) credentials blob.
type Opener func(ctx context.Context, c *store.Connection, credentials []byte) (Source, error)

// Provider-neutral failure kinds.
var (
	// ErrCredentials: the provider refused the stored credentials or
	// token; only the mentor can fix it by reconnecting.
	ErrCredentials = errors.New("the calendar account refused the saved credentials")
	// ErrUnreachable: the server could not be reached or failed.
	ErrUnreachable = errors.New("the calendar server is unreachable or failing")
	// ErrNotCalendarServer: the URL answers, but not as a calendar server.
	ErrNotCalendarServer = errors.New("the URL is not a calendar server")
	// ErrTooLarge: the calendar holds more than is read or kept (the
	// decoder's limits, maxBusyIntervals, the client's answer sizes); the
	// error's message, "calendar too large: …", says what.
	ErrTooLarge = ical.ErrTooLarge
)
