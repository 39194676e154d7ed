// Package caldav is a CalDAV client (RFC 4791, RFC 6578, RFC 6764) for
// discovering a user's calendars, syncing their objects cheaply and writing
// session events back. It speaks WebDAV over net/http itself rather than
// through emersion/go-webdav's client, which parses every object (one bad
// object fails a whole query), hides HTTP statuses and cannot send
// conditional requests.
package caldav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/providers/netguard"
)

// Credentials of a CalDAV account. URL may be the server root, a
// .well-known/caldav URL, a principal, a calendar home or one calendar.
type Credentials struct{ URL, Username, Password string }

// Options configures a connection.
type Options struct {
	// HTTPClient sends the requests, normally from netguard.NewHTTPClient.
	// Nil means a netguard client that refuses private addresses. Its
	// redirect policy is not used: redirects are followed here.
	HTTPClient *http.Client
	// FullListingEvery is how often Changes lists a whole calendar's
	// hrefs and ETags rather than trust its sync token or CTag; 0 means
	// DefaultFullListingEvery.
	FullListingEvery time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Auth keeps what each server's authentication asked for between
	// connections (see AuthCache); nil means this connection's own.
	Auth *AuthCache
}

const (
	maxRedirects = 5
	// maxResponseBytes bounds one answer; a PROPFIND of a 10,000-event
	// calendar is about 2 MB.
	maxResponseBytes = 64 << 20
	// maxObjectBytes bounds answers that carry calendar data (multiget,
	// GET): one object that large is generated, not written by people,
	// and what an answer costs to read and decode is a few times its size.
	maxObjectBytes = 16 << 20
)

// Conn is a connection to one CalDAV account. It is safe for sequential
// use; Calendars discovers the account once and remembers the result.
type Conn struct {
	base      *url.URL
	client    *http.Client
	listEvery time.Duration
	now       func() time.Time

	discovered bool
	single     *url.URL   // the URL named one calendar
	homes      []*url.URL // calendar homes
	inbox      *url.URL   // scheduling inbox, for the default calendar
	outbox     *url.URL   // scheduling outbox, never a calendar
	addresses  []string   // calendar-user-address-set
}

