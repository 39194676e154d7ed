package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// decodeJSON reads a JSON body into dst; malformed input is invalid_input
// naming the field where Go can tell, and an oversized body is 413.
func decodeJSON(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Errorf(apperr.TooLarge, "request body over 1 MiB")
	}
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	// encoding/json would turn invalid UTF-8 into U+FFFD and store it.
	if !utf8.Valid(body) {
		return apperr.Field("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return apperr.Field("body", "a JSON object is required")
		case errors.As(err, &typeErr):
			return apperr.Field(typeErr.Field, "has the wrong type (want %s)", typeErr.Type)
		default:
			return apperr.Field("body", "is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return apperr.Field("body", "holds more than one JSON value")
	}
	return nil
}

// parseTime reads an RFC 3339 query or body value.
func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, apperr.Field(field, "%q is not an RFC 3339 time", v)
	}
	return t, nil
}

// parseWindow reads ?from=&to=, with defaults when absent.
func parseWindow(c echo.Context, defFrom, defTo time.Time) (time.Time, time.Time, error) {
	from, to := defFrom, defTo
	var err error
	if v := c.QueryParam("from"); v != "" {
		if from, err = parseTime("from", v); err != nil {
			return from, to, err
		}
	}
	if v := c.QueryParam("to"); v != "" {
		if to, err = parseTime("to", v); err != nil {
			return from, to, err
		}
	}
	return from, to, validate.Window(from, to)
}

// rfc3339 formats t in loc (UTC when nil).
func rfc3339(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

func optionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// nullableInt decodes a JSON field that may be absent, null or a number.
type nullableInt struct {
	Set   bool
	Value *int
}

func (n *nullableInt) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("want an integer or null")
	}
	n.Value = &v
	return nil
}

// decodeOptionalJSON is decodeJSON where an empty body is allowed.
func decodeOptionalJSON(c echo.Context, dst any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return decodeJSON(c, dst)
}
