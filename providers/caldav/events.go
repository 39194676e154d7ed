package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ErrUIDConflict: the calendar holds the UID under another href, and the
// server refuses a second object with it (RFC 4791 no-uid-conflict, RFC
// 6638 unique-scheduling-object-resource; SOGo answers 409).
var ErrUIDConflict = errors.New("the calendar already holds an event with this UID under another name")

// UIDConflictError is a refused PUT of a UID that exists elsewhere in the
// calendar; Href names that object when the server says (Cyrus does,
// SOGo does not).
type UIDConflictError struct {
	*StatusError
	Href string
}

func (e *UIDConflictError) Error() string {
	msg := ErrUIDConflict.Error() + ": " + e.StatusError.Error()
	if e.Href != "" {
		msg += " (held by " + e.Href + ")"
	}
	return msg
}

func (e *UIDConflictError) Unwrap() []error { return []error{ErrUIDConflict, e.StatusError} }

// putError classifies a failed PUT.
func (c *Conn) putError(ans *answer) error {
	if ans.code == http.StatusMultiStatus {
		// Xandikos answers a refused PUT with a multistatus holding the
		// status and the DAV:error.
		if ms, err := decodeMultistatus(ans.body); err == nil && len(ms.Responses) > 0 {
			r := ms.Responses[0]
			code := statusCode(r.Status)
			if code/100 == 2 {
				code = http.StatusConflict
			}
			se := &StatusError{Method: http.MethodPut, URL: ans.url.Redacted(), Code: code}
			if strings.Contains(string(ans.body), "no-uid-conflict") {
				return &UIDConflictError{StatusError: se}
			}
			return newStatusError(http.MethodPut, ans.url, code, nil)
		}
	}
	se := newStatusError(http.MethodPut, ans.url, ans.code, ans.body)
	switch {
	case se.Condition == "no-uid-conflict" || se.Condition == "unique-scheduling-object-resource":
	case ans.code == http.StatusConflict && strings.Contains(strings.ToLower(string(ans.body)), "uid"):
		// SOGo: 409 "Event UID already in use", no DAV:error.
	default:
		return se
	}
	conflict := &UIDConflictError{StatusError: se}
	if href := davConditionHref(ans.body); href != "" {
		if u, err := ans.url.Parse(href); err == nil {
			conflict.Href = c.refOf(u)
		}
	}
	return conflict
}

// SaveEvent writes the event uid into calRef, where prevKey (if any) is
// the object it was last written to. The event is ours: whatever holds
// the UID in that calendar is overwritten, so that exactly one object
// carries it afterwards, at its current time:
//
//   - A server that refuses the UID under a new href (Cyrus, SOGo: a
//     client imported our invitation first) gets the event at the href
//     that holds it, which becomes the event's key. Never retried as is.
//   - Servers that accept a second object with the same UID (sabre/dav,
//     DAViCal) keep ours and lose the copies, found by a UID query.
//
// It returns the key and the new ETag.
func (c *Conn) SaveEvent(ctx context.Context, calRef, uid string, ics []byte, prevKey string) (key, etag string, err error) {
	if prevKey == "" {
		target, err := c.objectURL(calRef, uid)
		if err != nil {
			return "", "", err
		}
		prevKey = c.refOf(target)
	}
	key, etag, err = c.PutAt(ctx, prevKey, ics, "")
	var conflict *UIDConflictError
	if errors.As(err, &conflict) {
		holder := conflict.Href
		if holder == "" {
			keys, findErr := c.queryUID(ctx, calRef, uid)
			if findErr == nil && len(keys) == 0 {
				keys, findErr = c.scanUID(ctx, calRef, uid)
			}
			if findErr != nil || len(keys) == 0 {
				return "", "", fmt.Errorf("%w; finding the object that holds it failed: %v", err, findErr)
			}
			holder = keys[0]
		}
		key, etag, err = c.PutAt(ctx, holder, ics, "")
	}
	if err != nil {
		return "", "", err
	}
	if err := c.deleteCopies(ctx, calRef, uid, key); err != nil {
		return "", "", err
	}
	return key, etag, nil
}