// Open prepares a connection without any network access, for syncing and
// writing calendars whose Refs are already known. Use Connect to check the
// credentials and discover calendars.
func Open(creds Credentials, opts Options) (*Conn, error) {
	base, err := url.Parse(strings.TrimSpace(creds.URL))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("%w: %q is not an http(s) URL", ErrNotCalDAV, creds.URL)
	}
	if base.User != nil {
		// Credentials inside the URL would be sent to every redirect
		// target and logged; take them as the account if none were given.
		if creds.Username == "" {
			creds.Username = base.User.Username()
			creds.Password, _ = base.User.Password()
		}
		base.User = nil
	}
	if base.Path == "" {
		base.Path = "/"
	}
	client := opts.HTTPClient
	if client == nil {
		client = netguard.NewHTTPClient(netguard.Options{})
	}
	own := *client
	next := own.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	own.Transport = newAuthTransport(creds.Username, creds.Password, next, opts.Auth)
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Conn{base: base, client: &own, listEvery: opts.FullListingEvery, now: opts.Now}
	if c.listEvery <= 0 {
		c.listEvery = DefaultFullListingEvery
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// answer is a fully read HTTP response.
type answer struct {
	code   int
	header http.Header
	body   []byte
	url    *url.URL // after redirects
}

// send performs one request, following redirects itself so that PROPFIND
// and REPORT keep their method and body. Any status is returned as is.
func (c *Conn) send(ctx context.Context, method string, target *url.URL, header http.Header, body []byte) (*answer, error) {
	return c.sendCapped(ctx, method, target, header, body, maxResponseBytes)
}

// sendCapped is send reading at most limit bytes of the answer; a longer
// one is ErrTooLarge.
func (c *Conn) sendCapped(ctx context.Context, method string, target *url.URL, header http.Header, body []byte, limit int) (*answer, error) {
	for range maxRedirects + 1 {
		req, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, target.Redacted(), err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.client.Do(req)
		if err != nil {
			return nil, transportError(method, target, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
		resp.Body.Close()
		if err != nil {
			return nil, transportError(method, target, err)
		}
		if len(data) > limit {
			return nil, fmt.Errorf("%w: %s %s: the answer is larger than %d MiB", ErrTooLarge, method, target.Redacted(), limit>>20)
		}
		location := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || location == "" {
			return &answer{code: resp.StatusCode, header: resp.Header, body: data, url: target}, nil
		}
		next, err := target.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("%s %s: bad redirect %q: %w", method, target.Redacted(), location, err)
		}
		if target.Scheme == "https" && next.Scheme != "https" {
			return nil, fmt.Errorf("%s %s: refusing redirect from https to %s: the password would travel in clear text", method, target.Redacted(), next.Redacted())
		}
		target = next
	}
	return nil, fmt.Errorf("%w: %s %s: more than %d redirects", ErrNotCalDAV, method, target.Redacted(), maxRedirects)
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// davRequest sends a PROPFIND or REPORT and decodes its 207 answer. Any
// other status is a *StatusError; a 2xx that is not a multistatus means the
// resource is not WebDAV.
func (c *Conn) davRequest(ctx context.Context, method string, target *url.URL, depth string, body []byte) (*multistatus, *url.URL, error) {
	return c.davRequestCapped(ctx, method, target, depth, body, maxResponseBytes)
}

func (c *Conn) davRequestCapped(ctx context.Context, method string, target *url.URL, depth string, body []byte, limit int) (*multistatus, *url.URL, error) {
	header := http.Header{"Content-Type": {`application/xml; charset="utf-8"`}}
	if depth != "" {
		header.Set("Depth", depth)
	}
	ans, err := c.sendCapped(ctx, method, target, header, body, limit)
	if err != nil {
		return nil, nil, err
	}
	if ans.code != http.StatusMultiStatus {
		if ans.code >= 200 && ans.code < 300 {
			return nil, nil, notCalDAV(ans.url, fmt.Sprintf("answered %s with %d %s instead of a WebDAV multistatus: not a CalDAV server", method, ans.code, http.StatusText(ans.code)))
		}
		return nil, nil, newStatusError(method, ans.url, ans.code, ans.body)
	}
	ms, err := decodeMultistatus(ans.body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s %s: %w", ErrNotCalDAV, method, ans.url.Redacted(), err)
	}
	return ms, ans.url, nil
}

// propfindOne is a Depth: 0 PROPFIND returning the target's own properties
// and the URL it was found at after redirects.
func (c *Conn) propfindOne(ctx context.Context, target *url.URL, props ...string) (davProp, *url.URL, error) {
	ms, final, err := c.davRequest(ctx, "PROPFIND", target, "0", propfindBody(props...))
	if err != nil {
		return davProp{}, nil, err
	}
	for _, r := range ms.Responses {
		if u, err := final.Parse(r.Href); err == nil && samePath(u, final) {
			return r.props(), final, nil
		}
	}
	if len(ms.Responses) == 1 {
		// Some servers answer with another spelling of the same href.
		return ms.Responses[0].props(), final, nil
	}
	return davProp{}, nil, notCalDAV(final, "answered PROPFIND without describing itself")
}

// resolve turns a Ref or Key (a path on the account's host, or a full URL
// on another host) into a URL.
func (c *Conn) resolve(ref string) (*url.URL, error) {
	if ref == "" {
		return nil, errors.New("empty calendar or object reference")
	}
	u, err := c.base.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("bad reference %q: %w", ref, err)
	}
	return u, nil
}

// refOf is the inverse of resolve: a canonical path when on the account's
// host, so that the same object always gets the same key whatever escaping
// the server used, else the full URL.
func (c *Conn) refOf(u *url.URL) string {
	path := (&url.URL{Path: u.Path}).EscapedPath()
	if strings.EqualFold(u.Host, c.base.Host) && u.Scheme == c.base.Scheme {
		return path
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

func samePath(a, b *url.URL) bool {
	return strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(b.Path, "/")
}

// asCollection ensures a trailing slash so relative object names resolve
// inside the collection.
func asCollection(u *url.URL) *url.URL {
	c := *u
	if !strings.HasSuffix(c.Path, "/") {
		c.Path += "/"
		c.RawPath = ""
	}
	return &c
}
