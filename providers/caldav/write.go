package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Put writes one calendar object named after its UID into the calendar
// calRef. With etag "" it creates the object and fails with
// ErrPrecondition if it exists (If-None-Match: *); otherwise it replaces
// it only if unchanged since etag (If-Match). It returns the object's key
// (as Changes reports it) and its new ETag ("" if the server gives none).
//
// A UID the calendar already holds under another href (a client imported
// our invitation) is a *UIDConflictError, which unwraps to ErrUIDConflict.
func (c *Conn) Put(ctx context.Context, calRef, uid string, ics []byte, etag string) (href, newETag string, err error) {
	target, err := c.objectURL(calRef, uid)
	if err != nil {
		return "", "", err
	}
	if etag == "" {
		etag = createOnly
	}
	return c.PutAt(ctx, c.refOf(target), ics, etag)
}

// createOnly as the etag of PutAt creates the object only if absent.
const createOnly = "*"

// PutAt writes the object at href (a key from Changes or Put): with etag
// "*" only if absent (If-None-Match), with another etag only if unchanged
// (If-Match), with "" unconditionally. It returns the key and new ETag.
func (c *Conn) PutAt(ctx context.Context, href string, ics []byte, etag string) (key, newETag string, err error) {
	target, err := c.resolve(href)
	if err != nil {
		return "", "", err
	}
	header := http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}
	switch etag {
	case "":
	case createOnly:
		header.Set("If-None-Match", "*")
	default:
		header.Set("If-Match", quoteETag(etag))
	}
	ans, err := c.send(ctx, http.MethodPut, target, header, ics)
	if err != nil {
		return "", "", err
	}
	if ans.code/100 != 2 || ans.code == http.StatusMultiStatus {
		return "", "", c.putError(ans)
	}
	newETag = ans.header.Get("ETag")
	if newETag == "" || strings.HasPrefix(newETag, "W/") {
		// The server changed the data or gives no strong ETag: ask for the
		// stored object's ETag so the next sync recognises our own write.
		if prop, _, err := c.propfindOne(ctx, ans.url, "d:getetag"); err == nil {
			newETag = prop.ETag
		}
	}
	return c.refOf(ans.url), newETag, nil
}

// objectURL is where Put stores a UID's object in calRef.
func (c *Conn) objectURL(calRef, uid string) (*url.URL, error) {
	if strings.TrimSpace(uid) == "" {
		return nil, errors.New("put calendar object: empty UID")
	}
	calURL, err := c.resolve(calRef)
	if err != nil {
		return nil, err
	}
	// "./" keeps a UID containing ":" from parsing as a URL scheme.
	name, err := url.Parse("./" + url.PathEscape(uid) + ".ics")
	if err != nil {
		return nil, fmt.Errorf("put calendar object: UID %q: %w", uid, err)
	}
	return asCollection(calURL).ResolveReference(name), nil
}

// Delete removes the object href (a key from Changes or Put). With etag
// set, only if unchanged (If-Match), else ErrPrecondition. An object that
// is already gone counts as deleted.
func (c *Conn) Delete(ctx context.Context, href, etag string) error {
	target, err := c.resolve(href)
	if err != nil {
		return err
	}
	header := http.Header{}
	if etag != "" {
		header.Set("If-Match", quoteETag(etag))
	}
	ans, err := c.send(ctx, http.MethodDelete, target, header, nil)
	if err != nil {
		return err
	}
	switch {
	case ans.code/100 == 2, ans.code == http.StatusNotFound, ans.code == http.StatusGone:
		return nil
	}
	return fmt.Errorf("delete calendar object: %w", newStatusError(http.MethodDelete, ans.url, ans.code, ans.body))
}

// quoteETag accepts an ETag with or without its quotes.
func quoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		return etag
	}
	return `"` + etag + `"`
}
