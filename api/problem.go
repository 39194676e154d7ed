package api

import (
	"errors"
	"log/slog"
	"net/http"

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
	apperr.CalendarAuthFailed:   http.StatusUnprocessableEntity,
	apperr.CalendarURLForbidden: http.StatusUnprocessableEntity,
	apperr.CalendarNotCalDAV:    http.StatusUnprocessableEntity,
	apperr.CalendarUnreachable:  http.StatusBadGateway,
	apperr.VideoUnavailable:     http.StatusBadGateway,
	apperr.RateLimited:          http.StatusTooManyRequests,
	apperr.TooLarge:             http.StatusRequestEntityTooLarge,
	apperr.Internal:             http.StatusInternalServerError,
}

// codeOfStatus maps echo's own errors (404 route, 405, 413…) to codes.
var codeOfStatus = map[int]apperr.Code{
	http.StatusBadRequest:            apperr.Invalid,
	http.StatusUnprocessableEntity:   apperr.Invalid,
	http.StatusNotFound:              apperr.NotFound,
	http.StatusMethodNotAllowed:      apperr.NotFound,
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
		if status == http.StatusMethodNotAllowed {
			return newProblem(status, apperr.NotFound, "method not allowed")
		}
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

// errorHandler writes every error as application/problem+json (pages
// render their own error page, see pages.go) and logs server faults.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	if p.Status >= 500 {
		s.logger.Error("request failed", slog.String("request_id", requestID(c)), slog.String("path", c.Request().URL.Path), slog.Any("error", err))
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
