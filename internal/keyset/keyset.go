// Package keyset is the cursor of keyset-paginated lists: the sort key of
// the last row of a page, handed to the client as an opaque string. A page
// then starts with a range condition on an index instead of an OFFSET that
// reads and throws away every earlier row.
package keyset

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// DefaultLimit and MaxLimit bound a page.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Cursor is the position after a row: its sort value (a time, a number or
// a text) and its id, which breaks ties. The zero Cursor is the first page.
type Cursor struct {
	At   time.Time
	Num  int64
	Text string
	ID   string
}

// First reports whether c is the start of the list.
func (c Cursor) First() bool { return c.ID == "" }

// Encode is the opaque form handed to clients.
func (c Cursor) Encode() string {
	raw := strconv.FormatInt(c.At.UnixNano(), 10) + "\x00" + strconv.FormatInt(c.Num, 10) + "\x00" + c.Text + "\x00" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// Decode reads a cursor a client sent back; "" is the first page.
func Decode(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := apperr.Field("cursor", "cursor is not one this server handed out")
	if len(s) > 1024 {
		return Cursor{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	parts := strings.SplitN(string(raw), "\x00", 4)
	if len(parts) != 4 || parts[3] == "" {
		return Cursor{}, bad
	}
	nanos, err1 := strconv.ParseInt(parts[0], 10, 64)
	num, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return Cursor{}, bad
	}
	return Cursor{At: time.Unix(0, nanos).UTC(), Num: num, Text: parts[2], ID: parts[3]}, nil
}

// Limit checks a page size; 0 is the default.
func Limit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 1 || n > MaxLimit:
		return 0, apperr.Field("limit", "limit must be between 1 and %d", MaxLimit)
	}
	return n, nil
}
