package calsync

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// connectError maps a provider failure while connecting to the contract's
// error codes; the cause stays attached for the logs only.
func connectError(err error) error {
	switch {
	case errors.Is(err, ErrCredentials):
		return apperr.Wrap(apperr.CalendarAuthFailed, err, "the calendar server rejected the username or password")
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return apperr.Wrap(apperr.CalendarURLForbidden, err,
			"the calendar URL resolves to a private or local address, which this server does not allow")
	case errors.Is(err, ErrNotCalendarServer):
		return apperr.Wrap(apperr.CalendarNotCalDAV, err,
			"the URL answers, but it is not a CalDAV server (nor a principal, calendar home or calendar on one): %s", brief(err))
	case errors.Is(err, ErrTooLarge):
		return apperr.Wrap(apperr.CalendarTooLarge, err, "%s", tooLargeReason(err))
	case errors.Is(err, context.Canceled):
		return err
	}
	// Unreachable, timed out, or answering something unusable.
	return apperr.Wrap(apperr.CalendarUnreachable, err, "%s", unreachableReason(err, true))
}

// syncFailure turns a sync error of a provider's connection into the
// connection status and the human reason shown to the mentor.
func syncFailure(provider string, err error) (status, reason string) {
	if provider == ProviderICS {
		if status, reason, ok := icsSyncFailure(err); ok {
			return status, reason
		}
	}
	switch {
	case errors.Is(err, ErrCredentials) && provider == ProviderGoogle:
		return store.ConnectionReauthRequired,
			"Google no longer accepts this connection (access was revoked, or it expired). Please connect Google Calendar again."
	case errors.Is(err, ErrCredentials):
		return store.ConnectionReauthRequired,
			"The calendar server rejected the saved username or password. Please reconnect this calendar with the current credentials."
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return store.ConnectionError, "The calendar server's address is private or local, which this server does not allow."
	case errors.Is(err, ErrUnreachable):
		return store.ConnectionError, unreachableReason(err, false)
	case errors.Is(err, ErrNotCalendarServer):
		return store.ConnectionError, "The calendar server gave an answer that is not valid CalDAV: " + brief(err)
	case errors.Is(err, ErrTooLarge):
		return store.ConnectionError, tooLargeReason(err) +
			". Busy time is kept as it was before; remove or shorten what is too large, or stop checking this calendar for conflicts."
	}
	return store.ConnectionError, "Calendar sync failed: " + brief(err)
}

// tooLargeReason is the "calendar too large: …" message of err, without
// the context wrapped around it (calendar and object ids).
func tooLargeReason(err error) string {
	var limit *ical.LimitError
	if errors.As(err, &limit) {
		return limit.Error()
	}
	var tl tooLarge
	if errors.As(err, &tl) {
		return brief(tl.error)
	}
	return brief(err)
}

// brief bounds an error text shown to users.
func brief(err error) string {
	const limit = 300
	msg := err.Error()
	if len(msg) <= limit {
		return msg
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}
