// Package apperr carries machine-readable error codes from the services to
// the HTTP layer, which maps each code to one status (api/problem.go). The
// codes are part of the public contract.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a contract error code.
type Code string

const (
	Invalid         Code = "invalid_input"
	NotFound        Code = "not_found"
	Unauthorized    Code = "unauthorized"
	Forbidden       Code = "forbidden"
	Conflict        Code = "conflict"
	SlotUnavailable Code = "slot_unavailable"
	CaseloadFull    Code = "caseload_full"
	// AlreadyMentored: the person already has as many mentors as a
	// person may (or already this one).
	AlreadyMentored      Code = "already_mentored"
	CalendarAuthFailed   Code = "calendar_auth_failed"
	CalendarURLForbidden Code = "calendar_url_forbidden"
	CalendarNotCalDAV    Code = "calendar_not_caldav"
	CalendarUnreachable  Code = "calendar_unreachable"
	CalendarTooLarge     Code = "calendar_too_large"
	VideoUnavailable     Code = "video_unavailable"
	RateLimited          Code = "rate_limited"
	TooLarge             Code = "too_large"
	MethodNotAllowed     Code = "method_not_allowed"
	WebhookURLForbidden  Code = "webhook_url_forbidden"
	// PeriodClosed: the statement month is closed; its reports are locked.
	PeriodClosed Code = "period_closed"
	// Unavailable: the service cannot answer for now (database down or
	// overloaded); the request may be retried.
	Unavailable Code = "service_unavailable"
	Internal    Code = "internal"
)

// Error is an error with a contract code and a message safe to show.
type Error struct {
	Code    Code
	Field   string // the offending input field, for invalid_input
	Message string
	Err     error // the cause, for logs; never shown to clients
	// Key names the message for translation (the API writes it in the
	// reader's language), with Args its variable parts in order; Message
	// stays the English text.
	Key  string
	Args []string
	// RetryAfter, when set, is how long the caller should wait before
	// trying again (rate_limited); answered as Retry-After.
	RetryAfter time.Duration
}

// With names the message for translation: key, and its variable parts.
func (e *Error) With(key string, args ...string) *Error {
	e.Key, e.Args = key, args
	return e
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Later builds an Error that asks the caller to retry after a while.
func Later(code Code, after time.Duration, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), RetryAfter: after}
}

// Field builds an invalid_input error naming the field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and a public message to a cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
