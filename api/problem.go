package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// Problem is an RFC 9457 problem document with the contract's `code`.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

// statusOf is the one map from error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:              http.StatusUnprocessableEntity,
	apperr.NotFound:             http.StatusNotFound,
	apperr.Unauthorized:         http.StatusUnauthorized,
	apperr.Forbidden:            http.StatusForbidden,
	apperr.Conflict:             http.StatusConflict,
	apperr.SlotUnavailable:      http.StatusConflict,
	apperr.CaseloadFull:         http.StatusConflict,
	apperr.AlreadyMentored:      http.StatusConflict,
	apperr.PeriodClosed:         http.StatusConflict,
	apperr.CalendarAuthFailed:   http.StatusUnprocessableEntity,
	apperr.CalendarURLForbidden: http.StatusUnprocessableEntity,
	apperr.CalendarNotCalDAV:    http.StatusUnprocessableEntity,
	apperr.WebhookURLForbidden:  http.StatusUnprocessableEntity,
	apperr.CalendarUnreachable:  http.StatusBadGateway,
	apperr.CalendarTooLarge:     http.StatusUnprocessableEntity,
	apperr.VideoUnavailable:     http.StatusBadGateway,
	apperr.RateLimited:          http.StatusTooManyRequests,
	apperr.TooLarge:             http.StatusRequestEntityTooLarge,
	apperr.MethodNotAllowed:     http.StatusMethodNotAllowed,
	apperr.Unavailable:          http.StatusServiceUnavailable,
	apperr.Internal:             http.StatusInternalServerError,
}

// codeOfStatus maps echo's own errors (404 route, 405, 413…) to codes.
var codeOfStatus = map[int]apperr.Code{
	http.StatusBadRequest:            apperr.Invalid,
	http.StatusUnprocessableEntity:   apperr.Invalid,
	http.StatusNotFound:              apperr.NotFound,
	http.StatusMethodNotAllowed:      apperr.MethodNotAllowed,
	http.StatusUnauthorized:          apperr.Unauthorized,
	http.StatusForbidden:             apperr.Forbidden,
	http.StatusRequestEntityTooLarge: apperr.TooLarge,
	http.StatusTooManyRequests:       apperr.RateLimited,
	http.StatusUnsupportedMediaType:  apperr.Invalid,
}

// problemFor turns any error into the problem to send.
func problemFor(err error) Problem {
	if e, ok := apperr.As(err); ok {
		status := statusOf[e.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		p := newProblem(status, e.Code, e.Message)
		p.Field = e.Field
		if e.Field != "" {
			p.Detail = e.Field + ": " + e.Message
		}
		if status == http.StatusInternalServerError {
			p.Detail = "internal error"
		}
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, ok := codeOfStatus[he.Code]
		if !ok {
			code = apperr.Internal
		}
		status := he.Code
		msg, _ := he.Message.(string)
		if he.Code >= 500 {
			msg = "internal error"
		}
		return newProblem(status, code, msg)
	}
	return newProblem(http.StatusInternalServerError, apperr.Internal, "internal error")
}

func newProblem(status int, code apperr.Code, detail string) Problem {
	return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: string(code)}
}

// statusClientClosed is nginx's 499: the client went away before the
// answer. It is no fault of ours: not logged or counted as an error.
const statusClientClosed = 499

// problemOf is problemFor in the light of the request: a client that went
// away gets 499, and a database that cannot answer for now (down, out of
// connections, or the request's time ran out) 503 instead of 500.
func (s *Server) problemOf(c echo.Context, err error) Problem {
	if errors.Is(c.Request().Context().Err(), context.Canceled) {
		return newProblem(statusClientClosed, apperr.Unavailable, "client closed the request")
	}
	p := problemFor(err)
	if p.Status == http.StatusInternalServerError && s.DB != nil && s.DB.Unavailable(err) {
		return newProblem(http.StatusServiceUnavailable, apperr.Unavailable, "the service is busy or its database is unreachable; try again shortly")
	}
	return p
}

// errorHandler writes every error as application/problem+json (pages
// render their own error page, see pages.go) and logs server faults.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := localizeProblem(s.problemOf(c, err), err, requestLanguage(c))
	c.Response().Header().Set("Content-Language", requestLanguage(c))
	setRetryAfter(c, err)
	switch {
	case p.Status == statusClientClosed:
		c.Response().WriteHeader(p.Status) // for the request log; nobody reads it
		return
	case p.Status == http.StatusServiceUnavailable:
		c.Response().Header().Set("Retry-After", "5")
		s.logger.Warn("request not served", slog.String("request_id", requestID(c)), slog.String("route", c.Path()), slog.Any("error", err))
	case p.Status >= 500:
		// The route pattern, not the path: paths carry link and manage tokens.
		s.logger.Error("request failed", slog.String("request_id", requestID(c)), slog.String("route", c.Path()), slog.Any("error", err))
	}
	if s.pageErrors != nil && s.pageErrors(c, p) {
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_ = jsonEncode(c.Response(), p)
	}
}

// setRetryAfter answers Retry-After (whole seconds, rounded up) for an
// error that says when to try again.
func setRetryAfter(c echo.Context, err error) {
	if e, ok := apperr.As(err); ok && e.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
}