// deleteCopies deletes the objects of calRef holding uid, except keep
// (which must be among them). A server that cannot query by UID (it
// refuses the report) is assumed to hold no copies: it is not worth
// failing the write over.
func (c *Conn) deleteCopies(ctx context.Context, calRef, uid, keep string) error {
	keys, err := c.findUID(ctx, calRef, uid, keep)
	var se *StatusError
	if errors.As(err, &se) && se.Code/100 == 4 && !errors.Is(err, ErrAuth) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k == keep {
			continue
		}
		if err := c.Delete(ctx, k, ""); err != nil {
			return fmt.Errorf("delete copy %s of event %s: %w", k, uid, err)
		}
	}
	return nil
}

// RemoveEvent deletes the event uid from calRef: the object key (if
// known) and any other object with the same UID. Objects already gone
// count as deleted.
func (c *Conn) RemoveEvent(ctx context.Context, calRef, uid, key string) error {
	if uid != "" {
		if err := c.deleteCopies(ctx, calRef, uid, key); err != nil {
			return err
		}
	}
	if key == "" {
		return nil
	}
	return c.Delete(ctx, key, "")
}

// FindUID lists the keys of calRef's objects whose event has the UID uid
// (one calendar-query).
func (c *Conn) FindUID(ctx context.Context, calRef, uid string) ([]string, error) {
	return c.findUID(ctx, calRef, uid, "")
}

// findUID is FindUID where the object known must be among the results:
// when the query misses it (Xandikos answers UID queries with nothing),
// the calendar's objects are fetched and read instead.
func (c *Conn) findUID(ctx context.Context, calRef, uid, known string) ([]string, error) {
	keys, err := c.queryUID(ctx, calRef, uid)
	if err != nil || known == "" || slices.Contains(keys, known) {
		return keys, err
	}
	return c.scanUID(ctx, calRef, uid)
}

// scanUID finds uid by reading every object of calRef.
func (c *Conn) scanUID(ctx context.Context, calRef, uid string) ([]string, error) {
	calURL, err := c.resolve(calRef)
	if err != nil {
		return nil, err
	}
	calURL = asCollection(calURL)
	members, _, err := c.listMembers(ctx, calURL)
	if err != nil {
		return nil, err
	}
	items, _, err := c.fetch(ctx, calURL, members)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, it := range items {
		if holdsUID(it.ICS, uid) {
			keys = append(keys, it.Key)
		}
	}
	return keys, nil
}

// holdsUID reads the UID lines of iCalendar data (unfolded).
func holdsUID(ics []byte, uid string) bool {
	text := strings.NewReplacer("\r\n ", "", "\r\n\t", "", "\n ", "", "\n\t", "").Replace(string(ics))
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "UID:"); ok && v == uid {
			return true
		}
	}
	return false
}

func (c *Conn) queryUID(ctx context.Context, calRef, uid string) ([]string, error) {
	calURL, err := c.resolve(calRef)
	if err != nil {
		return nil, err
	}
	calURL = asCollection(calURL)
	ms, here, err := c.davRequest(ctx, "REPORT", calURL, "1", uidQueryBody(uid))
	if err != nil {
		return nil, fmt.Errorf("find event %s: %w", uid, err)
	}
	var keys []string
	for _, r := range ms.Responses {
		u, err := here.Parse(strings.TrimSpace(r.Href))
		if err != nil || samePath(u, here) || statusCode(r.Status)/100 != 2 {
			continue
		}
		keys = append(keys, c.refOf(u))
	}
	return keys, nil
}

// ObjectGone reports whether the server says the object key is gone: a
// GET answered 404 or 410. Any other failure is an error, never a
// deletion: a listing that misses an object, or an answer that could not
// be read, proves nothing.
func (c *Conn) ObjectGone(ctx context.Context, key string) (bool, error) {
	u, err := c.resolve(key)
	if err != nil {
		return false, err
	}
	ans, err := c.sendCapped(ctx, http.MethodGet, u, http.Header{"Accept": {"text/calendar"}}, nil, maxObjectBytes)
	if err != nil {
		return false, err
	}
	switch {
	case ans.code == http.StatusNotFound || ans.code == http.StatusGone:
		return true, nil
	case ans.code/100 == 2:
		return false, nil
	}
	return false, newStatusError(http.MethodGet, u, ans.code, ans.body)
}
