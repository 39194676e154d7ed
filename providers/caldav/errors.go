package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/rendezvous/rendezvous/providers/netguard"
)

// Errors returned by this package; test with errors.Is. A refused private
// address is reported as netguard.ErrForbiddenAddress.
var (
	// ErrAuth: the server rejected the credentials (HTTP 401, or 403 without
	// a more specific WebDAV condition): wrong, revoked or lacking access.
	ErrAuth = errors.New("the calendar server rejected the username or password")
	// ErrNotCalDAV: the URL answers, but neither it nor its well-known
	// location is a CalDAV server, principal, calendar home or calendar.
	ErrNotCalDAV = errors.New("the URL does not lead to a CalDAV server")
	// ErrUnreachable: the server could not be reached or failed: DNS, dial,
	// TLS, timeout, connection lost, or a 5xx answer.
	ErrUnreachable = errors.New("the calendar server is unreachable or failing")
	// ErrPrecondition: a conditional write failed (HTTP 412): the object
	// changed on the server since its ETag was read, or already exists.
	ErrPrecondition = errors.New("the calendar object was changed on the server (ETag mismatch)")
	// ErrSyncTokenInvalid: the server no longer accepts a sync token.
	// Changes handles it by running a full sync; it is exported for callers
	// that drive sync-collection themselves.
	ErrSyncTokenInvalid = errors.New("the calendar server no longer accepts the sync token")
	// ErrTooLarge: an answer was larger than the client reads (see
	// maxResponseBytes and maxObjectBytes).
	ErrTooLarge = errors.New("calendar too large")
)

// StatusError is an unexpected HTTP status. It unwraps to ErrAuth,
// ErrPrecondition, ErrUnreachable or ErrNotCalDAV when the status maps to one.
type StatusError struct {
	Method string
	URL    string
	Code   int
	// Condition is the WebDAV precondition element named in an error body
	// (e.g. "valid-sync-token", "no-uid-conflict"), if any.
	Condition string
	kind      error
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: server answered %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
	if e.Condition != "" {
		msg += " (" + e.Condition + ")"
	}
	if e.kind != nil {
		msg = e.kind.Error() + ": " + msg
	}
	return msg
}

func (e *StatusError) Unwrap() error { return e.kind }

// newStatusError classifies an HTTP error status.
func newStatusError(method string, u *url.URL, code int, body []byte) *StatusError {
	e := &StatusError{Method: method, URL: u.Redacted(), Code: code, Condition: davCondition(body)}
	switch {
	case code == http.StatusUnauthorized:
		e.kind = ErrAuth
	case code == http.StatusForbidden && e.Condition == "":
		// A 403 naming a condition (read-only calendar, UID conflict,
		// sync token) is about the request, not the credentials.
		e.kind = ErrAuth
	case code == http.StatusPreconditionFailed:
		e.kind = ErrPrecondition
	case code >= 500:
		e.kind = ErrUnreachable
	}
	return e
}

// notCalDAV explains why a URL is not usable as CalDAV.
func notCalDAV(u *url.URL, why string) error {
	return fmt.Errorf("%w: %s %s", ErrNotCalDAV, u.Redacted(), why)
}

// transportError wraps an error from sending a request or reading its
// answer. Cancellation by the caller and refused addresses keep their own
// identity; everything else means the server could not be reached.
func transportError(method string, u *url.URL, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, netguard.ErrForbiddenAddress) {
		return fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
	}
	return fmt.Errorf("%w: %s %s: %w", ErrUnreachable, method, u.Redacted(), err)
}
